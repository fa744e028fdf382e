// SPDX-License-Identifier: GPL-3.0-or-later
// Daemon plumbing: fork with a readiness pipe, pid files, a signal thread, logging, volfiles.
#include "glusterfs/daemon/daemon_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "glusterfs/xlators/registry.h"

namespace gf {

Daemonizer::Daemonizer(bool detach) : detach_(detach) {
  if (!detach_) return;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + strerror(errno));
  if (pid > 0) {
    // Parent: wait for the child's verdict.
    close(fds[1]);
    char status = 1;
    ssize_t n;
    do {
      n = ::read(fds[0], &status, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
      int ws = 0;
      waitpid(pid, &ws, WNOHANG);
      _exit(1);  // the child died before reporting
    }
    _exit(status == 0 ? 0 : 1);
  }
  close(fds[0]);
  pipeFd_ = fds[1];
  setsid();
  if (chdir("/") < 0) {
  }
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    if (null > 2) close(null);
  }
}

void Daemonizer::ready() {
  if (pipeFd_ < 0) return;
  // Detach stderr only now: until here, errors reached the terminal of whoever started us.
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDERR_FILENO);
    if (null > 2) close(null);
  }
  char ok = 0;
  (void)!::write(pipeFd_, &ok, 1);
  close(pipeFd_);
  pipeFd_ = -1;
}

void Daemonizer::failed(const std::string& message) {
  if (!message.empty()) fprintf(stderr, "%s\n", message.c_str());
  if (pipeFd_ >= 0) {
    char bad = 1;
    (void)!::write(pipeFd_, &bad, 1);
  }
  _exit(1);
}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  FILE* f = fopen(path_.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write pid file " + path_ + ": " + strerror(errno));
  fprintf(f, "%d\n", getpid());
  fclose(f);
}

// A restarted daemon may already have written its own pid into the same file (umount, then
// mount again while this process is still shutting down); that file is not ours to remove.
PidFile::~PidFile() {
  if (path_.empty()) return;
  FILE* f = fopen(path_.c_str(), "r");
  if (!f) return;
  long pid = 0;
  bool ours = fscanf(f, "%ld", &pid) == 1 && pid == static_cast<long>(getpid());
  fclose(f);
  if (ours) unlink(path_.c_str());
}

SignalThread::SignalThread(std::function<void()> onStop, std::function<void()> onDump) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  wakeFd_ = eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([sfd, wake = wakeFd_, onStop = std::move(onStop), onDump = std::move(onDump)] {
    pthread_setname_np(pthread_self(), "signals");
    pollfd pfd[2] = {{sfd, POLLIN, 0}, {wake, POLLIN, 0}};
    while (true) {
      if (poll(pfd, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (pfd[1].revents) break;
      signalfd_siginfo si;
      if (::read(sfd, &si, sizeof si) != sizeof si) continue;
      if (si.ssi_signo == SIGHUP) {
        GF_LOG_INFO("signal", "SIGHUP: reopening the log file");
        log::reopen();
      } else if (si.ssi_signo == SIGUSR1) {
        if (onDump) onDump();
      } else {
        GF_LOG_INFO("signal", "received signal %u, shutting down", si.ssi_signo);
        onStop();
      }
    }
    close(sfd);
  });
}

SignalThread::~SignalThread() {
  uint64_t one = 1;
  (void)!::write(wakeFd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  close(wakeFd_);
}

std::string absolutePath(const std::string& path) {
  if (path.empty() || path == "-" || path[0] == '/') return path;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return path;
  return std::string(cwd) + "/" + path;
}

void raiseFileLimit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = rl.rlim_max;
  // The hard limit may be raised by root up to fs.nr_open.
  if (FILE* f = fopen("/proc/sys/fs/nr_open", "r")) {
    unsigned long v;
    if (fscanf(f, "%lu", &v) == 1 && geteuid() == 0) want = std::max<rlim_t>(want, v);
    fclose(f);
  }
  rlimit next{want, want};
  if (setrlimit(RLIMIT_NOFILE, &next) != 0) {
    next.rlim_cur = rl.rlim_max;
    next.rlim_max = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &next);
  }
}

bool setupLogging(const std::string& file, const std::string& level, const char* prog) {
  if (!level.empty()) {
    log::Level l;
    if (!log::parseLevel(level, l)) {
      fprintf(stderr,
              "%s: invalid log level '%s' (use NONE, CRITICAL, ERROR, WARNING, NORMAL, DEBUG "
              "or TRACE)\n",
              prog, level.c_str());
      return false;
    }
    log::setLevel(l);
  }
  if (!file.empty() && file != "-") {
    auto slash = file.rfind('/');
    if (slash != std::string::npos && slash > 0) mkdir(file.substr(0, slash).c_str(), 0755);
  }
  Status st = log::openFile(file);
  if (!st) {
    fprintf(stderr, "%s: cannot open log file %s: %s\n", prog, file.c_str(),
            st.error().message().c_str());
    return false;
  }
  return true;
}

std::unique_ptr<Graph> loadGraph(const char* prog, const std::string& volfile,
                                 const GraphOptions& opts) {
  try {
    return Graph::fromFile(volfile, builtinXlators(), opts);
  } catch (const VolfileError& e) {
    fprintf(stderr, "%s: %s\n", prog, e.what());
    return nullptr;
  }
}

}  // namespace gf

namespace gf {
std::unique_ptr<Graph> loadGraphText(const char* prog, const std::string& text,
                                     const std::string& name, const GraphOptions& opts) {
  try {
    return Graph::fromText(text, builtinXlators(), opts, name);
  } catch (const VolfileError& e) {
    fprintf(stderr, "%s: %s\n", prog, e.what());
    return nullptr;
  }
}
}  // namespace gf
