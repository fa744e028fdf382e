// SPDX-License-Identifier: GPL-3.0-or-later
// glusterfs: the client. Builds the volume graph from a volfile and mounts it through FUSE.
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "glusterfs/daemon/daemon_util.h"
#include "glusterfs/mount/fuse_bridge.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "lfp/lfp.h"

namespace {

const char* kProg = "glusterfs";

void usage(FILE* out) {
  fprintf(out, R"(NAME
    glusterfs - mount a GlusterFS volume through FUSE

SYNOPSIS
    glusterfs [OPTION]... -f VOLFILE MOUNTPOINT
    glusterfs [OPTION]... -s SERVER [--volfile-id ID] MOUNTPOINT
    mount -t glusterfs VOLFILE MOUNTPOINT [-o OPTIONS]

DESCRIPTION
    Builds the translator graph described by VOLFILE (GlusterFS 2.0 syntax) and mounts its top
    volume (or --volume-name) on MOUNTPOINT. Runs in the background once the mount is ready;
    the exit status says whether mounting worked. Stops and unmounts on SIGTERM or umount.

OPTIONS
    -f, --volfile=FILE            volume description to mount
    -s, --volfile-server=HOST     fetch the volfile from the glusterfsd on HOST instead
        --volfile-server-port=PORT  [6996]
        --volfile-server-transport=tcp|unix  (unix: HOST is the socket path) [tcp]
        --volfile-id=ID           which of the server's client volfiles [its default]
        --mount-timeout=SECS      wait this long for the volume to come up before mounting
                                  fails with the reason [15]
    -l, --log-file=FILE           log here ('-' = standard error)
                                  [default: /var/log/glusterfs/MOUNTPOINT.log, or stderr with -N]
    -L, --log-level=LEVEL         NONE, CRITICAL, ERROR, WARNING, NORMAL, DEBUG or TRACE
                                  [NORMAL]
    -N, --no-daemon               stay in the foreground
    -p, --pid-file=FILE           write the daemon's pid here
        --volume-name=NAME        mount this volume of the volfile instead of the last one
        --xlator-option=VOL.KEY=VALUE
                                  override an option of a volume (repeatable)
        --attribute-timeout=SECS  how long the kernel may cache attributes [1]
        --entry-timeout=SECS      how long the kernel may cache names [1]
        --negative-timeout=SECS   how long the kernel may cache "no such file" [0]
        --direct-io-mode=on|off   bypass the kernel page cache for file data [off]
        --disable-direct-io-mode  same as --direct-io-mode=off (GlusterFS 2.0 spelling)
        --read-only               mount read-only
        --acl                     pass POSIX ACLs (system.posix_acl_*) to the bricks; without
                                  it they are not supported on the mount (EOPNOTSUPP)
        --selinux                 pass SELinux labels (security.selinux) to the bricks; the
                                  same without it
        --fuse-threads=N          FUSE worker threads [2 x CPUs, at least 4]
        --fuse-max-pages=N        pages per FUSE request to ask for [the most allowed]
        --fuse-io-uring           serve FUSE over io_uring where the kernel offers it
        --fuse-splice             move data with splice
        --fuse-writeback-cache    let the kernel cache writes (single-client volumes)
        --debug                   -N, -L DEBUG, log to stderr
    -h, --help                    this text
    -V, --version                 version

EXAMPLES
    glusterfs -f /etc/glusterfs/spool.vol /var/spool/mail
    glusterfs -N -L DEBUG -f local.vol /mnt/test --xlator-option brick.directory=/srv/b1

EXIT STATUS
    0 once mounted; 1 on a bad volfile (the message names file, line and option), a bad option,
    or a failed mount.
)");
}

struct Args {
  std::string volfile, logFile, logLevel, pidFile, mountpoint;
  gf::VolfileSource server;
  double mountTimeout = 15;
  gf::GraphOptions graph;
  gf::FuseBridgeOptions bridge;
  lfp::SessionOptions session;
  bool noDaemon = false;
  bool logFileGiven = false;
};

bool parseSeconds(const char* text, double& out) {
  char* end = nullptr;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || v < 0 || v > 86400) return false;
  out = v;
  return true;
}

bool parseArgs(int argc, char** argv, Args& a) {
  enum {
    kVolumeName = 1000, kXlatorOption, kAttrTimeout, kEntryTimeout, kNegTimeout, kDirectIo,
    kNoDirectIo, kReadOnly, kThreads, kMaxPages, kIoUring, kSplice, kWriteback, kDebug,
    kServerPort, kServerTransport, kVolfileId, kMountTimeout, kAcl, kSelinux,
  };
  static const option longOpts[] = {
      {"volfile", required_argument, nullptr, 'f'},
      {"volfile-server", required_argument, nullptr, 's'},
      {"volfile-server-port", required_argument, nullptr, kServerPort},
      {"volfile-server-transport", required_argument, nullptr, kServerTransport},
      {"volfile-id", required_argument, nullptr, kVolfileId},
      {"mount-timeout", required_argument, nullptr, kMountTimeout},
      {"log-file", required_argument, nullptr, 'l'},
      {"log-level", required_argument, nullptr, 'L'},
      {"no-daemon", no_argument, nullptr, 'N'},
      {"pid-file", required_argument, nullptr, 'p'},
      {"volume-name", required_argument, nullptr, kVolumeName},
      {"xlator-option", required_argument, nullptr, kXlatorOption},
      {"attribute-timeout", required_argument, nullptr, kAttrTimeout},
      {"entry-timeout", required_argument, nullptr, kEntryTimeout},
      {"negative-timeout", required_argument, nullptr, kNegTimeout},
      {"direct-io-mode", required_argument, nullptr, kDirectIo},
      {"disable-direct-io-mode", no_argument, nullptr, kNoDirectIo},
      {"read-only", no_argument, nullptr, kReadOnly},
      {"acl", no_argument, nullptr, kAcl},
      {"selinux", no_argument, nullptr, kSelinux},
      {"fuse-threads", required_argument, nullptr, kThreads},
      {"fuse-max-pages", required_argument, nullptr, kMaxPages},
      {"fuse-io-uring", no_argument, nullptr, kIoUring},
      {"fuse-splice", no_argument, nullptr, kSplice},
      {"fuse-writeback-cache", no_argument, nullptr, kWriteback},
      {"debug", no_argument, nullptr, kDebug},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0},
  };
  auto bad = [](const char* what, const char* value) {
    fprintf(stderr, "%s: invalid %s '%s' (see --help)\n", kProg, what, value);
    return false;
  };
  int c;
  while ((c = getopt_long(argc, argv, "f:s:l:L:Np:hV", longOpts, nullptr)) != -1) {
    switch (c) {
      case 'f': a.volfile = optarg; break;
      case 's': a.server.host = optarg; break;
      case kServerPort: {
        int p = atoi(optarg);
        if (p < 1 || p > 65535) return bad("port", optarg);
        a.server.port = static_cast<uint16_t>(p);
        break;
      }
      case kServerTransport:
        if (strcmp(optarg, "tcp") && strcmp(optarg, "unix")) return bad("transport", optarg);
        a.server.transport = optarg;
        break;
      case kVolfileId: a.server.volfileId = optarg; break;
      case kMountTimeout:
        if (!parseSeconds(optarg, a.mountTimeout)) return bad("mount timeout", optarg);
        break;
      case 'l': a.logFile = optarg; a.logFileGiven = true; break;
      case 'L': a.logLevel = optarg; break;
      case 'N': a.noDaemon = true; break;
      case 'p': a.pidFile = optarg; break;
      case kVolumeName: a.graph.volumeName = optarg; break;
      case kXlatorOption: a.graph.xlatorOptions.push_back(optarg); break;
      case kAttrTimeout:
        if (!parseSeconds(optarg, a.bridge.attributeTimeout)) return bad("attribute timeout", optarg);
        break;
      case kEntryTimeout:
        if (!parseSeconds(optarg, a.bridge.entryTimeout)) return bad("entry timeout", optarg);
        break;
      case kNegTimeout:
        if (!parseSeconds(optarg, a.bridge.negativeTimeout)) return bad("negative timeout", optarg);
        break;
      case kDirectIo:
        if (!strcmp(optarg, "on") || !strcmp(optarg, "enable")) a.bridge.directIo = true;
        else if (!strcmp(optarg, "off") || !strcmp(optarg, "disable")) a.bridge.directIo = false;
        else return bad("direct-io-mode", optarg);
        break;
      case kNoDirectIo: a.bridge.directIo = false; break;
      case kReadOnly: a.bridge.readOnly = true; break;
      case kAcl: a.bridge.acl = true; break;
      case kSelinux: a.bridge.selinux = true; break;
      case kThreads: {
        int n = atoi(optarg);
        if (n < 1 || n > 1024) return bad("thread count", optarg);
        a.session.maxThreads = static_cast<unsigned>(n);
        break;
      }
      case kMaxPages: {
        int n = atoi(optarg);
        if (n < 1 || n > 65536) return bad("page count", optarg);
        a.session.maxPages = static_cast<unsigned>(n);
        a.session.raiseMaxPagesLimit = true;
        break;
      }
      case kIoUring: a.session.ioUring = true; break;
      case kSplice: a.session.splice = true; break;
      case kWriteback: a.session.writebackCache = a.bridge.writebackCache = true; break;
      case kDebug:
        a.noDaemon = true;
        a.logLevel = "DEBUG";
        a.logFile = "-";
        a.logFileGiven = true;
        break;
      case 'h': usage(stdout); exit(0);
      case 'V': printf("glusterfs 2.0 (C++20 re-creation)\n"); exit(0);
      default: return false;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "%s: give exactly one MOUNTPOINT (see --help)\n", kProg);
    return false;
  }
  // We chdir("/") when daemonizing: every path must be absolute by then.
  char* real = realpath(argv[optind], nullptr);
  a.mountpoint = real ? real : argv[optind];
  free(real);
  if (a.volfile.empty() == a.server.host.empty()) {
    fprintf(stderr, "%s: give either -f VOLFILE or -s SERVER (see --help)\n", kProg);
    return false;
  }
  return true;
}

// A clear refusal for a mountpoint we cannot use, before forking.
bool checkMountpoint(const std::string& mp) {
  struct stat st;
  if (stat(mp.c_str(), &st) < 0) {
    if (errno == ENOTCONN)
      fprintf(stderr,
              "%s: %s is a dead mount (Transport endpoint is not connected); run "
              "'umount -l %s' first\n",
              kProg, mp.c_str(), mp.c_str());
    else
      fprintf(stderr, "%s: cannot use mount point %s: %s\n", kProg, mp.c_str(), strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    fprintf(stderr, "%s: mount point %s is not a directory\n", kProg, mp.c_str());
    return false;
  }
  return true;
}

std::string defaultLogFile(const std::string& mountpoint) {
  std::string name;
  for (char ch : mountpoint) name.push_back(ch == '/' ? '-' : ch);
  while (!name.empty() && name.front() == '-') name.erase(name.begin());
  return "/var/log/glusterfs/" + (name.empty() ? std::string("root") : name) + ".log";
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parseArgs(argc, argv, a)) return 1;
  a.logFile = gf::absolutePath(a.logFile);
  a.pidFile = gf::absolutePath(a.pidFile);
  if (!a.volfile.empty()) a.volfile = gf::absolutePath(a.volfile);
  if (!a.logFileGiven) a.logFile = a.noDaemon ? "-" : defaultLogFile(a.mountpoint);
  std::unique_ptr<gf::Graph> graph;
  if (!a.server.host.empty()) {
    std::string why;
    auto text = gf::fetchClientVolfile(a.server, why);
    if (!text) {
      fprintf(stderr, "%s: cannot fetch the volfile from %s: %s\n", kProg, a.server.host.c_str(),
              why.c_str());
      return 1;
    }
    a.volfile = a.server.host + ":" + (a.server.volfileId.empty() ? "default" : a.server.volfileId);
    graph = gf::loadGraphText(kProg, *text, a.volfile, a.graph);
  } else {
    graph = gf::loadGraph(kProg, a.volfile, a.graph);
  }
  if (!graph) return 1;
  if (!checkMountpoint(a.mountpoint)) return 1;
  if (!gf::setupLogging(a.logFile, a.logLevel, kProg)) return 1;

  gf::raiseFileLimit();
  gf::Daemonizer daemon(!a.noDaemon);
  std::unique_ptr<gf::PidFile> pid;
  try {
    pid = std::make_unique<gf::PidFile>(a.pidFile);
  } catch (const std::exception& e) {
    daemon.failed(std::string(kProg) + ": " + e.what());
  }

  // Signals are handled on their own thread, set up before any other thread exists.
  std::atomic<lfp::Session*> live{nullptr};
  std::atomic<bool> stopping{false};
  gf::SignalThread signals([&] {
    stopping = true;
    if (auto* s = live.load()) s->exit();
  });

  gf::FuseBridge bridge(*graph, a.bridge);
  lfp::Session session(bridge, a.session);
  bridge.setSession(&session);

  // Mount only once the volume can serve (or fail with the reason it cannot).
  std::mutex upMutex;
  std::condition_variable upCv;
  bool up = false;
  std::string downReason;
  graph->setTopListener([&](const gf::Event& ev) {
    std::lock_guard lock(upMutex);
    if (ev.type == gf::EventType::kChildUp) up = true;
    if (ev.type == gf::EventType::kChildDown && !ev.reason.empty()) downReason = ev.reason;
    upCv.notify_all();
  });
  std::string error;
  if (!graph->init(&error)) daemon.failed(std::string(kProg) + ": " + error);
  graph->start();
  {
    std::unique_lock lock(upMutex);
    upCv.wait_for(lock, std::chrono::milliseconds(static_cast<int64_t>(a.mountTimeout * 1000)),
                  [&] { return up || stopping; });
    if (!up && !stopping)
      daemon.failed(std::string(kProg) + ": volume did not come up within " +
                    std::to_string(static_cast<int>(a.mountTimeout)) + " s" +
                    (downReason.empty() ? std::string() : ": " + downReason));
  }

  lfp::MountOptions mo;
  mo.mountpoint = a.mountpoint;
  mo.fsname = a.volfile;
  mo.subtype = "glusterfs";
  mo.allowOther = true;
  mo.defaultPermissions = true;
  mo.readOnly = a.bridge.readOnly;
  if (!session.mount(mo, &error))
    daemon.failed(std::string(kProg) + ": cannot mount " + a.mountpoint + ": " + error);
  GF_LOG_INFO("glusterfs", "mounted %s on %s", a.volfile.c_str(), a.mountpoint.c_str());
  daemon.ready();

  live = &session;
  int rc = stopping ? 0 : session.loop();
  GF_LOG_INFO("glusterfs", "unmounting %s", a.mountpoint.c_str());
  session.unmount();
  graph->stop();
  return rc == 0 ? 0 : 1;
}
