// SPDX-License-Identifier: GPL-3.0-or-later
// passthrough: mounts a source directory through lfp (built on our library and on stock
// libfuse3 from this same source). Usage: passthrough [options] SOURCE MOUNTPOINT.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "libfuse-patched/examples/passthrough_fs.h"

namespace {

constexpr const char* kUsage =
    "usage: passthrough [options] SOURCE MOUNTPOINT\n"
    "  -f                foreground (default: detach after mounting)\n"
    "  -o OPT[,OPT...]   allow_other, default_permissions, ro, fsname=, subtype=, max_read=,\n"
    "                    timeout=SEC, attr_timeout=SEC, entry_timeout=SEC, direct_io,\n"
    "                    keep_cache, locks (held in the source tree; F_GETLK cannot name\n"
    "                    the holder), noreaddirplus, debug; others go to the kernel\n"
    "  --threads N       worker threads\n"
    "  --io-uring        FUSE over io_uring when the kernel offers it\n"
    "  --passthrough     kernel passthrough of reads/writes to the source files\n"
    "  --splice          splice request and reply data\n"
    "  --writeback       writeback cache\n"
    "  --max-pages N     pages per request (raises fs.fuse.max_pages_limit as root)\n"
    "  --readahead N|max read-ahead in bytes, or the request size (root)\n"
    "  --stats FILE      write per-opcode request sizes at unmount and on SIGUSR1\n"
    "  -d, --debug       log every request\n";

struct Args {
  std::string source, mountpoint, statsFile;
  bool foreground = false;
  lfp::SessionOptions session;
  lfp::MountOptions mount;
  passthrough::Options fs;
};

bool parseOpts(const std::string& list, Args& a) {
  std::stringstream ss(list);
  std::string o;
  while (std::getline(ss, o, ',')) {
    auto val = [&](const char* key) -> const char* {
      size_t n = std::strlen(key);
      return o.compare(0, n, key) == 0 ? o.c_str() + n : nullptr;
    };
    if (o.empty()) continue;
    if (o == "allow_other")
      a.mount.allowOther = true;
    else if (o == "default_permissions")
      a.mount.defaultPermissions = true;
    else if (o == "ro")
      a.mount.readOnly = true;
    else if (o == "direct_io")
      a.fs.directIo = true;
    else if (o == "keep_cache")
      a.fs.keepCache = true;
    else if (o == "locks")
      a.fs.locks = true;
    else if (o == "noreaddirplus")
      a.fs.readdirplus = false;
    else if (o == "debug")
      a.session.debug = true;
    else if (const char* v = val("fsname="))
      a.mount.fsname = v;
    else if (const char* v = val("subtype="))
      a.mount.subtype = v;
    else if (const char* v = val("max_read="))
      a.mount.maxRead = std::strtoul(v, nullptr, 0);
    else if (const char* v = val("timeout="))
      a.fs.attrTimeout = a.fs.entryTimeout = std::atof(v);
    else if (const char* v = val("attr_timeout="))
      a.fs.attrTimeout = std::atof(v);
    else if (const char* v = val("entry_timeout="))
      a.fs.entryTimeout = std::atof(v);
    else
      a.mount.extra.push_back(o);
  }
  return true;
}

bool parseArgs(int argc, char** argv, Args& a) {
  if (geteuid() == 0) a.mount.allowOther = a.mount.defaultPermissions = true;
  a.mount.fsname = "passthrough";
  a.mount.subtype = "passthrough";
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (s == "-f")
      a.foreground = true;
    else if (s == "-d" || s == "--debug")
      a.session.debug = a.foreground = true;
    else if (s == "-o") {
      const char* v = next();
      if (!v || !parseOpts(v, a)) return false;
    } else if (s == "--threads") {
      const char* v = next();
      if (!v) return false;
      a.session.maxThreads = static_cast<unsigned>(std::strtoul(v, nullptr, 0));
    } else if (s == "--io-uring")
      a.session.ioUring = true;
    else if (s == "--passthrough")
      a.session.passthrough = a.fs.kernelPassthrough = true;
    else if (s == "--splice")
      a.session.splice = true;
    else if (s == "--writeback")
      a.session.writebackCache = true;
    else if (s == "--max-pages") {
      const char* v = next();
      if (!v) return false;
      a.session.maxPages = static_cast<unsigned>(std::strtoul(v, nullptr, 0));
      a.session.raiseMaxPagesLimit = true;
    } else if (s == "--readahead") {
      const char* v = next();
      if (!v) return false;
      a.session.readahead = std::string(v) == "max"
                                ? lfp::SessionOptions::kReadaheadRequestSize
                                : static_cast<uint32_t>(std::strtoul(v, nullptr, 0));
    } else if (s == "--stats") {
      const char* v = next();
      if (!v) return false;
      a.statsFile = v;
    } else if (s == "-h" || s == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (!s.empty() && s[0] == '-') {
      std::fprintf(stderr, "passthrough: unknown option %s\n", s.c_str());
      return false;
    } else if (a.source.empty())
      a.source = s;
    else if (a.mountpoint.empty())
      a.mountpoint = s;
    else
      return false;
  }
  return !a.source.empty() && !a.mountpoint.empty();
}

void writeStats(const std::string& path, const lfp::Session& s) {
  if (path.empty()) return;
  const lfp::ConnectionInfo& c = s.conn();
  lfp::Session::Stats st = s.stats();
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << "# backend=" << c.backend << " proto=" << c.protoMajor << '.' << c.protoMinor
        << " max_write=" << c.maxWrite << " max_pages=" << c.maxPages
        << " max_readahead=" << c.maxReadahead << " patch_level=" << c.patchLevel << '\n';
    out << "# requests=" << st.requests << " max_read=" << st.maxReadSize
        << " max_write=" << st.maxWriteSize << " max_readdir=" << st.maxReaddirSize
        << " malformed=" << st.malformed << " dropped=" << st.droppedWithoutReply
        << " uring_queues=" << st.uringQueues << " uring_requests=" << st.uringRequests << '\n';
    out << s.histogram().format();
  }
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parseArgs(argc, argv, a)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  int root = open(a.source.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    std::fprintf(stderr, "passthrough: %s: %s\n", a.source.c_str(), std::strerror(errno));
    return 1;
  }
  a.mount.mountpoint = a.mountpoint;
  passthrough::Fs fs(root, a.fs);
  lfp::Session session(fs, a.session);
  fs.setSession(&session);
  std::string err;
  if (!session.mount(a.mount, &err)) {
    std::fprintf(stderr, "passthrough: %s\n", err.c_str());
    return 1;
  }
  if (!a.foreground) {
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid > 0) _exit(0);
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      if (null > 2) close(null);
    }
  }
  // Signals are taken by one thread with sigwait, so handling them needs no async-signal care.
  // (The library's worker threads inherit the mask.) SIGUSR2 ends that thread.
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread signals([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGUSR2) return;
      if (sig == SIGUSR1)
        writeStats(a.statsFile, session);
      else
        session.exit();
    }
  });
  int rc = session.loop();
  writeStats(a.statsFile, session);
  session.unmount();
  pthread_kill(signals.native_handle(), SIGUSR2);
  signals.join();
  if (rc) std::fprintf(stderr, "passthrough: %s\n", std::strerror(rc));
  return rc ? 1 : 0;
}
