// SPDX-License-Identifier: GPL-3.0-or-later
// Fd and FdTable: small-integer handles, reuse, stale numbers, and release of fd contexts.
#include "glusterfs/core/fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

namespace gf {
namespace {

FdPtr newFd(int flags = O_RDONLY) { return makeFd(nullptr, flags); }

TEST(FdTest, KeepsInodeFlagsAndPid) {
  InodeTable t;
  auto fd = makeFd(t.root(), O_RDWR | O_APPEND, 4242);
  EXPECT_EQ(fd->inode(), t.root());
  EXPECT_EQ(fd->flags(), O_RDWR | O_APPEND);
  EXPECT_EQ(fd->pid(), 4242u);
}

TEST(FdTest, HoldsItsInodeAlive) {
  InodeTable t;
  Iatt ia;
  ia.gfid = Gfid::random();
  ia.mode = S_IFREG | 0644;
  auto inode = t.link(t.create(), t.root(), "f", ia);
  auto fd = makeFd(inode, O_RDONLY);
  inode.reset();
  EXPECT_NE(t.find(ia.gfid), nullptr);
  fd.reset();
  EXPECT_EQ(t.find(ia.gfid), nullptr);
}

struct Released {
  explicit Released(int* c) : count(c) {}
  ~Released() { ++*count; }
  int* count;
};

TEST(FdTest, ReleasingTheLastReferenceReleasesEveryLayersContext) {
  int released = 0;
  int layerA = 0, layerB = 0;
  auto fd = newFd();
  fd->ctx().set(&layerA, std::make_shared<Released>(&released));
  fd->ctx().set(&layerB, std::make_shared<Released>(&released));
  FdTable table;
  uint64_t id = table.add(fd);
  fd.reset();
  EXPECT_EQ(released, 0);  // the table still holds it
  table.remove(id).reset();
  EXPECT_EQ(released, 2);
}

TEST(FdTableTest, ZeroIsNeverHandedOut) {
  FdTable t;
  std::set<uint64_t> ids;
  for (int i = 0; i < 100; ++i) {
    uint64_t id = t.add(newFd());
    EXPECT_NE(id, 0u);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
  }
  // Not even after everything was removed and the table reset.
  for (auto id : ids) t.remove(id);
  for (int i = 0; i < 10; ++i) EXPECT_NE(t.add(newFd()), 0u);
  t.removeAll();
  EXPECT_NE(t.add(newFd()), 0u);
  EXPECT_EQ(t.get(0), nullptr);
  EXPECT_EQ(t.remove(0), nullptr);
}

TEST(FdTableTest, GetReturnsWhatWasAdded) {
  FdTable t;
  auto a = newFd(O_RDONLY), b = newFd(O_WRONLY);
  uint64_t ia = t.add(a), ib = t.add(b);
  EXPECT_NE(ia, ib);
  EXPECT_EQ(t.get(ia), a);
  EXPECT_EQ(t.get(ib), b);
  EXPECT_EQ(t.size(), 2u);
}

TEST(FdTableTest, StaleAndForgedIdsMiss) {
  FdTable t;
  auto a = newFd();
  uint64_t id = t.add(a);
  EXPECT_EQ(t.remove(id), a);
  EXPECT_EQ(t.get(id), nullptr);
  EXPECT_EQ(t.remove(id), nullptr);  // a second release of the same number
  EXPECT_EQ(t.get(id + 1), nullptr);
  EXPECT_EQ(t.get(UINT64_MAX), nullptr);
  EXPECT_EQ(t.remove(UINT64_MAX), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

TEST(FdTableTest, DoubleRemoveDoesNotHandOutANumberTwice) {
  FdTable t;
  uint64_t id = t.add(newFd());
  t.remove(id);
  t.remove(id);  // must not put `id` on the free list twice
  uint64_t x = t.add(newFd());
  uint64_t y = t.add(newFd());
  EXPECT_NE(x, y);
  EXPECT_EQ(t.size(), 2u);
}

TEST(FdTableTest, NumbersAreReusedAfterRemoval) {
  FdTable t;
  uint64_t a = t.add(newFd());
  uint64_t b = t.add(newFd());
  uint64_t c = t.add(newFd());
  t.remove(b);
  auto fresh = newFd();
  uint64_t d = t.add(fresh);
  EXPECT_EQ(d, b);  // the freed slot comes back before the table grows
  EXPECT_EQ(t.get(d), fresh);
  EXPECT_NE(t.get(a), nullptr);
  EXPECT_NE(t.get(c), nullptr);
  // Numbers stay small: a table that never holds more than 3 fds never goes past 3.
  for (int i = 0; i < 1000; ++i) {
    t.remove(a);
    a = t.add(newFd());
    EXPECT_LE(a, 3u);
  }
}

TEST(FdTableTest, RemoveAllReturnsEveryFdAndEmptiesTheTable) {
  FdTable t;
  std::vector<FdPtr> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(newFd());
  std::vector<uint64_t> ids;
  for (auto& f : fds) ids.push_back(t.add(f));
  t.remove(ids[2]);
  auto all = t.removeAll();
  EXPECT_EQ(all.size(), 4u);
  for (int i : {0, 1, 3, 4}) EXPECT_NE(std::find(all.begin(), all.end(), fds[i]), all.end());
  EXPECT_EQ(t.size(), 0u);
  for (auto id : ids) EXPECT_EQ(t.get(id), nullptr);
}

TEST(FdTableTest, ConcurrentAddAndRemoveNeverShareANumber) {
  FdTable t;
  constexpr int kThreads = 4, kIters = 5000;
  std::atomic<int> problems{0};
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n)
    threads.emplace_back([&] {
      std::vector<std::pair<uint64_t, FdPtr>> mine;
      for (int i = 0; i < kIters; ++i) {
        auto fd = newFd();
        uint64_t id = t.add(fd);
        if (id == 0) ++problems;
        mine.emplace_back(id, fd);
        if (i % 3 == 0) {
          auto [rid, rfd] = mine.front();
          mine.erase(mine.begin());
          if (t.get(rid) != rfd) ++problems;
          if (t.remove(rid) != rfd) ++problems;
        }
      }
      for (auto& [id, fd] : mine)
        if (t.remove(id) != fd) ++problems;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(problems.load(), 0);
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace gf
