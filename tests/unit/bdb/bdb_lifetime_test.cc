// SPDX-License-Identifier: GPL-3.0-or-later
// storage/bdb across the life of a brick: what a restart keeps, how long an unlinked file that
// is still open lives, and how records orphaned by a stop or a crash are swept at start-up.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "tests/unit/bdb/bdb_rig.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
  return s;
}

TEST(BdbLifetimeTest, FilesDirectoriesAndAttributesSurviveARestart) {
  BdbBrick brick;
  std::string big = pattern(300 * 1024 + 17, 1);
  Iatt f, small;
  {
    TestGraph g(brick.volfile());
    TestClient fs(g.top());
    ASSERT_OK(fs.mkdir("/d"));
    ASSERT_OK_AND_ASSIGN(f, fs.writeFile("/d/big", big));
    ASSERT_OK_AND_ASSIGN(small, fs.writeFile("/small", "tiny"));
    ASSERT_OK(fs.link("/d/big", "/d/also"));
    ASSERT_OK(fs.setxattr("/d/big", "user.k", "v"));
    ASSERT_OK(fs.chmod("/small", 0600));
    ASSERT_OK(fs.symlink("d/big", "/ln"));
  }
  TestGraph g(brick.volfile());
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/d/big"));
  EXPECT_TRUE(back == big);
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.stat("/d/also"));
  EXPECT_EQ(st.gfid, f.gfid);
  EXPECT_EQ(st.nlink, 2u);
  EXPECT_EQ(st.size, big.size());
  ASSERT_OK_AND_ASSIGN(std::string v, fs.getxattr("/d/big", "user.k"));
  EXPECT_EQ(v, "v");
  ASSERT_OK_AND_ASSIGN(Iatt s, fs.stat("/small"));
  EXPECT_EQ(s.gfid, small.gfid);
  EXPECT_EQ(s.mode & 07777, 0600u);
  ASSERT_OK_AND_ASSIGN(std::string target, fs.readlink("/ln"));
  EXPECT_EQ(target, "d/big");
  ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/d"));
  EXPECT_EQ(names, (std::vector<std::string>{"also", "big"}));
  ASSERT_OK_AND_ASSIGN(auto top, fs.listDir("/"));
  EXPECT_EQ(top, (std::vector<std::string>{"d", "ln", "small"})) << "the environment stays hidden";
}

TEST(BdbLifetimeTest, CacheModeKeepsWhatACleanStopWrote) {
  BdbBrick brick;
  brick.mode = "cache";
  {
    TestGraph g(brick.volfile());
    TestClient fs(g.top());
    ASSERT_OK(fs.writeFile("/f", "cached"));
  }
  TestGraph g(brick.volfile());
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/f"));
  EXPECT_EQ(back, "cached");
}

// Cache mode has no database transactions: the store's writer mutex keeps read-modify-write
// of a record whole.
TEST(BdbLifetimeTest, CacheModeNeverLosesAConcurrentUpdate) {
  BdbBrick brick;
  brick.mode = "cache";
  TestGraph g(brick.volfile());
  TestClient fs(g.top());
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.loc("/f"));
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = syncWait(g.top().xattrop(
            CallCtx::root(), XattropReq{l, XattropOp::kAddArray64,
                                        Dict{{"trusted.n", std::string(7, '\0') + '\1'}}}));
        EXPECT_TRUE(r.ok());
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(std::string v, fs.getxattr("/f", "trusted.n"));
  ASSERT_EQ(v.size(), 8u);
  EXPECT_EQ(static_cast<unsigned char>(v[6]) << 8 | static_cast<unsigned char>(v[7]),
            kThreads * kEach);
}

TEST(BdbLifetimeTest, AnUnlinkedFileLivesUntilItsLastHolderGoes) {
  BdbBrick brick;
  Iatt gone, fresh;
  {
    TestGraph g(brick.volfile());
    TestClient fs(g.top());
    ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
    std::string data = pattern(20000, 2);
    ASSERT_OK(fs.write(fd, 0, data));
    ASSERT_OK_AND_ASSIGN(gone, fs.fstat(fd));
    ASSERT_OK(fs.unlink("/f"));
    EXPECT_ERRNO(fs.lookup("/f"), ENOENT);
    ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/"));
    EXPECT_TRUE(names.empty());
    // A new file may take the name; the open one is another file.
    ASSERT_OK_AND_ASSIGN(fresh, fs.writeFile("/f", "new"));
    EXPECT_NE(fresh.gfid, gone.gfid);
    ASSERT_OK_AND_ASSIGN(std::string back, fs.read(fd, 0, 100000));
    EXPECT_TRUE(back == data);
    ASSERT_OK_AND_ASSIGN(Iatt st, fs.fstat(fd));
    EXPECT_EQ(st.nlink, 0u);
    ASSERT_OK(fs.write(fd, data.size(), "tail"));
    ASSERT_OK_AND_ASSIGN(std::string more, fs.read(fd, data.size(), 10));
    EXPECT_EQ(more, "tail");
    EXPECT_ERRNO(fs.call(LinkReq{Loc{nullptr, {}, fd->inode()}, *fs.newLoc("/again")}), ENOENT)
        << "an unlinked file cannot be linked back";
    fd.reset();  // the last holder: the fd, and with it the inode
    ASSERT_OK_AND_ASSIGN(std::string still, fs.readFile("/f"));
    EXPECT_EQ(still, "new");
  }
  BdbStoreView db(brick);
  EXPECT_FALSE(db.hasFile(gone.gfid));
  EXPECT_EQ(db.blocks(gone.gfid), 0u);
  EXPECT_TRUE(db.hasFile(fresh.gfid));
  EXPECT_EQ(db.files(), 1u);
}

TEST(BdbLifetimeTest, HardLinksKeepTheRecordUntilTheLastNameGoes) {
  BdbBrick brick;
  Iatt f;
  {
    TestGraph g(brick.volfile());
    TestClient fs(g.top());
    ASSERT_OK_AND_ASSIGN(f, fs.writeFile("/a", "shared"));
    ASSERT_OK(fs.link("/a", "/b"));
    ASSERT_OK(fs.unlink("/a"));
    ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/b"));
    EXPECT_EQ(back, "shared");
    ASSERT_OK_AND_ASSIGN(Iatt st, fs.stat("/b"));
    EXPECT_EQ(st.nlink, 1u);
    ASSERT_OK(fs.unlink("/b"));
  }
  BdbStoreView db(brick);
  EXPECT_FALSE(db.hasFile(f.gfid));
  EXPECT_EQ(db.blocks(f.gfid), 0u);
}

// The graph goes while an unlinked file is still open (a brick stopped under a client): its
// release never reaches the database, so the next start must remove it.
TEST(BdbLifetimeTest, FilesOrphanedByAStopAreSweptAtTheNextStart) {
  BdbBrick brick;
  Iatt orphan, kept;
  {
    auto g = std::make_unique<TestGraph>(brick.volfile());
    auto fs = std::make_unique<TestClient>(g->top());
    ASSERT_OK_AND_ASSIGN(FdPtr fd, fs->create("/f"));
    ASSERT_OK(fs->write(fd, 0, pattern(50000, 3)));
    ASSERT_OK_AND_ASSIGN(orphan, fs->fstat(fd));
    ASSERT_OK_AND_ASSIGN(kept, fs->writeFile("/kept", "k"));
    ASSERT_OK(fs->unlink("/f"));
    g.reset();   // no release before the translator is gone
    fd.reset();  // too late to matter
  }
  {
    BdbStoreView db(brick);
    ASSERT_TRUE(db.hasFile(orphan.gfid)) << "the stop left the orphan behind";
    EXPECT_GT(db.blocks(orphan.gfid), 0u);
  }
  {
    TestGraph g(brick.volfile());
    TestClient fs(g.top());
    ASSERT_OK_AND_ASSIGN(std::string k, fs.readFile("/kept"));
    EXPECT_EQ(k, "k");
  }
  BdbStoreView db(brick);
  EXPECT_FALSE(db.hasFile(orphan.gfid));
  EXPECT_EQ(db.blocks(orphan.gfid), 0u);
  EXPECT_TRUE(db.hasFile(kept.gfid));
}

// A brick process killed outright: no destructor, no checkpoint, only the log. Recovery keeps
// every committed change, and the sweep removes what was unlinked while open.
TEST(BdbLifetimeTest, AKilledBrickKeepsCommittedDataAndLosesItsOrphans) {
  BdbBrick brick;
  std::string data = pattern(100000, 4);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    bool ok = false;
    {
      TestGraph g(brick.volfile());
      TestClient fs(g.top());
      auto fd = fs.create("/open");
      ok = fd.ok() && fs.write(*fd, 0, data).ok() && fs.writeFile("/kept", data).ok() &&
           fs.unlink("/open").ok() && fs.mkdir("/dir").ok() && fs.writeFile("/dir/f", "f").ok();
      _exit(ok ? 0 : 1);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child brick failed";
  {
    TestGraph g(brick.volfile());
    TestClient fs(g.top());
    ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/kept"));
    EXPECT_TRUE(back == data);
    ASSERT_OK_AND_ASSIGN(std::string f, fs.readFile("/dir/f"));
    EXPECT_EQ(f, "f");
    EXPECT_ERRNO(fs.lookup("/open"), ENOENT);
  }
  BdbStoreView db(brick);
  EXPECT_EQ(db.files(), 2u) << "only /kept and /dir/f are left";
}

}  // namespace
}  // namespace gf::test
