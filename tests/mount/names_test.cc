// SPDX-License-Identifier: GPL-3.0-or-later
// Namespace operations a mail spool relies on: rename, link counts, unlink, O_EXCL, mkdir/rmdir.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

using namespace std::chrono_literals;

class NamespaceTest : public MountTest {
 protected:
  ino_t inode(const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(lstatPath(path(rel), &st), "");
    return st.st_ino;
  }
  nlink_t links(const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(lstatPath(path(rel), &st), "");
    return st.st_nlink;
  }
  std::string content(const std::string& rel) {
    std::string data;
    EXPECT_EQ(readFile(path(rel), &data), "");
    return data;
  }
  std::vector<std::string> list(const std::string& rel) {
    std::vector<std::string> names;
    DIR* d = opendir(path(rel).c_str());
    EXPECT_NE(d, nullptr) << sysFail("opendir " + rel);
    if (d == nullptr) return names;
    while (dirent* de = readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }
  int errnoOf(int rc) { return rc == 0 ? 0 : errno; }
};

TEST_F(NamespaceTest, RenameOverExistingFileReplacesIt) {
  ASSERT_EQ(writeFile(path("target"), "old content"), "");
  ASSERT_EQ(writeFile(path("source"), "new content"), "");
  ino_t source_ino = inode("source");
  ASSERT_EQ(rename(path("source").c_str(), path("target").c_str()), 0) << sysFail("rename");
  EXPECT_EQ(content("target"), "new content");
  EXPECT_EQ(inode("target"), source_ino) << "rename must move the inode, not copy it";
  struct stat st;
  EXPECT_EQ(lstat(path("source").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT) << "the source name must be gone";
  EXPECT_EQ(list(""), std::vector<std::string>{"target"});
}

TEST_F(NamespaceTest, RenameOverOpenFileKeepsItForReaders) {
  ASSERT_EQ(writeFile(path("target"), "old content"), "");
  ASSERT_EQ(writeFile(path("source"), "new content"), "");
  Fd old_fd(open(path("target").c_str(), O_RDONLY));
  ASSERT_TRUE(old_fd.ok()) << sysFail("open target");
  ASSERT_EQ(rename(path("source").c_str(), path("target").c_str()), 0) << sysFail("rename");
  EXPECT_EQ(content("target"), "new content");
  std::string old;
  EXPECT_EQ(preadExact(old_fd.get(), 11, 0, &old), "");
  EXPECT_EQ(old, "old content") << "the replaced file lives on for descriptors open on it";

  std::vector<std::string> names = list("");
  std::string why;
  if (names != std::vector<std::string>{"target"}) {
    why = "after renaming over an open file the directory lists " + std::to_string(names.size()) +
          " names (first \"" + names[0] + "\"): the replaced file was hidden, not unlinked";
  }
  MT_REQUIRE_CAPABILITY("unlink_open", why.empty(), why);
  struct stat st;
  ASSERT_EQ(fstat(old_fd.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_nlink, 0u) << "the replaced inode has no names left";
}

TEST_F(NamespaceTest, RenameIntoOtherDirectoryReplacesAtomically) {
  // Maildir delivery: write into tmp/, then rename over a name in new/ while a reader keeps
  // opening that name. The reader must never miss the name nor see a partial message.
  ASSERT_EQ(mkdir(path("tmp").c_str(), 0700), 0) << sysFail("mkdir");
  ASSERT_EQ(mkdir(path("new").c_str(), 0700), 0) << sysFail("mkdir");
  constexpr size_t kSize = 8192;
  constexpr int kRounds = 300;
  auto message = [](int i) {
    std::string m = "message " + std::to_string(i) + "\n";
    m.resize(kSize, static_cast<char>('a' + i % 26));
    return m;
  };
  ASSERT_EQ(writeFile(path("new/msg"), message(0)), "");
  Pipe stop;
  std::string target = path("new/msg");
  Child reader([&]() -> std::string {
    int reads = 0;
    while (!stop.receive(0ms)) {
      std::string got;
      std::string err = readFile(target, &got);
      if (!err.empty()) return "reader after " + std::to_string(reads) + " reads: " + err;
      int n = std::atoi(got.c_str() + 8);
      if (got != message(n)) {
        return "reader saw a partial or mixed message (" + std::to_string(got.size()) +
               " bytes, starts \"" + got.substr(0, 16) + "\")";
      }
      ++reads;
    }
    return reads > 0 ? "" : "reader never ran";
  });
  for (int i = 1; i <= kRounds; ++i) {
    std::string tmp = path("tmp/msg." + std::to_string(i));
    Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
    ASSERT_TRUE(fd.ok()) << sysFail("open " + tmp);
    ASSERT_EQ(pwriteAll(fd.get(), message(i), 0), "");
    ASSERT_EQ(fsync(fd.get()), 0) << sysFail("fsync");
    fd.reset();
    ASSERT_EQ(rename(tmp.c_str(), target.c_str()), 0)
        << sysFail("rename round " + std::to_string(i));
  }
  ASSERT_EQ(stop.send(), "");
  std::string reader_result = reader.wait(30s);
  EXPECT_EQ(content("new/msg"), message(kRounds));
  EXPECT_EQ(list("tmp"), std::vector<std::string>{});
  EXPECT_EQ(list("new"), std::vector<std::string>{"msg"});
  if (reader_result.find("ENOENT") != std::string::npos) {
    // A path-based FUSE filesystem (libfuse's high-level API, as bindfs) forgets the replaced
    // node's name at rename, so an open() that looked the name up just before fails. It shows
    // the same design by hiding unlinked open files; that probe is what allows this skip.
    std::string why = probeUnlinkOpen(dir());
    if (!why.empty()) why = reader_result + "; this mount is path-based: " + why;
    MT_REQUIRE_CAPABILITY("unlink_open", why.empty(), why);
  }
  EXPECT_EQ(reader_result, "");
}

TEST_F(NamespaceTest, DirectoryLinkCountsCountSubdirectories) {
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  EXPECT_EQ(links("d"), 2u);
  ASSERT_EQ(mkdir(path("d/s1").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(mkdir(path("d/s2").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(writeFile(path("d/file"), "x"), "");
  EXPECT_EQ(links("d"), 4u) << "2 + one per subdirectory; files do not count";
  ASSERT_EQ(rmdir(path("d/s1").c_str()), 0) << sysFail("rmdir");
  EXPECT_EQ(links("d"), 3u);
  ASSERT_EQ(mkdir(path("e").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(rename(path("d/s2").c_str(), path("e/s2").c_str()), 0) << sysFail("rename");
  EXPECT_EQ(links("d"), 2u);
  EXPECT_EQ(links("e"), 3u);
  // ".." of the moved directory now names its new parent.
  struct stat dotdot, parent;
  ASSERT_EQ(stat(path("e/s2/..").c_str(), &dotdot), 0) << sysFail("stat");
  ASSERT_EQ(stat(path("e").c_str(), &parent), 0) << sysFail("stat");
  EXPECT_EQ(dotdot.st_ino, parent.st_ino);
}

TEST_F(NamespaceTest, FileLinkCountsUpdateOnEveryName) {
  std::string why = probeHardLinkCounts(dir());
  MT_REQUIRE_CAPABILITY("hardlink_nlink", why.empty(), why);
  ASSERT_EQ(writeFile(path("a"), "shared"), "");
  ASSERT_EQ(mkdir(path("sub").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(link(path("a").c_str(), path("b").c_str()), 0) << sysFail("link");
  ASSERT_EQ(link(path("b").c_str(), path("sub/c").c_str()), 0) << sysFail("link");
  for (const char* n : {"a", "b", "sub/c"}) EXPECT_EQ(links(n), 3u) << n;
  EXPECT_EQ(inode("a"), inode("sub/c"));
  // A write through one name shows through the others.
  ASSERT_EQ(writeFile(path("sub/c"), "changed via c"), "");
  EXPECT_EQ(content("a"), "changed via c");
  ASSERT_EQ(unlink(path("a").c_str()), 0) << sysFail("unlink");
  for (const char* n : {"b", "sub/c"}) EXPECT_EQ(links(n), 2u) << n;
  // link() of an existing name fails and changes nothing.
  ASSERT_EQ(writeFile(path("other"), "other"), "");
  EXPECT_EQ(errnoOf(link(path("b").c_str(), path("other").c_str())), EEXIST);
  EXPECT_EQ(content("other"), "other");
  EXPECT_EQ(links("b"), 2u);
}

TEST_F(NamespaceTest, UnlinkedOpenFileStaysReadableAndWritable) {
  std::string data = patternBytes(300000, 3);
  Fd fd(open(path("f").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_TRUE(fd.ok());
  ASSERT_EQ(pwriteAll(fd.get(), data, 0), "");
  Fd reader(open(path("f").c_str(), O_RDONLY));
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ(unlink(path("f").c_str()), 0) << sysFail("unlink");
  struct stat st;
  ASSERT_EQ(fstat(reader.get(), &st), 0) << sysFail("fstat right after unlink");
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
  EXPECT_EQ(lstat(path("f").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(open(path("f").c_str(), O_RDONLY), -1);
  std::string got;
  ASSERT_EQ(preadExact(reader.get(), data.size(), 0, &got), "");
  EXPECT_EQ(firstDifference(data, got), "") << "reading the unlinked file";
  ASSERT_EQ(pwriteAll(fd.get(), "appended", static_cast<off_t>(data.size())), "");
  ASSERT_EQ(preadExact(reader.get(), 8, static_cast<off_t>(data.size()), &got), "");
  EXPECT_EQ(got, "appended");
  ASSERT_EQ(fstat(reader.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size() + 8));
  ASSERT_EQ(ftruncate(fd.get(), 10), 0) << sysFail("ftruncate");
  ASSERT_EQ(fstat(reader.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_size, 10);
  // A new file may take the name while the old one is still open.
  ASSERT_EQ(writeFile(path("f"), "new"), "");
  ASSERT_EQ(preadExact(reader.get(), 10, 0, &got), "");
  EXPECT_EQ(got, data.substr(0, 10));
  EXPECT_EQ(content("f"), "new");
  // A file unlinked straight after its creation, before any I/O, is as usable.
  Fd fresh(open(path("fresh").c_str(), O_RDWR | O_CREAT | O_EXCL, 0600));
  ASSERT_TRUE(fresh.ok()) << sysFail("create");
  ASSERT_EQ(unlink(path("fresh").c_str()), 0) << sysFail("unlink");
  ASSERT_EQ(fstat(fresh.get(), &st), 0) << sysFail("fstat of a fresh file after unlink");
  EXPECT_EQ(st.st_size, 0);
  ASSERT_EQ(pwriteAll(fresh.get(), "still usable", 0), "");
  ASSERT_EQ(preadExact(fresh.get(), 12, 0, &got), "");
  EXPECT_EQ(got, "still usable");
}

TEST_F(NamespaceTest, UnlinkedOpenFileLeavesNoNameBehind) {
  std::string why = probeUnlinkOpen(dir());
  MT_REQUIRE_CAPABILITY("unlink_open", why.empty(), why);
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  Fd inner(open(path("d/f").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_TRUE(inner.ok());
  ASSERT_EQ(unlink(path("d/f").c_str()), 0) << sysFail("unlink");
  EXPECT_EQ(list("d"), std::vector<std::string>{});
  struct stat st;
  ASSERT_EQ(fstat(inner.get(), &st), 0) << sysFail("fstat of the unlinked open file");
  EXPECT_EQ(st.st_nlink, 0u) << "an unlinked open file has no links";
  EXPECT_EQ(rmdir(path("d").c_str()), 0) << sysFail(
      "rmdir of a directory whose only file is "
      "unlinked but still open");
}

TEST_F(NamespaceTest, ExclusiveCreateFailsOnEveryExistingName) {
  Fd fd(open(path("f").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  ASSERT_TRUE(fd.ok()) << sysFail("O_EXCL create of a new name");
  fd.reset();
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(symlink("does-not-exist", path("dangling").c_str()), 0) << sysFail("symlink");
  ASSERT_EQ(symlink("f", path("to-f").c_str()), 0) << sysFail("symlink");
  for (const char* name : {"f", "d", "dangling", "to-f"}) {
    EXPECT_EQ(open(path(name).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600), -1) << name;
    EXPECT_EQ(errno, EEXIST) << name << ": " << errnoName(errno);
  }
  struct stat st;
  EXPECT_EQ(lstat(path("does-not-exist").c_str(), &st), -1)
      << "O_EXCL through a dangling symlink must not create its target";
}

TEST_F(NamespaceTest, ConcurrentExclusiveCreateHasOneWinner) {
  // Lock files: several processes race to create the same names; each name has one winner.
  constexpr int kProcs = 4, kRounds = 60;
  std::string out = scratch();
  ASSERT_FALSE(out.empty());
  std::vector<Child> racers;
  for (int p = 0; p < kProcs; ++p) {
    racers.emplace_back([&, p]() -> std::string {
      std::string won;
      for (int r = 0; r < kRounds; ++r) {
        std::string name = path("lock." + std::to_string(r));
        int fd = open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
          won += std::to_string(r) + "\n";
          close(fd);
        } else if (errno != EEXIST) {
          return sysFail("racer open " + name);
        }
      }
      return writeFile(out + "/won." + std::to_string(p), won);
    });
  }
  for (auto& c : racers) ASSERT_EQ(c.wait(60s), "");
  std::map<int, int> winners;
  for (int p = 0; p < kProcs; ++p) {
    std::string won;
    ASSERT_EQ(readFile(out + "/won." + std::to_string(p), &won), "");
    for (size_t pos = 0; pos < won.size(); pos = won.find('\n', pos) + 1) {
      ++winners[std::atoi(won.c_str() + pos)];
    }
  }
  for (int r = 0; r < kRounds; ++r) EXPECT_EQ(winners[r], 1) << "winners of lock." << r;
}

TEST_F(NamespaceTest, MkdirAndRmdirReportPosixErrors) {
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  EXPECT_EQ(errnoOf(mkdir(path("d").c_str(), 0755)), EEXIST);
  ASSERT_EQ(writeFile(path("d/f"), "x"), "");
  EXPECT_EQ(errnoOf(rmdir(path("d").c_str())), ENOTEMPTY);
  EXPECT_EQ(errnoOf(rmdir(path("d/f").c_str())), ENOTDIR);
  EXPECT_EQ(errnoOf(unlink(path("d").c_str())), EISDIR);
  EXPECT_EQ(errnoOf(mkdir(path("missing/sub").c_str(), 0755)), ENOENT);
  EXPECT_EQ(errnoOf(mkdir(path("d/f/sub").c_str(), 0755)), ENOTDIR);
  EXPECT_EQ(errnoOf(rmdir(path("d/.").c_str())), EINVAL);
  ASSERT_EQ(unlink(path("d/f").c_str()), 0) << sysFail("unlink");
  EXPECT_EQ(rmdir(path("d").c_str()), 0) << sysFail("rmdir of an emptied directory");
  EXPECT_EQ(errnoOf(rmdir(path("d").c_str())), ENOENT);
  // The mode given to mkdir survives (the umask is cleared for the check).
  mode_t old = umask(0);
  ASSERT_EQ(mkdir(path("m").c_str(), 0751), 0) << sysFail("mkdir");
  umask(old);
  struct stat st;
  ASSERT_EQ(stat(path("m").c_str(), &st), 0) << sysFail("stat");
  EXPECT_EQ(st.st_mode & 07777, 0751u);
}

TEST_F(NamespaceTest, RenameFollowsPosixRules) {
  ASSERT_EQ(mkdir(path("a").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(mkdir(path("empty").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(mkdir(path("full").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(writeFile(path("full/x"), "x"), "");
  ASSERT_EQ(writeFile(path("a/f"), "in a"), "");
  ASSERT_EQ(writeFile(path("file"), "plain"), "");
  // A directory may replace an empty directory but not a non-empty one.
  ASSERT_EQ(rename(path("a").c_str(), path("empty").c_str()), 0)
      << sysFail("rename dir over empty");
  EXPECT_EQ(content("empty/f"), "in a");
  int e = errnoOf(rename(path("empty").c_str(), path("full").c_str()));
  EXPECT_TRUE(e == ENOTEMPTY || e == EEXIST) << errnoName(e);
  EXPECT_EQ(content("full/x"), "x");
  EXPECT_EQ(errnoOf(rename(path("file").c_str(), path("full").c_str())), EISDIR);
  EXPECT_EQ(errnoOf(rename(path("full").c_str(), path("file").c_str())), ENOTDIR);
  EXPECT_EQ(errnoOf(rename(path("full").c_str(), path("full/inside").c_str())), EINVAL);
  // Renaming one hard link onto another of the same file does nothing.
  ASSERT_EQ(link(path("file").c_str(), path("file2").c_str()), 0) << sysFail("link");
  ASSERT_EQ(rename(path("file").c_str(), path("file2").c_str()), 0) << sysFail("rename");
  EXPECT_EQ(content("file"), "plain");
  EXPECT_EQ(content("file2"), "plain");
  // Renaming onto itself is a successful no-op.
  ASSERT_EQ(rename(path("full").c_str(), path("full").c_str()), 0) << sysFail("rename");
  EXPECT_EQ(content("full/x"), "x");
  EXPECT_EQ(errnoOf(rename(path("nonexistent").c_str(), path("z").c_str())), ENOENT);
}

TEST_F(NamespaceTest, RenameNoReplaceRefusesExistingTarget) {
  ASSERT_EQ(writeFile(path("a"), "a"), "");
  ASSERT_EQ(writeFile(path("b"), "b"), "");
  // The VFS itself refuses an existing target; only a free target reaches the filesystem.
  int rc = renameat2(AT_FDCWD, path("a").c_str(), AT_FDCWD, path("c").c_str(), RENAME_NOREPLACE);
  std::string why =
      rc == 0 ? "" : "renameat2(RENAME_NOREPLACE) to a free name: " + errnoName(errno);
  MT_REQUIRE_CAPABILITY("rename_noreplace", why.empty(), why);
  EXPECT_EQ(content("c"), "a");
  EXPECT_EQ(renameat2(AT_FDCWD, path("c").c_str(), AT_FDCWD, path("b").c_str(), RENAME_NOREPLACE),
            -1);
  EXPECT_EQ(errno, EEXIST) << errnoName(errno);
  EXPECT_EQ(content("c"), "a");
  EXPECT_EQ(content("b"), "b");
}

}  // namespace
}  // namespace mt
