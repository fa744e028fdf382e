// SPDX-License-Identifier: GPL-3.0-or-later
// gluster-heal: shows pending self-heal, runs a heal pass, and resolves split-brains, by
// building a volume's client graph in-process and talking to its cluster/replicate volumes.
#include <getopt.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "glusterfs/core/inode.h"
#include "glusterfs/core/task.h"
#include "glusterfs/daemon/daemon_util.h"
#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "glusterfs/xlators/cluster/replicate/replicate_xlator.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"

namespace {

const char* kProg = "gluster-heal";

void usage(FILE* out) {
  fprintf(out, R"(NAME
    gluster-heal - show and drive self-heal of replicated (cluster/replicate) volumes

SYNOPSIS
    gluster-heal info    (-f VOLFILE | -s SERVER [--volfile-id ID]) [OPTION]...
    gluster-heal heal    (-f VOLFILE | -s SERVER [--volfile-id ID]) [OPTION]... [PATH]
    gluster-heal resolve (-f VOLFILE | -s SERVER [--volfile-id ID]) [OPTION]... PATH
                         (--source CHILD | --bigger-file | --latest-mtime)

DESCRIPTION
    Builds the client graph of a volume in this process (as the glusterfs client does, without
    mounting it), waits for its bricks to connect, and works through every cluster/replicate
    volume in the graph.

    info     prints, for each replicate volume, its copies (up or down), the self-heal counters,
             the files the bricks' index lists as pending heal, and the files found in
             split-brain.
    heal     runs one self-heal pass now over the bricks' index of pending files, then prints
             the heal info; with PATH, heals that file or directory only.
    resolve  settles a split-brain on PATH (a path in the volume, from its root): the copy
             chosen by --source, --bigger-file or --latest-mtime becomes the source and the
             other copies are healed from it; their differing changes are lost. When PATH
             itself cannot be looked up because the copies hold different files under that
             name, its parent directory is resolved the same way.

OPTIONS
    -f, --volfile=FILE            the client volfile of the volume
    -s, --volfile-server=HOST     fetch the client volfile from the glusterfsd on HOST
        --volfile-server-port=PORT  [6996]
        --volfile-server-transport=tcp|unix  [tcp]
        --volfile-id=ID           which of the server's client volfiles [its default]
        --volume-name=NAME        the top volume of the volfile [the last one]
        --xlator-option=VOL.KEY=VALUE  override an option of a volume (repeatable)
        --wait=SECS               how long to wait for every brick to connect before working
                                  with the ones that did [10]
        --source=CHILD            resolve: the child (subvolume name) whose copy wins
        --bigger-file             resolve: the biggest copy wins
        --latest-mtime            resolve: the most recently modified copy wins
    -l, --log-file=FILE           log here ['-': standard error]
    -L, --log-level=LEVEL         NONE, CRITICAL, ERROR, WARNING, NORMAL, DEBUG, TRACE [ERROR]
    -h, --help                    this text

EXAMPLES
    gluster-heal info -s storage1 --volfile-id spool
    gluster-heal heal -f /etc/glusterfs/spool-client.vol
    gluster-heal resolve -f spool-client.vol /user7/new/1257.M12P4.mx --source brick2

EXIT STATUS
    0 done; 1 the volume could not be built or reached, or the operation failed (the reason is
    printed); 2 bad usage.
)");
}

struct Args {
  std::string command, volfile, logFile = "-", logLevel = "ERROR", path, source;
  std::string how;  // resolve: child:NAME, bigger-file or latest-mtime
  gf::VolfileSource server;
  gf::GraphOptions graph;
  double wait = 10;
};

int parseArgs(int argc, char** argv, Args& a) {
  if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    usage(stdout);
    exit(0);
  }
  if (argc < 2) {
    fprintf(stderr, "%s: give a command: info, heal or resolve (see --help)\n", kProg);
    return 2;
  }
  a.command = argv[1];
  if (a.command != "info" && a.command != "heal" && a.command != "resolve") {
    fprintf(stderr, "%s: unknown command '%s' (see --help)\n", kProg, a.command.c_str());
    return 2;
  }
  enum {
    kPort = 1000,
    kTransport,
    kVolfileId,
    kVolumeName,
    kXlatorOption,
    kWait,
    kSource,
    kBigger,
    kLatest
  };
  static const option longOpts[] = {
      {"volfile", required_argument, nullptr, 'f'},
      {"volfile-server", required_argument, nullptr, 's'},
      {"volfile-server-port", required_argument, nullptr, kPort},
      {"volfile-server-transport", required_argument, nullptr, kTransport},
      {"volfile-id", required_argument, nullptr, kVolfileId},
      {"volume-name", required_argument, nullptr, kVolumeName},
      {"xlator-option", required_argument, nullptr, kXlatorOption},
      {"wait", required_argument, nullptr, kWait},
      {"source", required_argument, nullptr, kSource},
      {"bigger-file", no_argument, nullptr, kBigger},
      {"latest-mtime", no_argument, nullptr, kLatest},
      {"log-file", required_argument, nullptr, 'l'},
      {"log-level", required_argument, nullptr, 'L'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  int ways = 0;
  optind = 2;
  int c;
  while ((c = getopt_long(argc, argv, "f:s:l:L:h", longOpts, nullptr)) != -1) {
    switch (c) {
      case 'f':
        a.volfile = optarg;
        break;
      case 's':
        a.server.host = optarg;
        break;
      case kPort: {
        int p = atoi(optarg);
        if (p < 1 || p > 65535) {
          fprintf(stderr, "%s: invalid port '%s'\n", kProg, optarg);
          return 2;
        }
        a.server.port = static_cast<uint16_t>(p);
        break;
      }
      case kTransport:
        a.server.transport = optarg;
        break;
      case kVolfileId:
        a.server.volfileId = optarg;
        break;
      case kVolumeName:
        a.graph.volumeName = optarg;
        break;
      case kXlatorOption:
        a.graph.xlatorOptions.push_back(optarg);
        break;
      case kWait: {
        char* end = nullptr;
        a.wait = strtod(optarg, &end);
        if (!end || *end || a.wait < 0 || a.wait > 3600) {
          fprintf(stderr, "%s: invalid --wait '%s'\n", kProg, optarg);
          return 2;
        }
        break;
      }
      case kSource:
        a.how = "child:" + std::string(optarg), ++ways;
        break;
      case kBigger:
        a.how = "bigger-file", ++ways;
        break;
      case kLatest:
        a.how = "latest-mtime", ++ways;
        break;
      case 'l':
        a.logFile = optarg;
        break;
      case 'L':
        a.logLevel = optarg;
        break;
      case 'h':
        usage(stdout);
        exit(0);
      default:
        return 2;
    }
  }
  if (a.volfile.empty() == a.server.host.empty()) {
    fprintf(stderr, "%s: give either -f VOLFILE or -s SERVER (see --help)\n", kProg);
    return 2;
  }
  if (optind < argc) a.path = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", kProg, argv[optind]);
    return 2;
  }
  if (a.command == "info" && !a.path.empty()) {
    fprintf(stderr, "%s: info takes no PATH\n", kProg);
    return 2;
  }
  if (a.command == "resolve" && (a.path.empty() || ways != 1)) {
    fprintf(stderr,
            "%s: resolve needs PATH and exactly one of --source, --bigger-file, "
            "--latest-mtime\n",
            kProg);
    return 2;
  }
  if (a.command != "resolve" && ways) {
    fprintf(stderr, "%s: --source, --bigger-file and --latest-mtime belong to resolve\n", kProg);
    return 2;
  }
  if (!a.path.empty() && a.path[0] != '/') a.path = "/" + a.path;
  return 0;
}

std::vector<gf::ReplicateXlator*> replicas(const gf::Graph& g) {
  std::vector<gf::ReplicateXlator*> out;
  for (const auto& x : g.xlators())
    if (auto* r = dynamic_cast<gf::ReplicateXlator*>(x.get())) out.push_back(r);
  return out;
}

// Waits for the top to come up, then (bounded by `wait`) for every copy to connect.
bool waitUp(gf::Graph& g, std::mutex& m, std::condition_variable& cv, bool& up, double wait) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait * 1000));
  {
    std::unique_lock lock(m);
    cv.wait_until(lock, deadline, [&] { return up; });
    if (!up) return false;
  }
  while (Clock::now() < deadline) {
    bool all = true;
    for (auto* r : replicas(g))
      for (bool b : r->upChildren()) all = all && b;
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string errText(const std::error_code& e) { return e.message(); }

// Looks PATH up from the top, component by component, as a client does.
gf::Result<gf::Loc> lookupPath(gf::Xlator& top, gf::InodeTable& t, const std::string& path) {
  gf::CallCtx ctx = gf::CallCtx::root();
  gf::Loc cur{nullptr, {}, t.root()};
  std::istringstream parts(path);
  std::string name;
  while (std::getline(parts, name, '/')) {
    if (name.empty() || name == ".") continue;
    gf::Loc next{cur.inode, name, t.create()};
    gf::LookupReq req{next, {}};
    auto r = gf::syncWait(top.lookup(ctx, req));
    if (!r) return gf::fail(r.error());
    next.inode = t.link(next.inode, cur.inode, name, r->stat);
    cur = next;
  }
  return cur;
}

gf::Status setVirtual(gf::Xlator& x, const gf::Loc& loc, const char* key, const std::string& v) {
  gf::CallCtx ctx = gf::CallCtx::root();
  gf::SetxattrReq req{loc, gf::Dict{{key, v}}, 0};
  auto r = gf::syncWait(x.setxattr(ctx, req));
  if (!r) return r.error();
  return {};
}

bool printInfo(const std::vector<gf::ReplicateXlator*>& afrs, gf::InodeTable& t) {
  bool ok = true;
  for (auto* r : afrs) {
    gf::GetxattrReq req{gf::Loc{nullptr, {}, t.root()}, gf::kHealInfoKey};
    gf::CallCtx ctx = gf::CallCtx::root();
    auto rep = gf::syncWait(r->getxattr(ctx, req));
    if (!rep) {
      fprintf(stderr, "%s: %s: heal info failed: %s\n", kProg, r->name().c_str(),
              errText(rep.error()).c_str());
      ok = false;
      continue;
    }
    fputs(rep->xattrs[gf::kHealInfoKey].c_str(), stdout);
  }
  return ok;
}

int run(const Args& a, gf::Graph& g) {
  auto afrs = replicas(g);
  if (afrs.empty()) {
    fprintf(stderr, "%s: the volume has no cluster/replicate volume\n", kProg);
    return 1;
  }
  gf::InodeTable table;
  if (a.command == "info") return printInfo(afrs, table) ? 0 : 1;
  if (a.command == "heal" && a.path.empty()) {
    for (auto* r : afrs) {
      gf::Status s = setVirtual(*r, gf::Loc{nullptr, {}, table.root()}, gf::kHealNowKey, "now");
      if (!s) {
        fprintf(stderr, "%s: %s: heal pass failed: %s\n", kProg, r->name().c_str(),
                errText(s.error()).c_str());
        return 1;
      }
    }
    return printInfo(afrs, table) ? 0 : 1;
  }
  gf::Xlator& top = g.top();
  std::string target = a.path;
  auto loc = lookupPath(top, table, target);
  if (!loc && a.command == "resolve" && loc.errnum() == EIO && target != "/") {
    // The copies hold different files under this name: the parent's entries decide.
    target = target.substr(0, target.rfind('/'));
    if (target.empty()) target = "/";
    printf(
        "%s: %s cannot be looked up (the copies disagree on it); resolving its directory "
        "%s\n",
        kProg, a.path.c_str(), target.c_str());
    loc = lookupPath(top, table, target);
  }
  if (!loc) {
    fprintf(stderr, "%s: %s: %s\n", kProg, target.c_str(), errText(loc.error()).c_str());
    return 1;
  }
  const char* key = a.command == "heal" ? gf::kHealNowKey : gf::kResolveKey;
  gf::Status s = setVirtual(top, *loc, key, a.command == "heal" ? std::string("now") : a.how);
  if (!s) {
    fprintf(stderr, "%s: %s %s failed: %s\n", kProg, a.command.c_str(), target.c_str(),
            errText(s.error()).c_str());
    return 1;
  }
  // Look again with a fresh view: the copies must now agree.
  gf::InodeTable fresh;
  auto again = lookupPath(top, fresh, a.path);
  if (!again) {
    fprintf(stderr, "%s: %s still fails after the %s: %s\n", kProg, a.path.c_str(),
            a.command.c_str(), errText(again.error()).c_str());
    return 1;
  }
  if (a.command == "resolve")
    printf("%s: resolved %s (%s)\n", kProg, target.c_str(), a.how.c_str());
  else
    printf("%s: healed %s\n", kProg, target.c_str());
  return 0;
}

std::string readVolfile(const Args& a, std::string& name) {
  if (!a.server.host.empty()) {
    std::string why;
    auto text = gf::fetchClientVolfile(a.server, why);
    if (!text) {
      fprintf(stderr, "%s: cannot fetch the volfile from %s: %s\n", kProg, a.server.host.c_str(),
              why.c_str());
      exit(1);
    }
    name = a.server.host + ":" + (a.server.volfileId.empty() ? "default" : a.server.volfileId);
    return *text;
  }
  std::ifstream in(a.volfile);
  if (!in) {
    fprintf(stderr, "%s: cannot read %s: %s\n", kProg, a.volfile.c_str(), strerror(errno));
    exit(1);
  }
  std::ostringstream s;
  s << in.rdbuf();
  name = a.volfile;
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (int rc = parseArgs(argc, argv, a)) return rc;
  if (!gf::setupLogging(a.logFile, a.logLevel, kProg)) return 1;
  std::string name;
  std::string text = readVolfile(a, name);
  // Built once to find the replicate volumes, then again with their own healer off: this
  // tool heals when asked, not behind the user's back.
  auto probe = gf::loadGraphText(kProg, text, name, a.graph);
  if (!probe) return 1;
  gf::GraphOptions opts = a.graph;
  for (auto* r : replicas(*probe))
    opts.xlatorOptions.push_back(r->name() + ".self-heal-daemon=off");
  probe.reset();
  auto graph = gf::loadGraphText(kProg, text, name, opts);
  if (!graph) return 1;

  std::mutex m;
  std::condition_variable cv;
  bool up = false;
  graph->setTopListener([&](const gf::Event& ev) {
    std::lock_guard lock(m);
    if (ev.type == gf::EventType::kChildUp) up = true;
    cv.notify_all();
  });
  std::string error;
  if (!graph->init(&error)) {
    fprintf(stderr, "%s: %s\n", kProg, error.c_str());
    return 1;
  }
  graph->start();
  int rc;
  if (!waitUp(*graph, m, cv, up, a.wait)) {
    fprintf(stderr, "%s: no brick of %s answered within %g s\n", kProg, name.c_str(), a.wait);
    rc = 1;
  } else {
    rc = run(a, *graph);
  }
  fflush(stdout);
  graph->stop();
  return rc;
}
