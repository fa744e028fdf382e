// SPDX-License-Identifier: GPL-3.0-or-later
// distribute names: placement on the hashed child, linkfiles after renames that change the
// hashed child (and none for maildir's tmp/ -> new/ -> cur/), links and unlinks, rmdir that
// puts back what it removed when a copy refuses, and failures of one child mid-operation.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>  // RENAME_EXCHANGE
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "tests/unit/distribute/dht_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using V = std::vector<size_t>;

TEST(DhtEntryTest, EveryKindOfFileLandsOnItsHashedChildOnly) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  for (int i = 0; i < 60; ++i) {
    std::string n = "file" + std::to_string(i);
    ASSERT_OK(fs.writeFile("/d/" + n, n));
    EXPECT_EQ(rig.dataOn("/d/" + n), V{DhtRig::hashedOf(n, 3)}) << n;
  }
  std::string s = nameHashingTo(2, 3, "sym"), f = nameHashingTo(1, 3, "fifo");
  ASSERT_OK(fs.symlink("file1", "/d/" + s));
  ASSERT_OK(fs.mknod("/d/" + f, S_IFIFO | 0600));
  EXPECT_EQ(rig.presentOn("/d/" + s), V{2});
  EXPECT_EQ(rig.presentOn("/d/" + f), V{1});
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(rig.linkfilesOn("/d/file" + std::to_string(i)).empty());
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readlink("/d/" + s), "file1");
  EXPECT_TRUE(S_ISFIFO(fresh.stat("/d/" + f)->mode));
}

TEST(DhtEntryTest, ARenameToANameHashingElsewhereLeavesALinkfile) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(fs.writeFile("/" + a, "the data"));
  Gfid g = fs.stat("/" + a)->gfid;
  ASSERT_OK(fs.rename("/" + a, "/" + b));
  EXPECT_EQ(rig.dataOn("/" + b), V{0}) << "the data must not move";
  EXPECT_EQ(rig.linkfilesOn("/" + b), V{1});
  EXPECT_EQ(rig.linktoOn(1, "/" + b), "c0");
  TestClient l1 = rig.leaf(1);
  auto link = l1.stat("/" + b);
  ASSERT_OK(link);
  EXPECT_EQ(link->mode, static_cast<uint32_t>(S_IFREG | S_ISVTX)) << "mode ---------T";
  EXPECT_EQ(link->size, 0u);
  EXPECT_EQ(link->gfid, g);
  EXPECT_TRUE(rig.presentOn("/" + a).empty());
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + b), "the data");
  EXPECT_EQ(fresh.stat("/" + b)->gfid, g);
  // Writes through the new name reach the data.
  ASSERT_OK(fresh.writeFile("/" + b, "rewritten"));
  TestClient l0 = rig.leaf(0);
  EXPECT_EQ(*l0.readFile("/" + b), "rewritten");
}

TEST(DhtEntryTest, RenamingBackToTheDataChildRemovesTheLinkfile) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2, "a"), b = nameHashingTo(1, 2, "b"),
              c = nameHashingTo(0, 2, "c");
  ASSERT_OK(fs.writeFile("/" + a, "x"));
  ASSERT_OK(fs.rename("/" + a, "/" + b));
  ASSERT_OK(fs.rename("/" + b, "/" + c));
  EXPECT_EQ(rig.dataOn("/" + c), V{0});
  EXPECT_TRUE(rig.presentOn("/" + b).empty()) << "the linkfile of the middle name stayed";
  EXPECT_TRUE(rig.linkfilesOn("/" + c).empty());
}

TEST(DhtEntryTest, RenameOverAFileOnAnotherChildLeavesOneCopy) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  std::string src = nameHashingTo(0, 3, "s"), dst = nameHashingTo(1, 3, "d");
  ASSERT_OK(fs.writeFile("/" + src, "new contents"));
  ASSERT_OK(fs.writeFile("/" + dst, "old contents"));
  ASSERT_OK(fs.rename("/" + src, "/" + dst));
  EXPECT_EQ(rig.dataOn("/" + dst), V{0});
  EXPECT_EQ(rig.linkfilesOn("/" + dst), V{1});
  EXPECT_TRUE(rig.presentOn("/" + src).empty());
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + dst), "new contents");
  EXPECT_EQ(*fresh.listDir("/"), std::vector<std::string>{dst});
}

TEST(DhtEntryTest, RenamingAFileOntoItselfKeepsItReachable) {
  DhtRig rig({.children = 2, .options = {{"lookup-unhashed", "off"}}});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(fs.writeFile("/" + a, "kept"));
  ASSERT_OK(fs.rename("/" + a, "/" + b));
  ASSERT_OK(fs.rename("/" + b, "/" + b));  // POSIX: nothing happens
  EXPECT_EQ(rig.linkfilesOn("/" + b), V{1});
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + b), "kept");
}

// The mail-spool pattern: deliver to tmp/, rename to new/, then to cur/ with flags that change
// over time. Every message stays on the child it was written to, with no linkfile anywhere.
TEST(DhtEntryTest, MaildirRenamesMakeNoLinkfiles) {
  DhtRig rig({.children = 4});
  TestClient& fs = rig.client();
  for (const char* d : {"/box", "/box/tmp", "/box/new", "/box/cur"}) ASSERT_OK(fs.mkdir(d));
  for (int i = 0; i < 100; ++i) {
    std::string id = "12460937" + std::to_string(i) + ".M" + std::to_string(i * 31) + "P9.mx1";
    ASSERT_OK(fs.writeFile("/box/tmp/" + id, "mail " + id));
    V where = rig.dataOn("/box/tmp/" + id);
    ASSERT_EQ(where.size(), 1u);
    ASSERT_OK(fs.rename("/box/tmp/" + id, "/box/new/" + id));
    ASSERT_OK(fs.rename("/box/new/" + id, "/box/cur/" + id + ":2,"));
    ASSERT_OK(fs.rename("/box/cur/" + id + ":2,", "/box/cur/" + id + ":2,S"));
    ASSERT_OK(fs.rename("/box/cur/" + id + ":2,S", "/box/cur/" + id + ":2,RS"));
    std::string final = "/box/cur/" + id + ":2,RS";
    EXPECT_EQ(rig.dataOn(final), where) << id;
    EXPECT_EQ(rig.presentOn(final), where) << id << ": a linkfile was made";
  }
  for (const char* d : {"/box/tmp", "/box/new"}) EXPECT_TRUE(fs.listDir(d)->empty()) << d;
  EXPECT_EQ(fs.listDir("/box/cur")->size(), 100u);
}

TEST(DhtEntryTest, UnlinkRemovesTheLinkfileWithTheData) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(fs.writeFile("/" + a, "x"));
  ASSERT_OK(fs.rename("/" + a, "/" + b));
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.unlink("/" + b));
  EXPECT_TRUE(rig.presentOn("/" + b).empty());
  ASSERT_OK(fresh.mkdir("/empty"));
  ASSERT_OK(fresh.rmdir("/empty"));
}

TEST(DhtEntryTest, HardLinksUnderNamesHashingElsewhere) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2, "a"), b = nameHashingTo(1, 2, "b");
  ASSERT_OK(fs.mkdir("/x"));
  ASSERT_OK(fs.writeFile("/x/" + a, "shared"));
  ASSERT_OK(fs.link("/x/" + a, "/x/" + b));
  EXPECT_EQ(rig.dataOn("/x/" + b), V{0});
  EXPECT_EQ(rig.linkfilesOn("/x/" + b), V{1});
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/x/" + b), "shared");
  EXPECT_EQ(fresh.stat("/x/" + b)->nlink, 2u);
  ASSERT_OK(fresh.unlink("/x/" + a));
  EXPECT_EQ(*fresh.readFile("/x/" + b), "shared");
  ASSERT_OK(fresh.unlink("/x/" + b));
  for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(rig.leaf(i).listDir("/x")->empty()) << i;
  ASSERT_OK(fresh.rmdir("/x"));
}

// rmdir removes the copies on the other children first and the hashed child's last; a copy
// that refuses puts the removed ones back, with their gfid, mode, owner and (after a lookup)
// their layout slices.
TEST(DhtEntryTest, RmdirPutsBackTheCopiesItRemovedWhenOneRefuses) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  std::string dir = nameHashingTo(2, 3, "dir");
  ASSERT_OK(fs.mkdir("/" + dir, 0750));
  ASSERT_OK(fs.chown("/" + dir, 1000, 1000));
  Gfid g = fs.stat("/" + dir)->gfid;
  rig.failOnce(2, "rmdir", EIO);
  EXPECT_ERRNO(fs.rmdir("/" + dir), EIO);
  for (size_t i = 0; i < 3; ++i) {
    TestClient l = rig.leaf(i);
    auto st = l.stat("/" + dir);
    ASSERT_OK(st) << "copy " << i << " was not put back";
    EXPECT_EQ(st->gfid, g) << i;
    EXPECT_EQ(st->mode & 07777, 0750u) << i;
    EXPECT_EQ(st->uid, 1000u) << "owner of copy " << i;
    EXPECT_EQ(st->gid, 1000u) << i;
  }
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.lookup("/" + dir));
  dht::Layout u = dht::Layout::uniform(3);
  for (size_t i = 0; i < 3; ++i) {
    auto r = rig.rangeOn(i, "/" + dir);
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->start, u.get(i)->start);
  }
  ASSERT_OK(fresh.rmdir("/" + dir));
  EXPECT_TRUE(rig.presentOn("/" + dir).empty());
}

TEST(DhtEntryTest, RmdirOfADirectoryWithAFileOnOneChildRemovesNothing) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  std::string dir = nameHashingTo(0, 3, "dir");
  ASSERT_OK(fs.mkdir("/" + dir));
  std::string f = nameHashingTo(0, 3, "keep");  // on the hashed child, which goes last
  ASSERT_OK(fs.writeFile("/" + dir + "/" + f, "precious"));
  EXPECT_ERRNO(fs.rmdir("/" + dir), ENOTEMPTY);
  EXPECT_EQ(rig.presentOn("/" + dir), (V{0, 1, 2}));
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + dir + "/" + f), "precious");
  EXPECT_EQ(*fresh.listDir("/" + dir), std::vector<std::string>{f});
  // A new file hashing to a copy that was put back lands there.
  std::string g = nameHashingTo(1, 3, "new");
  ASSERT_OK(fresh.writeFile("/" + dir + "/" + g, "fresh"));
  EXPECT_EQ(rig.dataOn("/" + dir + "/" + g), V{1});
}

TEST(DhtEntryTest, RmdirIsRefusedWhileAChildIsDown) {
  DhtRig rig({.children = 2});
  ASSERT_OK(rig.client().mkdir("/d"));
  rig.down(1);
  EXPECT_ERRNO(rig.client().rmdir("/d"), ENOTCONN);
  rig.up(1);
  EXPECT_EQ(rig.presentOn("/d"), (V{0, 1}));
}

TEST(DhtEntryTest, MkdirFailingOnANonHashedChildIsHealedByTheNextLookup) {
  DhtRig rig({.children = 2});
  std::string dir = nameHashingTo(0, 2, "dir");
  rig.failOnce(1, "mkdir", EIO);
  ASSERT_OK(rig.client().mkdir("/" + dir));
  EXPECT_EQ(rig.presentOn("/" + dir), V{0});
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.lookup("/" + dir));
  EXPECT_EQ(rig.presentOn("/" + dir), (V{0, 1}));
  std::string f = nameHashingTo(1, 2);
  ASSERT_OK(fresh.writeFile("/" + dir + "/" + f, "ok"));
  EXPECT_EQ(rig.dataOn("/" + dir + "/" + f), V{1});
}

TEST(DhtEntryTest, MkdirRefusedByTheHashedChildFailsAndLeavesNothing) {
  DhtRig rig({.children = 2});
  std::string dir = nameHashingTo(1, 2, "dir");
  rig.failOnce(1, "mkdir", ENOSPC);
  EXPECT_ERRNO(rig.client().mkdir("/" + dir), ENOSPC);
  EXPECT_TRUE(rig.presentOn("/" + dir).empty());
}

TEST(DhtEntryTest, CreateRefusedByItsChildLeavesNothingBehind) {
  DhtRig rig({.children = 2});
  std::string n = nameHashingTo(1, 2);
  rig.failOnce(1, "create", EIO);
  EXPECT_ERRNO(rig.client().create("/" + n), EIO);
  EXPECT_TRUE(rig.presentOn("/" + n).empty());
  ASSERT_OK(rig.client().writeFile("/" + n, "second try"));
  EXPECT_EQ(rig.dataOn("/" + n), V{1});
}

TEST(DhtEntryTest, AFailedRenameChangesNothing) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(fs.writeFile("/" + a, "x"));
  rig.failOnce(0, "rename", EIO);
  EXPECT_ERRNO(fs.rename("/" + a, "/" + b), EIO);
  EXPECT_EQ(rig.presentOn("/" + a), V{0});
  EXPECT_TRUE(rig.presentOn("/" + b).empty());
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + a), "x");
}

// min-free-disk: a hashed child short of space gets a linkfile; the data goes to the child
// with the most room, and is found through the linkfile.
TEST(DhtEntryTest, AFullHashedChildGetsALinkfileAndTheDataGoesElsewhere) {
  DhtRig rig({.children = 3,
              .options = {{"min-free-disk", "20%"}},
              .maxSize = {{0, "1MB"}, {1, "1MB"}, {2, "4MB"}}});
  TestClient l0 = rig.leaf(0);
  ASSERT_OK(l0.writeFile("/ballast", std::string(900 * 1024, 'b')));  // 12% free on child 0
  TestClient l1 = rig.leaf(1);
  ASSERT_OK(l1.writeFile("/ballast", std::string(100 * 1024, 'b')));  // 90% free on child 1
  std::string n = nameHashingTo(0, 3, "mail");
  ASSERT_OK(rig.client().writeFile("/" + n, "delivered anyway"));
  EXPECT_EQ(rig.dataOn("/" + n), V{2}) << "the data should go to the emptiest child";
  EXPECT_EQ(rig.linkfilesOn("/" + n), V{0});
  EXPECT_EQ(rig.linktoOn(0, "/" + n), "c2");
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + n), "delivered anyway");
  // Children with room still get their own files.
  std::string m = nameHashingTo(1, 3, "mail");
  ASSERT_OK(fresh.writeFile("/" + m, "normal"));
  EXPECT_EQ(rig.dataOn("/" + m), V{1});
  EXPECT_TRUE(rig.linkfilesOn("/" + m).empty());
  ASSERT_OK(fresh.unlink("/" + n));
  EXPECT_TRUE(rig.presentOn("/" + n).empty());
}

// cluster/nufa: new files go to the local child, with a linkfile where the name hashes; once
// the local child is short of space, to the child with the most room.
TEST(DhtEntryTest, NufaCreatesOnTheLocalChildWhileItHasRoom) {
  DhtRig rig({.children = 3,
              .type = "cluster/nufa",
              .options = {{"local-volume-name", "c1"}, {"min-free-disk", "20%"}},
              .maxSize = {{1, "1MB"}}});
  TestClient& fs = rig.client();
  for (size_t h = 0; h < 3; ++h) {
    std::string n = nameHashingTo(h, 3, "local");
    ASSERT_OK(fs.writeFile("/" + n, n));
    EXPECT_EQ(rig.dataOn("/" + n), V{1}) << n;
    EXPECT_EQ(rig.linkfilesOn("/" + n), h == 1 ? V{} : V{h}) << n;
    TestClient fresh(rig.dht());
    EXPECT_EQ(*fresh.readFile("/" + n), n);
  }
  TestClient l1 = rig.leaf(1);
  ASSERT_OK(l1.writeFile("/ballast", std::string(900 * 1024, 'b')));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // free space is re-read
  std::string n = nameHashingTo(0, 3, "later");
  ASSERT_OK(fs.writeFile("/" + n, "elsewhere"));
  V where = rig.dataOn("/" + n);
  ASSERT_EQ(where.size(), 1u);
  EXPECT_NE(where[0], 1u) << "the full local child got the file";
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/" + n), "elsewhere");
}

TEST(DhtEntryTest, NufaRefusesALocalVolumeThatIsNotAChild) {
  DhtRigOptions o{.children = 2, .type = "cluster/nufa", .options = {{"local-volume-name", "m0"}}};
  EXPECT_THROW(DhtRig rig(o), std::runtime_error);
}

// Each child judges only its own copy of the target: one where the target is empty would take
// the rename while the child holding the target's file refuses, hiding the source's entries in
// the target.
TEST(DhtEntryTest, ADirectoryIsNotRenamedOverOneNotEmptyOnSomeChild) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/a"));
  ASSERT_OK(fs.mkdir("/empty"));
  ASSERT_OK(fs.mkdir("/full"));
  std::string x = nameHashingTo(1, 3, "x");
  ASSERT_OK(fs.writeFile("/full/" + x, "x"));
  ASSERT_OK(fs.writeFile("/a/f", "in a"));
  ASSERT_OK(fs.writeFile("/file", "plain"));
  EXPECT_ERRNO(fs.rename("/a", "/full"), ENOTEMPTY);
  EXPECT_ERRNO(fs.rename("/a", "/file"), ENOTDIR);
  for (size_t i = 0; i < 3; ++i) {
    TestClient l = rig.leaf(i);
    EXPECT_OK(l.stat("/a")) << "copy " << i << " of the source moved";
    auto names = l.listDir("/full");
    ASSERT_OK(names) << i;
    EXPECT_EQ(*names, i == 1 ? std::vector<std::string>{x} : std::vector<std::string>{}) << i;
  }
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/a/f"), "in a");
  EXPECT_EQ(*fresh.readFile("/file"), "plain");
  ASSERT_OK(fresh.rename("/a", "/empty"));
  EXPECT_EQ(*fresh.readFile("/empty/f"), "in a");
  EXPECT_EQ(rig.presentOn("/empty"), (V{0, 1, 2}));
  EXPECT_TRUE(rig.presentOn("/a").empty());
  ASSERT_OK(fresh.unlink("/full/" + x));
  ASSERT_OK(fresh.rmdir("/full")) << "nothing of the source was left in the target";
}

// A copy that refuses after others were renamed: those go back.
TEST(DhtEntryTest, ADirectoryRenameOneCopyRefusesIsUndone) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/src"));
  std::string to = nameHashingTo(0, 3, "dst");
  rig.failOnce(2, "rename", EIO);
  EXPECT_ERRNO(fs.rename("/src", "/" + to), EIO);
  EXPECT_EQ(rig.presentOn("/src"), (V{0, 1, 2}));
  EXPECT_TRUE(rig.presentOn("/" + to).empty());
  TestClient fresh(rig.dht());
  ASSERT_OK(fresh.rename("/src", "/" + to));
  EXPECT_EQ(rig.presentOn("/" + to), (V{0, 1, 2}));
}

// Two directories (a copy of each on every child) exchange everywhere; a directory and a file
// (on one child only) cannot.
TEST(DhtEntryTest, DirectoriesExchangeOnEveryChildAndNotWithAFile) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/a"));
  ASSERT_OK(fs.mkdir("/b"));
  ASSERT_OK(fs.writeFile("/a/in-a", "a"));
  ASSERT_OK(fs.writeFile("/b/in-b", "b"));
  ASSERT_OK(fs.writeFile("/file", "plain"));
  EXPECT_ERRNO(fs.rename("/a", "/file", RENAME_EXCHANGE), EXDEV);
  EXPECT_EQ(rig.presentOn("/a"), (V{0, 1, 2}));
  ASSERT_OK(fs.rename("/a", "/b", RENAME_EXCHANGE));
  TestClient fresh(rig.dht());
  EXPECT_EQ(*fresh.readFile("/b/in-a"), "a");
  EXPECT_EQ(*fresh.readFile("/a/in-b"), "b");
  EXPECT_EQ(*fresh.readFile("/file"), "plain");
}

}  // namespace
}  // namespace gf::test
