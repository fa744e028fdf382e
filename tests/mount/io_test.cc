// SPDX-License-Identifier: GPL-3.0-or-later
// Data paths: O_APPEND writers, concurrent writers, fsync reaching the brick, offsets past
// 4 GiB, SEEK_DATA/SEEK_HOLE, fallocate, and coherence between descriptors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

using namespace std::chrono_literals;

class IoTest : public MountTest {};

TEST_F(IoTest, AppendFromSeveralProcessesNeverInterleaves) {
  constexpr int kWriters = 4, kRecords = 400;
  constexpr size_t kRecordSize = 256;
  auto record = [](int w, int seq) {
    char head[32];
    std::snprintf(head, sizeof head, "W%d S%05d ", w, seq);
    std::string r = head;
    r.resize(kRecordSize - 1, static_cast<char>('a' + w));
    return r + "\n";
  };
  std::string f = path("spool");
  ASSERT_EQ(writeFile(f, ""), "");
  std::vector<Child> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w]() -> std::string {
      Fd fd(open(f.c_str(), O_WRONLY | O_APPEND));
      if (!fd.ok()) return sysFail("open O_APPEND");
      for (int s = 0; s < kRecords; ++s) {
        std::string r = record(w, s);
        ssize_t n = write(fd.get(), r.data(), r.size());  // one record, one write()
        if (n != static_cast<ssize_t>(r.size())) return sysFail("append write");
      }
      return "";
    });
  }
  for (auto& c : writers) ASSERT_EQ(c.wait(120s), "");
  std::string all;
  ASSERT_EQ(readFile(f, &all), "");
  ASSERT_EQ(all.size(), kWriters * kRecords * kRecordSize) << "total size must be exact";
  std::map<int, int> next;
  for (size_t off = 0; off < all.size(); off += kRecordSize) {
    std::string r = all.substr(off, kRecordSize);
    int w = -1, s = -1;
    ASSERT_EQ(std::sscanf(r.c_str(), "W%d S%d ", &w, &s), 2) << "garbage at offset " << off;
    ASSERT_TRUE(w >= 0 && w < kWriters) << "offset " << off;
    ASSERT_EQ(r, record(w, s)) << "record at offset " << off << " was overwritten or mixed";
    ASSERT_EQ(s, next[w]) << "writer " << w << "'s records out of order at offset " << off;
    ++next[w];
  }
  for (int w = 0; w < kWriters; ++w) EXPECT_EQ(next[w], kRecords) << "writer " << w;
}

TEST_F(IoTest, ConcurrentWritersToDisjointRegions) {
  constexpr int kWriters = 4;
  constexpr size_t kRegion = 1 << 20, kChunk = 4096;
  std::string f = path("regions");
  ASSERT_EQ(writeFile(f, ""), "");
  std::vector<Child> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w]() -> std::string {
      Fd fd(open(f.c_str(), O_WRONLY));
      std::string data = patternBytes(kRegion, 100 + w);
      // Interleave chunk order so that writers' requests mix on the wire.
      for (size_t i = 0; i < kRegion / kChunk; ++i) {
        size_t chunk = (i * 7) % (kRegion / kChunk);
        off_t off = static_cast<off_t>(w * kRegion + chunk * kChunk);
        std::string e =
            pwriteAll(fd.get(), std::string_view(data).substr(chunk * kChunk, kChunk), off);
        if (!e.empty()) return e;
      }
      return "";
    });
  }
  for (auto& c : writers) ASSERT_EQ(c.wait(120s), "");
  std::string all;
  ASSERT_EQ(readFile(f, &all), "");
  ASSERT_EQ(all.size(), kWriters * kRegion);
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(firstDifference(patternBytes(kRegion, 100 + w), all.substr(w * kRegion, kRegion)), "")
        << "region of writer " << w;
  }
}

TEST_F(IoTest, WritesAreVisibleThroughOtherDescriptorsAndProcesses) {
  Fd reader(open(path("f").c_str(), O_RDONLY | O_CREAT, 0644));
  Fd writer(open(path("f").c_str(), O_WRONLY));
  ASSERT_TRUE(reader.ok() && writer.ok());
  std::string data = patternBytes(200000, 8);
  ASSERT_EQ(pwriteAll(writer.get(), data, 0), "");
  std::string got;
  ASSERT_EQ(preadExact(reader.get(), data.size(), 0, &got), "");
  EXPECT_EQ(firstDifference(data, got), "") << "read through a descriptor opened before the write";
  std::string p = path("f");
  MT_EXPECT_OK(runChild([&]() -> std::string {
    std::string seen;
    std::string e = readFile(p, &seen);
    return e.empty() ? firstDifference(data, seen) : e;
  }));
  // Overwrite the middle and read at EOF.
  ASSERT_EQ(pwriteAll(writer.get(), "MIDDLE", 100000), "");
  ASSERT_EQ(preadExact(reader.get(), 6, 100000, &got), "");
  EXPECT_EQ(got, "MIDDLE");
  char c;
  EXPECT_EQ(pread(reader.get(), &c, 1, static_cast<off_t>(data.size())), 0) << "read at EOF";
  EXPECT_EQ(pread(reader.get(), &c, 1, 1 << 30), 0) << "read far past EOF";
}

TEST_F(IoTest, FsyncSucceedsAndDataReachesTheBrick) {
  std::string data = patternBytes(3 << 20, 13);
  Fd fd(open(path("f").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_EQ(pwriteAll(fd.get(), data, 0), "");
  ASSERT_EQ(fsync(fd.get()), 0) << sysFail("fsync");
  ASSERT_EQ(pwriteAll(fd.get(), "tail", static_cast<off_t>(data.size())), "");
  ASSERT_EQ(fdatasync(fd.get()), 0) << sysFail("fdatasync");
  Fd d(open(dir().c_str(), O_RDONLY | O_DIRECTORY));
  EXPECT_EQ(fsync(d.get()), 0) << sysFail("fsync of a directory");
  Fd sync_fd(open(path("sync").c_str(), O_WRONLY | O_CREAT | O_SYNC, 0644));
  ASSERT_TRUE(sync_fd.ok()) << sysFail("open O_SYNC");
  ASSERT_EQ(pwriteAll(sync_fd.get(), "synchronous", 0), "");
  MT_REQUIRE_BRICK();
  // The descriptors are still open: only fsync (or O_SYNC) can have put the data there.
  std::string on_brick;
  ASSERT_EQ(readFile(brickPath("f"), &on_brick), "");
  EXPECT_EQ(firstDifference(data + "tail", on_brick), "") << "brick copy after fsync";
  ASSERT_EQ(readFile(brickPath("sync"), &on_brick), "");
  EXPECT_EQ(on_brick, "synchronous") << "brick copy after an O_SYNC write";
}

TEST_F(IoTest, OffsetsBeyondFourGiBWork) {
  Fd fd(open(path("big").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_TRUE(fd.ok());
  const off_t k4G = off_t{1} << 32;
  const std::pair<off_t, std::string> writes[] = {
      {k4G - 5, "straddles-4GiB"},
      {5 * (off_t{1} << 30) + 123, "at-5GiB"},
      {off_t{1} << 40, "at-1TiB"},
  };
  for (const auto& [off, s] : writes) ASSERT_EQ(pwriteAll(fd.get(), s, off), "");
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_size, (off_t{1} << 40) + 7);
  EXPECT_LT(st.st_blocks * 512, off_t{1} << 30) << "the gaps must stay holes";
  for (const auto& [off, s] : writes) {
    std::string got;
    ASSERT_EQ(preadExact(fd.get(), s.size(), off, &got), "");
    EXPECT_EQ(got, s) << "at offset " << off;
  }
  std::string gap;
  ASSERT_EQ(preadExact(fd.get(), 4096, 3 * (off_t{1} << 30), &gap), "");
  EXPECT_EQ(gap, std::string(4096, '\0'));
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_END), (off_t{1} << 40) + 7);
  ASSERT_EQ(ftruncate(fd.get(), k4G + 3), 0) << sysFail("ftruncate above 4 GiB");
  std::string got;
  ASSERT_EQ(preadExact(fd.get(), 8, k4G - 5, &got), "");
  EXPECT_EQ(got, "straddle");
  char c;
  EXPECT_EQ(pread(fd.get(), &c, 1, k4G + 3), 0) << sysFail("pread");
  ASSERT_EQ(stat(path("big").c_str(), &st), 0) << sysFail("stat");
  EXPECT_EQ(st.st_size, k4G + 3);
}

}  // namespace
}  // namespace mt
