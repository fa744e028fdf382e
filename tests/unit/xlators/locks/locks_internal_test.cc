// SPDX-License-Identifier: GPL-3.0-or-later
// inodelk/finodelk and entrylk/fentrylk, the internal lock domains replicate relies on, and
// the options of features/locks.
#include "tests/unit/xlators/locks/lock_fixture.h"

namespace gf::test {
namespace {

using LocksInternalTest = LockGraphTest;
INSTANTIATE_TEST_SUITE_P(Graphs, LocksInternalTest, ::testing::ValuesIn(kLockGraphs),
                         LockGraphName());

InodelkReq inodelk(const Loc& loc, const std::string& domain, LockCmd cmd, int type,
                   int64_t start = 0, int64_t len = 0) {
  return InodelkReq{domain, loc, cmd, range(type, start, len)};
}

EntrylkReq entrylk(const Loc& dir, const std::string& name, EntrylkCmd cmd, EntrylkType type) {
  return EntrylkReq{"entry-dom", dir, name, cmd, type};
}

TEST_P(LocksInternalTest, InodelkDomainsAreIndependent) {
  TestClient a = owner(1), b = owner(2);
  ASSERT_OK_AND_ASSIGN(Loc f, fs().loc("/f"));
  ASSERT_OK(a.call(inodelk(f, "data", LockCmd::kSet, F_WRLCK)));
  EXPECT_OK(b.call(inodelk(f, "metadata", LockCmd::kSet, F_WRLCK)));
  EXPECT_ERRNO(b.call(inodelk(f, "data", LockCmd::kSet, F_WRLCK, 10, 1)), EAGAIN);
  EXPECT_ERRNO(b.call(inodelk(f, "data", LockCmd::kGet, F_RDLCK)), EAGAIN);
  ASSERT_OK(a.call(inodelk(f, "data", LockCmd::kSet, F_UNLCK)));
  EXPECT_OK(b.call(inodelk(f, "data", LockCmd::kGet, F_WRLCK)));
  EXPECT_OK(b.call(inodelk(f, "data", LockCmd::kSet, F_WRLCK, 10, 1)));
}

TEST_P(LocksInternalTest, InodelkIsFairNewcomersQueueBehindWaiters) {
  TestClient a = owner(1), b = owner(2), c = owner(3);
  ASSERT_OK_AND_ASSIGN(Loc f, fs().loc("/f"));
  ASSERT_OK(a.call(inodelk(f, "d", LockCmd::kSet, F_RDLCK)));
  std::vector<std::string> order;
  auto pb = start(top(), b.ctx(), inodelk(f, "d", LockCmd::kSetWait, F_WRLCK), &order, "b");
  EXPECT_FALSE(pb->done);
  // c's read lock is compatible with a's, but would overtake b's queued write: it waits.
  EXPECT_ERRNO(c.call(inodelk(f, "d", LockCmd::kSet, F_RDLCK)), EAGAIN);
  auto pc = start(top(), c.ctx(), inodelk(f, "d", LockCmd::kSetWait, F_RDLCK), &order, "c");
  EXPECT_FALSE(pc->done);
  // An owner that already holds a lock in the domain is not queued behind others.
  EXPECT_OK(a.call(inodelk(f, "d", LockCmd::kSet, F_RDLCK, 0, 10)));
  ASSERT_OK(a.call(inodelk(f, "d", LockCmd::kSet, F_UNLCK)));
  EXPECT_EQ(order, std::vector<std::string>{"b"});
  ASSERT_OK(b.call(inodelk(f, "d", LockCmd::kSet, F_UNLCK)));
  EXPECT_EQ(order, (std::vector<std::string>{"b", "c"}));
  EXPECT_OK(pc->result);
}

TEST_P(LocksInternalTest, FinodelkAndInodelkShareTheirLocks) {
  TestClient a = owner(1), b = owner(2);
  FdPtr fa = openF(a);
  ASSERT_OK_AND_ASSIGN(Loc f, fs().loc("/f"));
  ASSERT_OK(a.call(FinodelkReq{"d", fa, LockCmd::kSet, range(F_WRLCK, 0, 0)}));
  EXPECT_ERRNO(b.call(inodelk(f, "d", LockCmd::kSet, F_RDLCK)), EAGAIN);
  ASSERT_OK(a.call(inodelk(f, "d", LockCmd::kSet, F_UNLCK)));
  EXPECT_OK(b.call(inodelk(f, "d", LockCmd::kSet, F_RDLCK)));
}

TEST_P(LocksInternalTest, EntrylkLocksNamesOrTheWholeDirectory) {
  TestClient a = owner(1), b = owner(2);
  ASSERT_OK_AND_ASSIGN(Loc dir, fs().loc("/dir"));
  ASSERT_OK(a.call(entrylk(dir, "x", EntrylkCmd::kLockNonBlocking, EntrylkType::kWrite)));
  EXPECT_OK(b.call(entrylk(dir, "y", EntrylkCmd::kLockNonBlocking, EntrylkType::kWrite)));
  EXPECT_ERRNO(b.call(entrylk(dir, "x", EntrylkCmd::kLockNonBlocking, EntrylkType::kRead)), EAGAIN);
  EXPECT_ERRNO(b.call(entrylk(dir, "", EntrylkCmd::kLockNonBlocking, EntrylkType::kRead)), EAGAIN);
  ASSERT_OK(a.call(entrylk(dir, "x", EntrylkCmd::kUnlock, EntrylkType::kWrite)));
  EXPECT_OK(b.call(entrylk(dir, "x", EntrylkCmd::kLockNonBlocking, EntrylkType::kRead)));
  EXPECT_OK(a.call(entrylk(dir, "x", EntrylkCmd::kLockNonBlocking, EntrylkType::kRead)))
      << "read locks on a name are shared";
  EXPECT_ERRNO(a.call(entrylk(dir, "z", EntrylkCmd::kUnlock, EntrylkType::kWrite)), EINVAL);
  ASSERT_OK_AND_ASSIGN(FdPtr dfd, fs().opendir("/dir"));
  EXPECT_ERRNO(
      a.call(FentrylkReq{"entry-dom", dfd, "y", EntrylkCmd::kLockNonBlocking, EntrylkType::kWrite}),
      EAGAIN);
}

TEST_P(LocksInternalTest, ABlockingEntrylkWaitsForTheUnlock) {
  TestClient a = owner(1), b = owner(2);
  ASSERT_OK_AND_ASSIGN(Loc dir, fs().loc("/dir"));
  ASSERT_OK(a.call(entrylk(dir, "", EntrylkCmd::kLock, EntrylkType::kWrite)));
  auto pb = start(top(), b.ctx(), entrylk(dir, "name", EntrylkCmd::kLock, EntrylkType::kWrite));
  EXPECT_FALSE(pb->done);
  ASSERT_OK(a.call(entrylk(dir, "", EntrylkCmd::kUnlock, EntrylkType::kWrite)));
  ASSERT_TRUE(pb->done);
  EXPECT_OK(pb->result);
}

TEST_P(LocksInternalTest, ADisconnectReleasesInodelksAndEntrylks) {
  TestClient a = owner(1, 201), b = owner(2, 202);
  ASSERT_OK_AND_ASSIGN(Loc f, fs().loc("/f"));
  ASSERT_OK_AND_ASSIGN(Loc dir, fs().loc("/dir"));
  ASSERT_OK(a.call(inodelk(f, "d", LockCmd::kSet, F_WRLCK)));
  ASSERT_OK(a.call(entrylk(dir, "n", EntrylkCmd::kLock, EntrylkType::kWrite)));
  auto pi = start(top(), b.ctx(), inodelk(f, "d", LockCmd::kSetWait, F_WRLCK));
  auto pe = start(top(), b.ctx(), entrylk(dir, "n", EntrylkCmd::kLock, EntrylkType::kWrite));
  EXPECT_FALSE(pi->done || pe->done);
  disconnect(201);
  ASSERT_TRUE(pi->done && pe->done);
  EXPECT_OK(pi->result);
  EXPECT_OK(pe->result);
}

TEST(LocksOptionsTest, MandatoryLockingIsRefusedAtInit) {
  std::string vf = volume("brick", "storage/memory") +
                   volume("locks", "features/locks", {{"mandatory-locks", "on"}}, {"brick"});
  EXPECT_THROW(TestGraph g(vf), std::runtime_error);
  std::string off = volume("brick", "storage/memory") +
                    volume("locks", "features/locks", {{"mandatory-locks", "off"}}, {"brick"});
  EXPECT_NO_THROW(TestGraph g(off));
}

TEST(LocksOptionsTest, UnlockedRequestsWithoutAFileAreRefused) {
  TestGraph g(volume("brick", "storage/memory") + volume("locks", "features/locks", {}, {"brick"}));
  TestClient fs(g.top());
  InodelkReq noInode{"d", Loc{}, LockCmd::kSet, range(F_WRLCK, 0, 0)};
  EXPECT_ERRNO(fs.call(noInode), EINVAL);
  EXPECT_ERRNO(fs.call(posixReq(nullptr, LockCmd::kSet, F_WRLCK, 0, 0)), EBADF);
}

}  // namespace
}  // namespace gf::test
