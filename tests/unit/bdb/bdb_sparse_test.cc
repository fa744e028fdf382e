// SPDX-License-Identifier: GPL-3.0-or-later
// storage/bdb contents: holes exact to the 4 KiB block, SEEK_DATA/SEEK_HOLE, what fallocate
// and truncation do to the blocks, and files far larger than they are.
#include <gtest/gtest.h>
#include <linux/falloc.h>

#include "glusterfs/xlators/storage/bdb/bdb_data.h"
#include "tests/unit/bdb/bdb_rig.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

constexpr uint64_t kB = kBdbBlockSize, kM = 1024 * 1024;

class BdbSparseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_ = std::make_unique<TestGraph>(brick_.volfile());
    fs_ = std::make_unique<TestClient>(graph_->top());
  }
  void TearDown() override {
    fs_.reset();
    graph_.reset();
  }
  TestClient& fs() { return *fs_; }
  uint64_t allocated(const FdPtr& fd) {
    auto st = fs_->fstat(fd);
    EXPECT_TRUE(st.ok());
    return st ? st->blocks * 512 : 0;
  }
  Result<uint64_t> seek(const FdPtr& fd, uint64_t at, int whence) {
    GF_TRY(LseekReply r, fs_->call(LseekReq{fd, at, whence}));
    return r.offset;
  }

  BdbBrick brick_;
  std::unique_ptr<TestGraph> graph_;
  std::unique_ptr<TestClient> fs_;
};

TEST_F(BdbSparseTest, HolesAreExactToTheBlockAndCostNothing) {
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/s"));
  ASSERT_OK(fs().write(fd, 0, std::string(kB, 'a')));
  ASSERT_OK(fs().write(fd, kM, std::string(kB, 'b')));
  EXPECT_EQ(allocated(fd), 2 * kB);
  EXPECT_EQ(*seek(fd, 0, SEEK_HOLE), kB);
  EXPECT_EQ(*seek(fd, kB, SEEK_DATA), kM);
  EXPECT_EQ(*seek(fd, 100, SEEK_DATA), 100u) << "inside data, SEEK_DATA stays put";
  EXPECT_EQ(*seek(fd, kM, SEEK_HOLE), kM + kB) << "the end of file is a hole";
  EXPECT_ERRNO(seek(fd, kM + kB, SEEK_DATA), ENXIO);
  ASSERT_OK_AND_ASSIGN(std::string gap, fs().read(fd, kB - 10, 20));
  EXPECT_EQ(gap, std::string(10, 'a') + std::string(10, '\0'));
}

TEST_F(BdbSparseTest, ASmallFileTakesOnlyWhatItHolds) {
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/small"));
  ASSERT_OK(fs().write(fd, 0, std::string(100, 'x')));
  EXPECT_EQ(allocated(fd), 512u) << "100 bytes: one sector, not a whole block";
}

TEST_F(BdbSparseTest, PunchingFreesWholeBlocksAndZeroesPartialOnes) {
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/p"));
  ASSERT_OK(fs().write(fd, 0, std::string(8 * kB, 'p')));
  ASSERT_OK(
      fs().call(FallocateReq{fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, kB + 100, 3 * kB}));
  // [kB+100, 4kB+100): block 1 partly, blocks 2 and 3 wholly, block 4 partly.
  EXPECT_EQ(allocated(fd), 6 * kB);
  ASSERT_OK_AND_ASSIGN(std::string back, fs().read(fd, 0, 8 * kB));
  std::string want(8 * kB, 'p');
  std::fill(want.begin() + kB + 100, want.begin() + 4 * kB + 100, '\0');
  EXPECT_TRUE(back == want);
  EXPECT_EQ(*seek(fd, kB + 100, SEEK_HOLE), 2 * kB);
  EXPECT_EQ(*seek(fd, 2 * kB, SEEK_DATA), 4 * kB);
}

TEST_F(BdbSparseTest, FallocateStoresRealBlocksWithAndWithoutKeepSize) {
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/f"));
  ASSERT_OK(fs().write(fd, 0, "head"));
  ASSERT_OK(fs().call(FallocateReq{fd, 0, 0, 10 * kB}));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs().fstat(fd));
  EXPECT_EQ(st.size, 10 * kB);
  EXPECT_EQ(st.blocks * 512, 10 * kB);
  ASSERT_OK_AND_ASSIGN(std::string back, fs().read(fd, 0, 10 * kB));
  EXPECT_EQ(back, "head" + std::string(10 * kB - 4, '\0')) << "allocation keeps contents";
  ASSERT_OK(fs().call(FallocateReq{fd, FALLOC_FL_KEEP_SIZE, 10 * kB, 6 * kB}));
  ASSERT_OK_AND_ASSIGN(st, fs().fstat(fd));
  EXPECT_EQ(st.size, 10 * kB);
  EXPECT_EQ(st.blocks * 512, 16 * kB) << "allocated past the end of file";
  // Writing into allocated space takes nothing more.
  ASSERT_OK(fs().write(fd, 5 * kB, std::string(kB, 'w')));
  EXPECT_EQ(allocated(fd), 16 * kB);
  // Growing over the allocated tail shows zeros; shrinking frees it.
  ASSERT_OK(fs().call(FtruncateReq{fd, 12 * kB}));
  ASSERT_OK_AND_ASSIGN(std::string tail, fs().read(fd, 10 * kB, 2 * kB));
  EXPECT_EQ(tail, std::string(2 * kB, '\0'));
  ASSERT_OK(fs().call(FtruncateReq{fd, 3 * kB + 1}));
  EXPECT_EQ(allocated(fd), 3 * kB + 512) << "the block holding the new end keeps one byte";
  ASSERT_OK(fs().call(FtruncateReq{fd, 8 * kB}));
  ASSERT_OK_AND_ASSIGN(std::string regrown, fs().read(fd, 3 * kB, 5 * kB));
  EXPECT_EQ(regrown, std::string(5 * kB, '\0')) << "nothing stale comes back";
}

TEST_F(BdbSparseTest, ZeroRangeZeroesAndAllocates) {
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/z"));
  ASSERT_OK(fs().write(fd, 0, std::string(2 * kB, 'z')));
  ASSERT_OK(fs().call(FallocateReq{fd, FALLOC_FL_ZERO_RANGE, kB / 2, 3 * kB}));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs().fstat(fd));
  EXPECT_EQ(st.size, kB / 2 + 3 * kB);
  EXPECT_EQ(st.blocks * 512, 4 * kB);
  ASSERT_OK_AND_ASSIGN(std::string back, fs().read(fd, 0, 4 * kB));
  EXPECT_EQ(back, std::string(kB / 2, 'z') + std::string(3 * kB, '\0'));
}

TEST_F(BdbSparseTest, OtherFallocateModesAreNotOffered) {
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/o"));
  ASSERT_OK(fs().write(fd, 0, std::string(4 * kB, 'o')));
  EXPECT_ERRNO(fs().call(FallocateReq{fd, FALLOC_FL_COLLAPSE_RANGE, 0, kB}), EOPNOTSUPP);
  EXPECT_ERRNO(fs().call(FallocateReq{fd, FALLOC_FL_INSERT_RANGE, 0, kB}), EOPNOTSUPP);
  EXPECT_ERRNO(fs().call(FallocateReq{fd, 0, 0, 0}), EINVAL);
  ASSERT_OK_AND_ASSIGN(FdPtr ro, fs().open("/o", O_RDONLY));
  EXPECT_ERRNO(fs().call(FallocateReq{ro, 0, 0, kB}), EBADF);
}

TEST_F(BdbSparseTest, OffsetsFarBeyondTheDataWork) {
  constexpr uint64_t kFar = uint64_t{1} << 40;  // 1 TiB
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/far"));
  ASSERT_OK(fs().write(fd, kFar - 3, "across"));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs().fstat(fd));
  EXPECT_EQ(st.size, kFar + 3);
  // A block is stored from its start: the first holds 4096 bytes, the second three.
  EXPECT_EQ(st.blocks * 512, kB + 512);
  ASSERT_OK_AND_ASSIGN(std::string back, fs().read(fd, kFar - 5, 100));
  EXPECT_EQ(back, std::string(2, '\0') + "across");
  ASSERT_OK_AND_ASSIGN(std::string hole, fs().read(fd, kFar / 2, 4096));
  EXPECT_EQ(hole, std::string(4096, '\0'));
  EXPECT_EQ(*seek(fd, 0, SEEK_DATA), kFar - kB);
  EXPECT_EQ(*seek(fd, 0, SEEK_HOLE), 0u);
  EXPECT_EQ(*seek(fd, kFar - 3, SEEK_HOLE), kFar + 3);
  ASSERT_OK(fs().call(FtruncateReq{fd, kFar - 1}));
  ASSERT_OK_AND_ASSIGN(std::string cut, fs().read(fd, kFar - 5, 100));
  EXPECT_EQ(cut, std::string(2, '\0') + "ac");
  EXPECT_EQ(allocated(fd), kB);
  EXPECT_ERRNO(fs().write(fd, kBdbMaxFileSize, "x"), EFBIG);
  EXPECT_ERRNO(fs().call(FtruncateReq{fd, kBdbMaxFileSize + 1}), EFBIG);
  EXPECT_OK(fs().write(fd, kBdbMaxFileSize - 1, "x"));
}

TEST_F(BdbSparseTest, ReadingAndWritingAcrossManyBlocksRoundTrips) {
  std::string data(3 * kM + 123, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251 + 1);
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs().create("/big"));
  for (uint64_t at = 0; at < data.size(); at += 128 * 1024)
    ASSERT_OK(fs().write(fd, at, std::string_view(data).substr(at, 128 * 1024)));
  ASSERT_OK(fs().write(fd, 5000, std::string_view(data).substr(5000, 9000)));
  ASSERT_OK_AND_ASSIGN(std::string back, fs().read(fd, 0, data.size() + 10));
  EXPECT_TRUE(back == data);
  EXPECT_EQ(allocated(fd), (data.size() + 511) / 512 * 512);
  ASSERT_OK(fs().unlink("/big"));
}

}  // namespace
}  // namespace gf::test
