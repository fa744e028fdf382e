// SPDX-License-Identifier: GPL-3.0-or-later
// The copies of a file never have quite the same times (each brick stamps its own clock):
// lookup, stat and readdirp must all show one copy's, or tar sees a ctime move between two
// looks and reports "file changed as we read it".
#include <gtest/gtest.h>

#include <string>

#include "glusterfs/core/fops.h"
#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"
#include "tests/unit/replicate/replica_rig.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

TEST(ReplicateConsistentAttrsTest, LookupStatAndListingShowTheSameCopysTimes) {
  ReplicaRig rig;
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  constexpr int kFiles = 24;
  for (int i = 0; i < kFiles; ++i) ASSERT_OK(fs.writeFile("/d/f" + std::to_string(i), "x"));
  // Copy 1's times differ from copy 0's, as two bricks' clocks do.
  TestClient copy1(*rig.graph().find("c1"));
  for (int i = 0; i < kFiles; ++i) {
    Iatt t;
    t.mtime = Timespec{1000000 + i, 0};
    ASSERT_OK(copy1.setattr("/d/f" + std::to_string(i), t, kSetMtime));
  }
  TestClient fresh(rig.afr());  // a second mount: no cached inodes
  auto listed = fresh.readdirAll("/d", /*plus=*/true);
  ASSERT_OK(listed);
  int withAttrs = 0;
  for (const auto& e : *listed) {
    if (e.name == "." || e.name == "..") continue;
    auto looked = fresh.lookup("/d/" + e.name);
    ASSERT_OK(looked);
    auto st = fresh.stat("/d/" + e.name);
    ASSERT_OK(st);
    EXPECT_EQ(looked->mtime, st->mtime) << e.name << ": lookup and stat disagree";
    if (!e.stat.gfid.isNull()) {
      ++withAttrs;
      EXPECT_EQ(e.stat.mtime, st->mtime) << e.name << ": listing and stat disagree";
    }
  }
  // Entries another copy answers for are looked up there, so none is left to a lookup each.
  EXPECT_EQ(withAttrs, kFiles);
}

class ReplicateListingTest : public ::testing::TestWithParam<std::string> {
 protected:
  static RigOptions leaf(const std::string& kind) {
    RigOptions o;
    o.leaf = kind;
    return o;
  }
};

// An entry whose changelog says a copy missed changes is listed without attributes, so that
// the kernel's lookup of it goes through replicate's lookup and heals it.
TEST_P(ReplicateListingTest, EntryWithPendingChangesIsListedBare) {
  ReplicaRig rig(leaf(GetParam()));
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  for (int i = 0; i < 8; ++i) ASSERT_OK(fs.writeFile("/d/f" + std::to_string(i), "x"));
  for (size_t c = 0; c < rig.copies(); ++c)
    ASSERT_OK(rig.leaf(c).setxattr("/d/f3", afr::changelogKey(rig.childName(1)),
                                   afr::encodeCounts({1, 0, 0})));
  TestClient fresh(rig.afr());
  auto listed = fresh.readdirAll("/d", /*plus=*/true);
  ASSERT_OK(listed);
  int seen = 0;
  for (const auto& e : *listed) {
    if (e.name == "." || e.name == "..") continue;
    ++seen;
    EXPECT_EQ(e.stat.gfid.isNull(), e.name == "f3") << e.name;
    for (const auto& [key, value] : e.xattrs)
      EXPECT_FALSE(afr::isChangelogKey(key)) << e.name << " shows " << key;
  }
  EXPECT_EQ(seen, 8);
  auto healed = fresh.lookup("/d/f3");  // what the kernel does next
  ASSERT_OK(healed);
  EXPECT_FALSE(healed->gfid.isNull());
}

// Names asked for with the listing come with every entry that has them, and an entry without
// them says so (xattrsRead), from whichever copy answers for the entry.
TEST_P(ReplicateListingTest, ListingReportsTheAskedXattrs) {
  ReplicaRig rig(leaf(GetParam()));
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  constexpr int kFiles = 12;
  for (int i = 0; i < kFiles; ++i) ASSERT_OK(fs.writeFile("/d/f" + std::to_string(i), "x"));
  for (int i = 0; i < kFiles; i += 3)
    ASSERT_OK(fs.setxattr("/d/f" + std::to_string(i), "user.tag", "t" + std::to_string(i)));
  TestClient fresh(rig.afr());
  auto listed = fresh.readdirAll("/d", true, 4096, {"user.tag", "user.none"});
  ASSERT_OK(listed);
  int seen = 0;
  for (const auto& e : *listed) {
    if (e.name == "." || e.name == "..") continue;
    ++seen;
    int i = std::stoi(e.name.substr(1));
    EXPECT_TRUE(e.xattrsRead) << e.name;
    EXPECT_FALSE(e.xattrs.contains("user.none")) << e.name;
    if (i % 3 == 0) {
      ASSERT_TRUE(e.xattrs.contains("user.tag")) << e.name;
      EXPECT_EQ(e.xattrs.at("user.tag"), "t" + std::to_string(i));
    } else {
      EXPECT_FALSE(e.xattrs.contains("user.tag")) << e.name;
    }
  }
  EXPECT_EQ(seen, kFiles);
}

INSTANTIATE_TEST_SUITE_P(Leaves, ReplicateListingTest, ::testing::Values("memory", "posix", "bdb"));

}  // namespace
}  // namespace gf::test
