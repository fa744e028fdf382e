// SPDX-License-Identifier: GPL-3.0-or-later
// Environment parsing, child processes, shell commands and the per-test watchdog.
#include "tests/mount/mount_env.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace mt {
namespace {

std::string getenvOr(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::string(fallback);
}

std::string stripSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

MountEnv readEnv() {
  MountEnv e;
  e.mount_dir = stripSlashes(getenvOr("MOUNT_DIR"));
  e.brick_dir = stripSlashes(getenvOr("BRICK_DIR"));
  e.remount_cmd = getenvOr("REMOUNT_CMD");
  e.scratch = stripSlashes(getenvOr("TEST_SCRATCH"));
  if (e.scratch.empty()) {
    char tmpl[] = "/tmp/mount_tests.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("mount_tests: mkdtemp");
      std::exit(2);
    }
    e.scratch = tmpl;
    e.scratch_owned = true;
    // A defaulted scratch directory is ours alone: remove it at exit.
    static std::string to_remove = e.scratch;
    std::atexit([] {
      std::string cmd = "rm -rf " + shellQuote(to_remove);
      if (std::system(cmd.c_str()) != 0)
        std::fprintf(stderr, "mount_tests: %s failed\n", cmd.c_str());
    });
  }
  std::string list = getenvOr("MOUNT_EXPECT");
  size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) e.expect.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  int t = std::atoi(getenvOr("MOUNT_TEST_TIMEOUT", "300").c_str());
  e.test_timeout_s = t > 0 ? t : 300;
  return e;
}

// ---- child registry and watchdog ----------------------------------------------------------

std::array<std::atomic<pid_t>, 128> g_children{};

void killChildren() {
  for (auto& slot : g_children) {
    pid_t p = slot.load();
    if (p > 0) kill(p, SIGKILL);
  }
}

// Aborts the whole run when one test exceeds its time bound. A thread, not alarm(): a test stuck
// in a FUSE request waits killably, so only process exit (which SIGKILLs every thread) frees it.
class Watchdog : public testing::EmptyTestEventListener {
 public:
  void OnTestStart(const testing::TestInfo& info) override {
    std::lock_guard lock(mu_);
    name_ = std::string(info.test_suite_name()) + "." + info.name();
    deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(env().test_timeout_s);
    armed_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    cv_.notify_all();
  }
  void OnTestEnd(const testing::TestInfo&) override {
    std::lock_guard lock(mu_);
    armed_ = false;
    cv_.notify_all();
  }
  void OnTestProgramEnd(const testing::UnitTest&) override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (!armed_) {
        cv_.wait(lock);
        continue;
      }
      if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && armed_ && !stop_ &&
          std::chrono::steady_clock::now() >= deadline_) {
        std::fprintf(stderr, "\n[  TIMEOUT ] %s exceeded %d s (MOUNT_TEST_TIMEOUT); aborting\n",
                     name_.c_str(), env().test_timeout_s);
        std::fflush(stderr);
        killChildren();
        if (env().scratch_owned) runShell("rm -rf " + shellQuote(env().scratch));
        _exit(3);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  std::string name_;
  std::chrono::steady_clock::time_point deadline_;
  bool armed_ = false;
  bool stop_ = false;
};

const bool g_watchdog_installed = [] {
  testing::UnitTest::GetInstance()->listeners().Append(new Watchdog);
  return true;
}();

bool readAll(int fd, std::string& out) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      return true;
    } else if (errno != EINTR) {
      return false;
    }
  }
}

void writeAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(status)));
  }
  return "status " + std::to_string(status);
}

}  // namespace

const MountEnv& env() {
  static const MountEnv e = readEnv();
  return e;
}

bool expected(std::string_view capability) {
  for (const auto& c : env().expect) {
    if (c == "all" || c == capability) return true;
  }
  return false;
}

std::string errnoName(int err) {
  const char* name = strerrorname_np(err);
  return std::string(name ? name : "E?") + " (" + std::strerror(err) + ")";
}

std::string sysFail(std::string_view what) { return std::string(what) + ": " + errnoName(errno); }

std::string shellQuote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

std::string CommandResult::describe(std::string_view cmd) const {
  return "`" + std::string(cmd) + "` " +
         (status == 0 ? std::string("succeeded") : "failed with status " + std::to_string(status)) +
         (output.empty() ? std::string() : ":\n" + output);
}

CommandResult runShell(const std::string& cmd) {
  // Output goes to an unlinked temporary file, not a pipe: a daemon the command starts (a
  // remount) may keep its inherited stdout open long after the command itself has exited.
  CommandResult r;
  FILE* out = std::tmpfile();
  if (out == nullptr) {
    r.output = sysFail("tmpfile");
    return r;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) {
    std::fclose(out);
    r.output = sysFail("fork");
    return r;
  }
  registerChild(pid);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  unregisterChild(pid);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(fileno(out), 0, SEEK_SET);
  readAll(fileno(out), r.output);
  std::fclose(out);
  return r;
}

void registerChild(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t expected_empty = 0;
    if (slot.compare_exchange_strong(expected_empty, pid)) return;
  }
}

void unregisterChild(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t p = pid;
    if (slot.compare_exchange_strong(p, 0)) return;
  }
}

Child::Child(Fn fn) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  std::fflush(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    close(fds[0]);
    std::string result;
    try {
      result = fn();
    } catch (const std::exception& e) {
      result = std::string("exception: ") + e.what();
    }
    writeAll(fds[1], result);
    _exit(result.empty() ? 0 : 1);
  }
  close(fds[1]);
  if (pid_ < 0) {
    close(fds[0]);
    return;
  }
  pipe_fd_ = fds[0];
  registerChild(pid_);
}

Child::Child(Child&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pipe_fd_(std::exchange(o.pipe_fd_, -1)),
      reaped_(std::exchange(o.reaped_, true)) {}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    unregisterChild(pid_);
  }
  if (pipe_fd_ >= 0) close(pipe_fd_);
}

bool Child::running() const {
  if (pid_ <= 0 || reaped_) return false;
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return false;
  }
  return info.si_pid == 0;
}

std::string Child::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return "could not fork the child process";
  if (reaped_) return "child already waited for";
  // The child writes its whole result and exits; EOF on the pipe means it is done.
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool eof = false;
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{pipe_fd_, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t got = read(pipe_fd_, buf, sizeof buf);
    if (got > 0) {
      text.append(buf, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      eof = true;
    }
  }
  bool timed_out = !eof;
  if (timed_out) kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  unregisterChild(pid_);
  if (timed_out) {
    return "child " + std::to_string(pid_) + " timed out after " + std::to_string(timeout.count()) +
           " ms" + (text.empty() ? "" : " (said: " + text + ")");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && text.empty()) return "";
  if (!text.empty()) return text;
  return "child " + describeStatus(status);
}

std::string runChild(Child::Fn fn, std::chrono::milliseconds timeout) {
  Child c(std::move(fn));
  return c.wait(timeout);
}

std::string runAs(uid_t uid, gid_t gid, std::vector<gid_t> groups, Child::Fn fn,
                  const std::string& cwd) {
  return runChild([uid, gid, cwd, groups = std::move(groups), fn = std::move(fn)]() -> std::string {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) return sysFail("chdir " + cwd);
    if (setgroups(groups.size(), groups.data()) != 0) return sysFail("setgroups");
    if (setresgid(gid, gid, gid) != 0) return sysFail("setresgid");
    if (setresuid(uid, uid, uid) != 0) return sysFail("setresuid");
    return fn();
  });
}

}  // namespace mt
