// SPDX-License-Identifier: GPL-3.0-or-later
// Mounting and unmounting: mount(2) with fd=,rootmode=,user_id=,group_id= as root; otherwise
// fusermount3, which passes the /dev/fuse fd back over a unix socket (SCM_RIGHTS).
#include "libfuse-patched/src/mount.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "libfuse-patched/common/log.h"

namespace lfp::detail {
namespace {

struct FlagOpt {
  const char* name;
  unsigned long flag;
  bool set;
};
// Generic mount options that are mount(2) flags rather than FUSE data.
constexpr FlagOpt kFlagOpts[] = {
    {"ro", MS_RDONLY, true},
    {"rw", MS_RDONLY, false},
    {"nosuid", MS_NOSUID, true},
    {"suid", MS_NOSUID, false},
    {"nodev", MS_NODEV, true},
    {"dev", MS_NODEV, false},
    {"noexec", MS_NOEXEC, true},
    {"exec", MS_NOEXEC, false},
    {"noatime", MS_NOATIME, true},
    {"atime", MS_NOATIME, false},
    {"nodiratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, true},
    {"sync", MS_SYNCHRONOUS, true},
    {"async", MS_SYNCHRONOUS, false},
    {"dirsync", MS_DIRSYNC, true},
    {"lazytime", MS_LAZYTIME, true},
};

const FlagOpt* flagOpt(const std::string& o) {
  for (const FlagOpt& f : kFlagOpts)
    if (o == f.name) return &f;
  return nullptr;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    if (s.empty()) continue;
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::string fusermountOptions(const MountOptions& m) {
  std::vector<std::string> o;
  o.push_back("fsname=" + (m.fsname.empty() ? std::string("lfp") : m.fsname));
  if (!m.subtype.empty()) o.push_back("subtype=" + m.subtype);
  if (m.allowOther) o.push_back("allow_other");
  if (m.defaultPermissions) o.push_back("default_permissions");
  if (m.readOnly) o.push_back("ro");
  if (m.maxRead) o.push_back("max_read=" + std::to_string(m.maxRead));
  for (const std::string& e : m.extra) o.push_back(e);
  return join(o);
}

int receiveFd(int sock) {
  char byte;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return -1;
}

// Runs fusermount3 with `args`; if `commFd` >= 0 it is handed to the child as _FUSE_COMMFD.
int runFusermount(std::vector<std::string> args, int commFd) {
  pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    if (commFd >= 0) {
      fcntl(commFd, F_SETFD, 0);
      setenv("_FUSE_COMMFD", std::to_string(commFd).c_str(), 1);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("fusermount3"));
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("fusermount3", argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

MountResult mountWithFusermount(const MountOptions& m, std::string* error) {
  MountResult r;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    if (error) *error = std::string("socketpair: ") + std::strerror(errno);
    return r;
  }
  // The child keeps sv[1]; we read the fd from sv[0] after it exits (it sends before exit).
  int status = runFusermount({"-o", fusermountOptions(m), "--", m.mountpoint}, sv[1]);
  ::close(sv[1]);
  int fd = status == 0 ? receiveFd(sv[0]) : -1;
  ::close(sv[0]);
  if (fd < 0) {
    if (error)
      *error = status == 127 ? "not root and fusermount3 is not installed (package fuse3)"
                             : "fusermount3 failed to mount " + m.mountpoint + " (exit status " +
                                   std::to_string(status) + ")";
    return r;
  }
  r.fd = fd;
  r.viaFusermount = true;
  r.device = mountDevice(m.mountpoint);
  return r;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const char* s) {
  std::string out;
  for (; *s; ++s) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
      out += static_cast<char>((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
      s += 3;
    } else {
      out += *s;
    }
  }
  return out;
}

// The connection of a /dev/fuse fd is gone once polling it reports an error.
bool connectionAlive(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, 0, 0};
  return !(::poll(&p, 1, 0) == 1 && (p.revents & POLLERR));
}

}  // namespace

std::string mountDevice(const std::string& mountpoint) {
  char real[PATH_MAX];
  std::string want = ::realpath(mountpoint.c_str(), real) ? real : mountpoint;
  FILE* f = std::fopen("/proc/self/mountinfo", "re");
  if (!f) return "";
  std::string found;
  char line[8192];
  while (std::fgets(line, sizeof line, f)) {
    char dev[64], point[4096];
    // ID PARENT MAJOR:MINOR ROOT MOUNTPOINT ...
    if (std::sscanf(line, "%*u %*u %63s %*s %4095s", dev, point) != 2) continue;
    if (unescape(point) == want) found = dev;  // later lines are mounted on top
  }
  std::fclose(f);
  return found;
}

std::string kernelMountData(const MountOptions& m, int fd, unsigned rootmode,
                            unsigned long* flags) {
  unsigned long f = MS_NOSUID | MS_NODEV;
  if (m.readOnly) f |= MS_RDONLY;
  std::vector<std::string> o;
  char buf[128];
  std::snprintf(buf, sizeof buf, "fd=%d,rootmode=%o,user_id=%u,group_id=%u", fd, rootmode, getuid(),
                getgid());
  o.push_back(buf);
  if (m.allowOther) o.push_back("allow_other");
  if (m.defaultPermissions) o.push_back("default_permissions");
  if (m.maxRead) o.push_back("max_read=" + std::to_string(m.maxRead));
  for (const std::string& e : m.extra) {
    if (const FlagOpt* fo = flagOpt(e)) {
      f = fo->set ? (f | fo->flag) : (f & ~fo->flag);
      continue;
    }
    o.push_back(e);  // passed to the FUSE kernel module as given
  }
  if (flags) *flags = f;
  return join(o);
}

MountResult mountFuse(const MountOptions& m, std::string* error) {
  if (geteuid() != 0) return mountWithFusermount(m, error);
  MountResult r;
  struct stat st;
  if (::stat(m.mountpoint.c_str(), &st) != 0) {
    if (error) *error = "mountpoint " + m.mountpoint + ": " + std::strerror(errno);
    return r;
  }
  int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (error)
      *error = std::string("cannot open /dev/fuse: ") + std::strerror(errno) +
               " (is the fuse module loaded? try 'modprobe fuse')";
    return r;
  }
  unsigned long flags = 0;
  std::string data = kernelMountData(m, fd, st.st_mode & S_IFMT, &flags);
  std::string type = m.subtype.empty() ? "fuse" : "fuse." + m.subtype;
  std::string source = m.fsname.empty() ? "lfp" : m.fsname;
  if (::mount(source.c_str(), m.mountpoint.c_str(), type.c_str(), flags, data.c_str()) != 0) {
    int e = errno;
    ::close(fd);
    if (error)
      *error = "mount " + m.mountpoint + " (" + type + ", " + data + "): " + std::strerror(e);
    return r;
  }
  r.fd = fd;
  r.device = mountDevice(m.mountpoint);
  return r;
}

void unmountFuse(const std::string& mountpoint, bool viaFusermount, bool lazy, int fd,
                 const std::string& device) {
  if (!connectionAlive(fd)) return;  // already unmounted (or aborted)
  std::string now = mountDevice(mountpoint);
  if (now.empty() || (!device.empty() && now != device)) {
    if (!now.empty())
      log(kLogWarning, "not unmounting %s: the mount there (%s) is no longer ours (%s)",
          mountpoint.c_str(), now.c_str(), device.c_str());
    return;
  }
  if (viaFusermount) {
    std::vector<std::string> args = {"-u", "-q"};
    if (lazy) args.push_back("-z");
    args.push_back("--");
    args.push_back(mountpoint);
    if (runFusermount(args, -1) != 0 && !lazy)
      runFusermount({"-u", "-q", "-z", "--", mountpoint}, -1);
    return;
  }
  if (!lazy && ::umount2(mountpoint.c_str(), 0) == 0) return;
  if (::umount2(mountpoint.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    log(kLogWarning, "unmounting %s: %s", mountpoint.c_str(), std::strerror(errno));
}

}  // namespace lfp::detail
