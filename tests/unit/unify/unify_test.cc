// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/unify over memory children with a namespace: every file on exactly one child and in
// the namespace, directories everywhere, listings from the namespace, schedulers through the
// volfile, and one child or the namespace failing mid-operation.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"
#include "tests/unit/unify/unify_rig.h"

namespace gf::test {
namespace {

using V = std::vector<size_t>;

TEST(UnifyTest, EachFileIsOnOneChildAndInTheNamespace) {
  UnifyRig rig;
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  std::map<size_t, int> perChild;
  for (int i = 0; i < 30; ++i) {
    std::string p = "/d/f" + std::to_string(i);
    ASSERT_OK(fs.writeFile(p, p));
    V where = rig.on(p);
    ASSERT_EQ(where.size(), 1u) << p;
    ++perChild[where[0]];
    ASSERT_TRUE(rig.inNamespace(p));
    TestClient ns = rig.nsLeaf();
    auto entry = ns.stat(p);
    EXPECT_EQ(entry->size, 0u) << "the namespace keeps empty entries";
    EXPECT_EQ(entry->gfid, fs.stat(p)->gfid);
  }
  for (size_t c = 0; c < 3; ++c) EXPECT_EQ(perChild[c], 10) << "rr spreads files evenly";
  for (size_t c = 0; c < 3; ++c) EXPECT_TRUE(rig.leaf(c).stat("/d")->isDir()) << c;
  TestClient fresh(rig.unify());
  EXPECT_EQ(*fresh.readFile("/d/f7"), "/d/f7");
  EXPECT_EQ(fresh.stat("/d/f7")->size, 5u);
  EXPECT_EQ(fresh.listDir("/d")->size(), 30u);
}

TEST(UnifyTest, ListingsComeFromTheNamespaceWithTheRightTypes) {
  UnifyRig rig;
  TestClient& fs = rig.client();
  ASSERT_OK(fs.writeFile("/file", "x"));
  ASSERT_OK(fs.symlink("file", "/link"));
  ASSERT_OK(fs.mknod("/fifo", S_IFIFO | 0644));
  ASSERT_OK(fs.mkdir("/dir"));
  TestClient fresh(rig.unify());
  for (bool plus : {false, true}) {
    auto entries = fresh.readdirAll("/", plus);
    ASSERT_OK(entries);
    std::map<std::string, uint32_t> types;
    for (const auto& e : *entries) types[e.name] = e.stat.mode & S_IFMT;
    EXPECT_EQ(types["file"], static_cast<uint32_t>(S_IFREG)) << plus;
    EXPECT_EQ(types["link"], static_cast<uint32_t>(S_IFLNK)) << plus;
    EXPECT_EQ(types["fifo"], static_cast<uint32_t>(S_IFIFO)) << plus;
    EXPECT_EQ(types["dir"], static_cast<uint32_t>(S_IFDIR)) << plus;
    if (plus)
      for (const auto& e : *entries)
        if (e.name == "file") EXPECT_TRUE(e.stat.gfid.isNull()) << "namespace sizes claimed";
  }
  EXPECT_EQ(*fresh.readlink("/link"), "file");
  EXPECT_TRUE(S_ISFIFO(fresh.stat("/fifo")->mode));
  EXPECT_TRUE(S_ISLNK(fresh.lookup("/link")->mode));
}

TEST(UnifyTest, RenamesAndLinksKeepNamespaceAndChildTogether) {
  UnifyRig rig({.children = 2});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/a"));
  ASSERT_OK(fs.mkdir("/b"));
  ASSERT_OK(fs.writeFile("/a/one", "first"));   // child 0
  ASSERT_OK(fs.writeFile("/a/two", "second"));  // child 1
  ASSERT_EQ(rig.on("/a/one"), V{0});
  ASSERT_EQ(rig.on("/a/two"), V{1});
  ASSERT_OK(fs.rename("/a/one", "/b/uno"));
  EXPECT_EQ(rig.on("/b/uno"), V{0});
  EXPECT_TRUE(rig.on("/a/one").empty());
  EXPECT_TRUE(rig.inNamespace("/b/uno"));
  EXPECT_FALSE(rig.inNamespace("/a/one"));
  // Over a file on the other child: its copy goes.
  ASSERT_OK(fs.rename("/b/uno", "/a/two"));
  EXPECT_EQ(rig.on("/a/two"), V{0});
  TestClient fresh(rig.unify());
  EXPECT_EQ(*fresh.readFile("/a/two"), "first");
  ASSERT_OK(fresh.link("/a/two", "/b/again"));
  EXPECT_EQ(rig.on("/b/again"), V{0});
  EXPECT_TRUE(rig.inNamespace("/b/again"));
  EXPECT_EQ(fresh.stat("/b/again")->nlink, 2u);
  ASSERT_OK(fresh.unlink("/a/two"));
  EXPECT_EQ(*fresh.readFile("/b/again"), "first");
  // Directories rename on every copy and in the namespace.
  ASSERT_OK(fresh.rename("/b", "/c"));
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(rig.leaf(i).stat("/c")->isDir()) << i;
  EXPECT_EQ(*fresh.readFile("/c/again"), "first");
  ASSERT_OK(fresh.unlink("/c/again"));
  ASSERT_OK(fresh.rmdir("/c"));
  EXPECT_FALSE(rig.inNamespace("/c"));
  EXPECT_TRUE(rig.on("/c").empty());
}

TEST(UnifyTest, AChildRefusingACreateLeavesNoNamespaceEntry) {
  UnifyRig rig({.children = 2});
  rig.failOnce(rig.faults(0), "create", ENOSPC);
  EXPECT_ERRNO(rig.client().create("/f"), ENOSPC);
  EXPECT_FALSE(rig.inNamespace("/f"));
  EXPECT_TRUE(rig.on("/f").empty());
  TestClient fresh(rig.unify());
  EXPECT_TRUE(fresh.listDir("/")->empty());
  ASSERT_OK(fresh.writeFile("/f", "retry"));
  EXPECT_EQ(*fresh.readFile("/f"), "retry");
}

TEST(UnifyTest, ANamespaceRefusingACreateLeavesNoFile) {
  UnifyRig rig({.children = 2});
  rig.failOnce(rig.nsFaults(), "mknod", EIO);
  EXPECT_ERRNO(rig.client().create("/f"), EIO);
  EXPECT_TRUE(rig.on("/f").empty());
  EXPECT_FALSE(rig.inNamespace("/f"));
}

TEST(UnifyTest, AFailedUnlinkOnTheChildKeepsTheFileWhole) {
  UnifyRig rig({.children = 2});
  ASSERT_OK(rig.client().writeFile("/f", "data"));
  V where = rig.on("/f");
  ASSERT_EQ(where.size(), 1u);
  rig.failOnce(rig.faults(where[0]), "unlink", EIO);
  EXPECT_ERRNO(rig.client().unlink("/f"), EIO);
  EXPECT_TRUE(rig.inNamespace("/f"));
  TestClient fresh(rig.unify());
  EXPECT_EQ(*fresh.readFile("/f"), "data");
}

// A rename over an existing file fails on the child: the namespace is put back as it was,
// both names included.
TEST(UnifyTest, ARenameFailingOnTheChildRestoresTheNamespace) {
  UnifyRig rig({.children = 2});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.writeFile("/src", "source"));  // child 0
  ASSERT_OK(fs.writeFile("/dst", "target"));  // child 1
  rig.failOnce(rig.faults(0), "rename", EIO);
  EXPECT_ERRNO(fs.rename("/src", "/dst"), EIO);
  EXPECT_TRUE(rig.inNamespace("/src"));
  EXPECT_TRUE(rig.inNamespace("/dst")) << "the replaced name vanished from the namespace";
  TestClient fresh(rig.unify());
  EXPECT_EQ(*fresh.readFile("/src"), "source");
  EXPECT_EQ(*fresh.readFile("/dst"), "target");
  EXPECT_EQ(*fresh.listDir("/"), (std::vector<std::string>{"dst", "src"}));
}

// A directory rename refused by one child is undone everywhere: the tree stays whole.
TEST(UnifyTest, ADirectoryRenameRefusedByAChildIsUndone) {
  UnifyRig rig({.children = 2});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/old"));
  ASSERT_OK(fs.writeFile("/old/a", "A"));  // child 0
  ASSERT_OK(fs.writeFile("/old/b", "B"));  // child 1
  rig.failOnce(rig.faults(1), "rename", EIO);
  EXPECT_ERRNO(fs.rename("/old", "/new"), EIO);
  TestClient fresh(rig.unify());
  EXPECT_EQ(*fresh.readFile("/old/a"), "A");
  EXPECT_EQ(*fresh.readFile("/old/b"), "B");
  EXPECT_ERRNO(fresh.lookup("/new"), ENOENT);
  for (size_t i = 0; i < 2; ++i) EXPECT_ERRNO(rig.leaf(i).lookup("/new"), ENOENT) << i;
}

TEST(UnifyTest, RmdirOfANonEmptyDirectoryTouchesNothing) {
  UnifyRig rig({.children = 2});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/d/f", "x"));
  EXPECT_ERRNO(fs.rmdir("/d"), ENOTEMPTY);
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(rig.leaf(i).stat("/d").ok()) << i;
  EXPECT_EQ(*fs.readFile("/d/f"), "x");
}

// Self-heal on the first lookup of a directory: copies missing on a child are made, and files
// a child holds that the namespace lacks get their namespace entries.
TEST(UnifyTest, LookupHealsDirectoriesAndNamespaceEntries) {
  UnifyRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d", 0750));
  TestClient l2 = rig.leaf(2);
  ASSERT_OK(l2.rmdir("/d"));
  TestClient l1 = rig.leaf(1);
  ASSERT_OK(l1.writeFile("/d/orphan", "written while the namespace was away"));
  TestClient fresh(rig.unify());
  ASSERT_OK(fresh.lookup("/d"));
  auto copy = l2.stat("/d");
  ASSERT_OK(copy);
  EXPECT_EQ(copy->mode & 07777, 0750u);
  EXPECT_EQ(copy->gfid, fresh.stat("/d")->gfid);
  EXPECT_TRUE(rig.inNamespace("/d/orphan"));
  EXPECT_EQ(*fresh.listDir("/d"), std::vector<std::string>{"orphan"});
  EXPECT_EQ(*fresh.readFile("/d/orphan"), "written while the namespace was away");
}

TEST(UnifyTest, ADirectoryMadeWhileAChildWasDownIsCompletedLater) {
  UnifyRig rig({.children = 2});
  rig.down(1);
  ASSERT_OK(rig.client().mkdir("/late"));
  ASSERT_OK(rig.client().writeFile("/late/f", "on child 0"));
  rig.up(1);
  TestClient fresh(rig.unify());
  ASSERT_OK(fresh.lookup("/late"));
  EXPECT_TRUE(rig.leaf(1).stat("/late")->isDir());
  ASSERT_OK(fresh.writeFile("/late/g", "anywhere"));  // rr may pick child 1 now
  EXPECT_EQ(*fresh.readFile("/late/g"), "anywhere");
}

TEST(UnifyTest, SwitchCasesFromTheVolfile) {
  UnifyRig rig({.children = 3,
                .options = {{"scheduler", "switch"}, {"switch.case", "*.jpg:c2;*.txt:c0,c1"}}});
  TestClient& fs = rig.client();
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(fs.writeFile("/p" + std::to_string(i) + ".jpg", "img"));
    EXPECT_EQ(rig.on("/p" + std::to_string(i) + ".jpg"), V{2});
    ASSERT_OK(fs.writeFile("/t" + std::to_string(i) + ".txt", "txt"));
    EXPECT_NE(rig.on("/t" + std::to_string(i) + ".txt"), V{2});
  }
}

TEST(UnifyTest, MinFreeDiskKeepsNewFilesOffAFullChild) {
  UnifyRig rig({.children = 2,
                .options = {{"rr.limits.min-free-disk", "20%"}, {"rr.refresh-interval", "0"}},
                .maxSize = {{0, "1MB"}}});
  TestClient l0 = rig.leaf(0);
  ASSERT_OK(l0.writeFile("/ballast", std::string(900 * 1024, 'x')));
  for (int i = 0; i < 6; ++i) {
    std::string p = "/f" + std::to_string(i);
    ASSERT_OK(rig.client().writeFile(p, "x"));
    EXPECT_EQ(rig.on(p), V{1}) << p;
  }
}

TEST(UnifyTest, AluSendsFilesToTheLeastUsedChild) {
  UnifyRig rig({.children = 2,
                .options = {{"scheduler", "alu"},
                            {"alu.order", "disk-usage"},
                            {"alu.disk-usage.entry-threshold", "100KB"},
                            {"alu.disk-usage.exit-threshold", "50KB"},
                            {"alu.stat-refresh.interval", "0"}}});
  TestClient l0 = rig.leaf(0);
  ASSERT_OK(l0.writeFile("/ballast", std::string(512 * 1024, 'x')));
  for (int i = 0; i < 4; ++i) {
    std::string p = "/f" + std::to_string(i);
    ASSERT_OK(rig.client().writeFile(p, "x"));
    EXPECT_EQ(rig.on(p), V{1}) << p;
  }
}

TEST(UnifyTest, NufaSchedulerPrefersTheLocalChild) {
  UnifyRig rig({.children = 3,
                .options = {{"scheduler", "nufa"}, {"nufa.local-volume-name", "c1"}}});
  for (int i = 0; i < 5; ++i) {
    std::string p = "/f" + std::to_string(i);
    ASSERT_OK(rig.client().writeFile(p, "x"));
    EXPECT_EQ(rig.on(p), V{1}) << p;
  }
}

TEST(UnifyTest, StatfsAddsTheChildrenNotTheNamespace) {
  UnifyRig rig({.children = 2, .maxSize = {{0, "1MB"}, {1, "3MB"}}});
  auto s = rig.client().statfs();
  ASSERT_OK(s);
  EXPECT_EQ(s->blocks * s->frsize, uint64_t{4} << 20);
}

TEST(UnifyTest, TheNamespaceIsRequiredAndMustNotBeAChild) {
  std::string noNs = volume("m0", "storage/memory") + volume("m1", "storage/memory") +
                     volume("u", "cluster/unify", {}, {"m0", "m1"});
  EXPECT_THROW(TestGraph g(noNs), VolfileError);
  std::string nsChild = volume("m0", "storage/memory") + volume("m1", "storage/memory") +
                        volume("u", "cluster/unify", {{"namespace", "m1"}}, {"m0", "m1"});
  EXPECT_THROW(TestGraph g(nsChild), std::runtime_error);
}

}  // namespace
}  // namespace gf::test
