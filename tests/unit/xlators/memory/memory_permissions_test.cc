// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory enforces the VFS's permission rules for the caller in CallCtx.
#include <gtest/gtest.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

class MemoryPermissionsTest : public ::testing::Test {
 protected:
  TestGraph graph{volume("mem", "storage/memory")};
  TestClient root{graph.top()};
  TestClient alice = root.as(1000, 1000);
  TestClient bob = root.as(2000, 2000);
};

TEST_F(MemoryPermissionsTest, CreatingNeedsWriteAndSearchOnTheDirectory) {
  ASSERT_OK(root.mkdir("/home", 0755));
  EXPECT_ERRNO(alice.mkdir("/home/alice"), EACCES);
  ASSERT_OK(root.mkdir("/home/alice", 0755));
  ASSERT_OK(root.chown("/home/alice", 1000, 1000));
  EXPECT_OK(alice.writeFile("/home/alice/notes", "mine"));
  EXPECT_ERRNO(bob.writeFile("/home/alice/intruder", "x"), EACCES);
  EXPECT_ERRNO(bob.unlink("/home/alice/notes"), EACCES);
}

TEST_F(MemoryPermissionsTest, LookupNeedsSearchPermission) {
  ASSERT_OK(root.mkdir("/private", 0700));
  ASSERT_OK(root.writeFile("/private/f", "x"));
  EXPECT_ERRNO(alice.lookup("/private/f"), EACCES);
  ASSERT_OK(root.chmod("/private", 0711));
  EXPECT_OK(alice.lookup("/private/f"));
  EXPECT_ERRNO(alice.opendir("/private"), EACCES) << "listing needs read permission";
}

TEST_F(MemoryPermissionsTest, TheStickyBitProtectsOtherUsersEntries) {
  ASSERT_OK(root.mkdir("/tmp", 01777));
  ASSERT_OK(root.chmod("/tmp", 01777));
  ASSERT_OK(alice.writeFile("/tmp/a", "alice's"));
  EXPECT_ERRNO(bob.unlink("/tmp/a"), EPERM);
  EXPECT_ERRNO(bob.rename("/tmp/a", "/tmp/b"), EPERM);
  ASSERT_OK(bob.writeFile("/tmp/b", "bob's"));
  EXPECT_ERRNO(alice.rename("/tmp/a", "/tmp/b"), EPERM) << "the target is bob's too";
  EXPECT_OK(alice.rename("/tmp/a", "/tmp/c"));
  EXPECT_OK(root.unlink("/tmp/b"));
}

TEST_F(MemoryPermissionsTest, OnlyTheOwnerChangesModesAndOnlyRootGivesFilesAway) {
  ASSERT_OK(root.mkdir("/pub", 0777));
  ASSERT_OK(root.chmod("/pub", 0777));
  ASSERT_OK(alice.writeFile("/pub/f", "x"));
  EXPECT_ERRNO(bob.chmod("/pub/f", 0777), EPERM);
  EXPECT_OK(alice.chmod("/pub/f", 0600));
  EXPECT_ERRNO(alice.chown("/pub/f", 2000, 1000), EPERM);
  TestClient aliceInStaff = root.as(1000, 1000, {50});
  Iatt g;
  g.gid = 50;
  EXPECT_OK(aliceInStaff.setattr("/pub/f", g, kSetGid)) << "owner may pick one of her groups";
  g.gid = 60;
  EXPECT_ERRNO(aliceInStaff.setattr("/pub/f", g, kSetGid), EPERM);
  EXPECT_OK(root.chown("/pub/f", 2000, 2000));
}

TEST_F(MemoryPermissionsTest, SettingTimesNeedsOwnershipButNowNeedsOnlyWriteAccess) {
  ASSERT_OK(root.writeFile("/shared", "x", 0666));
  ASSERT_OK(root.chmod("/shared", 0666));
  ASSERT_OK(root.writeFile("/readonly", "x", 0644));
  Iatt t;
  t.mtime = {100, 0};
  EXPECT_ERRNO(alice.setattr("/shared", t, kSetMtime), EPERM);
  EXPECT_OK(alice.setattr("/shared", t, kSetMtime | kSetMtimeNow | kSetAtime | kSetAtimeNow));
  EXPECT_ERRNO(alice.setattr("/readonly", t, kSetMtime | kSetMtimeNow), EACCES);
}

TEST_F(MemoryPermissionsTest, OpenChecksTheAccessModeAgainstTheFileMode) {
  ASSERT_OK(root.writeFile("/f", "x", 0644));
  EXPECT_OK(alice.open("/f", O_RDONLY));
  EXPECT_ERRNO(alice.open("/f", O_WRONLY), EACCES);
  EXPECT_ERRNO(alice.open("/f", O_RDONLY | O_TRUNC), EACCES);
  EXPECT_ERRNO(alice.truncate("/f", 0), EACCES);
  ASSERT_OK(root.writeFile("/secret", "x", 0600));
  EXPECT_ERRNO(alice.open("/secret", O_RDONLY), EACCES);
}

TEST_F(MemoryPermissionsTest, WritingClearsSetuidForNonRootWriters) {
  ASSERT_OK(root.writeFile("/prog", "x", 0777));
  ASSERT_OK(root.chmod("/prog", 04777));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, alice.open("/prog", O_WRONLY));
  ASSERT_OK(alice.write(fd, 0, "y"));
  ASSERT_OK_AND_ASSIGN(Iatt st, root.stat("/prog"));
  EXPECT_FALSE(st.mode & S_ISUID);
}

TEST_F(MemoryPermissionsTest, XattrNamespacesFollowLinux) {
  ASSERT_OK(root.writeFile("/f", "x", 0666));
  ASSERT_OK(root.chmod("/f", 0666));
  ASSERT_OK(root.setxattr("/f", "trusted.afr.c0", "abc"));
  EXPECT_ERRNO(alice.setxattr("/f", "trusted.x", "v"), EPERM);
  EXPECT_ERRNO(alice.getxattr("/f", "trusted.afr.c0"), ENODATA);
  ASSERT_OK(alice.setxattr("/f", "user.note", "hi"));
  ASSERT_OK_AND_ASSIGN(auto names, alice.listxattr("/f"));
  EXPECT_EQ(names, std::vector<std::string>{"user.note"});
  ASSERT_OK_AND_ASSIGN(Loc l, alice.loc("/f"));
  ASSERT_OK_AND_ASSIGN(EntryReply seen, alice.call(LookupReq{l, {"trusted.afr.*"}}));
  EXPECT_EQ(seen.xdata, (Dict{{"trusted.afr.c0", "abc"}}))
      << "lookup xattrs are the cluster translators' channel, whoever the caller";
  ASSERT_OK_AND_ASSIGN(auto all, root.listxattr("/f"));
  EXPECT_EQ(all, (std::vector<std::string>{"trusted.afr.c0", "user.note"}));
  EXPECT_ERRNO(root.setxattr("/f", "system.posix_acl_access", "x"), EOPNOTSUPP);
  EXPECT_ERRNO(root.setxattr("/f", "nonamespace", "x"), EOPNOTSUPP);
  ASSERT_OK(root.symlink("f", "/link"));
  EXPECT_ERRNO(root.setxattr("/link", "user.x", "v"), EPERM);
  EXPECT_OK(root.setxattr("/link", "trusted.x", "v"));
  EXPECT_ERRNO(root.setxattr("/f", "user.big", std::string(65537, 'v')), E2BIG);
}

TEST_F(MemoryPermissionsTest, OnlyRootMakesDevices) {
  ASSERT_OK(root.mkdir("/dev", 0777));
  ASSERT_OK(root.chmod("/dev", 0777));
  EXPECT_ERRNO(alice.mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)), EPERM);
  EXPECT_OK(alice.mknod("/dev/fifo", S_IFIFO | 0666));
  EXPECT_ERRNO(alice.mknod("/dev/dir", S_IFDIR | 0755), EPERM);
}

TEST_F(MemoryPermissionsTest, MovingADirectoryElsewhereNeedsWriteAccessToIt) {
  ASSERT_OK(root.mkdir("/a", 0777));
  ASSERT_OK(root.chmod("/a", 0777));
  ASSERT_OK(root.mkdir("/b", 0777));
  ASSERT_OK(root.chmod("/b", 0777));
  ASSERT_OK(root.mkdir("/a/locked", 0555));
  EXPECT_ERRNO(alice.rename("/a/locked", "/b/locked"), EACCES);
  EXPECT_OK(alice.rename("/a/locked", "/a/renamed")) << "same parent: '..' does not change";
}

}  // namespace
}  // namespace gf::test
