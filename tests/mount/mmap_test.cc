// SPDX-License-Identifier: GPL-3.0-or-later
// mmap: MAP_SHARED writes reach read(), other processes, the brick and (with REMOUNT_CMD) a
// fresh mount; MAP_PRIVATE writes reach nothing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

class MmapTest : public MountTest {
 protected:
  // Maps `len` bytes of `fd` and copies `data` in at `off`, then msync(MS_SYNC) and unmaps.
  static std::string writeViaMap(int fd, size_t len, const std::string& data, size_t off) {
    void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return sysFail("mmap MAP_SHARED read/write");
    std::memcpy(static_cast<char*>(p) + off, data.data(), data.size());
    std::string err;
    if (msync(p, len, MS_SYNC) != 0) err = sysFail("msync");
    munmap(p, len);
    return err;
  }
};

constexpr size_t kLen = (1 << 20) + 123;  // not a whole number of pages

TEST_F(MmapTest, SharedWriteIsSeenByReadAndOtherProcesses) {
  Fd fd(open(path("f").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_TRUE(fd.ok());
  ASSERT_EQ(ftruncate(fd.get(), kLen), 0) << sysFail("ftruncate");
  std::string data = patternBytes(kLen, 31);
  MT_ASSERT_OK(writeViaMap(fd.get(), kLen, data, 0));
  std::string got;
  ASSERT_EQ(preadExact(fd.get(), kLen, 0, &got), "");
  EXPECT_EQ(firstDifference(data, got), "") << "read() after msync of a shared mapping";
  fd.reset();
  std::string p = path("f");
  MT_EXPECT_OK(runChild([&]() -> std::string {
    std::string seen;
    std::string e = readFile(p, &seen);
    return e.empty() ? firstDifference(data, seen) : e;
  }));
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0) << sysFail("stat");
  EXPECT_EQ(st.st_size, static_cast<off_t>(kLen)) << "mmap writes never change the size";
  if (haveBrick()) {
    ASSERT_EQ(readFile(brickPath("f"), &got), "");
    EXPECT_EQ(firstDifference(data, got), "") << "brick copy after msync(MS_SYNC)";
  }
}

TEST_F(MmapTest, WritesShowInAnExistingSharedMapping) {
  std::string data = patternBytes(kLen, 32);
  ASSERT_EQ(writeFile(path("f"), data), "");
  Fd fd(open(path("f").c_str(), O_RDWR));
  void* p = mmap(nullptr, kLen, PROT_READ, MAP_SHARED, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED) << sysFail("mmap");
  EXPECT_EQ(firstDifference(data, std::string_view(static_cast<char*>(p), kLen)), "");
  ASSERT_EQ(pwriteAll(fd.get(), "written by pwrite", 4096 * 3 + 5), "");
  EXPECT_EQ(std::string_view(static_cast<char*>(p) + 4096 * 3 + 5, 17), "written by pwrite")
      << "a write() must show in the page cache a shared mapping uses";
  munmap(p, kLen);
}

TEST_F(MmapTest, PrivateWritesStayPrivate) {
  std::string data = patternBytes(100000, 33);
  ASSERT_EQ(writeFile(path("f"), data), "");
  Fd fd(open(path("f").c_str(), O_RDONLY));
  void* p = mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED) << sysFail("mmap MAP_PRIVATE");
  std::memset(p, 'P', 5000);
  EXPECT_EQ(msync(p, data.size(), MS_SYNC), 0) << sysFail("msync");
  munmap(p, data.size());
  std::string got;
  ASSERT_EQ(readFile(path("f"), &got), "");
  EXPECT_EQ(firstDifference(data, got), "") << "MAP_PRIVATE writes must not reach the file";
}

TEST_F(MmapTest, SharedWriteAfterExtendingTheFile) {
  Fd fd(open(path("f").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_EQ(pwriteAll(fd.get(), "head", 0), "");
  ASSERT_EQ(ftruncate(fd.get(), 3 * 4096), 0) << sysFail("ftruncate");
  MT_ASSERT_OK(writeViaMap(fd.get(), 3 * 4096, "end-of-file", 3 * 4096 - 11));
  fd.reset();
  std::string got;
  ASSERT_EQ(readFile(path("f"), &got), "");
  ASSERT_EQ(got.size(), 3u * 4096);
  EXPECT_EQ(got.substr(0, 4), "head");
  EXPECT_EQ(got.substr(3 * 4096 - 11), "end-of-file");
  EXPECT_EQ(got.substr(4, 4096), std::string(4096, '\0'));
}

TEST_F(MmapTest, SharedWriteSurvivesRemount) {
  if (env().remount_cmd.empty()) GTEST_SKIP() << "REMOUNT_CMD is not set";
  std::string data = patternBytes(kLen, 34);
  {
    Fd fd(open(path("f").c_str(), O_RDWR | O_CREAT, 0644));
    ASSERT_EQ(ftruncate(fd.get(), kLen), 0) << sysFail("ftruncate");
    MT_ASSERT_OK(writeViaMap(fd.get(), kLen, data, 0));
  }
  // Also a mapping dirtied and only unmapped (no msync): close and munmap must write it back.
  std::string late = patternBytes(8192, 35);
  {
    Fd fd(open(path("g").c_str(), O_RDWR | O_CREAT, 0644));
    ASSERT_EQ(ftruncate(fd.get(), 8192), 0) << sysFail("ftruncate");
    void* p = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    ASSERT_NE(p, MAP_FAILED) << sysFail("mmap");
    std::memcpy(p, late.data(), late.size());
    munmap(p, 8192);
  }
  std::string err;
  std::string before = mountIdentity(env().mount_dir, &err);
  CommandResult r = runShell(env().remount_cmd);
  ASSERT_EQ(r.status, 0) << r.describe(env().remount_cmd);
  ASSERT_EQ(mountIdentity(env().mount_dir, &err), before) << "REMOUNT_CMD did not remount " << err;
  std::string got;
  ASSERT_EQ(readFile(path("f"), &got), "") << "after remount";
  EXPECT_EQ(firstDifference(data, got), "") << "mapped data after remount";
  ASSERT_EQ(readFile(path("g"), &got), "") << "after remount";
  EXPECT_EQ(firstDifference(late, got), "") << "data of a mapping unmapped without msync";
}

}  // namespace
}  // namespace mt
