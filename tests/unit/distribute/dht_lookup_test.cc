// SPDX-License-Identifier: GPL-3.0-or-later
// distribute lookups: directories on every child with their layout slices, healed when a copy
// lost its layout or itself; files found on their hashed child, through linkfiles, or (with
// lookup-unhashed) anywhere.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "glusterfs/xlators/cluster/distribute/dht_hash.h"
#include "glusterfs/xlators/cluster/distribute/dht_migration.h"
#include "tests/unit/distribute/dht_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using dht::Layout;
using dht::Range;
using V = std::vector<size_t>;

bool sameRange(const std::optional<Range>& a, const std::optional<Range>& b) {
  return a && b && a->start == b->start && a->stop == b->stop;
}

void expectUniformLayout(const DhtRig& rig, std::string_view dir, size_t n) {
  Layout u = Layout::uniform(n);
  for (size_t i = 0; i < n; ++i)
    EXPECT_TRUE(sameRange(rig.rangeOn(i, dir), u.get(i))) << dir << " on leaf " << i;
}

TEST(DhtLookupTest, AMovesDestinationBeforeItsLinktoIsNotServed) {
  DhtRig rig;
  std::string path = "/" + nameHashingTo(0, 2, "msg");
  // The message is still on child 1; on child 0 (where its name hashes) a move has made the
  // empty ---------T destination and not yet given it its linkto.
  ASSERT_OK(rig.leaf(1).writeFile(path, "the message"));
  ASSERT_OK(rig.leaf(0).mknod(path, S_IFREG | S_ISVTX));
  TestClient reader = rig.clientOn(rig.dht());
  EXPECT_EQ(*reader.readFile(path), "the message");
  auto st = reader.stat(path);
  ASSERT_OK(st);
  EXPECT_EQ(st->size, 11u);
}

TEST(DhtLookupTest, AnEmptyStickyOnlyFileOfTheUsersOwnIsServed) {
  DhtRig rig;
  std::string path = "/" + nameHashingTo(0, 2, "odd");
  ASSERT_OK(rig.client().mknod(path, S_IFREG | S_ISVTX));
  TestClient reader = rig.clientOn(rig.dht());
  auto st = reader.stat(path);
  ASSERT_OK(st);
  EXPECT_EQ(st->mode & 07777, static_cast<uint32_t>(S_ISVTX));
}

TEST(DhtLookupTest, MkdirPutsTheDirectoryOnEveryChildWithItsSlice) {
  DhtRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d", 0750));
  Gfid g = rig.client().stat("/d")->gfid;
  for (size_t i = 0; i < 3; ++i) {
    TestClient l = rig.leaf(i);
    auto st = l.stat("/d");
    ASSERT_OK(st) << "leaf " << i;
    EXPECT_EQ(st->gfid, g) << "leaf " << i;
    EXPECT_EQ(st->mode & 07777, 0750u);
  }
  expectUniformLayout(rig, "/d", 3);
  // The root got its layout with the first lookup.
  expectUniformLayout(rig, "/", 3);
}

TEST(DhtLookupTest, ACopyThatLostItsLayoutIsHealedOnLookup) {
  DhtRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d"));
  std::vector<std::string> names;
  for (size_t c = 0; c < 3; ++c) names.push_back(nameHashingTo(c, 3, "m"));
  for (const auto& n : names) ASSERT_OK(rig.client().writeFile("/d/" + n, n));
  TestClient l1 = rig.leaf(1);
  ASSERT_OK(l1.removexattr("/d", dht::kLayoutKey));
  ASSERT_FALSE(rig.rangeOn(1, "/d"));
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.lookup("/d"));
  expectUniformLayout(rig, "/d", 3);
  for (const auto& n : names) EXPECT_EQ(*fresh.readFile("/d/" + n), n);
}

TEST(DhtLookupTest, OverlappingSlicesAreHealed) {
  DhtRig rig({.children = 2});
  ASSERT_OK(rig.client().mkdir("/d"));
  TestClient l1 = rig.leaf(1);
  ASSERT_OK(l1.setxattr("/d", dht::kLayoutKey, dht::encodeRange(Range{0, 0xffffffffu})));
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.lookup("/d"));
  expectUniformLayout(rig, "/d", 2);
}

// A rebalance rewrites a directory's slices one child at a time, under the directory's layout
// lock. A lookup that meanwhile sees a hole waits for that lock and reads the slices again:
// it must not "heal" the half-written layout into another one.
TEST(DhtLookupTest, AHoleSeenWhileTheLayoutLockIsHeldIsReadAgainNotRewritten) {
  DhtRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d"));
  TestClient l0 = rig.leaf(0), l1 = rig.leaf(1), l2 = rig.leaf(2);
  auto dir = l0.loc("/d");
  ASSERT_OK(dir);
  l0.ctx().lkOwner = 4242;
  Flock whole{F_WRLCK, SEEK_SET, 0, 0, 0, 0};
  ASSERT_OK(l0.call(InodelkReq{dht::kLayoutDomain, *dir, LockCmd::kSet, whole}));
  ASSERT_OK(l1.removexattr("/d", dht::kLayoutKey));  // halfway: a hole
  TestClient fresh(rig.dht());
  auto lookup = std::async(std::launch::async, [&] { return fresh.lookup("/d"); });
  EXPECT_EQ(lookup.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "the lookup healed without the layout lock";
  // The "rebalance" ends with slices of its own choosing: 0 and 2 swapped.
  Layout u = Layout::uniform(3);
  ASSERT_OK(l0.setxattr("/d", dht::kLayoutKey, dht::encodeRange(*u.get(2))));
  ASSERT_OK(l1.setxattr("/d", dht::kLayoutKey, dht::encodeRange(*u.get(1))));
  ASSERT_OK(l2.setxattr("/d", dht::kLayoutKey, dht::encodeRange(*u.get(0))));
  whole.type = F_UNLCK;
  ASSERT_OK(l0.call(InodelkReq{dht::kLayoutDomain, *dir, LockCmd::kSet, whole}));
  ASSERT_OK(lookup.get());
  EXPECT_TRUE(sameRange(rig.rangeOn(0, "/d"), u.get(2)));
  EXPECT_TRUE(sameRange(rig.rangeOn(1, "/d"), u.get(1)));
  EXPECT_TRUE(sameRange(rig.rangeOn(2, "/d"), u.get(0)));
}

TEST(DhtLookupTest, AMissingDirectoryCopyIsMadeWithItsIdentityOwnerAndSlice) {
  DhtRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d", 0711));
  ASSERT_OK(rig.client().chown("/d", 1000, 100));
  Gfid g = rig.client().stat("/d")->gfid;
  TestClient l2 = rig.leaf(2);
  ASSERT_OK(l2.rmdir("/d"));
  TestClient fresh(rig.dht());
  auto st = fresh.lookup("/d");
  ASSERT_OK(st);
  auto copy = l2.stat("/d");
  ASSERT_OK(copy) << "the copy was not made again";
  EXPECT_EQ(copy->gfid, g);
  EXPECT_EQ(copy->mode & 07777, 0711u);
  EXPECT_EQ(copy->uid, 1000u);
  EXPECT_EQ(copy->gid, 100u);
  expectUniformLayout(rig, "/d", 3);
  // A file that hashes to the healed child can be made there at once.
  std::string n = nameHashingTo(2, 3);
  ASSERT_OK(fresh.writeFile("/d/" + n, "x"));
  EXPECT_EQ(rig.dataOn("/d/" + n), std::vector<size_t>{2});
}

TEST(DhtLookupTest, LayoutIsNotRewrittenWhileACopyIsUnreachable) {
  DhtRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d"));
  TestClient l0 = rig.leaf(0);
  ASSERT_OK(l0.removexattr("/d", dht::kLayoutKey));
  rig.down(2);
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.lookup("/d"));
  EXPECT_FALSE(rig.rangeOn(0, "/d")) << "a layout was written while a child was down";
  // Files still go where the uniform layout says.
  std::string n = nameHashingTo(1, 3);
  ASSERT_OK(fresh.writeFile("/d/" + n, "y"));
  EXPECT_EQ(rig.dataOn("/d/" + n), std::vector<size_t>{1});
  rig.up(2);
  TestClient later(rig.dht());
  ASSERT_OK(later.lookup("/d"));
  expectUniformLayout(rig, "/d", 3);
}

TEST(DhtLookupTest, LookupUnhashedFindsAFileOffItsHashedChild) {
  DhtRig rig({.children = 2});
  ASSERT_OK(rig.client().mkdir("/d"));
  std::string n = nameHashingTo(0, 2);
  TestClient l1 = rig.leaf(1);  // placed by hand on the wrong child, no linkfile
  ASSERT_OK(l1.writeFile("/d/" + n, "stray"));
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/d/" + n), "stray");
  auto names = fresh.listDir("/d");
  ASSERT_OK(names);
  EXPECT_EQ(*names, std::vector<std::string>{n});
}

TEST(DhtLookupTest, WithoutLookupUnhashedOnlyTheHashedChildIsAsked) {
  DhtRig rig({.children = 2, .options = {{"lookup-unhashed", "off"}}});
  ASSERT_OK(rig.client().mkdir("/d"));
  std::string n = nameHashingTo(0, 2);
  TestClient l1 = rig.leaf(1);
  ASSERT_OK(l1.writeFile("/d/" + n, "stray"));
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.lookup("/d"));
  rig.probe(1).clearLog();
  EXPECT_ERRNO(fresh.lookup("/d/" + n), ENOENT);
  auto log = rig.probe(1).log();
  EXPECT_EQ(std::count(log.begin(), log.end(), "lookup " + n), 0) << "the unhashed child was asked";
  // Files made through distribute are found as always.
  std::string m = nameHashingTo(1, 2);
  ASSERT_OK(fresh.writeFile("/d/" + m, "placed"));
  EXPECT_EQ(*fresh.readFile("/d/" + m), "placed");
}

TEST(DhtLookupTest, ALinkfileLeadsToTheData) {
  DhtRig rig({.children = 2});
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(rig.client().writeFile("/" + a, "payload"));
  ASSERT_OK(rig.client().rename("/" + a, "/" + b));
  ASSERT_EQ(rig.linkfilesOn("/" + b), std::vector<size_t>{1});
  TestClient fresh(rig.dht());
  rig.probe(0).clearLog();
  rig.probe(1).clearLog();
  auto l = fresh.newLoc("/" + b);
  ASSERT_OK(l);
  auto st = fresh.call(LookupReq{*l, {}});
  ASSERT_OK(st);
  EXPECT_EQ(st->stat.size, 7u);
  EXPECT_EQ(st->stat.mode & 07777, 0644u) << "the linkfile's attributes leaked";
  EXPECT_EQ(st->xdata.count(dht::kLinktoKey), 0u);
  // The hashed child's linkfile, then the data: one lookup each.
  for (size_t i = 0; i < 2; ++i) {
    auto log = rig.probe(i).log();
    EXPECT_EQ(std::count(log.begin(), log.end(), "lookup " + b), 1) << "child " << i;
  }
}

TEST(DhtLookupTest, AStaleLinkfileIsNotTakenForTheFile) {
  DhtRig rig({.children = 2});
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(rig.client().writeFile("/" + a, "payload"));
  ASSERT_OK(rig.client().rename("/" + a, "/" + b));
  TestClient l0 = rig.leaf(0);
  ASSERT_OK(l0.unlink("/" + b));  // the data went away behind distribute's back
  TestClient fresh(rig.dht());
  EXPECT_ERRNO(fresh.lookup("/" + b), ENOENT);
  EXPECT_ERRNO(fresh.open("/" + b, O_RDONLY), ENOENT);
  auto names = fresh.listDir("/");
  ASSERT_OK(names);
  EXPECT_TRUE(names->empty()) << "a linkfile was listed";
}

TEST(DhtLookupTest, TheRootIsServedWhileAChildIsDown) {
  DhtRig rig({.children = 3});
  std::string n = nameHashingTo(0, 3);
  ASSERT_OK(rig.client().writeFile("/" + n, "still here"));
  rig.down(1);
  TestClient fresh(rig.dht());
  auto root = fresh.lookup("/");
  ASSERT_OK(root);
  EXPECT_TRUE(root->isDir());
  EXPECT_EQ(*fresh.readFile("/" + n), "still here");
  // A name that hashes to the missing child cannot be declared absent.
  std::string m = nameHashingTo(1, 3);
  EXPECT_ERRNO(fresh.lookup("/" + m), ENOTCONN);
}

TEST(DhtLookupTest, ANameTheChildrenRefuseIsRefusedForTheirReason) {
  DhtRig rig({.children = 3});
  ASSERT_OK(rig.client().mkdir("/d"));
  TestClient fresh(rig.dht());
  // Every child says ENAMETOOLONG: that is the answer, not "unreachable" (ENOTCONN).
  EXPECT_ERRNO(fresh.lookup("/d/" + std::string(256, 'n')), ENAMETOOLONG);
  EXPECT_ERRNO(fresh.mkdir("/d/" + std::string(256, 'd')), ENAMETOOLONG);
  ASSERT_OK(fresh.writeFile("/d/" + std::string(255, 'n'), "longest"));
  EXPECT_EQ(*fresh.readFile("/d/" + std::string(255, 'n')), "longest");
}

// Creating or removing an entry changes the copy of the directory on the entry's child only;
// the directory's times are the newest of its copies, whichever fop asks.
TEST(DhtLookupTest, ADirectoryHasTheNewestTimesOfItsCopies) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  Iatt old;
  old.atime = old.mtime = {1000000000, 0};
  auto expectNewer = [&](const char* what) {
    auto st = fs.stat("/d");
    ASSERT_OK(st);
    EXPECT_GT(st->mtime, old.mtime) << what << ": stat";
    EXPECT_GT(st->ctime, old.mtime) << what;
    auto fd = fs.opendir("/d");
    ASSERT_OK(fd);
    auto fst = fs.fstat(*fd);
    ASSERT_OK(fst);
    EXPECT_GT(fst->mtime, old.mtime) << what << ": fstat";
    TestClient fresh(rig.dht());
    auto looked = fresh.lookup("/d");
    ASSERT_OK(looked);
    EXPECT_GT(looked->mtime, old.mtime) << what << ": lookup";
  };
  for (size_t c = 0; c < 3; ++c) {
    std::string n = nameHashingTo(c, 3, "entry");
    ASSERT_OK(fs.setattr("/d", old, kSetAtime | kSetMtime));
    ASSERT_OK(fs.writeFile("/d/" + n, "x"));
    ASSERT_EQ(rig.dataOn("/d/" + n), V{c});
    expectNewer("create");
    ASSERT_OK(fs.setattr("/d", old, kSetAtime | kSetMtime));
    auto st = fs.stat("/d");
    ASSERT_OK(st);
    EXPECT_EQ(st->mtime, old.mtime) << "setattr reaches every copy";
    ASSERT_OK(fs.unlink("/d/" + n));
    expectNewer("unlink");
  }
  // readdirplus does not hand out one copy's attributes for a subdirectory.
  auto entries = fs.readdirAll("/", true);
  ASSERT_OK(entries);
  for (const auto& e : *entries)
    if (e.name == "d") {
      EXPECT_TRUE(S_ISDIR(e.stat.mode));
      EXPECT_TRUE(e.stat.gfid.isNull()) << "attributes of one copy listed";
    }
}

}  // namespace
}  // namespace gf::test
