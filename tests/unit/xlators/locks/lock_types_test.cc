// SPDX-License-Identifier: GPL-3.0-or-later
// fcntl range arithmetic: request conversion, merging, splitting and conflicts.
#include "glusterfs/xlators/features/locks/lock_types.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace gf::locks {
namespace {

RangeLock lock(uint64_t owner, int type, int64_t start, int64_t end) {
  RangeLock l;
  l.owner = {0, owner};
  l.type = type;
  l.start = start;
  l.end = end;
  return l;
}

std::vector<std::tuple<uint64_t, int, int64_t, int64_t>> dump(std::vector<RangeLock> held) {
  std::sort(held.begin(), held.end(), [](const RangeLock& a, const RangeLock& b) {
    return std::tie(a.owner.id, a.start) < std::tie(b.owner.id, b.start);
  });
  std::vector<std::tuple<uint64_t, int, int64_t, int64_t>> out;
  for (const auto& l : held) out.emplace_back(l.owner.id, l.type, l.start, l.end);
  return out;
}

TEST(LockTypesTest, FlockRequestsBecomeInclusiveRanges) {
  Flock f;
  f.type = F_WRLCK;
  f.whence = SEEK_SET;
  f.start = 10;
  f.len = 5;
  auto r = rangeFromFlock(f, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->start, 10);
  EXPECT_EQ(r->end, 14);
  f.len = 0;
  EXPECT_EQ(rangeFromFlock(f, 0)->end, kLockEof);
  f.len = -4;  // the four bytes before start
  EXPECT_EQ(rangeFromFlock(f, 0)->start, 6);
  EXPECT_EQ(rangeFromFlock(f, 0)->end, 9);
  f.whence = SEEK_END;
  f.start = -10;
  f.len = 10;
  EXPECT_EQ(rangeFromFlock(f, 100)->start, 90);
  EXPECT_EQ(rangeFromFlock(f, 100)->end, 99);
}

TEST(LockTypesTest, BadRequestsAreRefused) {
  Flock f;
  f.type = F_RDLCK;
  f.whence = SEEK_CUR;
  EXPECT_EQ(rangeFromFlock(f, 0).errnum(), EINVAL);
  f.whence = SEEK_SET;
  f.start = -1;
  EXPECT_EQ(rangeFromFlock(f, 0).errnum(), EINVAL);
  f.start = 2;
  f.len = -3;
  EXPECT_EQ(rangeFromFlock(f, 0).errnum(), EINVAL);
  f.start = kLockEof;
  f.len = 2;
  EXPECT_EQ(rangeFromFlock(f, 0).errnum(), EOVERFLOW);
}

TEST(LockTypesTest, HeldLocksReportAsFlock) {
  Flock f = flockFromRange(lock(7, F_WRLCK, 3, kLockEof));
  EXPECT_EQ(f.start, 3);
  EXPECT_EQ(f.len, 0);
  EXPECT_EQ(f.owner, 7u);
  EXPECT_EQ(flockFromRange(lock(7, F_RDLCK, 3, 5)).len, 3);
}

TEST(LockTypesTest, SameTypeLocksOfOneOwnerMergeWhenTheyTouch) {
  std::vector<RangeLock> held;
  applyRangeLock(held, lock(1, F_RDLCK, 0, 9));
  applyRangeLock(held, lock(1, F_RDLCK, 10, 19));  // adjacent
  applyRangeLock(held, lock(1, F_RDLCK, 30, 39));  // apart
  EXPECT_EQ(dump(held), (decltype(dump(held)){{1, F_RDLCK, 0, 19}, {1, F_RDLCK, 30, 39}}));
  applyRangeLock(held, lock(1, F_RDLCK, 15, 35));  // bridges both
  EXPECT_EQ(dump(held), (decltype(dump(held)){{1, F_RDLCK, 0, 39}}));
}

TEST(LockTypesTest, AnotherTypeSplitsTheOwnersLock) {
  std::vector<RangeLock> held;
  applyRangeLock(held, lock(1, F_RDLCK, 0, 99));
  applyRangeLock(held, lock(1, F_WRLCK, 40, 59));
  EXPECT_EQ(dump(held), (decltype(dump(held)){
                            {1, F_RDLCK, 0, 39}, {1, F_WRLCK, 40, 59}, {1, F_RDLCK, 60, 99}}));
  applyRangeLock(held, lock(1, F_RDLCK, 40, 59));  // downgrade merges back
  EXPECT_EQ(dump(held), (decltype(dump(held)){{1, F_RDLCK, 0, 99}}));
}

TEST(LockTypesTest, UnlockCutsOnlyTheOwnersRange) {
  std::vector<RangeLock> held;
  applyRangeLock(held, lock(1, F_WRLCK, 0, kLockEof));
  applyRangeLock(held, lock(2, F_RDLCK, 0, 9));
  applyRangeLock(held, lock(1, F_UNLCK, 100, 199));
  EXPECT_EQ(dump(held), (decltype(dump(held)){
                            {1, F_WRLCK, 0, 99}, {1, F_WRLCK, 200, kLockEof}, {2, F_RDLCK, 0, 9}}));
  applyRangeLock(held, lock(1, F_UNLCK, 0, kLockEof));
  EXPECT_EQ(dump(held), (decltype(dump(held)){{2, F_RDLCK, 0, 9}}));
}

TEST(LockTypesTest, ConflictsNeedTwoOwnersAnOverlapAndAWriter) {
  EXPECT_TRUE(conflicts(lock(1, F_WRLCK, 0, 9), lock(2, F_RDLCK, 9, 20)));
  EXPECT_FALSE(conflicts(lock(1, F_WRLCK, 0, 9), lock(2, F_RDLCK, 10, 20)));
  EXPECT_FALSE(conflicts(lock(1, F_RDLCK, 0, 9), lock(2, F_RDLCK, 0, 9)));
  EXPECT_FALSE(conflicts(lock(1, F_WRLCK, 0, 9), lock(1, F_WRLCK, 0, 9)));
  EntryLock a{{0, 1}, "x", EntrylkType::kWrite}, b{{0, 2}, "y", EntrylkType::kWrite};
  EntryLock dir{{0, 2}, "", EntrylkType::kRead}, reader{{0, 2}, "x", EntrylkType::kRead};
  EXPECT_FALSE(conflicts(a, b));
  EXPECT_TRUE(conflicts(a, dir));
  EXPECT_TRUE(conflicts(a, reader));
  EXPECT_FALSE(conflicts(EntryLock{{0, 1}, "x", EntrylkType::kRead}, reader));
}

}  // namespace
}  // namespace gf::locks
