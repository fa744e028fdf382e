// SPDX-License-Identifier: GPL-3.0-or-later
// Rebalance after a third child joins two: layouts fixed, every file moved to its hashed child
// with its contents, readable throughout; open files left alone and moved by a later run; a
// run interrupted by a failing child resumed by the next one.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <map>
#include <thread>

#include "glusterfs/xlators/cluster/distribute/dht_migration.h"
#include "tests/unit/distribute/dht_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using V = std::vector<size_t>;

std::string baseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The child a name belongs to once rebalance handed the third child its slice: the two old
// children keep what they can of their halves (Layout::keepingMostOf).
size_t hashedAfter(std::string_view name) {
  static const dht::Layout after = [] {
    dht::Layout before(3);
    dht::Layout two = dht::Layout::uniform(2);
    before.set(0, two.get(0));
    before.set(1, two.get(1));
    return dht::Layout::keepingMostOf(before);
  }();
  return static_cast<size_t>(after.childFor(dht::nameHash(name, dht::HashRules{})));
}

std::string nameGoingTo(size_t child, std::string_view prefix) {
  for (size_t i = 0;; ++i) {
    std::string name = std::string(prefix) + std::to_string(i);
    if (hashedAfter(name) == child) return name;
  }
}

// Two children with files in three directory levels, some of them renamed (linkfiles), then
// a third child added: `dht` spans c0 c1, `wide` spans c0 c1 c2 over the same leaves.
class DhtRebalanceTest : public ::testing::Test {
 protected:
  DhtRebalanceTest() : rig_({.children = 2, .spare = 1}) {}

  void SetUp() override {
    TestClient& fs = rig_.client();
    for (const char* d : {"/a", "/a/b", "/mail"}) ASSERT_OK(fs.mkdir(d));
    for (int i = 0; i < 60; ++i)
      for (const char* d : {"", "/a", "/a/b"}) {
        std::string p = std::string(d) + "/f" + std::to_string(i);
        ASSERT_OK(fs.writeFile(p, "contents of " + p + std::string(i * 100, '.')));
        files_[p] = "contents of " + p + std::string(i * 100, '.');
      }
    for (int i = 0; i < 20; ++i) {
      std::string from = "/a/f" + std::to_string(i), to = "/a/moved" + std::to_string(i);
      ASSERT_OK(fs.rename(from, to));
      files_[to] = files_[from];
      files_.erase(from);
    }
  }

  Status rebalance(dht::RebalanceStats& stats, bool fixLayoutOnly = false, size_t parallel = 4) {
    return syncWait(dht::rebalance(rig_.wide(), fixLayoutOnly, parallel, stats, nullptr));
  }
  // Files whose data is not on their hashed child of the three.
  size_t misplaced() const {
    size_t n = 0;
    for (const auto& [p, data] : files_)
      if (rig_.dataOn(p) != V{hashedAfter(baseName(p))}) ++n;
    return n;
  }
  void expectAllInPlace() {
    for (const auto& [p, data] : files_) {
      EXPECT_EQ(rig_.dataOn(p), V{hashedAfter(baseName(p))}) << p;
      EXPECT_TRUE(rig_.linkfilesOn(p).empty()) << p;
    }
  }
  void expectAllReadable(TestClient& fs) {
    for (const auto& [p, data] : files_) {
      auto got = fs.readFile(p);
      ASSERT_OK(got) << p;
      EXPECT_EQ(*got, data) << p;
    }
    auto names = fs.listDir("/a");
    ASSERT_OK(names);
    EXPECT_EQ(names->size(), 61u) << "60 files and b";
  }

  DhtRig rig_;
  std::map<std::string, std::string> files_;
};

TEST_F(DhtRebalanceTest, EveryFileEndsOnItsHashedChildWithItsContents) {
  size_t before = misplaced();
  ASSERT_GT(before, 40u) << "a third of the files should move";
  std::map<std::string, Gfid> ids;
  for (const auto& [p, data] : files_) ids[p] = rig_.client().stat(p)->gfid;
  dht::RebalanceStats stats;
  ASSERT_OK(rebalance(stats));
  EXPECT_EQ(stats.migrated.load(), before);
  EXPECT_EQ(stats.failed.load(), 0u);
  EXPECT_EQ(stats.busy.load(), 0u);
  EXPECT_EQ(stats.directories.load(), 4u);
  expectAllInPlace();
  dht::Layout twoOfThree(3);
  twoOfThree.set(0, dht::Layout::uniform(2).get(0));
  twoOfThree.set(1, dht::Layout::uniform(2).get(1));
  dht::Layout u = dht::Layout::keepingMostOf(twoOfThree);
  for (const char* d : {"/", "/a", "/a/b", "/mail"})
    for (size_t i = 0; i < 3; ++i) {
      auto r = rig_.rangeOn(i, d);
      ASSERT_TRUE(r) << d << " on " << i;
      EXPECT_EQ(r->start, u.get(i)->start) << d << " on " << i;
    }
  TestClient fs(rig_.wide());
  expectAllReadable(fs);
  for (const auto& [p, g] : ids) EXPECT_EQ(fs.stat(p)->gfid, g) << p << " changed identity";
  // A second run finds nothing to do.
  dht::RebalanceStats again;
  ASSERT_OK(rebalance(again));
  EXPECT_EQ(again.migrated.load(), 0u);
  // New files go straight to the new child when they hash there.
  std::string n = nameGoingTo(2, "new");
  ASSERT_OK(fs.writeFile("/mail/" + n, "hi"));
  EXPECT_EQ(rig_.dataOn("/mail/" + n), V{2});
}

TEST_F(DhtRebalanceTest, FixLayoutOnlyMovesNothingAndFilesStayReachable) {
  size_t before = misplaced();
  dht::RebalanceStats stats;
  ASSERT_OK(rebalance(stats, true));
  EXPECT_EQ(stats.migrated.load(), 0u);
  EXPECT_EQ(misplaced(), before);
  ASSERT_TRUE(rig_.rangeOn(2, "/a/b"));
  TestClient fs(rig_.wide());
  expectAllReadable(fs);
}

// Readers on other clients all through the run: every read of every file gives its contents,
// never ENOENT or a short file. A thread reads from before the run starts until it ends (how
// its reads interleave with the moves is up to the scheduler), and every file is read again
// between batches of moves, so reads in the middle of the run happen whatever the timing.
TEST_F(DhtRebalanceTest, FilesStayReadableWhileTheyMove) {
  std::atomic<bool> done{false};
  std::atomic<size_t> errors{0};
  std::string firstError;
  auto readAll = [&](TestClient& fs) {
    for (const auto& [p, data] : files_) {
      auto got = fs.readFile(p);
      if ((!got || *got != data) && errors++ == 0)
        firstError = p + ": " + (got ? "wrong contents" : std::string(strerror(got.errnum())));
    }
  };
  std::promise<void> readerStarted;
  std::thread reader([&] {
    TestClient fs(rig_.wide());
    readAll(fs);
    readerStarted.set_value();
    while (!done) readAll(fs);
  });
  readerStarted.get_future().wait();
  TestClient between(rig_.wide());
  size_t batches = 0;
  size_t movedBefore = 0;
  dht::RebalanceStats stats;
  Status st = syncWait(dht::rebalance(rig_.wide(), false, 2, stats, [&](const auto& s) {
    if (s.migrated.load() == movedBefore) return;  // nothing moved since the last reads
    movedBefore = s.migrated.load();
    ++batches;
    readAll(between);
  }));
  done = true;
  reader.join();
  ASSERT_OK(st);
  EXPECT_EQ(errors.load(), 0u) << "first: " << firstError;
  EXPECT_GT(batches, 1u) << "the files should move in several batches";
  expectAllInPlace();
}

// A client that looked a file up before it moved (as the kernel keeps an inode) opens, stats
// and reads it after the move.
TEST_F(DhtRebalanceTest, AFileLookedUpBeforeItMovedIsUsableAfter) {
  std::string p;
  for (const auto& [path, data] : files_)
    if (rig_.dataOn(path) != V{hashedAfter(baseName(path))}) p = path;
  ASSERT_FALSE(p.empty());
  TestClient fs(rig_.wide());
  auto l = fs.loc(p);
  ASSERT_OK(l);
  dht::RebalanceStats stats;
  ASSERT_OK(rebalance(stats));
  ASSERT_EQ(rig_.dataOn(p), V{hashedAfter(baseName(p))});
  auto st = fs.call(StatReq{*l});
  ASSERT_OK(st);
  EXPECT_EQ(st->stat.size, files_[p].size());
  FdPtr fd = makeFd(l->inode, O_RDONLY);
  ASSERT_OK(fs.call(OpenReq{*l, O_RDONLY, fd}));
  EXPECT_EQ(*fs.read(fd, 0, 1 << 20), files_[p]);
}

// An open arriving while its file is being moved waits for the move, then opens the file in
// its new place. The move ends by unlocking a source it has just removed; that unlock must
// still reach the waiting open. One file, so the move held at the destination is that file's.
TEST(DhtRebalanceOpenTest, AnOpenThatWaitedOutTheMoveOpensTheFileInItsNewPlace) {
  using namespace std::chrono_literals;
  DhtRig rig({.children = 2, .spare = 1});
  std::string n = nameGoingTo(2, "w");
  size_t from = DhtRig::hashedOf(n, 2);
  ASSERT_OK(rig.client().writeFile("/" + n, "moved while opening"));
  TestClient fs(rig.wide());
  auto l = fs.loc("/" + n);  // remembered on its old child
  ASSERT_OK(l);
  rig.probe(2).hold("mknod");  // the move stops after locking the source
  dht::RebalanceStats stats;
  auto run = std::async(std::launch::async, [&] {
    return syncWait(dht::rebalance(rig.wide(), false, 1, stats, nullptr));
  });
  ASSERT_TRUE(rig.probe(2).waitForHeld("mknod", 1));
  size_t lockCalls = rig.probe(from).count("inodelk");
  auto opened = std::async(std::launch::async, [&]() -> Result<std::string> {
    FdPtr fd = makeFd(l->inode, O_RDONLY);
    GF_CHECK(fs.call(OpenReq{*l, O_RDONLY, fd}));
    return fs.read(fd, 0, 1 << 20);
  });
  // The open asks for its lease, is refused, then asks again to wait for it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (rig.probe(from).count("inodelk") < lockCalls + 2 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(rig.probe(from).count("inodelk"), lockCalls + 2) << "the open did not wait";
  rig.probe(2).release("mknod");
  ASSERT_OK(run.get());
  EXPECT_EQ(stats.migrated.load(), 1u);
  EXPECT_EQ(rig.dataOn("/" + n), V{2});
  if (opened.wait_for(30s) != std::future_status::ready) {
    ADD_FAILURE() << "the open that waited out the move never returned";
    std::fflush(stdout);
    std::_Exit(1);  // the stuck open cannot be joined
  }
  auto got = opened.get();
  ASSERT_OK(got);
  EXPECT_EQ(*got, "moved while opening");
}

TEST_F(DhtRebalanceTest, AnOpenFileIsLeftAloneAndMovedByALaterRun) {
  std::string p;
  for (const auto& [path, data] : files_)
    if (rig_.dataOn(path) != V{hashedAfter(baseName(path))}) p = path;
  ASSERT_FALSE(p.empty());
  V was = rig_.dataOn(p);
  TestClient fs(rig_.wide());
  auto fd = fs.open(p, O_RDWR);
  ASSERT_OK(fd);
  dht::RebalanceStats stats;
  ASSERT_OK(rebalance(stats));
  EXPECT_EQ(stats.busy.load(), 1u);
  EXPECT_EQ(rig_.dataOn(p), was) << "an open file was moved";
  // The fd still works, on the same file.
  uint64_t size = files_[p].size();
  ASSERT_OK(fs.write(*fd, size, "+tail"));
  files_[p] += "+tail";
  ASSERT_OK(fs.flush(*fd));
  EXPECT_EQ(*fs.read(*fd, 0, 1 << 20), files_[p]);
  fd->reset();  // close: the lease goes with the last reference
  dht::RebalanceStats later;
  ASSERT_OK(rebalance(later));
  EXPECT_EQ(later.migrated.load(), 1u);
  EXPECT_EQ(later.busy.load(), 0u);
  expectAllInPlace();
  TestClient fresh(rig_.wide());
  expectAllReadable(fresh);
}

// The new child starts failing writes part way through: the files it could not take stay
// whole where they were (reachable, with a linkfile at most), and the next run finishes.
TEST_F(DhtRebalanceTest, AnInterruptedRunIsResumed) {
  size_t before = misplaced();
  rig_.failAfter(2, "writev", EIO, 10);
  dht::RebalanceStats stats;
  ASSERT_OK(rebalance(stats));
  EXPECT_GT(stats.failed.load(), 0u);
  EXPECT_GT(stats.migrated.load(), 0u);
  EXPECT_EQ(misplaced(), before - stats.migrated.load());
  TestClient mid(rig_.wide());
  expectAllReadable(mid);
  rig_.clearFaults(2);
  dht::RebalanceStats resumed;
  ASSERT_OK(rebalance(resumed));
  EXPECT_EQ(resumed.failed.load(), 0u);
  EXPECT_EQ(stats.migrated.load() + resumed.migrated.load(), before);
  expectAllInPlace();
  TestClient fresh(rig_.wide());
  expectAllReadable(fresh);
}

// Interrupted after the copy was complete but before the source went: both copies are whole,
// reads give the contents, and the next run leaves one.
TEST_F(DhtRebalanceTest, ARunInterruptedBeforeRemovingTheSourcesIsResumed) {
  rig_.failAlways(0, "unlink", EIO);
  rig_.failAlways(1, "unlink", EIO);
  dht::RebalanceStats stats;
  ASSERT_OK(rebalance(stats));
  EXPECT_EQ(stats.migrated.load(), 0u);
  TestClient mid(rig_.wide());
  for (const auto& [p, data] : files_) EXPECT_EQ(*mid.readFile(p), data) << p;
  rig_.clearFaults(0);
  rig_.clearFaults(1);
  dht::RebalanceStats resumed;
  ASSERT_OK(rebalance(resumed));
  EXPECT_EQ(resumed.failed.load(), 0u);
  expectAllInPlace();
  TestClient fresh(rig_.wide());
  expectAllReadable(fresh);
}

TEST_F(DhtRebalanceTest, RebalanceNeedsEveryChild) {
  rig_.down(2);
  dht::RebalanceStats stats;
  EXPECT_ERRNO(rebalance(stats), ENOTCONN);
  rig_.up(2);
  TestClient fs(rig_.wide());
  expectAllReadable(fs);
}

}  // namespace
}  // namespace gf::test
