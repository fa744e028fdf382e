// SPDX-License-Identifier: GPL-3.0-or-later
// gluster-rebalance: after children were added to a cluster/distribute volume, fix every
// directory's layout and move files to the child that now owns their hash, online.
#include <getopt.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

#include "glusterfs/daemon/daemon_util.h"
#include "glusterfs/xlators/cluster/distribute/dht_migration.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"

namespace {

const char* kProg = "gluster-rebalance";

void usage(FILE* out) {
  fprintf(out, R"(NAME
    gluster-rebalance - spread a distributed volume over its current children

SYNOPSIS
    gluster-rebalance [OPTION]... -f VOLFILE
    gluster-rebalance [OPTION]... -s SERVER [--volfile-id ID]

DESCRIPTION
    Builds the client graph of the volume, then for every cluster/distribute in it: writes each
    directory's layout for the children it has now (copies of directories missing on new
    children are made), and moves every file whose name now hashes to another child, several
    at once. Files stay readable and writable throughout: a file is only moved while nobody
    has it open, and an open during a move waits for it. Safe to interrupt and run again: it
    picks up where it stopped. Run it on one client at a time.

OPTIONS
    -f, --volfile=FILE        client volfile of the volume
    -s, --volfile-server=HOST fetch it from a server instead (--volfile-server-port, --volfile-id)
        --fix-layout          only fix layouts; move no file
    -j, --parallel=N          files moved at once [4]
    -l, --log-file=FILE       log here [standard error]
    -L, --log-level=LEVEL     [NORMAL]
    -h, --help

EXIT STATUS
    0 when every file is in place; 2 when some could not be moved (still open, or an error:
    see the log); 1 on a bad volfile or when the volume does not come up.
)");
}

}  // namespace

int main(int argc, char** argv) {
  enum { kFixLayout = 1000, kPort, kId };
  static const option longOpts[] = {
      {"volfile", required_argument, nullptr, 'f'},
      {"volfile-server", required_argument, nullptr, 's'},
      {"volfile-server-port", required_argument, nullptr, kPort},
      {"volfile-id", required_argument, nullptr, kId},
      {"fix-layout", no_argument, nullptr, kFixLayout},
      {"parallel", required_argument, nullptr, 'j'},
      {"log-file", required_argument, nullptr, 'l'},
      {"log-level", required_argument, nullptr, 'L'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  std::string volfile, logFile = "-", logLevel;
  gf::VolfileSource server;
  bool fixLayout = false;
  size_t parallel = 4;
  int c;
  while ((c = getopt_long(argc, argv, "f:s:j:l:L:h", longOpts, nullptr)) != -1) {
    switch (c) {
      case 'f': volfile = optarg; break;
      case 's': server.host = optarg; break;
      case kPort: server.port = static_cast<uint16_t>(atoi(optarg)); break;
      case kId: server.volfileId = optarg; break;
      case kFixLayout: fixLayout = true; break;
      case 'j': parallel = static_cast<size_t>(std::max(1, atoi(optarg))); break;
      case 'l': logFile = optarg; break;
      case 'L': logLevel = optarg; break;
      case 'h': usage(stdout); return 0;
      default: return 1;
    }
  }
  if (volfile.empty() == server.host.empty()) {
    fprintf(stderr, "%s: give either -f VOLFILE or -s SERVER (see --help)\n", kProg);
    return 1;
  }
  if (!gf::setupLogging(logFile, logLevel, kProg)) return 1;
  std::unique_ptr<gf::Graph> graph;
  if (!server.host.empty()) {
    std::string why;
    auto text = gf::fetchClientVolfile(server, why);
    if (!text) {
      fprintf(stderr, "%s: cannot fetch the volfile: %s\n", kProg, why.c_str());
      return 1;
    }
    graph = gf::loadGraphText(kProg, *text, server.host, {});
  } else {
    graph = gf::loadGraph(kProg, volfile, {});
  }
  if (!graph) return 1;
  std::vector<gf::DistributeXlator*> targets;
  for (const auto& x : graph->xlators())
    if (auto* d = dynamic_cast<gf::DistributeXlator*>(x.get())) targets.push_back(d);
  if (targets.empty()) {
    fprintf(stderr, "%s: the volume has no cluster/distribute\n", kProg);
    return 1;
  }
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
  {
    std::unique_lock lock(m);
    cv.wait_for(lock, std::chrono::seconds(30), [&] { return up; });
  }
  // Every child must answer, not just one: wait for all connections.
  for (int i = 0; i < 300; ++i) {
    bool all = true;
    for (auto* d : targets)
      for (bool b : d->upChildren()) all = all && b;
    if (all) break;
    usleep(100000);
  }
  int rc = 0;
  for (auto* d : targets) {
    gf::dht::RebalanceStats stats;
    auto last = std::chrono::steady_clock::now();
    auto progress = [&](const gf::dht::RebalanceStats& s) {
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::seconds(1)) return;
      last = now;
      printf("%s: %llu directories, %llu files scanned, %llu moved (%llu MB), %llu failed\n",
             d->name().c_str(), (unsigned long long)s.directories.load(),
             (unsigned long long)s.scanned.load(), (unsigned long long)s.migrated.load(),
             (unsigned long long)(s.bytes.load() >> 20), (unsigned long long)s.failed.load());
      fflush(stdout);
    };
    gf::Status st = gf::syncWait(gf::dht::rebalance(*d, fixLayout, parallel, stats, progress));
    printf("%s: done: %llu directories, %llu files scanned, %llu moved (%llu MB), %llu still open, "
           "%llu failed\n",
           d->name().c_str(), (unsigned long long)stats.directories.load(),
           (unsigned long long)stats.scanned.load(), (unsigned long long)stats.migrated.load(),
           (unsigned long long)(stats.bytes.load() >> 20), (unsigned long long)stats.busy.load(),
           (unsigned long long)stats.failed.load());
    if (!st) {
      fprintf(stderr, "%s: %s: %s\n", kProg, d->name().c_str(), st.error().message().c_str());
      rc = 1;
    } else if (stats.busy || stats.failed) {
      rc = std::max(rc, 2);
    }
  }
  graph->stop();
  return rc;
}
