// SPDX-License-Identifier: GPL-3.0-or-later
// Conversions between struct stat and Iatt, and the directory-entry cost measure.
#include "glusterfs/core/types.h"

#include <gtest/gtest.h>

namespace gf {
namespace {

struct stat sampleStat() {
  struct stat st {};
  st.st_ino = 777;
  st.st_mode = S_IFREG | 0640;
  st.st_nlink = 3;
  st.st_uid = 1000;
  st.st_gid = 100;
  st.st_rdev = 0x0801;
  st.st_size = (int64_t{5} << 32) + 17;  // beyond 32 bits
  st.st_blocks = 8;
  st.st_blksize = 4096;
  st.st_atim = {1700000000, 123456789};
  st.st_mtim = {1700000001, 999999999};
  st.st_ctim = {1700000002, 1};
  return st;
}

TEST(TypesTest, IattFromStatKeepsEveryFieldAndTakesTheInoFromTheGfid) {
  Gfid g = Gfid::random();
  Iatt ia = iattFromStat(sampleStat(), g);
  EXPECT_EQ(ia.gfid, g);
  EXPECT_EQ(ia.ino, g.ino());
  EXPECT_TRUE(ia.isReg());
  EXPECT_FALSE(ia.isDir());
  EXPECT_EQ(ia.type(), static_cast<uint32_t>(S_IFREG));
  EXPECT_EQ(ia.mode, static_cast<uint32_t>(S_IFREG | 0640));
  EXPECT_EQ(ia.nlink, 3u);
  EXPECT_EQ(ia.uid, 1000u);
  EXPECT_EQ(ia.gid, 100u);
  EXPECT_EQ(ia.rdev, 0x0801u);
  EXPECT_EQ(ia.size, (uint64_t{5} << 32) + 17);
  EXPECT_EQ(ia.blocks, 8u);
  EXPECT_EQ(ia.blksize, 4096u);
  EXPECT_EQ(ia.atime, (Timespec{1700000000, 123456789}));
  EXPECT_EQ(ia.mtime, (Timespec{1700000001, 999999999}));
  EXPECT_EQ(ia.ctime, (Timespec{1700000002, 1}));
}

TEST(TypesTest, WithoutAGfidTheInoComesFromStat) {
  EXPECT_EQ(iattFromStat(sampleStat(), Gfid{}).ino, 777u);
}

TEST(TypesTest, StatRoundTripKeepsNanoseconds) {
  Gfid g = Gfid::random();
  Iatt ia = iattFromStat(sampleStat(), g);
  struct stat back = statFromIatt(ia);
  EXPECT_EQ(back.st_ino, g.ino());
  EXPECT_EQ(back.st_mode, sampleStat().st_mode);
  EXPECT_EQ(back.st_size, sampleStat().st_size);
  EXPECT_EQ(back.st_mtim.tv_nsec, 999999999);
  EXPECT_EQ(back.st_atim.tv_sec, 1700000000);
  EXPECT_EQ(iattFromStat(back, g), ia);
}

TEST(TypesTest, TimespecOrdering) {
  EXPECT_LT((Timespec{1, 999999999}), (Timespec{2, 0}));
  EXPECT_LT((Timespec{2, 0}), (Timespec{2, 1}));
}

TEST(TypesTest, DirEntryCostIsEightByteAlignedAndBiggerForReaddirplus) {
  EXPECT_EQ(dirEntryCost(1, false), 32u);  // 24-byte header + 1, rounded up to 8
  EXPECT_EQ(dirEntryCost(8, false), 32u);
  EXPECT_EQ(dirEntryCost(9, false), 40u);
  EXPECT_EQ(dirEntryCost(1, true), 160u);
  for (size_t n = 1; n < 300; ++n) {
    EXPECT_EQ(dirEntryCost(n, false) % 8, 0u);
    EXPECT_GE(dirEntryCost(n, false), 24 + n);
    EXPECT_EQ(dirEntryCost(n, true) - dirEntryCost(n, false), 128u);
  }
}

}  // namespace
}  // namespace gf
