// SPDX-License-Identifier: GPL-3.0-or-later
// glusterfsd: the brick server. Builds the server graph (storage, locks, io-threads and
// protocol/server exporting subvolumes) from a volfile and serves until stopped.
#include <getopt.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>

#include "glusterfs/daemon/daemon_util.h"
#include "glusterfs/xlators/registry.h"

namespace {

const char* kProg = "glusterfsd";

void usage(FILE* out) {
  fprintf(out, R"(NAME
    glusterfsd - serve GlusterFS bricks

SYNOPSIS
    glusterfsd [OPTION]... -f VOLFILE
    glusterfsd --help-xlator TYPE
    glusterfsd --list-xlators

DESCRIPTION
    Builds the translator graph described by VOLFILE (GlusterFS 2.0 syntax): storage bricks,
    features such as locks, performance/io-threads, and protocol/server exporting subvolumes to
    clients. Runs in the background once the graph is up; SIGHUP reopens the log file, SIGTERM
    stops cleanly.

OPTIONS
    -f, --volfile=FILE            server volume description (required)
    -l, --log-file=FILE           log here ('-' = standard error)
                                  [default: /var/log/glusterfs/glusterfsd.log, stderr with -N]
    -L, --log-level=LEVEL         NONE, CRITICAL, ERROR, WARNING, NORMAL, DEBUG or TRACE
    -N, --no-daemon               stay in the foreground
    -p, --pid-file=FILE           write the daemon's pid here
        --volume-name=NAME        top volume (default: the last one defined)
        --xlator-option=VOL.KEY=VALUE
                                  override an option of a volume (repeatable)
        --help-xlator=TYPE        print the options of translator TYPE and exit
        --list-xlators            print the translator types this build knows and exit
        --debug                   -N, -L DEBUG, log to stderr
    -h, --help                    this text
    -V, --version                 version

EXIT STATUS
    0 after a clean stop; 1 on a bad volfile (the message names file, line and option) or when
    a brick cannot start.
)");
}

}  // namespace

int main(int argc, char** argv) {
  enum { kVolumeName = 1000, kXlatorOption, kHelpXlator, kListXlators, kDebug };
  static const option longOpts[] = {
      {"volfile", required_argument, nullptr, 'f'},
      {"log-file", required_argument, nullptr, 'l'},
      {"log-level", required_argument, nullptr, 'L'},
      {"no-daemon", no_argument, nullptr, 'N'},
      {"pid-file", required_argument, nullptr, 'p'},
      {"volume-name", required_argument, nullptr, kVolumeName},
      {"xlator-option", required_argument, nullptr, kXlatorOption},
      {"help-xlator", required_argument, nullptr, kHelpXlator},
      {"list-xlators", no_argument, nullptr, kListXlators},
      {"debug", no_argument, nullptr, kDebug},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0},
  };
  std::string volfile, logFile, logLevel, pidFile;
  bool noDaemon = false, logGiven = false;
  gf::GraphOptions gopts;
  int c;
  while ((c = getopt_long(argc, argv, "f:l:L:Np:hV", longOpts, nullptr)) != -1) {
    switch (c) {
      case 'f': volfile = optarg; break;
      case 'l': logFile = optarg; logGiven = true; break;
      case 'L': logLevel = optarg; break;
      case 'N': noDaemon = true; break;
      case 'p': pidFile = optarg; break;
      case kVolumeName: gopts.volumeName = optarg; break;
      case kXlatorOption: gopts.xlatorOptions.push_back(optarg); break;
      case kHelpXlator: {
        const auto* t = gf::builtinXlators().find(optarg);
        if (!t) {
          fprintf(stderr, "%s: unknown translator type '%s' (try --list-xlators)\n", kProg, optarg);
          return 1;
        }
        std::cout << t->type << " - " << t->summary << "\n";
        t->options().printHelp(std::cout);
        return 0;
      }
      case kListXlators:
        for (const auto& t : gf::builtinXlators().types()) {
          std::cout << t.type;
          for (const auto& al : t.aliases) std::cout << " (alias " << al << ")";
          std::cout << "  " << t.summary << "\n";
        }
        return 0;
      case kDebug: noDaemon = true; logLevel = "DEBUG"; logFile = "-"; logGiven = true; break;
      case 'h': usage(stdout); return 0;
      case 'V': printf("glusterfsd 2.0 (C++20 re-creation)\n"); return 0;
      default: return 1;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "%s: unexpected argument '%s' (see --help)\n", kProg, argv[optind]);
    return 1;
  }
  if (volfile.empty()) {
    fprintf(stderr, "%s: no volfile given (-f VOLFILE; see --help)\n", kProg);
    return 1;
  }
  if (!logGiven) logFile = noDaemon ? "-" : "/var/log/glusterfs/glusterfsd.log";
  logFile = gf::absolutePath(logFile);
  pidFile = gf::absolutePath(pidFile);
  auto graph = gf::loadGraph(kProg, volfile, gopts);
  if (!graph) return 1;
  if (!gf::setupLogging(logFile, logLevel, kProg)) return 1;

  gf::raiseFileLimit();
  gf::Daemonizer daemon(!noDaemon);
  std::unique_ptr<gf::PidFile> pid;
  try {
    pid = std::make_unique<gf::PidFile>(pidFile);
  } catch (const std::exception& e) {
    daemon.failed(std::string(kProg) + ": " + e.what());
  }
  std::mutex m;
  std::condition_variable cv;
  bool stop = false;
  gf::SignalThread signals([&] {
    std::lock_guard lock(m);
    stop = true;
    cv.notify_all();
  });

  std::string error;
  if (!graph->init(&error)) daemon.failed(std::string(kProg) + ": " + error);
  graph->start();
  GF_LOG_INFO("glusterfsd", "serving volfile %s", volfile.c_str());
  daemon.ready();
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return stop; });
  }
  graph->stop();
  GF_LOG_INFO("glusterfsd", "stopped");
  return 0;
}
