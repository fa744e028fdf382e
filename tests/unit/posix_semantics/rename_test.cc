// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX semantics: rename, replacing targets, RENAME_NOREPLACE and RENAME_EXCHANGE.
#include <stdio.h>

#include "tests/unit/posix_semantics/posix_fixture.h"

namespace gf::test {
namespace {

GF_POSIX_SUITE(PosixRenameTest);

TYPED_TEST(PosixRenameTest, MovesAFileBetweenDirectoriesKeepingItsIdentity) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/tmp"));
  ASSERT_OK(fs.mkdir("/new"));
  ASSERT_OK_AND_ASSIGN(Iatt f, fs.writeFile("/tmp/msg", "body"));
  ASSERT_OK(fs.rename("/tmp/msg", "/new/msg"));
  EXPECT_ERRNO(fs.lookup("/tmp/msg"), ENOENT);
  ASSERT_OK_AND_ASSIGN(Iatt moved, fs.lookup("/new/msg"));
  EXPECT_EQ(moved.gfid, f.gfid);
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/new/msg"));
  EXPECT_EQ(data, "body");
}

TYPED_TEST(PosixRenameTest, ReplacesAnExistingFileAtomically) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(Iatt src, fs.writeFile("/src", "new contents"));
  ASSERT_OK(fs.writeFile("/dst", "old contents"));
  ASSERT_OK_AND_ASSIGN(FdPtr oldFd, fs.open("/dst", O_RDONLY));
  ASSERT_OK(fs.rename("/src", "/dst"));
  ASSERT_OK_AND_ASSIGN(Iatt dst, fs.lookup("/dst"));
  EXPECT_EQ(dst.gfid, src.gfid);
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/dst"));
  EXPECT_EQ(data, "new contents");
  // The replaced file lives on for whoever had it open, with no names left.
  ASSERT_OK_AND_ASSIGN(std::string old, fs.read(oldFd, 0, 100));
  EXPECT_EQ(old, "old contents");
  ASSERT_OK_AND_ASSIGN(Iatt oldSt, fs.fstat(oldFd));
  EXPECT_EQ(oldSt.nlink, 0u);
  ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/"));
  EXPECT_EQ(names, std::vector<std::string>{"dst"});
}

TYPED_TEST(PosixRenameTest, DirectoryReplacesOnlyAnEmptyDirectory) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/a"));
  ASSERT_OK(fs.writeFile("/a/inside", "x"));
  ASSERT_OK(fs.mkdir("/empty"));
  ASSERT_OK(fs.mkdir("/full"));
  ASSERT_OK(fs.writeFile("/full/f", "x"));
  ASSERT_OK(fs.writeFile("/file", "x"));
  EXPECT_ERRNO(fs.rename("/a", "/full"), ENOTEMPTY);
  EXPECT_ERRNO(fs.rename("/a", "/file"), ENOTDIR);
  EXPECT_ERRNO(fs.rename("/file", "/empty"), EISDIR);
  ASSERT_OK(fs.rename("/a", "/empty"));
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/empty/inside"));
  EXPECT_EQ(data, "x");
  EXPECT_ERRNO(fs.lookup("/a"), ENOENT);
}

TYPED_TEST(PosixRenameTest, NoreplaceRefusesAnExistingTarget) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/a", "a"));
  ASSERT_OK(fs.writeFile("/b", "b"));
  EXPECT_ERRNO(fs.rename("/a", "/b", RENAME_NOREPLACE), EEXIST);
  ASSERT_OK_AND_ASSIGN(std::string b, fs.readFile("/b"));
  EXPECT_EQ(b, "b");
  EXPECT_OK(fs.rename("/a", "/c", RENAME_NOREPLACE));
  EXPECT_ERRNO(fs.lookup("/a"), ENOENT);
}

TYPED_TEST(PosixRenameTest, ExchangeSwapsTwoEntriesEvenOfDifferentTypes) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/x"));
  ASSERT_OK_AND_ASSIGN(Iatt a, fs.writeFile("/a", "A"));
  ASSERT_OK_AND_ASSIGN(Iatt d, fs.mkdir("/x/d"));
  ASSERT_OK(fs.writeFile("/x/d/inner", "I"));
  ASSERT_OK(fs.rename("/a", "/x/d", RENAME_EXCHANGE));
  ASSERT_OK_AND_ASSIGN(Iatt nowA, fs.lookup("/x/d"));
  ASSERT_OK_AND_ASSIGN(Iatt nowD, fs.lookup("/a"));
  EXPECT_EQ(nowA.gfid, a.gfid);
  EXPECT_EQ(nowD.gfid, d.gfid);
  ASSERT_OK_AND_ASSIGN(std::string inner, fs.readFile("/a/inner"));
  EXPECT_EQ(inner, "I");
  EXPECT_ERRNO(fs.rename("/a", "/missing", RENAME_EXCHANGE), ENOENT);
  EXPECT_ERRNO(fs.rename("/a", "/x/d", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
}

TYPED_TEST(PosixRenameTest, ADirectoryCannotMoveBeneathItself) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/a"));
  ASSERT_OK(fs.mkdir("/a/b"));
  EXPECT_ERRNO(fs.rename("/a", "/a/b/c"), EINVAL);
  EXPECT_ERRNO(fs.rename("/a", "/a/c"), EINVAL);
}

TYPED_TEST(PosixRenameTest, RenamingOneHardLinkOntoAnotherDoesNothing) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/a", "x"));
  ASSERT_OK(fs.link("/a", "/b"));
  EXPECT_OK(fs.rename("/a", "/b"));
  ASSERT_OK_AND_ASSIGN(Iatt a, fs.lookup("/a"));
  ASSERT_OK_AND_ASSIGN(Iatt b, fs.lookup("/b"));
  EXPECT_EQ(a.gfid, b.gfid);
  EXPECT_EQ(b.nlink, 2u);
}

TYPED_TEST(PosixRenameTest, MovingADirectoryUpdatesBothParentsLinkCounts) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/p"));
  ASSERT_OK(fs.mkdir("/q"));
  ASSERT_OK(fs.mkdir("/p/child"));
  ASSERT_OK_AND_ASSIGN(Iatt p, fs.stat("/p"));
  ASSERT_OK_AND_ASSIGN(Iatt q, fs.stat("/q"));
  ASSERT_OK(fs.rename("/p/child", "/q/child"));
  ASSERT_OK_AND_ASSIGN(Iatt p2, fs.stat("/p"));
  ASSERT_OK_AND_ASSIGN(Iatt q2, fs.stat("/q"));
  EXPECT_EQ(p2.nlink, p.nlink - 1);
  EXPECT_EQ(q2.nlink, q.nlink + 1);
  ASSERT_OK_AND_ASSIGN(auto up, fs.readdirAll("/q/child", true));
  bool sawDotDot = false;
  for (const auto& e : up)
    if (e.name == "..") {
      sawDotDot = true;
      EXPECT_EQ(e.stat.ino, q.ino);
    }
  EXPECT_TRUE(sawDotDot);
}

TYPED_TEST(PosixRenameTest, AMissingSourceIsEnoent) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(InodePtr root, fs.resolve("/"));
  Loc src{root, "missing", fs.table().create()};
  Loc dst{root, "target", nullptr};
  EXPECT_ERRNO(fs.call(RenameReq{src, dst, 0}), ENOENT);
}

}  // namespace
}  // namespace gf::test
