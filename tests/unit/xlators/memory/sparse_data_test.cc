// SPDX-License-Identifier: GPL-3.0-or-later
// SparseData: the block map under storage/memory's regular files.
#include "glusterfs/xlators/storage/memory/sparse_data.h"

#include <gtest/gtest.h>

namespace gf {
namespace {

constexpr uint64_t kB = SparseData::kBlockSize;

std::string readAll(const SparseData& d) {
  std::string out(d.size(), '\0');
  d.read(0, d.size(), out.data());
  return out;
}

void put(SparseData& d, uint64_t off, const std::string& s) { d.write(off, Payload::copyOf(s)); }

TEST(SparseDataTest, WritesLandWhereAskedAndHolesReadAsZeros) {
  SparseData d;
  put(d, 0, "head");
  put(d, 3 * kB + 10, "tail");
  EXPECT_EQ(d.size(), 3 * kB + 14);
  EXPECT_EQ(d.blockCount(), 2u);
  std::string all = readAll(d);
  EXPECT_EQ(all.substr(0, 4), "head");
  EXPECT_EQ(all.substr(4, 3 * kB + 6), std::string(3 * kB + 6, '\0'));
  EXPECT_EQ(all.substr(3 * kB + 10), "tail");
}

TEST(SparseDataTest, ShrinkingThenGrowingShowsZerosNotOldBytes) {
  SparseData d;
  put(d, 0, std::string(2 * kB, 'x'));
  d.truncate(100);
  EXPECT_EQ(d.blockCount(), 1u);
  d.truncate(2 * kB);
  std::string all = readAll(d);
  EXPECT_EQ(all.substr(0, 100), std::string(100, 'x'));
  EXPECT_EQ(all.substr(100), std::string(2 * kB - 100, '\0'));
  d.truncate(0);
  EXPECT_EQ(d.blockCount(), 0u);
}

TEST(SparseDataTest, PunchingDropsWholeBlocksAndZeroesPartialOnes) {
  SparseData d;
  put(d, 0, std::string(4 * kB, 'y'));
  d.punchHole(kB / 2, 2 * kB);  // half of block 0, all of block 1, half of block 2
  EXPECT_EQ(d.size(), 4 * kB);
  EXPECT_EQ(d.blockCount(), 3u);
  std::string all = readAll(d);
  EXPECT_EQ(all.substr(0, kB / 2), std::string(kB / 2, 'y'));
  EXPECT_EQ(all.substr(kB / 2, 2 * kB), std::string(2 * kB, '\0'));
  EXPECT_EQ(all.substr(kB / 2 + 2 * kB), std::string(kB + kB / 2, 'y'));
}

TEST(SparseDataTest, SeekFindsDataAndHolesAtBlockGranularity) {
  SparseData d;
  put(d, kB, "a");
  put(d, 5 * kB, "b");
  d.truncate(8 * kB);
  EXPECT_EQ(*d.seekData(0), kB);
  EXPECT_EQ(*d.seekHole(kB), 2 * kB);
  EXPECT_EQ(*d.seekData(2 * kB), 5 * kB);
  EXPECT_EQ(*d.seekHole(0), 0u);
  EXPECT_EQ(*d.seekHole(5 * kB), 6 * kB);
  EXPECT_EQ(d.seekData(6 * kB).errnum(), ENXIO);
  EXPECT_EQ(d.seekHole(8 * kB).errnum(), ENXIO);
}

TEST(SparseDataTest, KeepSizeAllocationCountsBlocksBeyondTheEnd) {
  SparseData d;
  d.allocate(0, 4 * kB, true);
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.blockCount(), 4u);
  EXPECT_EQ(d.newBlocks(0, 6 * kB), 2u);
  EXPECT_EQ(d.fitWithin(2 * kB, 4 * kB, 1), 3 * kB);  // two present, then one new block
  d.truncate(kB);                                     // growing keeps the preallocation
  EXPECT_EQ(d.blockCount(), 4u);
  d.truncate(kB / 2);  // shrinking frees every block past the new end
  EXPECT_EQ(d.blockCount(), 1u);
}

TEST(SparseDataTest, CollapseAndInsertShiftWholeBlocks) {
  SparseData d;
  for (int i = 0; i < 6; ++i) put(d, i * kB, std::string(kB, static_cast<char>('a' + i)));
  EXPECT_EQ(d.collapseRange(kB, 2 * kB).errnum(), 0);
  EXPECT_EQ(d.size(), 4 * kB);
  std::string all = readAll(d);
  EXPECT_EQ(all[0], 'a');
  EXPECT_EQ(all[kB], 'd');
  EXPECT_EQ(all[3 * kB], 'f');
  EXPECT_EQ(d.insertRange(kB, kB).errnum(), 0);
  all = readAll(d);
  EXPECT_EQ(d.size(), 5 * kB);
  EXPECT_EQ(all.substr(kB, kB), std::string(kB, '\0'));
  EXPECT_EQ(all[2 * kB], 'd');
  EXPECT_EQ(d.collapseRange(1, kB).errnum(), EINVAL);
  EXPECT_EQ(d.collapseRange(4 * kB, kB).errnum(), EINVAL) << "may not reach the end of file";
  EXPECT_EQ(d.insertRange(5 * kB, kB).errnum(), EINVAL);
}

}  // namespace
}  // namespace gf
