// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/ha over two paths to one volume: the preferred path while it works, failover when
// it starts failing with ENOTCONN, open files and their locks following, and replays of name
// changes whose first attempt was done but whose reply was lost recognised as done.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "glusterfs/xlators/debug/common/fop_set.h"
#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/distribute/probe_xlator.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

// One memory volume "m" reached by two paths: e0 (error-gen) over p0 (probe) over m, and
// e1 over p1 over m; each probe stamps its own connection id on what passes.
class HaTest : public ::testing::Test {
 protected:
  HaTest() : graph_(volfile("")), fs_(graph_.get("ha")) { stampConnections(); }
  explicit HaTest(const std::string& haOptions)
      : graph_(volfile(haOptions)), fs_(graph_.get("ha")) {
    stampConnections();
  }

  static std::string volfile(const std::string& haOptions) {
    std::string text = volume("m", "storage/memory");
    for (const char* i : {"0", "1"}) {
      text += volume(std::string("p") + i, "test/probe", {}, {"m"});
      text += volume(std::string("e") + i, "debug/error-gen",
                     {{"failure", "0"}, {"random-seed", "1"}}, {std::string("p") + i});
    }
    return text + "volume ha\n  type cluster/ha\n" + haOptions + "  subvolumes e0 e1\nend-volume\n";
  }
  void stampConnections() {
    probe(0).setClientId(100);
    probe(1).setClientId(101);
  }
  ProbeXlator& probe(size_t i) { return graph_.get<ProbeXlator>("p" + std::to_string(i)); }
  ErrorGenXlator& path(size_t i) { return graph_.get<ErrorGenXlator>("e" + std::to_string(i)); }
  TestClient direct() { return TestClient(graph_.get("m")); }
  // Path i stops answering: every call fails with `err` (without a down event unless asked).
  void breakPath(size_t i, int err = ENOTCONN, bool announce = false) {
    ErrorGenXlator::Config c;
    c.failure = 100;
    c.errorNo = err;
    c.seed = 1;
    c.enabled = debug::allFops();
    path(i).reconfigure(c);
    if (announce) path(i).notifyParents(EventType::kChildDown, "test");
  }
  void repairPath(size_t i) {
    ErrorGenXlator::Config c;
    c.failure = 0;
    c.seed = 1;
    path(i).reconfigure(c);
    path(i).notifyParents(EventType::kChildUp);
  }
  // What the server does when connection `id` goes: its locks are dropped.
  void connectionLost(uint64_t id) {
    graph_.get("m").notify(Event{EventType::kClientDisconnect, nullptr, id, {}});
  }

  ProbeGraph graph_;
  TestClient fs_;
};

TEST_F(HaTest, ThePreferredPathServesWhileItWorks) {
  ASSERT_OK(fs_.writeFile("/f", "hello"));
  EXPECT_EQ(*fs_.readFile("/f"), "hello");
  EXPECT_GT(probe(0).count("writev"), 0u);
  EXPECT_EQ(probe(1).log().size(), 0u) << "the second path was used while the first worked";
}

TEST_F(HaTest, CallsMoveToTheNextPathWhenOneFailsWithENOTCONN) {
  ASSERT_OK(fs_.mkdir("/d"));
  ASSERT_OK(fs_.writeFile("/d/f", "before"));
  breakPath(0);
  EXPECT_EQ(*fs_.readFile("/d/f"), "before");
  ASSERT_OK(fs_.writeFile("/d/g", "after"));
  ASSERT_OK(fs_.rename("/d/g", "/d/h"));
  EXPECT_EQ(*fs_.listDir("/d"), (std::vector<std::string>{"f", "h"}));
  ASSERT_OK(fs_.statfs());
  TestClient vol = direct();
  EXPECT_EQ(*vol.readFile("/d/h"), "after");
  // Announced down: not even tried any more.
  breakPath(0, ENOTCONN, true);
  probe(0).clearLog();
  EXPECT_EQ(*fs_.readFile("/d/f"), "before");
  EXPECT_EQ(probe(0).log().size(), 0u);
  repairPath(0);
  probe(1).clearLog();
  EXPECT_EQ(*fs_.readFile("/d/f"), "before");
  EXPECT_EQ(probe(1).log().size(), 0u) << "back on the preferred path once it is up";
}

TEST_F(HaTest, OtherErrorsAreNotRetried) {
  ASSERT_OK(fs_.writeFile("/f", "x"));
  breakPath(0, EIO);
  probe(1).clearLog();
  EXPECT_ERRNO(fs_.stat("/f"), EIO);
  EXPECT_EQ(probe(1).log().size(), 0u);
}

TEST_F(HaTest, OpenFilesFollowToTheNextPath) {
  auto fd = fs_.create("/f");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 0, "first half "));
  breakPath(0);
  ASSERT_OK(fs_.write(*fd, 11, "second half"));
  EXPECT_EQ(fs_.fstat(*fd)->size, 22u);
  EXPECT_EQ(*fs_.read(*fd, 0, 100), "first half second half");
  ASSERT_OK(fs_.fsync(*fd));
  ASSERT_OK(fs_.flush(*fd));
  EXPECT_GE(probe(1).count("open"), 1u) << "the fd was opened again on the second path";
  auto dir = fs_.opendir("/");
  ASSERT_OK(dir);
  repairPath(0);
  breakPath(1);
  auto list = fs_.call(ReaddirReq{*dir, 4096, 0});
  ASSERT_OK(list);
  EXPECT_FALSE(list->entries.empty());
}

// A lock taken on the first path is taken again on the second once the first connection is
// gone (the server dropped its locks): another owner still finds it held.
TEST_F(HaTest, RecordLocksAreTakenAgainOnTheNextPath) {
  ASSERT_OK(fs_.writeFile("/f", std::string(100, 'x')));
  TestClient owner1 = fs_.withLockOwner(1);
  auto fd = owner1.open("/f", O_RDWR);
  ASSERT_OK(fd);
  Flock wr{F_WRLCK, SEEK_SET, 0, 50, 1, 1};
  ASSERT_OK(owner1.call(LkReq{*fd, LockCmd::kSet, LockKind::kPosix, wr}));
  breakPath(0);
  connectionLost(100);
  ASSERT_OK(owner1.write(*fd, 0, "still mine"));  // the fd moves, with its lock
  TestClient owner2 = fs_.withLockOwner(2);
  auto fd2 = owner2.open("/f", O_RDWR);
  ASSERT_OK(fd2);
  Flock want{F_WRLCK, SEEK_SET, 10, 5, 2, 2};
  EXPECT_ERRNO(owner2.call(LkReq{*fd2, LockCmd::kSet, LockKind::kPosix, want}), EAGAIN);
  Flock un{F_UNLCK, SEEK_SET, 0, 50, 1, 1};
  ASSERT_OK(owner1.call(LkReq{*fd, LockCmd::kSet, LockKind::kPosix, un}));
  EXPECT_OK(owner2.call(LkReq{*fd2, LockCmd::kSet, LockKind::kPosix, want}));
}

// The first path did the work but its reply was lost: the replay on the next path finds the
// work done and reports success.
TEST_F(HaTest, AReplayedCreateIsRecognised) {
  probe(0).loseReply("create");
  auto l = fs_.newLoc("/made");
  ASSERT_OK(l);
  FdPtr fd = makeFd(l->inode, O_RDWR | O_CREAT | O_EXCL);
  Gfid g = Gfid::random();
  auto r = fs_.call(CreateReq{*l, O_RDWR | O_CREAT | O_EXCL, 0644, 0, fd, g});
  ASSERT_OK(r) << "the replayed create was taken for a clash";
  EXPECT_EQ(r->stat.gfid, g);
  EXPECT_EQ(probe(1).count("create"), 1u);
  ASSERT_OK(fs_.write(fd, 0, "usable"));
  TestClient vol = direct();
  EXPECT_EQ(*vol.readFile("/made"), "usable");
}

TEST_F(HaTest, ReplayedMkdirMknodSymlinkAreRecognisedWithoutAGivenGfid) {
  for (const char* fop : {"mkdir", "mknod", "symlink"}) probe(0).loseReply(fop);
  EXPECT_OK(fs_.mkdir("/dir"));
  EXPECT_OK(fs_.mknod("/fifo", S_IFIFO | 0600));
  EXPECT_OK(fs_.symlink("target", "/link"));
  EXPECT_TRUE(fs_.stat("/dir")->isDir());
  EXPECT_EQ(*fs_.readlink("/link"), "target");
}

TEST_F(HaTest, AReplayedUnlinkRmdirAndRenameAreRecognised) {
  ASSERT_OK(fs_.writeFile("/a", "A"));
  ASSERT_OK(fs_.mkdir("/d"));
  ASSERT_OK(fs_.writeFile("/r", "R"));
  for (const char* fop : {"unlink", "rmdir", "rename"}) probe(0).loseReply(fop);
  EXPECT_OK(fs_.unlink("/a"));
  EXPECT_OK(fs_.rmdir("/d"));
  EXPECT_OK(fs_.rename("/r", "/renamed"));
  TestClient vol = direct();
  EXPECT_EQ(*vol.listDir("/"), std::vector<std::string>{"renamed"});
  EXPECT_EQ(*vol.readFile("/renamed"), "R");
}

// A clash that is not our own earlier attempt stays a clash.
TEST_F(HaTest, ARealClashIsNotMistakenForAReplay) {
  TestClient vol = direct();
  ASSERT_OK(vol.mkdir("/taken"));
  ASSERT_OK(vol.writeFile("/file", "someone else's"));
  breakPath(0);
  EXPECT_ERRNO(fs_.mkdir("/taken"), EEXIST);
  auto l = fs_.newLoc("/file");
  ASSERT_OK(l);
  FdPtr fd = makeFd(l->inode, O_RDWR | O_CREAT | O_EXCL);
  EXPECT_ERRNO(fs_.call(CreateReq{*l, O_RDWR | O_CREAT | O_EXCL, 0644, 0, fd, Gfid::random()}),
               EEXIST);
  EXPECT_ERRNO(fs_.unlink("/nothing"), ENOENT);
}

TEST_F(HaTest, EveryPathDownIsENOTCONN) {
  ASSERT_OK(fs_.writeFile("/f", "x"));
  breakPath(0);
  breakPath(1);
  EXPECT_ERRNO(fs_.stat("/f"), ENOTCONN);
}

class HaPreferredTest : public HaTest {
 protected:
  HaPreferredTest() : HaTest("  option preferred-subvolume e1\n") {}
};

TEST_F(HaPreferredTest, ThePreferredSubvolumeOptionPicksThePath) {
  ASSERT_OK(fs_.writeFile("/f", "x"));
  EXPECT_EQ(probe(0).log().size(), 0u);
  EXPECT_GT(probe(1).count("create"), 0u);
}

}  // namespace
}  // namespace gf::test
