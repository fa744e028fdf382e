// SPDX-License-Identifier: GPL-3.0-or-later
// Internal state of the lfp API implemented over Debian's stock libfuse3 (3.14) low-level API.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>
#include <pthread.h>

#include <atomic>
#include <string>

#include "lfp/lfp.h"
#include "libfuse-patched/common/histogram_counter.h"

namespace lfp {

struct Session::Impl {
  Impl(Operations& o, SessionOptions so) : ops(o), opts(so) {}

  Operations& ops;
  SessionOptions opts;
  fuse_session* se = nullptr;
  ConnectionInfo conn;
  std::string mountpoint;
  bool mounted = false;
  std::atomic<bool> loopRunning{false};
  pthread_t loopThread{};
  int exitFd = -1;  // eventfd: exit() writes, the watcher thread wakes the loop

  std::atomic<uint64_t> requests{0}, readRequests{0}, writeRequests{0}, readdirRequests{0};
  std::atomic<uint64_t> maxReadSize{0}, maxWriteSize{0}, maxReaddirSize{0};
  std::atomic<uint64_t> dropped{0};
  detail::HistogramCounter histogram;

  // Counts one request of `opcode` whose size (see SizeHistogram) is `size`.
  void count(uint32_t opcode, uint64_t size);
};

namespace detail {

struct RequestState {
  fuse_req_t req = nullptr;
  Session::Impl* session = nullptr;
  uint32_t opcode = 0;
  Context ctx;
};

// The fuse_lowlevel_ops table forwarding to Operations (userdata: Session::Impl*).
const fuse_lowlevel_ops& stockOps();

void toFileInfo(const fuse_file_info* in, FileInfo& out);
void toFuseFileInfo(const FileInfo& in, fuse_file_info& out);

}  // namespace detail
}  // namespace lfp
