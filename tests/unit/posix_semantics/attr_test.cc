// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX semantics: attributes (chmod, chown, utimens with nanoseconds and "now", ctime and
// mtime rules), statfs, and the access check.
#include <time.h>
#include <unistd.h>

#include "tests/unit/posix_semantics/posix_fixture.h"

namespace gf::test {
namespace {

GF_POSIX_SUITE(PosixAttrTest);

Timespec now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Timespec{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

TYPED_TEST(PosixAttrTest, ChmodChangesPermissionBitsOnly) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x", 0644));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.chmod("/f", 04711));
  EXPECT_TRUE(st.isReg());
  EXPECT_EQ(st.mode & 07777, 04711u);
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK_AND_ASSIGN(Iatt d, fs.chmod("/d", 01777));
  EXPECT_TRUE(d.isDir());
  EXPECT_EQ(d.mode & 07777, 01777u);
}

TYPED_TEST(PosixAttrTest, ChownChangesOwnerAndGroup) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.chown("/f", 1234, 5678));
  EXPECT_EQ(st.uid, 1234u);
  EXPECT_EQ(st.gid, 5678u);
  ASSERT_OK_AND_ASSIGN(Iatt looked, fs.stat("/f"));
  EXPECT_EQ(looked.uid, 1234u);
  EXPECT_EQ(looked.gid, 5678u);
  Iatt onlyGid;
  onlyGid.gid = 42;
  ASSERT_OK_AND_ASSIGN(Iatt g, fs.setattr("/f", onlyGid, kSetGid));
  EXPECT_EQ(g.uid, 1234u);
  EXPECT_EQ(g.gid, 42u);
}

TYPED_TEST(PosixAttrTest, UtimensKeepsNanoseconds) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  Iatt t;
  t.atime = {1000000000, 123456789};
  t.mtime = {1200000000, 987654321};
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.setattr("/f", t, kSetAtime | kSetMtime));
  EXPECT_EQ(st.atime, t.atime);
  EXPECT_EQ(st.mtime, t.mtime);
  ASSERT_OK_AND_ASSIGN(Iatt looked, fs.stat("/f"));
  EXPECT_EQ(looked.atime, t.atime);
  EXPECT_EQ(looked.mtime, t.mtime);
  Iatt onlyM;
  onlyM.mtime = {5, 6};
  ASSERT_OK_AND_ASSIGN(Iatt m, fs.setattr("/f", onlyM, kSetMtime));
  EXPECT_EQ(m.mtime, onlyM.mtime);
  EXPECT_EQ(m.atime, t.atime);
}

TYPED_TEST(PosixAttrTest, UtimensNowUsesTheCurrentTime) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  Iatt old;
  old.atime = old.mtime = {1000, 0};
  ASSERT_OK(fs.setattr("/f", old, kSetAtime | kSetMtime));
  Timespec before = now();
  ASSERT_OK_AND_ASSIGN(
      Iatt st, fs.setattr("/f", Iatt{}, kSetAtime | kSetMtime | kSetAtimeNow | kSetMtimeNow));
  Timespec after = now();
  EXPECT_GE(st.mtime.sec, before.sec);
  EXPECT_LE(st.mtime.sec, after.sec);
  EXPECT_GE(st.atime.sec, before.sec);
}

TYPED_TEST(PosixAttrTest, WritesMoveMtimeAndCtimeAndMetadataChangesMoveCtime) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  Iatt old;
  old.atime = old.mtime = {1000, 0};
  ASSERT_OK(fs.setattr("/f", old, kSetAtime | kSetMtime));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_WRONLY));
  ASSERT_OK(fs.write(fd, 0, "y"));
  ASSERT_OK_AND_ASSIGN(Iatt written, fs.fstat(fd));
  EXPECT_GT(written.mtime.sec, 1000);
  ASSERT_OK(fs.setattr("/f", old, kSetAtime | kSetMtime));
  ASSERT_OK_AND_ASSIGN(Iatt reset, fs.stat("/f"));
  EXPECT_EQ(reset.mtime.sec, 1000);
  EXPECT_GT(reset.ctime.sec, 1000) << "setting times is itself a change";
  ASSERT_OK(fs.mkdir("/d"));
  Iatt dirOld;
  dirOld.mtime = {2000, 0};
  ASSERT_OK(fs.setattr("/d", dirOld, kSetMtime));
  ASSERT_OK(fs.writeFile("/d/new", ""));
  ASSERT_OK_AND_ASSIGN(Iatt d, fs.stat("/d"));
  EXPECT_GT(d.mtime.sec, 2000) << "adding a name modifies the directory";
}

TYPED_TEST(PosixAttrTest, StatfsReportsAConsistentFilesystem) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(Statvfs sv, fs.statfs());
  EXPECT_GT(sv.bsize, 0u);
  EXPECT_GT(sv.blocks, 0u);
  EXPECT_LE(sv.bfree, sv.blocks);
  EXPECT_LE(sv.bavail, sv.bfree);
  EXPECT_GE(sv.namemax, 255u);
}

TYPED_TEST(PosixAttrTest, AccessChecksModeBitsForTheCaller) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x", 0640));
  ASSERT_OK(fs.chmod("/f", 0640));
  ASSERT_OK(fs.chown("/f", 1000, 100));
  TestClient owner = fs.as(1000, 1000);
  TestClient member = fs.as(2000, 2000, {100});
  TestClient other = fs.as(3000, 3000);
  EXPECT_OK(owner.access("/f", R_OK | W_OK));
  EXPECT_ERRNO(owner.access("/f", X_OK), EACCES);
  EXPECT_OK(member.access("/f", R_OK));
  EXPECT_ERRNO(member.access("/f", W_OK), EACCES);
  EXPECT_ERRNO(other.access("/f", R_OK), EACCES);
  EXPECT_OK(other.access("/f", F_OK));
  EXPECT_OK(fs.access("/f", R_OK | W_OK));
  EXPECT_ERRNO(fs.access("/f", X_OK), EACCES) << "root needs an x bit to execute";
  EXPECT_OK(fs.access("/", X_OK));
}

}  // namespace
}  // namespace gf::test
