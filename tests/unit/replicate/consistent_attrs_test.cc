// SPDX-License-Identifier: GPL-3.0-or-later
// The copies of a file never have quite the same times (each brick stamps its own clock):
// lookup, stat and readdirp must all show one copy's, or tar sees a ctime move between two
// looks and reports "file changed as we read it".
#include <gtest/gtest.h>

#include <string>

#include "glusterfs/core/fops.h"
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
  // Spread by gfid, some entries are answered by the listing copy itself.
  EXPECT_GT(withAttrs, 0);
  EXPECT_LT(withAttrs, kFiles);
}

}  // namespace
}  // namespace gf::test
