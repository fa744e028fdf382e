// SPDX-License-Identifier: GPL-3.0-or-later
// The MountTest fixture (a fresh directory under MOUNT_DIR per test) and small file helpers.
//
// Helpers return "" on success and a failure text otherwise, so that they can be used both in
// the test body (ASSERT_EQ(helper(...), "")) and in forked children, which must not use gtest.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/mount/mount_env.h"

namespace mt {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A pipe for signalling between a test and its children, one byte per event.
class Pipe {
 public:
  Pipe();
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  // Writes one byte; "" or the failure.
  std::string send(char c = '.');
  // Waits up to `timeout` for one byte; false on timeout or when every writer has gone.
  bool receive(std::chrono::milliseconds timeout, char* c = nullptr);
  void closeWriteEnd();

 private:
  int fds_[2] = {-1, -1};
};

// Deterministic pseudo-random bytes (xorshift) so that content checks find misplaced data.
std::string patternBytes(size_t n, uint64_t seed);

// Creates or truncates `path` with `mode` and writes `data`.
std::string writeFile(const std::string& path, std::string_view data, mode_t mode = 0644);
// Reads the whole file into *out.
std::string readFile(const std::string& path, std::string* out);
// pwrite()s all of `data` at `off`.
std::string pwriteAll(int fd, std::string_view data, off_t off);
// pread()s exactly `len` bytes at `off` (a short read is a failure).
std::string preadExact(int fd, size_t len, off_t off, std::string* out);
// Removes a tree without following symlinks or crossing mounts.
std::string removeTree(const std::string& path);
// lstat() into *st.
std::string lstatPath(const std::string& path, struct stat* st);
// "offset N: expected 0x.. got 0x.." for the first difference, or "" when equal.
std::string firstDifference(std::string_view expected, std::string_view actual);

// Capability probes, run inside `dir`: "" when the mount supports the feature, else why not.
// An xattr `name` (user.* or trusted.*) set and read back on a regular file.
std::string probeFileXattr(const std::string& dir, const std::string& name);
// A trusted.* xattr set with lsetxattr on a symlink and read back with lgetxattr.
std::string probeSymlinkXattr(const std::string& dir);

// Every name of a hard-linked file reports the new link count right after link().
std::string probeHardLinkCounts(const std::string& dir);
// utimensat() with atime UTIME_OMIT (as `touch -m` and tar do) sets the mtime.
std::string probeMtimeOnly(const std::string& dir);

// unlink() of an open file removes its name (libfuse's high-level API instead renames it to
// .fuse_hiddenXXX until the last close).
std::string probeUnlinkOpen(const std::string& dir);

// "MOUNTPOINT FSTYPE SOURCE" of the mount that holds `path` (from /proc/self/mountinfo), or ""
// with *err set. A remount keeps it; a mount that went away changes it.
std::string mountIdentity(const std::string& path, std::string* err);

class MountTest : public testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // This test's directory on the mount, and a path inside it.
  const std::string& dir() const { return dir_; }
  std::string path(std::string_view rel) const;
  // The same path seen from BRICK_DIR (callers check haveBrick() first).
  bool haveBrick() const { return !env().brick_dir.empty(); }
  std::string brickPath(std::string_view rel) const;
  // A fresh local directory under TEST_SCRATCH, removed after the test.
  std::string scratch();
  // runAs() in this test's directory: the child should use paths relative to it.
  std::string asUser(uid_t uid, gid_t gid, std::vector<gid_t> groups, Child::Fn fn) const {
    return runAs(uid, gid, std::move(groups), std::move(fn), dir_);
  }

 private:
  std::string name_;
  std::string dir_;
  std::string scratch_;
};

}  // namespace mt

// Expects a helper's result to be "" and prints only its failure text otherwise.
#define MT_EXPECT_OK(expr)                         \
  do {                                             \
    std::string mt_result_ = (expr);               \
    EXPECT_TRUE(mt_result_.empty()) << mt_result_; \
  } while (0)
#define MT_ASSERT_OK(expr)                         \
  do {                                             \
    std::string mt_result_ = (expr);               \
    ASSERT_TRUE(mt_result_.empty()) << mt_result_; \
  } while (0)

// Skips the test when BRICK_DIR is not set.
#define MT_REQUIRE_BRICK()                                                                   \
  do {                                                                                       \
    if (!haveBrick()) GTEST_SKIP() << "BRICK_DIR is not set: cannot look beneath the mount"; \
  } while (0)

// Skips the test when a capability probe failed, unless MOUNT_EXPECT names the capability, in
// which case the missing capability is a failure.
#define MT_REQUIRE_CAPABILITY(cap, ok, why)                                                \
  do {                                                                                     \
    if (!(ok)) {                                                                           \
      if (::mt::expected(cap)) {                                                           \
        FAIL() << "capability '" cap "' is missing but MOUNT_EXPECT requires it: " << why; \
      } else {                                                                             \
        GTEST_SKIP() << "capability '" cap "' is missing on this mount: " << why;          \
      }                                                                                    \
    }                                                                                      \
  } while (0)
