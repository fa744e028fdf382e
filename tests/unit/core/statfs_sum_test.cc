// SPDX-License-Identifier: GPL-3.0-or-later
// sumStatfs: adding children's statfs in common units, skipping failures, saturating.
#include "glusterfs/core/statfs_sum.h"

#include <gtest/gtest.h>

#include <limits>

namespace gf {
namespace {

Result<StatfsReply> fs(uint64_t frsize, uint64_t blocks, uint64_t bfree, uint64_t files,
                       uint64_t namemax = 255) {
  StatfsReply r;
  r.stat.bsize = frsize;
  r.stat.frsize = frsize;
  r.stat.blocks = blocks;
  r.stat.bfree = bfree;
  r.stat.bavail = bfree / 2;
  r.stat.files = files;
  r.stat.ffree = files / 2;
  r.stat.favail = files / 4;
  r.stat.namemax = namemax;
  return r;
}

TEST(StatfsSumTest, AddsChildrenInTheSmallestFragmentSize) {
  auto sum = sumStatfs({fs(4096, 100, 40, 1000), fs(1024, 200, 100, 10, 200)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stat.frsize, 1024u);
  EXPECT_EQ(sum->stat.blocks, 100u * 4 + 200u);  // bytes are preserved
  EXPECT_EQ(sum->stat.bfree, 40u * 4 + 100u);
  EXPECT_EQ(sum->stat.bavail, 20u * 4 + 50u);
  EXPECT_EQ(sum->stat.files, 1010u);
  EXPECT_EQ(sum->stat.ffree, 505u);
  EXPECT_EQ(sum->stat.favail, 252u);
  EXPECT_EQ(sum->stat.namemax, 200u);
  EXPECT_GE(sum->stat.bsize, sum->stat.frsize);
}

TEST(StatfsSumTest, FailedChildrenAreLeftOut) {
  auto sum = sumStatfs({fail(ENOTCONN), fs(4096, 10, 5, 7), fail(EIO)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stat.blocks, 10u);
  EXPECT_EQ(sum->stat.files, 7u);
}

TEST(StatfsSumTest, FailsOnlyWhenNoChildAnswered) {
  auto sum = sumStatfs({fail(ENOTCONN), fail(EIO)});
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.errnum(), EIO);
  EXPECT_EQ(sumStatfs({}).errnum(), ENOTCONN);
}

TEST(StatfsSumTest, AnswersWithoutSizesAreReturnedAsIs) {
  StatfsReply bare;
  bare.stat.files = 3;
  auto sum = sumStatfs({fail(EIO), Result<StatfsReply>(bare)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stat.files, 3u);
}

TEST(StatfsSumTest, SumsSaturateInsteadOfWrapping) {
  uint64_t big = std::numeric_limits<uint64_t>::max() / 2 + 10;
  auto sum = sumStatfs({fs(4096, big, big, big), fs(4096, big, big, big)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->stat.blocks, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(sum->stat.files, std::numeric_limits<uint64_t>::max());
  // Scaling to a smaller fragment saturates too.
  auto scaled = sumStatfs({fs(1 << 20, big, 0, 0), fs(512, 1, 0, 0)});
  EXPECT_EQ(scaled->stat.blocks, std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace gf
