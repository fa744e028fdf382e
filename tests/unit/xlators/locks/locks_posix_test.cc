// SPDX-License-Identifier: GPL-3.0-or-later
// fcntl record locks and flock through the lock fops: contention between owners, merging
// and splitting, waiting without blocking a thread, wake-up order, and the release rules.
#include "tests/unit/xlators/locks/lock_fixture.h"

namespace gf::test {
namespace {

using LocksPosixTest = LockGraphTest;
INSTANTIATE_TEST_SUITE_P(Graphs, LocksPosixTest, ::testing::ValuesIn(kLockGraphs), LockGraphName());

TEST_P(LocksPosixTest, AWriteLockExcludesOthersAndGetlkNamesTheHolder) {
  TestClient a = owner(1), b = owner(2);
  FdPtr fa = openF(a), fb = openF(b);
  ASSERT_OK(a.call(LkReq{fa, LockCmd::kSet, LockKind::kPosix, [] {
                           Flock f = range(F_WRLCK, 0, 100);
                           f.pid = 4242;
                           return f;
                         }()}));
  EXPECT_ERRNO(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 50, 10)), EAGAIN);
  EXPECT_ERRNO(b.call(posixReq(fb, LockCmd::kSet, F_RDLCK, 99, 1)), EAGAIN);
  ASSERT_OK_AND_ASSIGN(LkReply got, b.call(posixReq(fb, LockCmd::kGet, F_RDLCK, 50, 10)));
  EXPECT_EQ(got.lock.type, F_WRLCK);
  EXPECT_EQ(got.lock.start, 0);
  EXPECT_EQ(got.lock.len, 100);
  EXPECT_EQ(got.lock.pid, 4242);
  EXPECT_EQ(got.lock.owner, 1u);
  EXPECT_OK(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 100, 10)));  // beyond A's range
  ASSERT_OK_AND_ASSIGN(LkReply mine, a.call(posixReq(fa, LockCmd::kGet, F_WRLCK, 0, 10)));
  EXPECT_EQ(mine.lock.type, F_UNLCK) << "an owner never conflicts with itself";
}

TEST_P(LocksPosixTest, ReadLocksAreSharedUntilSomeoneWantsToWrite) {
  TestClient a = owner(1), b = owner(2), c = owner(3);
  FdPtr fa = openF(a), fb = openF(b), fc = openF(c);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_RDLCK, 0, 0)));
  ASSERT_OK(b.call(posixReq(fb, LockCmd::kSet, F_RDLCK, 10, 10)));
  EXPECT_ERRNO(c.call(posixReq(fc, LockCmd::kSet, F_WRLCK, 15, 1)), EAGAIN);
  EXPECT_ERRNO(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 0)), EAGAIN)
      << "upgrade blocked by b";
  ASSERT_OK(b.call(posixReq(fb, LockCmd::kSet, F_UNLCK, 0, 0)));
  EXPECT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 0)));
}

TEST_P(LocksPosixTest, AnOwnersLocksMergeAndSplitAsFcntlDoes) {
  TestClient a = owner(1), b = owner(2);
  FdPtr fa = openF(a), fb = openF(b);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_RDLCK, 0, 50)));
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_RDLCK, 50, 50)));  // merges into [0,100)
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 40, 20)));  // splits it in three
  ASSERT_OK_AND_ASSIGN(LkReply left, b.call(posixReq(fb, LockCmd::kGet, F_WRLCK, 0, 10)));
  EXPECT_EQ(left.lock.type, F_RDLCK);
  EXPECT_EQ(left.lock.start, 0);
  EXPECT_EQ(left.lock.len, 40);
  ASSERT_OK_AND_ASSIGN(LkReply mid, b.call(posixReq(fb, LockCmd::kGet, F_RDLCK, 45, 1)));
  EXPECT_EQ(mid.lock.type, F_WRLCK);
  EXPECT_EQ(mid.lock.start, 40);
  EXPECT_EQ(mid.lock.len, 20);
  ASSERT_OK_AND_ASSIGN(LkReply right, b.call(posixReq(fb, LockCmd::kGet, F_WRLCK, 90, 1)));
  EXPECT_EQ(right.lock.start, 60);
  EXPECT_EQ(right.lock.len, 40);
  ASSERT_OK_AND_ASSIGN(LkReply shared, b.call(posixReq(fb, LockCmd::kGet, F_RDLCK, 0, 10)));
  EXPECT_EQ(shared.lock.type, F_UNLCK);
  // Unlocking the middle of the write lock frees exactly that hole.
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_UNLCK, 45, 10)));
  EXPECT_OK(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 45, 10)));
  EXPECT_ERRNO(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 44, 1)), EAGAIN);
  EXPECT_ERRNO(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 55, 1)), EAGAIN);
}

TEST_P(LocksPosixTest, ABlockedSetlkwWaitsWithoutBlockingTheThread) {
  TestClient a = owner(1), b = owner(2);
  FdPtr fa = openF(a), fb = openF(b);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 0)));
  auto waiting = start(top(), b.ctx(), posixReq(fb, LockCmd::kSetWait, F_WRLCK, 10, 10));
  EXPECT_FALSE(waiting->done) << "the request must wait for a's lock";
  // This very thread keeps serving fops while b waits.
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_UNLCK, 0, 5)));
  EXPECT_FALSE(waiting->done);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_UNLCK, 0, 0)));
  ASSERT_TRUE(waiting->done);
  EXPECT_OK(waiting->result);
  EXPECT_ERRNO(a.call(posixReq(fa, LockCmd::kSet, F_RDLCK, 12, 1)), EAGAIN);
}

TEST_P(LocksPosixTest, WaitersAreGrantedInArrivalOrder) {
  TestClient a = owner(1), b = owner(2), c = owner(3), d = owner(4);
  FdPtr fa = openF(a), fb = openF(b), fc = openF(c), fd = openF(d);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 0)));
  std::vector<std::string> order;
  auto pb = start(top(), b.ctx(), posixReq(fb, LockCmd::kSetWait, F_WRLCK, 0, 0), &order, "b");
  auto pc = start(top(), c.ctx(), posixReq(fc, LockCmd::kSetWait, F_WRLCK, 0, 0), &order, "c");
  auto pd = start(top(), d.ctx(), posixReq(fd, LockCmd::kSetWait, F_WRLCK, 0, 0), &order, "d");
  EXPECT_TRUE(order.empty());
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_UNLCK, 0, 0)));
  EXPECT_EQ(order, std::vector<std::string>{"b"});
  ASSERT_OK(b.call(posixReq(fb, LockCmd::kSet, F_UNLCK, 0, 0)));
  EXPECT_EQ(order, (std::vector<std::string>{"b", "c"}));
  ASSERT_OK(c.call(posixReq(fc, LockCmd::kSet, F_UNLCK, 0, 0)));
  EXPECT_EQ(order, (std::vector<std::string>{"b", "c", "d"}));
  EXPECT_OK(pd->result);
}

TEST_P(LocksPosixTest, FlushReleasesOnlyTheClosingOwnersLocks) {
  TestClient a = owner(1), b = owner(2), c = owner(3);
  FdPtr fa = openF(a), fb = openF(b), fc = openF(c);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 10)));
  ASSERT_OK(c.flush(fc));
  EXPECT_ERRNO(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 0, 10)), EAGAIN);
  // close(2) on any fd of the file drops all of the owner's locks on it.
  FdPtr fa2 = openF(a, O_RDONLY);
  ASSERT_OK(a.flush(fa2));
  EXPECT_OK(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 0, 10)));
}

TEST_P(LocksPosixTest, ADisconnectReleasesTheClientsLocksAndFailsItsWaiters) {
  TestClient a = owner(1, 101), b = owner(2, 102), c = owner(3, 103);
  FdPtr fa = openF(a), fb = openF(b), fc = openF(c);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 0)));
  auto pb = start(top(), b.ctx(), posixReq(fb, LockCmd::kSetWait, F_WRLCK, 0, 0));
  auto pc = start(top(), c.ctx(), posixReq(fc, LockCmd::kSetWait, F_WRLCK, 0, 0));
  disconnect(103);
  ASSERT_TRUE(pc->done);
  EXPECT_ERRNO(pc->result, ENOTCONN);
  EXPECT_FALSE(pb->done);
  disconnect(101);
  ASSERT_TRUE(pb->done);
  EXPECT_OK(pb->result);
}

TEST_P(LocksPosixTest, AWaitThatWouldDeadlockFailsWithEdeadlk) {
  TestClient a = owner(1), b = owner(2);
  FdPtr fa = openF(a), fb = openF(b);
  ASSERT_OK(a.call(posixReq(fa, LockCmd::kSet, F_WRLCK, 0, 10)));
  ASSERT_OK(b.call(posixReq(fb, LockCmd::kSet, F_WRLCK, 20, 10)));
  auto pa = start(top(), a.ctx(), posixReq(fa, LockCmd::kSetWait, F_WRLCK, 20, 10));
  EXPECT_FALSE(pa->done);
  EXPECT_ERRNO(b.call(posixReq(fb, LockCmd::kSetWait, F_WRLCK, 0, 10)), EDEADLK);
  ASSERT_OK(b.call(posixReq(fb, LockCmd::kSet, F_UNLCK, 20, 10)));
  ASSERT_TRUE(pa->done);
  EXPECT_OK(pa->result);
}

TEST_P(LocksPosixTest, TheLockTypeMustMatchTheOpenMode) {
  TestClient a = owner(1);
  FdPtr ro = openF(a, O_RDONLY), wo = openF(a, O_WRONLY);
  EXPECT_ERRNO(a.call(posixReq(ro, LockCmd::kSet, F_WRLCK, 0, 1)), EBADF);
  EXPECT_ERRNO(a.call(posixReq(wo, LockCmd::kSet, F_RDLCK, 0, 1)), EBADF);
  EXPECT_OK(a.call(posixReq(ro, LockCmd::kSet, F_RDLCK, 0, 1)));
  EXPECT_ERRNO(a.call(posixReq(ro, LockCmd::kSet, 99, 0, 1)), EINVAL);
}

TEST_P(LocksPosixTest, SeekEndRangesAreRelativeToTheFileSize) {
  TestClient a = owner(1), b = owner(2);
  FdPtr fa = openF(a), fb = openF(b);
  LkReq req = posixReq(fa, LockCmd::kSet, F_WRLCK, -10, 10);
  req.lock.whence = SEEK_END;
  ASSERT_OK(a.call(req));
  ASSERT_OK_AND_ASSIGN(LkReply got, b.call(posixReq(fb, LockCmd::kGet, F_WRLCK, 0, 0)));
  EXPECT_EQ(got.lock.start, 90);
  EXPECT_EQ(got.lock.len, 10);
}

TEST_P(LocksPosixTest, FlockBelongsToTheOpenFileAndGoesWithIt) {
  TestClient a = owner(1);
  FdPtr f1 = openF(a), f2 = openF(a);
  ASSERT_OK(a.call(flockReq(f1, LockCmd::kSet, F_WRLCK)));
  EXPECT_ERRNO(a.call(flockReq(f2, LockCmd::kSet, F_RDLCK)), EAGAIN)
      << "flock conflicts between two opens even in one process";
  ASSERT_OK(a.flush(f1));  // close(2) of another fd does not drop a flock
  EXPECT_ERRNO(a.call(flockReq(f2, LockCmd::kSet, F_RDLCK)), EAGAIN);
  f1.reset();  // the last reference: the open file is released
  EXPECT_OK(a.call(flockReq(f2, LockCmd::kSet, F_RDLCK)));
}

TEST_P(LocksPosixTest, FlockConversionDropsTheHeldLockFirst) {
  TestClient a = owner(1);
  FdPtr f1 = openF(a), f2 = openF(a);
  ASSERT_OK(a.call(flockReq(f1, LockCmd::kSet, F_RDLCK)));
  ASSERT_OK(a.call(flockReq(f2, LockCmd::kSet, F_RDLCK)));
  EXPECT_ERRNO(a.call(flockReq(f1, LockCmd::kSet, F_WRLCK)), EAGAIN);
  // As on Linux, f1's shared lock went away in the failed upgrade, so f2 can upgrade now.
  EXPECT_OK(a.call(flockReq(f2, LockCmd::kSet, F_WRLCK)));
  ASSERT_OK(a.call(flockReq(f2, LockCmd::kSet, F_RDLCK)));  // downgrade in place
  EXPECT_OK(a.call(flockReq(f1, LockCmd::kSet, F_RDLCK)));
}

TEST_P(LocksPosixTest, AFlockWaiterIsWokenByTheUnlock) {
  TestClient a = owner(1), b = owner(2);
  FdPtr f1 = openF(a), f2 = openF(b);
  ASSERT_OK(a.call(flockReq(f1, LockCmd::kSet, F_WRLCK)));
  auto waiting = start(top(), b.ctx(), flockReq(f2, LockCmd::kSetWait, F_WRLCK));
  EXPECT_FALSE(waiting->done);
  ASSERT_OK(a.call(flockReq(f1, LockCmd::kSet, F_UNLCK)));
  ASSERT_TRUE(waiting->done);
  EXPECT_OK(waiting->result);
}

}  // namespace
}  // namespace gf::test
