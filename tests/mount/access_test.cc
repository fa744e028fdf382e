// SPDX-License-Identifier: GPL-3.0-or-later
// Permission checks as other users (fork + setresuid/setresgid): modes, groups, sticky and
// set-group-ID directories, and who may chmod, chown and set times.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

// Failure text unless `rc` failed with `want` (or succeeded, when want is 0).
std::string expectErrno(long rc, int want, const std::string& what) {
  int got = rc < 0 ? errno : 0;
  if (got == want) return "";
  return what + ": expected " + (want ? errnoName(want) : std::string("success")) + ", got " +
         (got ? errnoName(got) : std::string("success"));
}

// Runs checks in order, stopping at the first failure.
std::string all(std::initializer_list<std::function<std::string()>> checks) {
  for (const auto& c : checks) {
    std::string e = c();
    if (!e.empty()) return e;
  }
  return "";
}

int openClose(const std::string& p, int flags, mode_t mode = 0644) {
  int fd = open(p.c_str(), flags, mode);
  if (fd >= 0) close(fd);
  return fd < 0 ? -1 : 0;
}

class AccessTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Other users must be able to reach the test directory at all (allow_other).
    std::string why = asUser(65534, 65534, {}, []() -> std::string {
      struct stat st;
      return stat(".", &st) == 0 ? "" : sysFail("stat of the test directory as uid 65534");
    });
    ASSERT_EQ(why, "") << "the mount must admit other users (mount it with allow_other)";
  }
};

TEST_F(AccessTest, DirectoryModesApplyToOtherUsers) {
  for (auto [name, mode] : {std::pair{"d700", 0700}, {"d755", 0755}, {"d711", 0711}}) {
    ASSERT_EQ(mkdir(path(name).c_str(), 0700), 0) << sysFail("mkdir");
    ASSERT_EQ(writeFile(path(std::string(name) + "/f"), "root's file", 0644), "");
    ASSERT_EQ(chmod(path(name).c_str(), static_cast<mode_t>(mode)), 0) << sysFail("chmod");
  }
  ASSERT_EQ(mkdir(path("d777").c_str(), 0700), 0) << sysFail("mkdir");
  ASSERT_EQ(chmod(path("d777").c_str(), 0777), 0) << sysFail("chmod");
  std::string d = ".";  // children run in the test directory
  MT_EXPECT_OK(asUser(1000, 1000, {}, [d]() {
    struct stat st;
    return all({
        [&] {
          return expectErrno(opendir((d + "/d700").c_str()) ? 0 : -1, EACCES, "opendir 0700 dir");
        },
        [&] {
          return expectErrno(stat((d + "/d700/f").c_str(), &st), EACCES, "stat inside 0700 dir");
        },
        [&] {
          return expectErrno(openClose(d + "/d700/new", O_CREAT | O_WRONLY), EACCES,
                             "create inside 0700 dir");
        },
        [&] { return expectErrno(opendir((d + "/d755").c_str()) ? 0 : -1, 0, "opendir 0755 dir"); },
        [&] {
          return expectErrno(openClose(d + "/d755/f", O_RDONLY), 0, "read 0644 file in 0755 dir");
        },
        [&] {
          return expectErrno(openClose(d + "/d755/f", O_WRONLY), EACCES, "write root's 0644 file");
        },
        [&] {
          return expectErrno(openClose(d + "/d755/new", O_CREAT | O_WRONLY), EACCES,
                             "create inside 0755 dir");
        },
        [&] {
          return expectErrno(unlink((d + "/d755/f").c_str()), EACCES, "unlink inside 0755 dir");
        },
        [&] {
          return expectErrno(rename((d + "/d755/f").c_str(), (d + "/d777/stolen").c_str()), EACCES,
                             "rename out of 0755 dir");
        },
        [&] {
          return expectErrno(mkdir((d + "/d755/sub").c_str(), 0755), EACCES,
                             "mkdir inside 0755 dir");
        },
        [&] {
          return expectErrno(opendir((d + "/d711").c_str()) ? 0 : -1, EACCES, "opendir 0711 dir");
        },
        [&] {
          return expectErrno(openClose(d + "/d711/f", O_RDONLY), 0,
                             "read a known name in a 0711 dir");
        },
        [&] {
          return expectErrno(openClose(d + "/d777/mine", O_CREAT | O_WRONLY), 0,
                             "create inside 0777 dir");
        },
        [&] {
          if (stat((d + "/d777/mine").c_str(), &st) != 0) return sysFail("stat mine");
          return st.st_uid == 1000 && st.st_gid == 1000
                     ? ""
                     : "new file owned by " + std::to_string(st.st_uid) + ":" +
                           std::to_string(st.st_gid) + ", expected 1000:1000";
        },
    });
  }));
  struct stat st;
  EXPECT_EQ(lstat(path("d755/f").c_str(), &st), 0) << "root's file must survive";
}

TEST_F(AccessTest, FileModeClassesApplyInOrder) {
  ASSERT_EQ(writeFile(path("group-read"), "g", 0640), "");
  ASSERT_EQ(chown(path("group-read").c_str(), 0, 2000), 0) << sysFail("chown");
  ASSERT_EQ(writeFile(path("owner-denied"), "o", 0044), "");
  ASSERT_EQ(chown(path("owner-denied").c_str(), 1000, 1000), 0) << sysFail("chown");
  ASSERT_EQ(chmod(path("owner-denied").c_str(), 0044), 0) << sysFail("chmod");
  ASSERT_EQ(writeFile(path("group-only"), "x", 0070), "");
  ASSERT_EQ(chown(path("group-only").c_str(), 1000, 1000), 0) << sysFail("chown");
  ASSERT_EQ(chmod(path("group-only").c_str(), 0070), 0) << sysFail("chmod");
  ASSERT_EQ(writeFile(path("exec"), "#!/bin/sh\n", 0750), "");
  ASSERT_EQ(chown(path("exec").c_str(), 0, 2000), 0) << sysFail("chown");
  std::string d = ".";  // children run in the test directory
  // Not in group 2000: no access to a 0640 root:2000 file.
  MT_EXPECT_OK(asUser(1000, 1000, {}, [d] {
    return all({
        [&] {
          return expectErrno(openClose(d + "/group-read", O_RDONLY), EACCES,
                             "read 0640 file outside its group");
        },
        [&] {
          return expectErrno(openClose(d + "/owner-denied", O_RDONLY), EACCES,
                             "owner reads its 0044 file (owner class applies)");
        },
        [&] {
          return expectErrno(openClose(d + "/group-only", O_RDONLY), EACCES,
                             "owner reads its 0070 file");
        },
    });
  }));
  // In group 2000 as a supplementary group: read yes, write no.
  MT_EXPECT_OK(asUser(1000, 1000, {2000}, [d] {
    return all({
        [&] {
          return expectErrno(openClose(d + "/group-read", O_RDONLY), 0,
                             "read 0640 file via a supplementary group");
        },
        [&] {
          return expectErrno(openClose(d + "/group-read", O_WRONLY), EACCES,
                             "write 0640 file via a supplementary group");
        },
        [&] {
          return expectErrno(access((d + "/exec").c_str(), X_OK), 0,
                             "access(X_OK) of 0750 file in its group");
        },
        [&] {
          return expectErrno(access((d + "/exec").c_str(), W_OK), EACCES,
                             "access(W_OK) of 0750 file in its group");
        },
    });
  }));
  // Group 2000 as the primary group, and the others class.
  MT_EXPECT_OK(asUser(1001, 2000, {}, [d] {
    return all({
        [&] {
          return expectErrno(openClose(d + "/group-read", O_RDONLY), 0,
                             "read 0640 file via the primary group");
        },
        [&] {
          return expectErrno(openClose(d + "/owner-denied", O_RDONLY), 0,
                             "others read a 0044 file");
        },
        [&] {
          return expectErrno(access((d + "/owner-denied").c_str(), R_OK), 0,
                             "access(R_OK) as others");
        },
        [&] {
          return expectErrno(truncate((d + "/owner-denied").c_str(), 0), EACCES,
                             "truncate without write permission");
        },
    });
  }));
}

TEST_F(AccessTest, RootBypassesModeBits) {
  ASSERT_EQ(writeFile(path("locked"), "secret", 0000), "");
  ASSERT_EQ(chmod(path("locked").c_str(), 0000), 0) << sysFail("chmod");
  ASSERT_EQ(chown(path("locked").c_str(), 1000, 1000), 0) << sysFail("chown");
  std::string got;
  EXPECT_EQ(readFile(path("locked"), &got), "") << "root reads a mode 0000 file";
  EXPECT_EQ(got, "secret");
  EXPECT_EQ(writeFile(path("locked"), "rewritten"), "") << "root writes a mode 0000 file";
}

TEST_F(AccessTest, OnlyOwnersChangeModesAndTimes) {
  ASSERT_EQ(writeFile(path("f"), "x", 0666), "");
  ASSERT_EQ(chmod(path("f").c_str(), 0666), 0) << sysFail("chmod");
  ASSERT_EQ(chown(path("f").c_str(), 1000, 1000), 0) << sysFail("chown");
  ASSERT_EQ(writeFile(path("ro"), "x", 0644), "");
  ASSERT_EQ(chown(path("ro").c_str(), 1000, 1000), 0) << sysFail("chown");
  std::string f = "f", ro = "ro";  // relative to the test directory
  const timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  MT_EXPECT_OK(asUser(1000, 1000, {2000}, [&] {
    return all({
        [&] { return expectErrno(chmod(f.c_str(), 0644), 0, "owner chmod"); },
        [&] {
          return expectErrno(chown(f.c_str(), 1001, static_cast<gid_t>(-1)), EPERM,
                             "owner gives the file away");
        },
        [&] {
          return expectErrno(chown(f.c_str(), static_cast<uid_t>(-1), 2000), 0,
                             "owner chgrp to a group it is in");
        },
        [&] {
          return expectErrno(chown(f.c_str(), static_cast<uid_t>(-1), 3000), EPERM,
                             "owner chgrp to a group it is not in");
        },
        [&] { return expectErrno(chmod(f.c_str(), 0666), 0, "owner chmod back"); },
    });
  }));
  MT_EXPECT_OK(asUser(1001, 1001, {}, [&] {
    return all({
        [&] { return expectErrno(chmod(f.c_str(), 0777), EPERM, "non-owner chmod"); },
        [&] { return expectErrno(chown(f.c_str(), 1001, 1001), EPERM, "non-owner chown"); },
        [&] {
          return expectErrno(utimensat(AT_FDCWD, f.c_str(), times, 0), EPERM,
                             "non-owner sets explicit times");
        },
        [&] {
          return expectErrno(utimensat(AT_FDCWD, f.c_str(), nullptr, 0), 0,
                             "non-owner with write permission touches");
        },
        [&] {
          return expectErrno(utimensat(AT_FDCWD, ro.c_str(), nullptr, 0), EACCES,
                             "non-owner without write permission touches");
        },
    });
  }));
  struct stat st;
  ASSERT_EQ(stat(path(f).c_str(), &st), 0) << sysFail("stat");
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 2000u);
}

TEST_F(AccessTest, StickyDirectoryProtectsOthersEntries) {
  ASSERT_EQ(mkdir(path("spool").c_str(), 0700), 0) << sysFail("mkdir");
  ASSERT_EQ(chmod(path("spool").c_str(), 01777), 0) << sysFail("chmod");
  std::string s = "spool";
  MT_ASSERT_OK(asUser(1000, 1000, {}, [s] { return writeFile(s + "/mine", "by 1000", 0666); }));
  MT_EXPECT_OK(asUser(1001, 1001, {}, [s] {
    return all({
        [&] {
          return expectErrno(unlink((s + "/mine").c_str()), EPERM,
                             "unlink another user's file in a sticky dir");
        },
        [&] {
          return expectErrno(rename((s + "/mine").c_str(), (s + "/moved").c_str()), EPERM,
                             "rename another user's file in a sticky dir");
        },
        [&] {
          return expectErrno(openClose(s + "/theirs", O_CREAT | O_WRONLY), 0,
                             "create own file in a sticky dir");
        },
    });
  }));
  MT_EXPECT_OK(asUser(1000, 1000, {}, [s] {
    return expectErrno(unlink((s + "/mine").c_str()), 0, "unlink own file");
  }));
  struct stat st;
  EXPECT_EQ(lstat(path(s + "/theirs").c_str(), &st), 0) << sysFail("lstat");
  EXPECT_EQ(st.st_uid, 1001u);
}

TEST_F(AccessTest, NewEntriesTakeCreatorIdsAndSetgidGroup) {
  ASSERT_EQ(mkdir(path("shared").c_str(), 0700), 0) << sysFail("mkdir");
  ASSERT_EQ(chown(path("shared").c_str(), 0, 3000), 0) << sysFail("chown");
  ASSERT_EQ(chmod(path("shared").c_str(), 02777), 0) << sysFail("chmod");
  std::string s = "shared";
  MT_ASSERT_OK(asUser(1000, 1000, {}, [s] {
    umask(022);
    return all({
        [&] {
          return expectErrno(openClose(s + "/file", O_CREAT | O_WRONLY, 0666), 0,
                             "create in a setgid dir");
        },
        [&] { return expectErrno(mkdir((s + "/sub").c_str(), 0777), 0, "mkdir in a setgid dir"); },
        [&] {
          return expectErrno(mkfifo((s + "/fifo").c_str(), 0666), 0, "mkfifo in a setgid dir");
        },
    });
  }));
  struct stat st;
  ASSERT_EQ(lstat(path(s + "/file").c_str(), &st), 0) << sysFail("lstat");
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 3000u) << "a file in a setgid dir takes the dir's group";
  EXPECT_EQ(st.st_mode & 07777, 0644u) << "the creator's umask applies";
  ASSERT_EQ(lstat(path(s + "/sub").c_str(), &st), 0) << sysFail("lstat");
  EXPECT_EQ(st.st_gid, 3000u);
  EXPECT_EQ(st.st_mode & 07777, 02755u) << "a subdirectory inherits the setgid bit";
  ASSERT_EQ(lstat(path(s + "/fifo").c_str(), &st), 0) << sysFail("lstat");
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 3000u);
}

}  // namespace
}  // namespace mt
