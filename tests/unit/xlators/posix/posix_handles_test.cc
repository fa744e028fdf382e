// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix keeps its O_PATH handles within a budget: a client holding more inodes than
// the brick may hold descriptors still reaches every file, by inode, after its handle went.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

constexpr size_t kBudget = 40;

class PosixHandleBudgetTest : public ::testing::Test {
 protected:
  PosixHandleBudgetTest()
      : graph_(volume("p", "storage/posix", {{"directory", brick_.path()}})),
        handles_(graph_.get<PosixXlator>("p").handles()),
        fs_(graph_.top()) {
    handles_.setHandleBudget(kBudget);
  }
  Result<Iatt> statInode(const InodePtr& inode) {
    auto r = fs_.call(StatReq{Loc{{}, "", inode}});
    if (!r) return fail(r.error());
    return r->stat;
  }

  TempDir brick_;
  TestGraph graph_;
  PosixHandles& handles_;
  TestClient fs_;
};

TEST_F(PosixHandleBudgetTest, ManyInodesStayWithinTheBudgetAndAreReachedByInode) {
  ASSERT_OK(fs_.mkdir("/spool"));
  std::vector<InodePtr> kept;  // as the kernel keeps its inodes
  for (int i = 0; i < 400; ++i) {
    std::string p = "/spool/m" + std::to_string(i);
    ASSERT_OK(fs_.writeFile(p, "message " + std::to_string(i)));
    auto inode = fs_.resolve(p);
    ASSERT_OK(inode);
    kept.push_back(*inode);
  }
  // A few may be in use at the moment of a trim; never hundreds.
  EXPECT_LE(handles_.liveHandles(), kBudget + 4);
  for (int i = 0; i < 400; ++i) {
    auto st = statInode(kept[i]);
    ASSERT_OK(st) << "m" << i;
    EXPECT_EQ(st->gfid, kept[i]->gfid());
    EXPECT_EQ(st->size, ("message " + std::to_string(i)).size());
  }
  EXPECT_LE(handles_.liveHandles(), kBudget + 4);
  EXPECT_EQ(*fs_.readFile("/spool/m0"), "message 0");
}

TEST_F(PosixHandleBudgetTest, AnUnlinkedOpenFileKeepsItsHandle) {
  auto fd = fs_.create("/held");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 0, "still here"));
  InodePtr held = (*fd)->inode();
  // Trims both while it still has its name and after it lost it.
  for (int i = 0; i < 200; ++i) ASSERT_OK(fs_.writeFile("/e" + std::to_string(i), "x"));
  ASSERT_OK(fs_.unlink("/held"));
  for (int i = 0; i < 200; ++i) ASSERT_OK(fs_.writeFile("/f" + std::to_string(i), "x"));
  EXPECT_LE(handles_.liveHandles(), kBudget + 4);
  auto st = statInode(held);  // no name left: only its handle reaches it
  ASSERT_OK(st);
  EXPECT_EQ(st->size, 10u);
  EXPECT_EQ(*fs_.read(*fd, 0, 64), "still here");
}

TEST_F(PosixHandleBudgetTest, ARenamedInodeIsFoundUnderItsNewName) {
  ASSERT_OK(fs_.writeFile("/a", "moved"));
  auto inode = fs_.resolve("/a");
  ASSERT_OK(inode);
  ASSERT_OK(fs_.rename("/a", "/b"));
  for (int i = 0; i < 200; ++i) ASSERT_OK(fs_.writeFile("/g" + std::to_string(i), "x"));
  auto st = statInode(*inode);
  ASSERT_OK(st);
  EXPECT_EQ(st->size, 5u);
}

TEST_F(PosixHandleBudgetTest, ADeletedFileGivesItsHandleBackAtOnce) {
  ASSERT_OK(fs_.writeFile("/gone", std::string(1 << 20, 'x')));
  auto inode = fs_.resolve("/gone");  // a cached inode, as a server's table keeps many
  ASSERT_OK(inode);
  size_t before = handles_.liveHandles();
  ASSERT_OK(fs_.unlink("/gone"));
  EXPECT_EQ(handles_.liveHandles(), before - 1);  // its blocks are free now
}

TEST_F(PosixHandleBudgetTest, DeletedFilesAreTrimmedBeforeNamedOnes) {
  ASSERT_OK(fs_.mkdir("/keep"));
  std::vector<InodePtr> kept;
  for (int i = 0; i < 30; ++i) {
    std::string p = "/keep/k" + std::to_string(i);
    ASSERT_OK(fs_.writeFile(p, "k"));
    kept.push_back(*fs_.resolve(p));
  }
  // Files deleted while open, then closed: nameless, unopened, still cached.
  for (int i = 0; i < 100; ++i) {
    std::string p = "/d" + std::to_string(i);
    auto fd = fs_.create(p);
    ASSERT_OK(fd);
    kept.push_back((*fd)->inode());
    ASSERT_OK(fs_.unlink(p));
  }
  EXPECT_LE(handles_.liveHandles(), kBudget + 4);
  for (int i = 0; i < 30; ++i) EXPECT_OK(statInode(kept[i])) << "k" << i;
}

}  // namespace
}  // namespace gf::test
