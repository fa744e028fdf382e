// SPDX-License-Identifier: GPL-3.0-or-later
// features/filter: read-only volumes, root squashing, uid/gid translation, fixed ids and
// refused ids, checked against what the brick below (storage/memory, storage/posix) stores.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_leaf.h"
#include "tests/unit/support/test_graph.h"
#include "tests/unit/xlators/debug/fop_calls.h"

namespace gf::test {
namespace {

// The filter on top and a direct client on the brick below it (to see what was stored).
struct FilterGraph {
  // posix has features/locks above it, as a brick has; `brick` still reads the leaf itself.
  FilterGraph(const std::string& kind,
              std::initializer_list<std::pair<std::string_view, std::string_view>> opts)
      : leaf(kind),
        graph(leaf.volume() +
              (kind == "posix" ? volume("lk", "features/locks", {}, {"mem"}) : std::string()) +
              volume("filter", "features/filter", opts, {kind == "posix" ? "lk" : "mem"})),
        brick(graph.get("mem")),
        top(graph.top(), brick.sharedTable(), CallCtx::root()) {}
  TestLeaf leaf;
  TestGraph graph;
  TestClient brick;  // root, straight on the brick
  TestClient top;    // root, through the filter
};

// Every test runs over storage/memory and over storage/posix, except those whose outcome is an
// access decision of the brick (FilterAccessTest): storage/posix leaves permission checks to
// the client's kernel (the mount's default_permissions) and serves root as root, so a squashed
// root or a translated group is refused only by a brick that checks access, storage/memory.
class FilterTest : public ::testing::TestWithParam<std::string> {};
class FilterAccessTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FilterTest, ReadOnlyRefusesEveryChangeButServesReadsAndLocks) {
  FilterGraph g(GetParam(), {{"complete-read-only", "on"}});
  ASSERT_OK(g.brick.mkdir("/d"));
  ASSERT_OK(g.brick.writeFile("/d/f", "content"));
  TestClient& fs = g.top;
  EXPECT_ERRNO(fs.mkdir("/x"), EROFS);
  EXPECT_ERRNO(fs.create("/d/new"), EROFS);
  EXPECT_ERRNO(fs.open("/d/f", O_RDWR), EROFS);
  EXPECT_ERRNO(fs.open("/d/f", O_RDONLY | O_TRUNC), EROFS);
  EXPECT_ERRNO(fs.unlink("/d/f"), EROFS);
  EXPECT_ERRNO(fs.rename("/d/f", "/d/g"), EROFS);
  EXPECT_ERRNO(fs.chmod("/d/f", 0600), EROFS);
  EXPECT_ERRNO(fs.truncate("/d/f", 0), EROFS);
  EXPECT_ERRNO(fs.setxattr("/d/f", "user.k", "v"), EROFS);
  EXPECT_ERRNO(fs.access("/d/f", W_OK), EROFS);
  EXPECT_OK(fs.access("/d/f", R_OK));
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/d/f"));
  EXPECT_EQ(data, "content");
  ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/d"));
  EXPECT_EQ(names, std::vector<std::string>{"f"});
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/d/f", O_RDONLY));
  LkReq lk{fd, LockCmd::kSet, LockKind::kPosix, Flock{F_RDLCK, SEEK_SET, 0, 0, 0, 0}};
  EXPECT_OK(fs.call(lk)) << "lock traffic passes a read-only filter";
}

TEST_P(FilterTest, ReadOnlyCoversEveryModifyingFopOfTheList) {
  FilterGraph g(GetParam(), {{"read-only", "yes"}});
  for (size_t i = 0; i < kFopCount; ++i) {
    auto id = static_cast<FopId>(i);
    int err = callWithEmptyRequest(g.graph.top(), id);
    if (kFopInfo[i].flags & (kFopData | kFopMetadata | kFopEntry))
      EXPECT_EQ(err, EROFS) << fopName(id);
    else
      EXPECT_NE(err, EROFS) << fopName(id);
  }
}

TEST_P(FilterAccessTest, RootSquashingMakesRootNobody) {
  FilterGraph g(GetParam(), {{"root-squashing", "on"}});
  ASSERT_OK(g.brick.mkdir("/pub", 0777));
  ASSERT_OK(g.brick.chmod("/pub", 0777));
  ASSERT_OK(g.brick.writeFile("/secret", "root only", 0600));
  ASSERT_OK_AND_ASSIGN(Iatt made, g.top.writeFile("/pub/f", "x"));
  EXPECT_EQ(made.uid, 65534u);
  ASSERT_OK_AND_ASSIGN(Iatt stored, g.brick.stat("/pub/f"));
  EXPECT_EQ(stored.uid, 65534u);
  EXPECT_EQ(stored.gid, 65534u);
  EXPECT_ERRNO(g.top.readFile("/secret"), EACCES);
  EXPECT_ERRNO(g.top.mkdir("/not-in-root-dir"), EACCES);
}

TEST_P(FilterTest, TranslatedIdsAreStoredMappedAndShownUnmapped) {
  FilterGraph g(GetParam(), {{"translate-uid", "100=200, 1000-1999=5000"}, {"translate-gid", "100=300"}});
  ASSERT_OK(g.brick.mkdir("/pub", 0777));
  ASSERT_OK(g.brick.chmod("/pub", 0777));
  TestClient user = g.top.as(100, 100);
  ASSERT_OK_AND_ASSIGN(Iatt mine, user.writeFile("/pub/mine", "x"));
  EXPECT_EQ(mine.uid, 100u) << "the caller sees its own id";
  EXPECT_EQ(mine.gid, 100u);
  ASSERT_OK_AND_ASSIGN(Iatt stored, g.brick.stat("/pub/mine"));
  EXPECT_EQ(stored.uid, 200u);
  EXPECT_EQ(stored.gid, 300u);
  // A range mapping cannot be undone: the stored id shows.
  TestClient ranged = g.top.as(1500, 1500);
  ASSERT_OK_AND_ASSIGN(Iatt r, ranged.writeFile("/pub/ranged", "x"));
  EXPECT_EQ(r.uid, 5000u);
  // The owner a chown sets is translated too.
  ASSERT_OK(g.top.chown("/pub/ranged", 100, 100));
  ASSERT_OK_AND_ASSIGN(Iatt chowned, g.brick.stat("/pub/ranged"));
  EXPECT_EQ(chowned.uid, 200u);
  EXPECT_EQ(chowned.gid, 300u);
  // Directory listings are translated back as well.
  ASSERT_OK_AND_ASSIGN(auto entries, user.readdirAll("/pub", true));
  for (const auto& e : entries)
    if (e.name == "mine") EXPECT_EQ(e.stat.uid, 100u);
}

TEST_P(FilterAccessTest, SupplementaryGroupsAreTranslated) {
  FilterGraph g(GetParam(), {{"translate-gid", "100=300"}});
  ASSERT_OK(g.brick.writeFile("/team", "plans", 0640));
  ASSERT_OK(g.brick.chmod("/team", 0640));
  ASSERT_OK(g.brick.chown("/team", 0, 300));
  TestClient member = g.top.as(7, 7, {100});
  ASSERT_OK_AND_ASSIGN(std::string plans, member.readFile("/team"));
  EXPECT_EQ(plans, "plans");
  TestClient outsider = g.top.as(8, 8, {101});
  EXPECT_ERRNO(outsider.readFile("/team"), EACCES);
}

TEST_P(FilterTest, FixedIdsOverrideEveryCaller) {
  FilterGraph g(GetParam(), {{"fixed-uid", "4000"}, {"fixed-gid", "4001"}});
  ASSERT_OK(g.brick.mkdir("/pub", 0777));
  ASSERT_OK(g.brick.chmod("/pub", 0777));
  ASSERT_OK(g.top.as(12, 12).writeFile("/pub/a", "x"));
  ASSERT_OK(g.top.writeFile("/pub/b", "x"));
  for (auto p : {"/pub/a", "/pub/b"}) {
    ASSERT_OK_AND_ASSIGN(Iatt st, g.brick.stat(p));
    EXPECT_EQ(st.uid, 4000u) << p;
    EXPECT_EQ(st.gid, 4001u) << p;
  }
}

TEST_P(FilterTest, FilteredIdsAreRefused) {
  FilterGraph g(GetParam(), {{"filter-uid", "1000-1999,42"}, {"filter-gid", "66"}});
  ASSERT_OK(g.brick.writeFile("/f", "x", 0644));
  EXPECT_ERRNO(g.top.as(1500, 1).stat("/f"), EACCES);
  EXPECT_ERRNO(g.top.as(42, 1).readFile("/f"), EACCES);
  EXPECT_ERRNO(g.top.as(5, 66).stat("/f"), EACCES);
  EXPECT_OK(g.top.as(2000, 1).readFile("/f"));
}

TEST_P(FilterTest, MalformedIdListsAreVolfileErrors) {
  auto build = [](std::string_view key, std::string_view value) {
    TestGraph g(volume("mem", "storage/memory") +
                volume("filter", "features/filter", {{key, value}}, {"mem"}));
  };
  EXPECT_THROW(build("translate-uid", "abc=1"), VolfileError);
  EXPECT_THROW(build("translate-uid", "100"), VolfileError);
  EXPECT_THROW(build("translate-gid", "5-1=2"), VolfileError);
  EXPECT_THROW(build("filter-uid", "1,,2"), VolfileError);
  EXPECT_THROW(build("fixed-uid", "-5"), VolfileError);
  EXPECT_NO_THROW(build("translate-uid", "1-99=0,100=200"));
}

INSTANTIATE_TEST_SUITE_P(Leaves, FilterTest, ::testing::Values("memory", "posix"));
INSTANTIATE_TEST_SUITE_P(Leaves, FilterAccessTest, ::testing::Values("memory"));

}  // namespace
}  // namespace gf::test
