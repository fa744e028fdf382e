// SPDX-License-Identifier: GPL-3.0-or-later
// Start-up plumbing shared by glusterfs and glusterfsd: daemonizing with a readiness report,
// pid files, signal handling on a dedicated thread, logging set-up, volfile loading.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "glusterfs/core/graph.h"
#include "glusterfs/core/log.h"

namespace gf {

// Forks into the background. The parent waits until the child calls ready() (exit 0) or
// failed() (exit 1, the message already printed to standard error by the child before its
// stderr was detached), or dies. Returns only in the child.
class Daemonizer {
 public:
  // `detach`: false (-N) keeps running in the foreground and makes ready/failed no-ops.
  explicit Daemonizer(bool detach);
  void ready();
  [[noreturn]] void failed(const std::string& message);
  bool detached() const { return detach_; }

 private:
  bool detach_;
  int pipeFd_ = -1;
};

class PidFile {
 public:
  explicit PidFile(std::string path);  // writes our pid; throws runtime_error
  ~PidFile();                          // removes the file while it still names this process

 private:
  std::string path_;
};

// Blocks SIGTERM, SIGINT, SIGHUP, SIGUSR1 in the calling thread (call before starting any
// thread) and handles them on a thread of its own: SIGTERM/SIGINT call `onStop`, SIGHUP
// reopens the log file, SIGUSR1 calls `onDump` if set.
class SignalThread {
 public:
  SignalThread(std::function<void()> onStop, std::function<void()> onDump = nullptr);
  ~SignalThread();

 private:
  std::thread thread_;
  int wakeFd_ = -1;
};

// `path` made absolute against the current directory ("" and "-" stay as they are), because
// daemons chdir("/").
std::string absolutePath(const std::string& path);

// Raises the open-file limit to the hard maximum: bricks keep a handle per known inode, and a
// directory of many thousand files must not run a daemon out of descriptors.
void raiseFileLimit();

// Opens the log (-l, "-" for stderr) at level -L; prints a clear error and returns false.
bool setupLogging(const std::string& file, const std::string& level, const char* prog);

// Loads and builds the graph; on a volfile error prints "PROG: FILE:LINE: message" and
// returns null (the caller exits with status 1).
std::unique_ptr<Graph> loadGraph(const char* prog, const std::string& volfile,
                                 const GraphOptions& opts);

// The same from volfile text fetched from a server; `name` stands for the file in messages.
std::unique_ptr<Graph> loadGraphText(const char* prog, const std::string& text,
                                     const std::string& name, const GraphOptions& opts);

}  // namespace gf
