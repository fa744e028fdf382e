// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX semantics: file data (read/write, append, truncate, sparse files, fallocate, seek,
// rchecksum) and open modes.
#include <linux/falloc.h>

#include "glusterfs/core/checksum.h"
#include "tests/unit/posix_semantics/posix_fixture.h"

namespace gf::test {
namespace {

GF_POSIX_SUITE(PosixIoTest);

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 9)) & 0xff);
  return s;
}

TYPED_TEST(PosixIoTest, WritesAtOffsetsReadBackAndShortReadAtEof) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
  ASSERT_OK_AND_ASSIGN(uint64_t n, fs.write(fd, 0, "hello world"));
  EXPECT_EQ(n, 11u);
  ASSERT_OK(fs.write(fd, 6, "WORLD"));
  ASSERT_OK_AND_ASSIGN(std::string all, fs.read(fd, 0, 100));
  EXPECT_EQ(all, "hello WORLD");
  ASSERT_OK_AND_ASSIGN(std::string mid, fs.read(fd, 3, 4));
  EXPECT_EQ(mid, "lo W");
  ASSERT_OK_AND_ASSIGN(std::string past, fs.read(fd, 11, 10));
  EXPECT_EQ(past, "");
  ASSERT_OK_AND_ASSIGN(std::string far, fs.read(fd, 1 << 20, 10));
  EXPECT_EQ(far, "");
}

TYPED_TEST(PosixIoTest, LargeWritesSpanningManyBlocksRoundTrip) {
  auto& fs = this->fs();
  std::string data = pattern(3 * 1024 * 1024 + 123, 1);
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.writeFile("/big", data));
  EXPECT_EQ(st.size, data.size());
  ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/big"));
  EXPECT_TRUE(back == data);
}

TYPED_TEST(PosixIoTest, WritingPastTheEndLeavesZerosInBetween) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
  ASSERT_OK(fs.write(fd, 0, "ab"));
  ASSERT_OK(fs.write(fd, 10000, "cd"));
  ASSERT_OK_AND_ASSIGN(std::string all, fs.read(fd, 0, 20000));
  ASSERT_EQ(all.size(), 10002u);
  EXPECT_EQ(all.substr(0, 2), "ab");
  EXPECT_EQ(all.substr(2, 9998), std::string(9998, '\0'));
  EXPECT_EQ(all.substr(10000), "cd");
}

TYPED_TEST(PosixIoTest, AppendModeWritesAtTheEnd) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/log", "one\n"));
  ASSERT_OK_AND_ASSIGN(FdPtr a, fs.open("/log", O_WRONLY | O_APPEND));
  ASSERT_OK_AND_ASSIGN(FdPtr b, fs.open("/log", O_WRONLY | O_APPEND));
  ASSERT_OK(fs.write(a, 0, "two\n"));
  ASSERT_OK(fs.write(b, 0, "three\n"));
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/log"));
  EXPECT_EQ(data, "one\ntwo\nthree\n");
}

TYPED_TEST(PosixIoTest, TruncateDownDropsDataAndUpReadsZeros) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", pattern(10000, 2)));
  ASSERT_OK_AND_ASSIGN(Iatt down, fs.truncate("/f", 5));
  EXPECT_EQ(down.size, 5u);
  ASSERT_OK_AND_ASSIGN(Iatt up, fs.truncate("/f", 9000));
  EXPECT_EQ(up.size, 9000u);
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/f"));
  EXPECT_EQ(data.substr(0, 5), pattern(10000, 2).substr(0, 5));
  EXPECT_EQ(data.substr(5), std::string(8995, '\0'));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_RDWR));
  ASSERT_OK_AND_ASSIGN(AttrReply ft, fs.call(FtruncateReq{fd, 1}));
  EXPECT_EQ(ft.stat.size, 1u);
}

TYPED_TEST(PosixIoTest, OpenWithTruncEmptiesTheFile) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "content"));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_WRONLY | O_TRUNC));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.fstat(fd));
  EXPECT_EQ(st.size, 0u);
}

TYPED_TEST(PosixIoTest, OpenModesAreEnforcedOnTheFd) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "content"));
  ASSERT_OK_AND_ASSIGN(FdPtr ro, fs.open("/f", O_RDONLY));
  EXPECT_ERRNO(fs.write(ro, 0, "x"), EBADF);
  ASSERT_OK_AND_ASSIGN(FdPtr wo, fs.open("/f", O_WRONLY));
  EXPECT_ERRNO(fs.read(wo, 0, 10), EBADF);
  ASSERT_OK(fs.mkdir("/d"));
  EXPECT_ERRNO(fs.open("/d", O_WRONLY), EISDIR);
  EXPECT_ERRNO(fs.open("/f", O_RDONLY | O_DIRECTORY), ENOTDIR);
}

TYPED_TEST(PosixIoTest, SparseFilesHaveHolesFoundBySeekDataAndSeekHole) {
  auto& fs = this->fs();
  constexpr uint64_t kFar = 1 << 20;
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/sparse"));
  ASSERT_OK(fs.write(fd, 0, std::string(4096, 'a')));
  ASSERT_OK(fs.write(fd, kFar, std::string(4096, 'b')));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.fstat(fd));
  EXPECT_EQ(st.size, kFar + 4096);
  EXPECT_LT(st.blocks * 512, kFar / 2) << "the hole must not be allocated";
  ASSERT_OK_AND_ASSIGN(LseekReply hole, fs.call(LseekReq{fd, 0, SEEK_HOLE}));
  EXPECT_GE(hole.offset, 4096u);
  EXPECT_LE(hole.offset, kFar);
  ASSERT_OK_AND_ASSIGN(LseekReply data, fs.call(LseekReq{fd, hole.offset, SEEK_DATA}));
  EXPECT_GT(data.offset, hole.offset);
  EXPECT_LE(data.offset, kFar);
  ASSERT_OK_AND_ASSIGN(LseekReply endHole, fs.call(LseekReq{fd, kFar, SEEK_HOLE}));
  EXPECT_EQ(endHole.offset, kFar + 4096);  // the end of file counts as a hole
  EXPECT_ERRNO(fs.call(LseekReq{fd, kFar + 4096, SEEK_DATA}), ENXIO);
  EXPECT_ERRNO(fs.call(LseekReq{fd, kFar + 5000, SEEK_HOLE}), ENXIO);
  ASSERT_OK_AND_ASSIGN(std::string gap, fs.read(fd, 8192, 4096));
  EXPECT_EQ(gap, std::string(4096, '\0'));
}

TYPED_TEST(PosixIoTest, FallocateAllocatesWithOrWithoutGrowingTheFile) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
  ASSERT_OK(fs.call(FallocateReq{fd, FALLOC_FL_KEEP_SIZE, 0, 65536}));
  ASSERT_OK_AND_ASSIGN(Iatt kept, fs.fstat(fd));
  EXPECT_EQ(kept.size, 0u);
  EXPECT_GE(kept.blocks * 512, 65536u);
  ASSERT_OK(fs.call(FallocateReq{fd, 0, 0, 10000}));
  ASSERT_OK_AND_ASSIGN(Iatt grown, fs.fstat(fd));
  EXPECT_EQ(grown.size, 10000u);
  ASSERT_OK_AND_ASSIGN(std::string zeros, fs.read(fd, 0, 20000));
  EXPECT_EQ(zeros, std::string(10000, '\0'));
}

TYPED_TEST(PosixIoTest, PunchHoleZeroesTheRangeAndKeepsTheSize) {
  auto& fs = this->fs();
  std::string data = pattern(64 * 1024, 3);
  ASSERT_OK(fs.writeFile("/f", data));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_RDWR));
  ASSERT_OK_AND_ASSIGN(Iatt before, fs.fstat(fd));
  ASSERT_OK(fs.call(FallocateReq{fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 16384}));
  ASSERT_OK_AND_ASSIGN(Iatt after, fs.fstat(fd));
  EXPECT_EQ(after.size, data.size());
  EXPECT_LT(after.blocks, before.blocks);
  ASSERT_OK_AND_ASSIGN(std::string back, fs.read(fd, 0, data.size()));
  std::string want = data;
  std::fill(want.begin() + 4096, want.begin() + 4096 + 16384, '\0');
  EXPECT_TRUE(back == want);
  EXPECT_ERRNO(fs.call(FallocateReq{fd, FALLOC_FL_PUNCH_HOLE, 0, 4096}), EOPNOTSUPP);
}

TYPED_TEST(PosixIoTest, ZeroRangeZeroesUnalignedBytes) {
  auto& fs = this->fs();
  std::string data = pattern(20000, 4);
  ASSERT_OK(fs.writeFile("/f", data));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_RDWR));
  auto r = fs.call(FallocateReq{fd, FALLOC_FL_ZERO_RANGE, 100, 5000});
  if (!r) {
    // A brick that cannot zero ranges must say so and change nothing.
    EXPECT_ERRNO(r, EOPNOTSUPP);
    ASSERT_OK_AND_ASSIGN(std::string same, fs.read(fd, 0, data.size()));
    EXPECT_TRUE(same == data);
    return;
  }
  std::string want = data;
  std::fill(want.begin() + 100, want.begin() + 5100, '\0');
  ASSERT_OK_AND_ASSIGN(std::string back, fs.read(fd, 0, data.size()));
  EXPECT_TRUE(back == want);
}

TYPED_TEST(PosixIoTest, CollapseAndInsertRangeShiftDataOrRefuseWithoutChange) {
  auto& fs = this->fs();
  std::string data = pattern(16 * 4096, 5);
  ASSERT_OK(fs.writeFile("/f", data));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_RDWR));
  auto collapse = fs.call(FallocateReq{fd, FALLOC_FL_COLLAPSE_RANGE, 4096, 8192});
  ASSERT_OK_AND_ASSIGN(std::string afterCollapse, fs.read(fd, 0, data.size()));
  std::string want = data;
  if (collapse) {
    want.erase(4096, 8192);
  } else {
    EXPECT_ERRNO(collapse, EOPNOTSUPP);
  }
  EXPECT_TRUE(afterCollapse == want);
  auto insert = fs.call(FallocateReq{fd, FALLOC_FL_INSERT_RANGE, 4096, 4096});
  ASSERT_OK_AND_ASSIGN(std::string afterInsert, fs.read(fd, 0, data.size() + 4096));
  if (insert) {
    want.insert(4096, std::string(4096, '\0'));
  } else {
    EXPECT_ERRNO(insert, EOPNOTSUPP);
  }
  EXPECT_TRUE(afterInsert == want);
}

TYPED_TEST(PosixIoTest, RchecksumIsAdler32AndAStrongHashOfTheRange) {
  auto& fs = this->fs();
  std::string data = pattern(100000, 6);
  ASSERT_OK(fs.writeFile("/a", data));
  ASSERT_OK(fs.writeFile("/b", data));
  ASSERT_OK_AND_ASSIGN(FdPtr a, fs.open("/a", O_RDONLY));
  ASSERT_OK_AND_ASSIGN(FdPtr b, fs.open("/b", O_RDWR));
  ASSERT_OK_AND_ASSIGN(RchecksumReply ca, fs.call(RchecksumReq{a, 4096, 65536}));
  EXPECT_EQ(ca.weak, adler32(data.data() + 4096, 65536));
  EXPECT_EQ(ca.strong.size(), 16u);
  EXPECT_EQ(ca.strong, strongHash128(data.data() + 4096, 65536));
  ASSERT_OK_AND_ASSIGN(RchecksumReply cb, fs.call(RchecksumReq{b, 4096, 65536}));
  EXPECT_EQ(ca.weak, cb.weak);
  EXPECT_EQ(ca.strong, cb.strong);
  ASSERT_OK(fs.write(b, 5000, "X"));
  ASSERT_OK_AND_ASSIGN(RchecksumReply changed, fs.call(RchecksumReq{b, 4096, 65536}));
  EXPECT_NE(changed.strong, ca.strong);
  ASSERT_OK_AND_ASSIGN(RchecksumReply tail, fs.call(RchecksumReq{a, 90000, 65536}));
  EXPECT_EQ(tail.weak, adler32(data.data() + 90000, 10000));
}

}  // namespace
}  // namespace gf::test
