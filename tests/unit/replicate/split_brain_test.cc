// SPDX-License-Identifier: GPL-3.0-or-later
// Split-brain: copies whose changelogs accuse each other give EIO (never a silent pick), the
// log names the path, and setxattr trusted.glusterfs.replicate.resolve (child:NAME,
// bigger-file, latest-mtime) or favorite-child settles it with the chosen copy's contents.
#include <fcntl.h>
#include <gtest/gtest.h>

#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "tests/unit/replicate/replica_rig.h"
#include "tests/unit/support/log_capture.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using afr::changelogKey;
using afr::encodeCounts;

// Writes `data` straight into copy i's file (as a client cut off from the others would) and
// makes that copy accuse every other copy of missing a data change.
void diverge(ReplicaRig& rig, size_t i, const std::string& path, const std::string& data,
             int64_t mtimeSec) {
  TestClient c = rig.leaf(i);
  auto fd = c.open(path, O_RDWR | O_TRUNC);
  ASSERT_OK(fd);
  ASSERT_OK(c.write(*fd, 0, data));
  Iatt t;
  t.mtime = {mtimeSec, 0};
  t.atime = t.mtime;
  ASSERT_OK(c.setattr(path, t, kSetMtime | kSetAtime));
  for (size_t j = 0; j < rig.copies(); ++j)
    if (j != i)
      ASSERT_OK(c.setxattr(path, changelogKey(rig.childName(j)), encodeCounts({1, 0, 0})));
}

// Two copies of /sb/mail, each written on its own side of a partition.
void makeSplitBrain(ReplicaRig& rig) {
  ASSERT_OK(rig.client().mkdir("/sb"));
  ASSERT_OK(rig.client().writeFile("/sb/mail", "before the partition"));
  diverge(rig, 0, "/sb/mail", "written on c0, later but shorter", 2000000000);
  diverge(rig, 1, "/sb/mail", "written on c1, earlier and longer, much longer", 1900000000);
}

TEST(ReplicateSplitBrainTest, OpenAndReadFailWithEioAndTheLogNamesThePath) {
  ReplicaRig rig;
  makeSplitBrain(rig);
  LogCapture log(log::Level::kWarning);
  TestClient fresh(rig.afr());  // a client that never saw the file
  EXPECT_OK(fresh.lookup("/sb/mail")) << "the name itself is fine";
  EXPECT_ERRNO(fresh.open("/sb/mail", O_RDONLY), EIO);
  EXPECT_ERRNO(fresh.readFile("/sb/mail"), EIO);
  EXPECT_ERRNO(fresh.writeFile("/sb/mail", "x"), EIO);
  std::string text = log.contents();
  EXPECT_NE(text.find("/sb/mail"), std::string::npos) << text;
  EXPECT_NE(text.find("split-brain"), std::string::npos) << text;
  // Nothing was picked behind the application's back.
  TestClient c0 = rig.leaf(0), c1 = rig.leaf(1);
  EXPECT_EQ(*c0.readFile("/sb/mail"), "written on c0, later but shorter");
  EXPECT_EQ(*c1.readFile("/sb/mail"), "written on c1, earlier and longer, much longer");
  // A heal without a choice refuses too.
  EXPECT_ERRNO(rig.healNow("/sb/mail"), EIO);
}

struct Resolution {
  const char* name;
  const char* how;
  const char* expected;
};

class ReplicateResolveTest : public ::testing::TestWithParam<Resolution> {};

TEST_P(ReplicateResolveTest, ResolveXattrPicksTheCopyAndHealsTheRest) {
  const Resolution& r = GetParam();
  ReplicaRig rig;
  makeSplitBrain(rig);
  TestClient fresh(rig.afr());
  ASSERT_ERRNO(fresh.readFile("/sb/mail"), EIO);
  ASSERT_OK(rig.client().setxattr("/sb/mail", kResolveKey, r.how));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(*fresh.readFile("/sb/mail"), r.expected);
  TestClient other(rig.afr());
  EXPECT_EQ(*other.readFile("/sb/mail"), r.expected);
  EXPECT_TRUE(rig.changelogClean("/sb/mail"));
  EXPECT_EQ(rig.compareCopies(), "");
  // The file takes changes again.
  EXPECT_OK(other.writeFile("/sb/mail", "after"));
  EXPECT_EQ(rig.compareCopies(), "");
}

INSTANTIATE_TEST_SUITE_P(
    Ways, ReplicateResolveTest,
    ::testing::Values(
        Resolution{"ChildC1", "child:c1", "written on c1, earlier and longer, much longer"},
        Resolution{"ChildC0", "child:c0", "written on c0, later but shorter"},
        Resolution{"BiggerFile", "bigger-file", "written on c1, earlier and longer, much longer"},
        Resolution{"LatestMtime", "latest-mtime", "written on c0, later but shorter"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ReplicateSplitBrainTest, BadResolutionsAreRefused) {
  ReplicaRig rig;
  makeSplitBrain(rig);
  EXPECT_ERRNO(rig.client().setxattr("/sb/mail", kResolveKey, "child:nope"), EINVAL);
  EXPECT_ERRNO(rig.client().setxattr("/sb/mail", kResolveKey, "coin-toss"), EINVAL);
  TestClient user = rig.client().as(1000, 1000);
  EXPECT_ERRNO(user.setxattr("/sb/mail", kResolveKey, "child:c0"), EPERM);
  EXPECT_ERRNO(user.setxattr("/sb/mail", kHealNowKey, "now"), EPERM);
  TestClient fresh(rig.afr());
  EXPECT_ERRNO(fresh.readFile("/sb/mail"), EIO) << "still unresolved";
}

TEST(ReplicateSplitBrainTest, FavoriteChildSettlesItWithoutAnyCommand) {
  RigOptions o;
  o.afrOptions = {{"favorite-child", "c1"}};
  ReplicaRig rig(o);
  makeSplitBrain(rig);
  TestClient fresh(rig.afr());
  EXPECT_EQ(*fresh.readFile("/sb/mail"), "written on c1, earlier and longer, much longer");
  ASSERT_TRUE(rig.waitIdle());
  ASSERT_OK(rig.healNow("/sb/mail"));
  EXPECT_TRUE(rig.changelogClean("/sb/mail"));
  EXPECT_EQ(rig.compareCopies(), "");
}

TEST(ReplicateSplitBrainTest, ThreeCopiesTwoAgreeingAgainstOneIsNoSplitBrain) {
  ReplicaRig rig({3, {}, {}});
  ASSERT_OK(rig.client().writeFile("/f", "old"));
  // c0 and c1 both took a write c2 missed.
  for (size_t i : {0, 1}) {
    TestClient c = rig.leaf(i);
    ASSERT_OK(c.writeFile("/f", "new"));
    ASSERT_OK(c.setxattr("/f", changelogKey("c2"), encodeCounts({1, 0, 0})));
  }
  TestClient fresh(rig.afr());
  EXPECT_EQ(*fresh.readFile("/f"), "new");
  ASSERT_TRUE(rig.waitIdle());
  ASSERT_OK(rig.healNow("/f"));
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_TRUE(rig.changelogClean("/f"));
}

// Two copies hold different files under one name and no changelog says which is right.
TEST(ReplicateSplitBrainTest, DifferentFilesUnderOneNameAreEioUntilTheDirectoryIsResolved) {
  ReplicaRig rig;
  ASSERT_OK(rig.client().mkdir("/dir"));
  for (size_t i : {0, 1}) {
    TestClient c = rig.leaf(i);
    ASSERT_OK_AND_ASSIGN(Loc l, c.newLoc("/dir/x"));
    FdPtr fd = makeFd(l.inode, O_RDWR);
    ASSERT_OK(c.call(CreateReq{l, O_RDWR | O_CREAT, 0644, 0, fd, Gfid::random()}));
    ASSERT_OK(c.write(fd, 0, "copy " + std::to_string(i)));
  }
  LogCapture log(log::Level::kWarning);
  TestClient fresh(rig.afr());
  EXPECT_ERRNO(fresh.lookup("/dir/x"), EIO);
  EXPECT_NE(log.contents().find("/dir/x"), std::string::npos) << log.contents();
  ASSERT_OK(rig.client().setxattr("/dir", kResolveKey, "child:c1"));
  TestClient after(rig.afr());
  EXPECT_EQ(*after.readFile("/dir/x"), "copy 1");
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
}

}  // namespace
}  // namespace gf::test
