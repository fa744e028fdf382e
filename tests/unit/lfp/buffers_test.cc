// SPDX-License-Identifier: GPL-3.0-or-later
// DirBuffer records, WriteData copies and writes (memory and splice pipe), the request-size
// histogram, the capability policy, the mount data string, and Channel's reply framing.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "libfuse-patched/common/caps.h"
#include "libfuse-patched/common/histogram_counter.h"
#include "libfuse-patched/src/channel.h"
#include "libfuse-patched/src/mount.h"
#include "tests/unit/lfp/lfp_test_util.h"

namespace lfp::test {
namespace {

std::string tempFile() {
  char path[] = "/tmp/lfp-test-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  return path;
}

TEST(LfpDirBufferTest, RecordsAreAlignedAndStopAtTheLimit) {
  DirBuffer b(100);
  EXPECT_TRUE(b.add("a", 2, S_IFREG, 1));         // 24 + 1 -> 32
  EXPECT_TRUE(b.add("abcdefgh", 3, S_IFDIR, 2));  // 24 + 8 -> 32
  EXPECT_EQ(b.size(), 64u);
  EXPECT_FALSE(b.add("0123456789", 4, S_IFLNK, 3));  // 40 more would exceed 100
  EXPECT_EQ(b.size(), 64u);
  fuse_dirent d;
  std::memcpy(&d, b.data() + 32, sizeof d);
  EXPECT_EQ(d.ino, 3u);
  EXPECT_EQ(d.off, 2u);
  EXPECT_EQ(d.type, static_cast<uint32_t>(DT_DIR));
  EXPECT_EQ(b.data()[24 + 1], '\0');  // padding zeroed
}

TEST(LfpDirBufferTest, InvalidNamesAreSkippedNotSent) {
  DirBuffer b(1 << 16);
  EXPECT_TRUE(b.add("", 1, S_IFREG, 1));
  EXPECT_TRUE(b.add(std::string(1025, 'n'), 1, S_IFREG, 1));
  EXPECT_TRUE(b.add(std::string_view("a\0b", 3), 1, S_IFREG, 1));
  EXPECT_TRUE(b.empty());
}

TEST(LfpDirBufferTest, PlusRecordsCarryTheEntry) {
  DirBuffer b(4096);
  Entry e = cannedEntry(1);
  ASSERT_TRUE(b.addPlus("file", e, 9));
  fuse_direntplus p;
  std::memcpy(&p, b.data(), sizeof p);
  EXPECT_EQ(p.entry_out.nodeid, 101u);
  EXPECT_EQ(p.entry_out.attr.size, 1234u);
  EXPECT_EQ(p.dirent.off, 9u);
  EXPECT_EQ(p.dirent.type, static_cast<uint32_t>(DT_REG));
  EXPECT_EQ(b.size(), FUSE_DIRENTPLUS_SIZE(&p));
  Entry neg;  // no lookup: nodeid 0, the kernel only lists the name
  neg.attr.st_ino = 55;
  neg.attr.st_mode = S_IFDIR;
  ASSERT_TRUE(b.addPlus("..", neg, 10));
}

TEST(LfpWriteDataTest, CopiesFromMemoryAndFromAPipe) {
  WriteData m;
  m.mem = "memory";
  m.size = 6;
  char out[16] = {};
  EXPECT_EQ(m.copyTo(out), 6);
  EXPECT_STREQ(out, "memory");
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(write(p[1], "piped!", 6), 6);
  WriteData w;
  w.pipeFd = p[0];
  w.size = 6;
  char out2[16] = {};
  EXPECT_EQ(w.copyTo(out2), 6);
  EXPECT_STREQ(out2, "piped!");
  w.size = 3;  // the pipe holds less than announced
  ASSERT_EQ(write(p[1], "ab", 2), 2);
  close(p[1]);
  EXPECT_EQ(w.copyTo(out2), -EIO);
  close(p[0]);
}

TEST(LfpWriteDataTest, WritesToFilesBySpliceAndByFallback) {
  std::string path = tempFile();
  int fd = open(path.c_str(), O_RDWR);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::string data(70000, 'x');
  data[69999] = 'y';
  std::thread feeder([&] { ASSERT_EQ(write(p[1], data.data(), data.size()), 70000); });
  WriteData w;
  w.pipeFd = p[0];
  w.size = data.size();
  EXPECT_EQ(w.writeTo(fd, 10), 70000);
  feeder.join();
  char c;
  ASSERT_EQ(pread(fd, &c, 1, 10 + 69999), 1);
  EXPECT_EQ(c, 'y');
  int afd = open(path.c_str(), O_WRONLY | O_APPEND);  // splice refuses O_APPEND targets
  ASSERT_EQ(write(p[1], "tail", 4), 4);
  w.size = 4;
  EXPECT_EQ(w.writeTo(afd, 0), 4);
  struct stat st;
  fstat(fd, &st);
  EXPECT_EQ(st.st_size, 10 + 70000 + 4);
  close(afd);
  close(fd);
  close(p[0]);
  close(p[1]);
  unlink(path.c_str());
}

TEST(LfpHistogramTest, BucketsFormatAndNames) {
  using detail::HistogramCounter;
  EXPECT_EQ(HistogramCounter::bucketOf(0), 0);
  EXPECT_EQ(HistogramCounter::bucketOf(1), 0);
  EXPECT_EQ(HistogramCounter::bucketOf(2), 1);
  EXPECT_EQ(HistogramCounter::bucketOf(4096), 12);
  EXPECT_EQ(HistogramCounter::bucketOf(4097), 13);
  EXPECT_EQ(HistogramCounter::bucketOf(1 << 20), 20);
  EXPECT_EQ(HistogramCounter::bucketOf(uint64_t{1} << 40), SizeHistogram::kBuckets - 1);
  HistogramCounter h;
  h.record(FUSE_READ, 131072);
  h.record(FUSE_READ, 1 << 20);
  h.record(FUSE_READ, 1 << 20);
  h.record(9999, 5);
  SizeHistogram s = h.snapshot();
  ASSERT_NE(s.find(FUSE_READ), nullptr);
  EXPECT_EQ(s.find(FUSE_READ)->count, 3u);
  EXPECT_EQ(s.find(FUSE_READ)->maxSize, 1u << 20);
  EXPECT_EQ(s.format(),
            "UNKNOWN count=1 bytes=5 max=5 8:1\n"
            "READ count=3 bytes=2228224 max=1048576 131072:1 1048576:2\n");
  EXPECT_STREQ(opcodeName(FUSE_READDIRPLUS), "READDIRPLUS");
  EXPECT_STREQ(opcodeName(52), "STATX");
  EXPECT_STREQ(opcodeName(777), "OPCODE_777");
}

TEST(LfpCapsTest, DefaultsLeaveDutiesAndOptInsOut) {
  uint64_t all = ~uint64_t{0} >> 34;
  uint64_t w = detail::defaultWant(all, SessionOptions{});
  EXPECT_TRUE(w & kCapAsyncRead);
  EXPECT_TRUE(w & kCapMaxPages);
  EXPECT_FALSE(w & kCapPosixLocks);
  EXPECT_FALSE(w & kCapReaddirplus);
  EXPECT_FALSE(w & kCapWritebackCache);
  EXPECT_FALSE(w & kCapIoUring);
  EXPECT_FALSE(w & kCapSpliceRead);
  SessionOptions o;
  o.ioUring = o.splice = o.writebackCache = o.passthrough = true;
  w = detail::defaultWant(all, o);
  EXPECT_TRUE(w & kCapIoUring);
  EXPECT_TRUE(w & kCapSpliceMove);
  EXPECT_TRUE(w & kCapWritebackCache);
  EXPECT_TRUE(w & kCapPassthrough);
  EXPECT_EQ(detail::defaultWant(kCapAsyncRead, o), uint64_t{kCapAsyncRead});
  EXPECT_EQ(detail::ioBlockSizeFor(1 << 20), 1u << 20);
  EXPECT_EQ(detail::ioBlockSizeFor((1 << 20) + 4096), 1u << 20);
  EXPECT_EQ(detail::ioBlockSizeFor(100), 4096u);
}

TEST(LfpCapsTest, MountpointCheckNamesTheProblem) {
  std::string err;
  EXPECT_FALSE(detail::checkMountpoint("/nonexistent/lfp", &err));
  EXPECT_NE(err.find("No such file"), std::string::npos);
  std::string f = tempFile();
  EXPECT_FALSE(detail::checkMountpoint(f, &err));
  EXPECT_NE(err.find("not a directory"), std::string::npos);
  unlink(f.c_str());
  EXPECT_TRUE(detail::checkMountpoint("/tmp", &err));
}

TEST(LfpMountTest, KernelMountDataCarriesTheFuseOptions) {
  MountOptions m;
  m.allowOther = m.defaultPermissions = true;
  m.maxRead = 131072;
  m.extra = {"noexec", "ro", "blksize=4096"};
  unsigned long flags = 0;
  std::string d = detail::kernelMountData(m, 9, S_IFDIR, &flags);
  EXPECT_EQ(d.rfind("fd=9,rootmode=40000,user_id=", 0), 0u) << d;
  EXPECT_NE(d.find(",group_id="), std::string::npos);
  EXPECT_NE(d.find(",allow_other,default_permissions,max_read=131072,blksize=4096"),
            std::string::npos)
      << d;
  EXPECT_TRUE(flags & MS_NOSUID);
  EXPECT_TRUE(flags & MS_NODEV);
  EXPECT_TRUE(flags & MS_NOEXEC);
  EXPECT_TRUE(flags & MS_RDONLY);
}

TEST(LfpChannelTest, FramesRepliesAndSendsFileData) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
  detail::Channel ch(p[1], false);
  iovec v{const_cast<char*>("xyz"), 3};
  ASSERT_EQ(ch.send(77, 0, &v, 1), 0);
  char buf[1 << 17];
  ssize_t n = read(p[0], buf, sizeof buf);
  ASSERT_EQ(n, 19);
  fuse_out_header h;
  std::memcpy(&h, buf, sizeof h);
  EXPECT_EQ(h.len, 19u);
  EXPECT_EQ(h.unique, 77u);
  std::string path = tempFile();
  int fd = open(path.c_str(), O_RDWR);
  std::string data(100000, 'd');
  ASSERT_EQ(write(fd, data.data(), data.size()), 100000);
  for (size_t threshold : {size_t{0}, size_t{65536}}) {  // pread, then splice
    ch.setSpliceThreshold(threshold);
    ASSERT_EQ(ch.sendFd(78, fd, 1000, 200000), 0);  // short at end of file
    std::string got;
    while (got.size() < sizeof(fuse_out_header) + 99000) {
      n = read(p[0], buf, sizeof buf);
      ASSERT_GT(n, 0);
      got.append(buf, static_cast<size_t>(n));
    }
    std::memcpy(&h, got.data(), sizeof h);
    EXPECT_EQ(h.len, sizeof h + 99000);
    EXPECT_EQ(h.unique, 78u);
    EXPECT_EQ(got.size(), sizeof h + 99000);
  }
  close(fd);
  unlink(path.c_str());
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace lfp::test
