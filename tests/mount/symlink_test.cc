// SPDX-License-Identifier: GPL-3.0-or-later
// Operations on a symlink whose target lies outside the mount (and the brick) change the link
// only: `chown -h`, `setfattr -h`, `touch -h`; checked from the mount, the brick and the target.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

// Relative path from directory `from` to `to` (both absolute, canonical).
std::string relativePath(const std::string& from, const std::string& to) {
  std::string up;
  for (char c : from) {
    if (c == '/') up += "../";
  }
  return up + to.substr(1);
}

std::string realPath(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

class SymlinkTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_FALSE(scratch().empty());
    // The outside target: a root-owned file carrying xattrs of its own.
    target_ = realPath(scratch()) + "/outside-target";
    ASSERT_EQ(writeFile(target_, "outside", 0644), "");
    ASSERT_EQ(setxattr(target_.c_str(), "trusted.keep", "target-own", 10, 0), 0)
        << sysFail("setxattr on the scratch target (TEST_SCRATCH needs trusted.* xattrs)");
    ASSERT_EQ(writeFile(path("inside-target"), "inside", 0644), "");
    links_ = {{"abs-outside", target_}, {"rel-inside", "inside-target"}};
    if (haveBrick()) {
      // Resolved on the server, this relative target leaves the brick for the scratch file.
      std::string brick_dir = realPath(brickPath(""));
      ASSERT_FALSE(brick_dir.empty()) << "BRICK_DIR does not hold " << brickPath("");
      links_.push_back({"rel-outside", relativePath(brick_dir, target_)});
    }
    for (const auto& [name, t] : links_) {
      ASSERT_EQ(symlink(t.c_str(), path(name).c_str()), 0) << sysFail("symlink " + name);
    }
    ASSERT_EQ(stat(target_.c_str(), &target_before_), 0) << sysFail("stat");
    ASSERT_EQ(stat(path("inside-target").c_str(), &inside_before_), 0) << sysFail("stat");
  }

  // The targets must be exactly as they were: owner, mode, times (ctime catches any change,
  // even to identical values) and their own xattrs.
  void expectTargetsUntouched() {
    struct stat now;
    ASSERT_EQ(stat(target_.c_str(), &now), 0) << sysFail("stat");
    expectSame(target_before_, now, target_);
    ASSERT_EQ(stat(path("inside-target").c_str(), &now), 0) << sysFail("stat");
    expectSame(inside_before_, now, "inside-target");
    char buf[64];
    ssize_t n = getxattr(target_.c_str(), "trusted.keep", buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "target-own")
        << "the outside target's own xattr";
  }
  static void expectSame(const struct stat& a, const struct stat& b, const std::string& what) {
    EXPECT_EQ(a.st_uid, b.st_uid) << what << " owner changed";
    EXPECT_EQ(a.st_gid, b.st_gid) << what << " group changed";
    EXPECT_EQ(a.st_mode, b.st_mode) << what << " mode changed";
    EXPECT_TRUE(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec)
        << what << " mtime changed";
    EXPECT_TRUE(a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec)
        << what << " ctime changed: something modified the target";
  }
  void run(const std::string& cmd, int want_status = 0) {
    CommandResult r = runShell(cmd);
    EXPECT_EQ(r.status, want_status) << r.describe(cmd);
  }

  std::string target_;
  std::vector<std::pair<std::string, std::string>> links_;
  struct stat target_before_ {
  }, inside_before_{};
};

TEST_F(SymlinkTest, ChownHChangesTheLinkOnly) {
  for (const auto& [name, t] : links_) {
    run("chown -h 4321:8765 " + shellQuote(path(name)));
    struct stat st;
    ASSERT_EQ(lstat(path(name).c_str(), &st), 0) << sysFail("lstat");
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(st.st_uid, 4321u) << name << " owner seen through the mount";
    EXPECT_EQ(st.st_gid, 8765u) << name;
    if (haveBrick()) {
      ASSERT_EQ(lstat(brickPath(name).c_str(), &st), 0) << sysFail("lstat on the brick");
      EXPECT_TRUE(S_ISLNK(st.st_mode)) << name << " on the brick";
      EXPECT_EQ(st.st_uid, 4321u) << name << " owner on the brick";
    }
  }
  expectTargetsUntouched();
  if (haveBrick()) {
    struct stat st;
    ASSERT_EQ(stat(brickPath("inside-target").c_str(), &st), 0) << sysFail("stat");
    EXPECT_EQ(st.st_uid, 0u) << "inside target owner on the brick";
  }
  if (!haveBrick()) GTEST_SKIP() << "checked from the mount only: BRICK_DIR is not set";
}

TEST_F(SymlinkTest, SetfattrHChangesTheLinkOnly) {
  std::string why = probeSymlinkXattr(dir());
  MT_REQUIRE_CAPABILITY("symlink_xattr", why.empty(), why);
  for (const auto& [name, t] : links_) {
    std::string link = shellQuote(path(name));
    run("setfattr -h -n trusted.linkattr -v link-value " + link);
    CommandResult r =
        runShell("getfattr --absolute-names -h --only-values -n trusted.linkattr " + link);
    EXPECT_EQ(r.status, 0) << r.describe("getfattr -h");
    EXPECT_EQ(r.output, "link-value") << name;
    char buf[64];
    if (haveBrick()) {
      ssize_t n = lgetxattr(brickPath(name).c_str(), "trusted.linkattr", buf, sizeof buf);
      EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "link-value")
          << name << " on the brick: " << (n < 0 ? sysFail("lgetxattr") : "");
    }
    // Removing a name the link lacks fails, and must not remove the target's.
    run("setfattr -h -x trusted.keep " + link + " 2>/dev/null", 1);
    run("setfattr -h -x trusted.linkattr " + link);
    EXPECT_EQ(lgetxattr(path(name).c_str(), "trusted.linkattr", buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENODATA) << errnoName(errno);
  }
  char buf[64];
  EXPECT_EQ(getxattr(target_.c_str(), "trusted.linkattr", buf, sizeof buf), -1)
      << "the outside target got the link's xattr";
  EXPECT_EQ(getxattr(path("inside-target").c_str(), "trusted.linkattr", buf, sizeof buf), -1)
      << "the inside target got the link's xattr";
  expectTargetsUntouched();
  if (!haveBrick()) GTEST_SKIP() << "checked from the mount only: BRICK_DIR is not set";
}

TEST_F(SymlinkTest, TouchHChangesTheLinkOnly) {
  for (const auto& [name, t] : links_) {
    run("touch -h -d @1000000000.123456789 " + shellQuote(path(name)));
    struct stat st;
    ASSERT_EQ(lstat(path(name).c_str(), &st), 0) << sysFail("lstat");
    EXPECT_EQ(st.st_mtim.tv_sec, 1000000000) << name;
    EXPECT_EQ(st.st_mtim.tv_nsec, 123456789) << name;
    if (haveBrick()) {
      ASSERT_EQ(lstat(brickPath(name).c_str(), &st), 0) << sysFail("lstat");
      EXPECT_EQ(st.st_mtim.tv_sec, 1000000000) << name << " on the brick";
    }
  }
  expectTargetsUntouched();
}

TEST_F(SymlinkTest, ClientFollowsLinksForOrdinaryCalls) {
  std::string got;
  ASSERT_EQ(readFile(path("rel-inside"), &got), "");
  EXPECT_EQ(got, "inside");
  ASSERT_EQ(readFile(path("abs-outside"), &got), "");
  EXPECT_EQ(got, "outside") << "an absolute link resolves on the client";
  EXPECT_EQ(open(path("rel-inside").c_str(), O_RDONLY | O_NOFOLLOW), -1);
  EXPECT_EQ(errno, ELOOP);
  ASSERT_EQ(mkdir(path("dir").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(writeFile(path("dir/in"), "via dir link"), "");
  ASSERT_EQ(symlink("dir", path("dirlink").c_str()), 0) << sysFail("symlink");
  ASSERT_EQ(readFile(path("dirlink/in"), &got), "");
  EXPECT_EQ(got, "via dir link");
  struct stat st;
  ASSERT_EQ(stat(path("dirlink").c_str(), &st), 0) << sysFail("stat");
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_EQ(lstat(path("dirlink").c_str(), &st), 0) << sysFail("lstat");
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // A loop is reported as such.
  ASSERT_EQ(symlink("loop-b", path("loop-a").c_str()), 0) << sysFail("symlink");
  ASSERT_EQ(symlink("loop-a", path("loop-b").c_str()), 0) << sysFail("symlink");
  EXPECT_EQ(open(path("loop-a").c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, ELOOP);
  // Unlinking a link leaves its target.
  ASSERT_EQ(unlink(path("abs-outside").c_str()), 0) << sysFail("unlink");
  expectTargetsUntouched();
}

}  // namespace
}  // namespace mt
