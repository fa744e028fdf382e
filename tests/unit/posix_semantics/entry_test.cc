// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX semantics: creating, looking up and removing names (files, dirs, links, specials).
#include <sys/sysmacros.h>

#include "tests/unit/posix_semantics/posix_fixture.h"

namespace gf::test {
namespace {

GF_POSIX_SUITE(PosixEntryTest);

TYPED_TEST(PosixEntryTest, MkdirMakesADirectoryWithTwoLinksAndCountsItInItsParent) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(Iatt root, fs.stat("/"));
  ASSERT_OK_AND_ASSIGN(Iatt d, fs.mkdir("/d", 0750));
  EXPECT_TRUE(d.isDir());
  EXPECT_EQ(d.mode & 07777, 0750u);
  EXPECT_EQ(d.nlink, 2u);
  EXPECT_EQ(d.ino, d.gfid.ino());
  ASSERT_OK_AND_ASSIGN(Iatt after, fs.stat("/"));
  EXPECT_EQ(after.nlink, root.nlink + 1);
  ASSERT_OK_AND_ASSIGN(Iatt again, fs.lookup("/d"));
  EXPECT_EQ(again.gfid, d.gfid);
}

TYPED_TEST(PosixEntryTest, RootHasTheRootGfidAndInodeOne) {
  ASSERT_OK_AND_ASSIGN(Iatt root, this->fs().stat("/"));
  EXPECT_TRUE(root.gfid.isRoot());
  EXPECT_EQ(root.ino, 1u);
  EXPECT_TRUE(root.isDir());
}

TYPED_TEST(PosixEntryTest, ExistingNamesCannotBeCreatedAgain) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/f", "x"));
  EXPECT_ERRNO(fs.mkdir("/d"), EEXIST);
  EXPECT_ERRNO(fs.mkdir("/f"), EEXIST);
  EXPECT_ERRNO(fs.symlink("t", "/f"), EEXIST);
  EXPECT_ERRNO(fs.mknod("/f", S_IFIFO | 0644), EEXIST);
  ASSERT_OK_AND_ASSIGN(Loc l, fs.newLoc("/f"));
  FdPtr fd = makeFd(l.inode, O_RDWR);
  EXPECT_ERRNO(fs.call(CreateReq{l, O_RDWR | O_CREAT | O_EXCL, 0644, 0, fd, {}}), EEXIST);
}

TYPED_TEST(PosixEntryTest, MissingNamesAreEnoentAndFilesAreNotDirectories) {
  auto& fs = this->fs();
  EXPECT_ERRNO(fs.lookup("/nope"), ENOENT);
  ASSERT_OK(fs.writeFile("/f", "x"));
  EXPECT_ERRNO(fs.lookup("/f/child"), ENOTDIR);
  EXPECT_ERRNO(fs.mkdir("/f/child"), ENOTDIR);
  EXPECT_ERRNO(fs.unlink("/nope"), ENOENT);
  EXPECT_ERRNO(fs.rmdir("/nope"), ENOENT);
}

TYPED_TEST(PosixEntryTest, UnlinkAndRmdirRefuseTheWrongType) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/f", "x"));
  EXPECT_ERRNO(fs.unlink("/d"), EISDIR);
  EXPECT_ERRNO(fs.rmdir("/f"), ENOTDIR);
  EXPECT_OK(fs.unlink("/f"));
  EXPECT_OK(fs.rmdir("/d"));
  EXPECT_ERRNO(fs.lookup("/f"), ENOENT);
  EXPECT_ERRNO(fs.lookup("/d"), ENOENT);
}

TYPED_TEST(PosixEntryTest, RmdirOfANonEmptyDirectoryIsEnotempty) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/d/f", "x"));
  EXPECT_ERRNO(fs.rmdir("/d"), ENOTEMPTY);
  ASSERT_OK(fs.unlink("/d/f"));
  EXPECT_OK(fs.rmdir("/d"));
}

TYPED_TEST(PosixEntryTest, HardLinksShareOneInodeAndCountNames) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/a"));
  ASSERT_OK(fs.mkdir("/b"));
  ASSERT_OK_AND_ASSIGN(Iatt f, fs.writeFile("/a/f", "shared"));
  ASSERT_OK_AND_ASSIGN(Iatt l, fs.link("/a/f", "/b/g"));
  EXPECT_EQ(l.gfid, f.gfid);
  EXPECT_EQ(l.ino, f.ino);
  EXPECT_EQ(l.nlink, 2u);
  ASSERT_OK_AND_ASSIGN(Iatt g, fs.stat("/b/g"));
  EXPECT_EQ(g.ino, f.ino);
  ASSERT_OK(fs.unlink("/a/f"));
  ASSERT_OK_AND_ASSIGN(Iatt left, fs.stat("/b/g"));
  EXPECT_EQ(left.nlink, 1u);
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/b/g"));
  EXPECT_EQ(data, "shared");
}

TYPED_TEST(PosixEntryTest, DirectoriesCannotBeHardLinked) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  EXPECT_ERRNO(fs.link("/d", "/e"), EPERM);
}

TYPED_TEST(PosixEntryTest, SymlinksKeepTheirTargetVerbatimAndAreNeverFollowed) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(Iatt s, fs.symlink("/etc/passwd", "/abs"));
  EXPECT_TRUE(s.isLink());
  EXPECT_EQ(s.size, std::string("/etc/passwd").size());
  ASSERT_OK(fs.symlink("../../outside/dangling", "/rel"));
  ASSERT_OK_AND_ASSIGN(std::string t1, fs.readlink("/abs"));
  ASSERT_OK_AND_ASSIGN(std::string t2, fs.readlink("/rel"));
  EXPECT_EQ(t1, "/etc/passwd");
  EXPECT_EQ(t2, "../../outside/dangling");
  ASSERT_OK_AND_ASSIGN(Iatt looked, fs.lookup("/abs"));
  EXPECT_TRUE(looked.isLink());
  EXPECT_ERRNO(fs.open("/abs", O_RDONLY), ELOOP);
  ASSERT_OK(fs.writeFile("/f", "x"));
  EXPECT_ERRNO(fs.readlink("/f"), EINVAL);
}

TYPED_TEST(PosixEntryTest, MknodMakesFifosSocketsAndDevices) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(Iatt fifo, fs.mknod("/fifo", S_IFIFO | 0640));
  EXPECT_EQ(fifo.type(), static_cast<uint32_t>(S_IFIFO));
  EXPECT_EQ(fifo.mode & 07777, 0640u);
  ASSERT_OK_AND_ASSIGN(Iatt sock, fs.mknod("/sock", S_IFSOCK | 0600));
  EXPECT_EQ(sock.type(), static_cast<uint32_t>(S_IFSOCK));
  ASSERT_OK_AND_ASSIGN(Iatt reg, fs.mknod("/reg", S_IFREG | 0600));
  EXPECT_TRUE(reg.isReg());
  ASSERT_OK_AND_ASSIGN(Iatt chr, fs.mknod("/null", S_IFCHR | 0666, makedev(1, 3)));
  EXPECT_EQ(chr.type(), static_cast<uint32_t>(S_IFCHR));
  EXPECT_EQ(chr.rdev, makedev(1, 3));
  ASSERT_OK_AND_ASSIGN(Iatt looked, fs.lookup("/null"));
  EXPECT_EQ(looked.rdev, makedev(1, 3));
}

TYPED_TEST(PosixEntryTest, AnUnlinkedFileStaysReadableThroughAnOpenFd) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "still here"));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_RDWR));
  ASSERT_OK(fs.unlink("/f"));
  EXPECT_ERRNO(fs.lookup("/f"), ENOENT);
  ASSERT_OK_AND_ASSIGN(std::string data, fs.read(fd, 0, 100));
  EXPECT_EQ(data, "still here");
  ASSERT_OK(fs.write(fd, 0, "STILL"));
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.fstat(fd));
  EXPECT_EQ(st.nlink, 0u);
  ASSERT_OK_AND_ASSIGN(std::string after, fs.read(fd, 0, 100));
  EXPECT_EQ(after, "STILL here");
}

TYPED_TEST(PosixEntryTest, NewFilesTakeTheRequestedGfid) {
  auto& fs = this->fs();
  Gfid want = Gfid::random();
  ASSERT_OK_AND_ASSIGN(Loc l, fs.newLoc("/f"));
  FdPtr fd = makeFd(l.inode, O_RDWR);
  ASSERT_OK_AND_ASSIGN(EntryReply created,
                       fs.call(CreateReq{l, O_RDWR | O_CREAT, 0644, 0, fd, want}));
  EXPECT_EQ(created.stat.gfid, want);
  EXPECT_EQ(created.stat.ino, want.ino());
  Gfid dirGfid = Gfid::random();
  ASSERT_OK_AND_ASSIGN(Loc dl, fs.newLoc("/d"));
  ASSERT_OK(fs.call(MkdirReq{dl, 0755, 0, dirGfid}));
  ASSERT_OK_AND_ASSIGN(Iatt f, fs.lookup("/f"));
  ASSERT_OK_AND_ASSIGN(Iatt d, fs.lookup("/d"));
  EXPECT_EQ(f.gfid, want);
  EXPECT_EQ(d.gfid, dirGfid);
}

TYPED_TEST(PosixEntryTest, UmaskIsAppliedToNewModes) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(Loc l, fs.newLoc("/d"));
  ASSERT_OK_AND_ASSIGN(EntryReply d, fs.call(MkdirReq{l, 0777, 022, {}}));
  EXPECT_EQ(d.stat.mode & 07777, 0755u);
}

TYPED_TEST(PosixEntryTest, NamesLongerThan255BytesAreRefused) {
  auto& fs = this->fs();
  std::string longName = "/" + std::string(256, 'n');
  EXPECT_ERRNO(fs.mkdir(longName), ENAMETOOLONG);
  std::string maxName = "/" + std::string(255, 'n');
  EXPECT_OK(fs.mkdir(maxName));
}

TYPED_TEST(PosixEntryTest, NewFilesBelongToTheCaller) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/pub", 0777));
  ASSERT_OK(fs.chmod("/pub", 0777));
  TestClient alice = fs.as(1000, 1000);
  ASSERT_OK_AND_ASSIGN(Iatt f, alice.writeFile("/pub/f", "mine"));
  EXPECT_EQ(f.uid, 1000u);
  EXPECT_EQ(f.gid, 1000u);
  ASSERT_OK_AND_ASSIGN(Iatt d, alice.mkdir("/pub/d"));
  EXPECT_EQ(d.uid, 1000u);
  EXPECT_EQ(d.gid, 1000u);
}

TYPED_TEST(PosixEntryTest, SetgidDirectoriesPassTheirGroupOn) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/shared", 0777));
  ASSERT_OK(fs.chown("/shared", 0, 500));
  ASSERT_OK(fs.chmod("/shared", 02777));
  TestClient alice = fs.as(1000, 1000, {500});
  ASSERT_OK_AND_ASSIGN(Iatt f, alice.writeFile("/shared/f", "x"));
  EXPECT_EQ(f.gid, 500u);
  ASSERT_OK_AND_ASSIGN(Iatt d, alice.mkdir("/shared/sub"));
  EXPECT_EQ(d.gid, 500u);
  EXPECT_TRUE(d.mode & S_ISGID);
}

}  // namespace
}  // namespace gf::test
