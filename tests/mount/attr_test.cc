// SPDX-License-Identifier: GPL-3.0-or-later
// Attributes: chmod, chown (and the set-id bits it clears), utimensat nanoseconds, truncate,
// timestamps updated by writes, statfs.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

class AttrTest : public MountTest {
 protected:
  struct stat st(const std::string& rel) {
    struct stat s {};
    EXPECT_EQ(lstatPath(path(rel), &s), "");
    return s;
  }
};

bool sameTime(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

std::string show(const timespec& t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09ld", static_cast<long long>(t.tv_sec), t.tv_nsec);
  return buf;
}

TEST_F(AttrTest, ChmodSetsEveryModeBit) {
  ASSERT_EQ(writeFile(path("f"), "x"), "");
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  for (mode_t m : {0000, 0777, 0644, 0600, 04755, 02755, 06711, 0421, 01644}) {
    ASSERT_EQ(chmod(path("f").c_str(), m), 0) << sysFail("chmod");
    EXPECT_EQ(st("f").st_mode & 07777, m) << std::oct << "file mode 0" << m;
  }
  for (mode_t m : {01777, 02775, 0700, 0555}) {
    ASSERT_EQ(chmod(path("d").c_str(), m), 0) << sysFail("chmod");
    EXPECT_EQ(st("d").st_mode & 07777, m) << std::oct << "directory mode 0" << m;
  }
  Fd fd(open(path("f").c_str(), O_RDONLY));
  ASSERT_EQ(fchmod(fd.get(), 0640), 0) << sysFail("fchmod");
  EXPECT_EQ(st("f").st_mode & 07777, 0640u);
  struct stat fst;
  ASSERT_EQ(fstat(fd.get(), &fst), 0) << sysFail("fstat");
  EXPECT_EQ(fst.st_mode & 07777, 0640u);
}

TEST_F(AttrTest, ChownSetsOwnerAndGroup) {
  ASSERT_EQ(writeFile(path("f"), "x"), "");
  ASSERT_EQ(chown(path("f").c_str(), 1234, 5678), 0) << sysFail("chown");
  EXPECT_EQ(st("f").st_uid, 1234u);
  EXPECT_EQ(st("f").st_gid, 5678u);
  ASSERT_EQ(chown(path("f").c_str(), static_cast<uid_t>(-1), 4321), 0) << sysFail("chgrp");
  EXPECT_EQ(st("f").st_uid, 1234u) << "uid -1 leaves the owner alone";
  EXPECT_EQ(st("f").st_gid, 4321u);
  ASSERT_EQ(chown(path("f").c_str(), 99, static_cast<gid_t>(-1)), 0) << sysFail("chown");
  EXPECT_EQ(st("f").st_uid, 99u);
  EXPECT_EQ(st("f").st_gid, 4321u) << "gid -1 leaves the group alone";
  Fd fd(open(path("f").c_str(), O_RDONLY));
  ASSERT_EQ(fchown(fd.get(), 0, 0), 0) << sysFail("fchown");
  EXPECT_EQ(st("f").st_uid, 0u);
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(chown(path("d").c_str(), 2000, 3000), 0) << sysFail("chown");
  EXPECT_EQ(st("d").st_uid, 2000u);
  EXPECT_EQ(st("d").st_gid, 3000u);
}

TEST_F(AttrTest, ChownClearsSetIdBitsOfFiles) {
  // chown clears set-user-ID, and set-group-ID when group execute is set, even for root.
  ASSERT_EQ(writeFile(path("suid"), "x"), "");
  ASSERT_EQ(chmod(path("suid").c_str(), 06755), 0) << sysFail("chmod");
  ASSERT_EQ(chown(path("suid").c_str(), 1000, 1000), 0) << sysFail("chown");
  EXPECT_EQ(st("suid").st_mode & 07777, 0755u);
  // Set-group-ID without group execute marks mandatory locking and stays.
  ASSERT_EQ(writeFile(path("sgid"), "x"), "");
  ASSERT_EQ(chmod(path("sgid").c_str(), 02644), 0) << sysFail("chmod");
  ASSERT_EQ(chown(path("sgid").c_str(), 1000, 1000), 0) << sysFail("chown");
  EXPECT_EQ(st("sgid").st_mode & 07777, 02644u);
  // Directories keep theirs.
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(chmod(path("d").c_str(), 02775), 0) << sysFail("chmod");
  ASSERT_EQ(chown(path("d").c_str(), 1000, 1000), 0) << sysFail("chown");
  EXPECT_EQ(st("d").st_mode & 07777, 02775u);
}

TEST_F(AttrTest, WriteByAnotherUserClearsSetuid) {
  ASSERT_EQ(writeFile(path("f"), "original"), "");
  ASSERT_EQ(chmod(path("f").c_str(), 04777), 0) << sysFail("chmod");
  std::string p = path("f");
  ASSERT_EQ(asUser(1000, 1000, {},
                   [&]() -> std::string {
                     Fd fd(open("f", O_WRONLY));
                     if (!fd.ok()) return sysFail("open as uid 1000");
                     return pwriteAll(fd.get(), "changed", 0);
                   }),
            "");
  EXPECT_EQ(st("f").st_mode & 07777, 0777u) << "a write by a non-owner must drop set-user-ID";
  std::string got;
  ASSERT_EQ(readFile(p, &got), "");
  EXPECT_EQ(got, "changedl");
}

TEST_F(AttrTest, UtimensatKeepsNanoseconds) {
  ASSERT_EQ(writeFile(path("f"), "x"), "");
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  for (const char* name : {"f", "d"}) {
    const timespec ts[2] = {{1111111111, 123456789}, {1222222222, 987654321}};
    ASSERT_EQ(utimensat(AT_FDCWD, path(name).c_str(), ts, 0), 0) << sysFail("utimensat");
    struct stat s = st(name);
    EXPECT_TRUE(sameTime(s.st_atim, ts[0])) << name << " atime " << show(s.st_atim);
    EXPECT_TRUE(sameTime(s.st_mtim, ts[1])) << name << " mtime " << show(s.st_mtim);
  }
  // Times before 1970 and past 2038.
  for (time_t sec : {static_cast<time_t>(-1000000000), static_cast<time_t>(4102444800)}) {
    const timespec ts[2] = {{sec, 1}, {sec, 999999999}};
    ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), ts, 0), 0) << sysFail("utimensat");
    EXPECT_TRUE(sameTime(st("f").st_mtim, ts[1])) << "mtime " << show(st("f").st_mtim);
  }
  Fd fd(open(path("f").c_str(), O_RDONLY));
  const timespec ts[2] = {{1300000000, 5}, {1300000001, 6}};
  ASSERT_EQ(futimens(fd.get(), ts), 0) << sysFail("futimens");
  EXPECT_TRUE(sameTime(st("f").st_mtim, ts[1])) << show(st("f").st_mtim);
}

TEST_F(AttrTest, UtimensatNowAndOmit) {
  ASSERT_EQ(writeFile(path("f"), "x"), "");
  const timespec old[2] = {{1000000000, 111}, {1000000000, 222}};
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), old, 0), 0) << sysFail("utimensat");
  timespec before;
  clock_gettime(CLOCK_REALTIME, &before);
  const timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), now, 0), 0) << sysFail("utimensat NOW");
  struct stat s = st("f");
  EXPECT_GE(s.st_mtim.tv_sec, before.tv_sec - 2) << "UTIME_NOW must set the current time";
  EXPECT_LE(s.st_mtim.tv_sec, before.tv_sec + 5);

  std::string why = probeMtimeOnly(dir());
  MT_REQUIRE_CAPABILITY("mtime_only", why.empty(), why);
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), old, 0), 0) << sysFail("utimensat");
  const timespec only_atime[2] = {{1500000000, 7}, {0, UTIME_OMIT}};
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), only_atime, 0), 0) << sysFail("utimensat");
  s = st("f");
  EXPECT_TRUE(sameTime(s.st_atim, only_atime[0])) << show(s.st_atim);
  EXPECT_TRUE(sameTime(s.st_mtim, old[1])) << "UTIME_OMIT must keep the mtime: " << show(s.st_mtim);
  const timespec only_mtime[2] = {{0, UTIME_OMIT}, {1600000000, 8}};
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), only_mtime, 0), 0) << sysFail("utimensat");
  s = st("f");
  EXPECT_TRUE(sameTime(s.st_atim, only_atime[0])) << "UTIME_OMIT must keep the atime";
  EXPECT_TRUE(sameTime(s.st_mtim, only_mtime[1])) << show(s.st_mtim);
}

TEST_F(AttrTest, WritesAndNamespaceChangesUpdateTimes) {
  ASSERT_EQ(writeFile(path("f"), "x"), "");
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  const timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), old, 0), 0) << sysFail("utimensat");
  ASSERT_EQ(utimensat(AT_FDCWD, path("d").c_str(), old, 0), 0) << sysFail("utimensat");
  struct stat before = st("f");
  Fd fd(open(path("f").c_str(), O_WRONLY));
  ASSERT_EQ(pwriteAll(fd.get(), "more", 1), "");
  fd.reset();
  struct stat after = st("f");
  EXPECT_GT(after.st_mtim.tv_sec, old[1].tv_sec) << "write must update mtime";
  EXPECT_TRUE(after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
              (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
               after.st_ctim.tv_nsec >= before.st_ctim.tv_nsec))
      << "write must not move ctime backwards";
  ASSERT_EQ(writeFile(path("d/new"), "x"), "");
  EXPECT_GT(st("d").st_mtim.tv_sec, old[1].tv_sec) << "creating an entry updates the dir mtime";
  ASSERT_EQ(utimensat(AT_FDCWD, path("d").c_str(), old, 0), 0) << sysFail("utimensat");
  ASSERT_EQ(unlink(path("d/new").c_str()), 0) << sysFail("unlink");
  EXPECT_GT(st("d").st_mtim.tv_sec, old[1].tv_sec) << "removing an entry updates the dir mtime";
  // chmod changes ctime but not mtime.
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), old, 0), 0) << sysFail("utimensat");
  before = st("f");
  ASSERT_EQ(chmod(path("f").c_str(), 0600), 0) << sysFail("chmod");
  after = st("f");
  EXPECT_TRUE(sameTime(after.st_mtim, old[1])) << "chmod must not touch mtime";
  EXPECT_GE(after.st_ctim.tv_sec, before.st_ctim.tv_sec);
}

TEST_F(AttrTest, TruncateDownAndUpZeroFills) {
  std::string data = patternBytes(10000, 21);
  ASSERT_EQ(writeFile(path("f"), data), "");
  ASSERT_EQ(truncate(path("f").c_str(), 5000), 0) << sysFail("truncate down");
  EXPECT_EQ(st("f").st_size, 5000);
  ASSERT_EQ(truncate(path("f").c_str(), 20000), 0) << sysFail("truncate up");
  EXPECT_EQ(st("f").st_size, 20000);
  std::string got;
  ASSERT_EQ(readFile(path("f"), &got), "");
  std::string expect = data.substr(0, 5000) + std::string(15000, '\0');
  EXPECT_EQ(firstDifference(expect, got), "") << "the cut-off bytes must not come back";
  // ftruncate through an open descriptor, to an unaligned size and back up.
  Fd fd(open(path("f").c_str(), O_RDWR));
  ASSERT_EQ(ftruncate(fd.get(), 4097), 0) << sysFail("ftruncate");
  ASSERT_EQ(ftruncate(fd.get(), 12288), 0) << sysFail("ftruncate");
  ASSERT_EQ(preadExact(fd.get(), 12288, 0, &got), "");
  expect = data.substr(0, 4097) + std::string(12288 - 4097, '\0');
  EXPECT_EQ(firstDifference(expect, got), "");
  ASSERT_EQ(ftruncate(fd.get(), 0), 0) << sysFail("ftruncate");
  struct stat s;
  ASSERT_EQ(fstat(fd.get(), &s), 0) << sysFail("fstat");
  EXPECT_EQ(s.st_size, 0);
  char c;
  EXPECT_EQ(pread(fd.get(), &c, 1, 0), 0) << sysFail("pread");
  // O_TRUNC empties an existing file.
  ASSERT_EQ(writeFile(path("g"), data), "");
  Fd t(open(path("g").c_str(), O_WRONLY | O_TRUNC));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(st("g").st_size, 0);
  // A write beyond the end leaves a zero-filled gap.
  ASSERT_EQ(pwriteAll(t.get(), "tail", 100000), "");
  t.reset();
  ASSERT_EQ(readFile(path("g"), &got), "");
  EXPECT_EQ(firstDifference(std::string(100000, '\0') + "tail", got), "");
}

TEST_F(AttrTest, StatfsIsSane) {
  struct statvfs v;
  ASSERT_EQ(statvfs(dir().c_str(), &v), 0) << sysFail("statvfs");
  EXPECT_GT(v.f_bsize, 0u);
  EXPECT_GT(v.f_frsize, 0u);
  EXPECT_GT(v.f_blocks, 0u);
  EXPECT_LE(v.f_bfree, v.f_blocks);
  EXPECT_LE(v.f_bavail, v.f_bfree);
  EXPECT_LE(v.f_ffree, v.f_files);
  EXPECT_GE(v.f_namemax, 255u);
  // Through an open descriptor too.
  Fd fd(open(dir().c_str(), O_RDONLY | O_DIRECTORY));
  struct statvfs f;
  ASSERT_EQ(fstatvfs(fd.get(), &f), 0) << sysFail("fstatvfs");
  EXPECT_EQ(f.f_blocks, v.f_blocks);
  EXPECT_EQ(f.f_frsize, v.f_frsize);
}

}  // namespace
}  // namespace mt
