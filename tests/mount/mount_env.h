// SPDX-License-Identifier: GPL-3.0-or-later
// Environment, child-process and shell helpers shared by the POSIX mount-tier suite.
//
// The suite runs against any directory named by environment variables:
//   MOUNT_DIR     (required) the mounted directory under test
//   BRICK_DIR     (optional) the backing directory on the server side of MOUNT_DIR
//   REMOUNT_CMD   (optional) a shell command that unmounts and remounts MOUNT_DIR
//   TEST_SCRATCH  (optional) a local directory for source trees (default: mkdtemp in /tmp)
//   MOUNT_EXPECT  (optional) comma list of capabilities that must be present, or "all": a
//                 capability probe that fails then fails the test instead of skipping it.
//                 Capabilities: user_xattr, trusted_xattr, symlink_xattr (trusted.* on a
//                 symlink), hardlink_nlink (every name sees a new link count at once),
//                 mtime_only (utimensat with atime UTIME_OMIT), unlink_open (no .fuse_hidden
//                 names), rename_noreplace, long_paths (beyond PATH_MAX via dir fds),
//                 seek_hole (real holes from SEEK_HOLE), trusted_hidden (trusted.* not listed
//                 to unprivileged users). Run our own filesystems with MOUNT_EXPECT=all.
//   MOUNT_TEST_TIMEOUT (optional) seconds one test may take before the run is aborted (300)
//
// Child processes run a function after fork() and report back through a pipe: an empty string
// means success, anything else is the failure text shown by the parent's assertion.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mt {

struct MountEnv {
  std::string mount_dir;       // empty when MOUNT_DIR is unset
  std::string brick_dir;       // empty when BRICK_DIR is unset
  std::string remount_cmd;     // empty when REMOUNT_CMD is unset
  std::string scratch;         // always set (created on first use when defaulted)
  bool scratch_owned = false;  // created by this process, removed at exit
  std::vector<std::string> expect;
  int test_timeout_s = 300;
};

// The environment, read once.
const MountEnv& env();

// True when MOUNT_EXPECT names `capability` (or is "all").
bool expected(std::string_view capability);

// "EACCES (Permission denied)".
std::string errnoName(int err);

// Quotes `s` for /bin/sh.
std::string shellQuote(std::string_view s);

struct CommandResult {
  int status = -1;     // exit status, or 128+signal
  std::string output;  // stdout and stderr, interleaved
  // "`cmd` exited 1: <output>".
  std::string describe(std::string_view cmd) const;
};

// Runs `cmd` with /bin/sh -c, stdin from /dev/null, and collects its output.
CommandResult runShell(const std::string& cmd);

// A forked child process running a function that returns "" on success or a failure text.
class Child {
 public:
  using Fn = std::function<std::string()>;
  explicit Child(Fn fn);
  Child(Child&&) noexcept;
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  ~Child();  // kills and reaps a child still running

  pid_t pid() const { return pid_; }
  // True while the child has not exited (does not reap it).
  bool running() const;
  // Waits up to `timeout`; returns "" if the child succeeded, otherwise why it did not
  // (its own failure text, an exit status or signal, or "timed out" after killing it).
  std::string wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  int pipe_fd_ = -1;
  bool reaped_ = false;
};

// Starts a child and waits for it.
std::string runChild(Child::Fn fn, std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs `fn` in a child process whose real, effective and saved ids are uid/gid and whose
// supplementary groups are exactly `groups`; it first changes to `cwd` (while still root) when
// given, so that relative paths work whatever the permissions of the directories above.
std::string runAs(uid_t uid, gid_t gid, std::vector<gid_t> groups, Child::Fn fn,
                  const std::string& cwd = "");

// Records child pids so that the per-test watchdog can kill them when a test hangs.
void registerChild(pid_t pid);
void unregisterChild(pid_t pid);

// Formats "what: ERRNO (text)" from the current errno, for failure texts built in children.
std::string sysFail(std::string_view what);

}  // namespace mt
