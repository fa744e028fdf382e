// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe block arithmetic: pieces cut at block boundaries on child (block mod N), at
// small offsets, near 2^63 and at the very end of the 64-bit space, for any block size.
#include <gtest/gtest.h>

#include <limits>

#include "glusterfs/xlators/cluster/stripe/stripe_xlator.h"

namespace gf::stripe {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Pieces must be contiguous, non-empty, cover the range, stay inside one block each, and sit
// on the child that owns their block.
void expectWellFormed(uint64_t off, uint64_t len, uint64_t bs, size_t n) {
  auto pieces = split(off, len, bs, n);
  uint64_t pos = off, total = 0;
  for (const auto& p : pieces) {
    ASSERT_EQ(p.offset, pos) << "gap or overlap at " << pos;
    ASSERT_GT(p.length, 0u);
    EXPECT_EQ(p.child, childOf(p.offset, bs, n));
    EXPECT_EQ(p.offset / bs, (p.offset + p.length - 1) / bs) << "piece crosses a block";
    EXPECT_EQ(p.child, static_cast<size_t>((p.offset / bs) % n));
    pos += p.length;
    total += p.length;
  }
  uint64_t want = len > kMax - off ? kMax - off : len;
  EXPECT_EQ(total, want) << "off " << off << " len " << len << " bs " << bs;
}

TEST(StripeMathTest, PiecesFollowTheBlocksRoundRobin) {
  const uint64_t bs = 128 * 1024;
  auto p = split(100, 3 * bs, bs, 3);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].child, 0u);
  EXPECT_EQ(p[0].offset, 100u);
  EXPECT_EQ(p[0].length, bs - 100);
  EXPECT_EQ(p[1].child, 1u);
  EXPECT_EQ(p[1].length, bs);
  EXPECT_EQ(p[2].child, 2u);
  EXPECT_EQ(p[3].child, 0u) << "block 3 wraps to child 0";
  EXPECT_EQ(p[3].length, 100u);
  EXPECT_TRUE(split(5, 0, bs, 3).empty());
  auto one = split(bs, bs, bs, 2);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].child, 1u);
  // One child holds everything, still cut at block boundaries.
  for (const auto& piece : split(0, 10 * bs, bs, 1)) EXPECT_EQ(piece.child, 0u);
}

TEST(StripeMathTest, OffsetsNearTwoToTheSixtyThree) {
  const uint64_t t63 = uint64_t{1} << 63;
  for (uint64_t bs : {512ull, 4096ull, 128ull * 1024, 1ull << 20, 100000ull, (1ull << 30) - 1}) {
    for (size_t n : {1u, 2u, 3u, 7u, 256u}) {
      expectWellFormed(t63 - 1, 1, bs, n);
      expectWellFormed(t63 - bs - 7, 3 * bs + 11, bs, n);
      expectWellFormed(t63 - 1 - 5 * bs, 5 * bs, bs, n);
      expectWellFormed(t63 + 12345, 2 * bs, bs, n);
    }
  }
  // The block index near 2^63 with 128 KB blocks is 2^46 - 1; child (2^46 - 1) mod 3.
  const uint64_t bs = 128 * 1024;
  EXPECT_EQ(childOf(t63 - 1, bs, 3), static_cast<size_t>(((t63 - 1) / bs) % 3));
  EXPECT_EQ(childOf(t63 - 1, bs, 3), 0u);  // 2^46 - 1 = 3 * 23456248059221
  EXPECT_EQ(childOf(t63, bs, 3), 1u);
}

TEST(StripeMathTest, TheEndOfTheAddressSpaceNeitherWrapsNorLoops) {
  for (uint64_t bs : {512ull, 128ull * 1024, 100000ull, 3000ull}) {
    expectWellFormed(kMax - 10, 100, bs, 3);         // clipped at 2^64 - 1
    expectWellFormed(kMax - 3 * bs, 10 * bs, bs, 4);  // crosses the last (partial) block
    expectWellFormed(kMax - 1, kMax, bs, 2);
  }
  auto tail = split(kMax - 10, 100, 128 * 1024, 3);
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(tail.back().offset + tail.back().length, kMax);
}

}  // namespace
}  // namespace gf::stripe
