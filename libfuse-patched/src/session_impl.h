// SPDX-License-Identifier: GPL-3.0-or-later
// Internal state of a native lfp session, shared by mount, INIT, dispatch, workers and io_uring.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lfp/lfp.h"
#include "libfuse-patched/common/histogram_counter.h"
#include "libfuse-patched/src/decoder.h"

namespace lfp::detail {

// Where a request's reply goes: the /dev/fuse fd it was read from, or its io_uring entry.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  // Sends fuse_out_header{len, error, unique} followed by the payload. 0 or -errno.
  virtual int send(uint64_t unique, int error, const struct iovec* iov, int count) = 0;
  // Sends up to `size` bytes of `fd` at `offset` as a success reply (fewer at end of file).
  virtual int sendFd(uint64_t unique, int fd, off_t offset, size_t size) = 0;
};

// Requests being served, so INTERRUPT can find its target (sharded; cheap when uncontended).
class InflightTable {
 public:
  void add(uint64_t unique);
  void remove(uint64_t unique);
  // Marks `unique` interrupted; false if it is not (or no longer, or not yet) being served.
  bool interrupt(uint64_t unique);
  bool interrupted(uint64_t unique) const;
  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, bool> map;
  };
  Shard& shard(uint64_t unique) const { return shards_[(unique >> 1) % kShards]; }
  mutable Shard shards_[kShards];
};

struct RequestState {
  Session::Impl* session = nullptr;
  ReplySink* sink = nullptr;
  uint64_t unique = 0;
  uint32_t opcode = 0;
  Context ctx;
};

// Everything a handler needs besides the decoded request.
struct Dispatch {
  Session::Impl& session;
  ReplySink& sink;
  std::shared_ptr<const void> owner;  // keeps a WRITE's buffer alive (zero-copy hand-off)

  Request request(const Decoded& in);
  Operations& ops();
};

// Decodes and dispatches one /dev/fuse request held in `buf`.
void processBuffer(Session::Impl& s, ReplySink& sink, const char* buf, size_t len,
                   std::shared_ptr<const void> owner);
// Dispatches an already decoded request (or answers a decode failure).
void processDecoded(Session::Impl& s, ReplySink& sink, DecodeStatus st, const Decoded& d,
                    std::shared_ptr<const void> owner);

class Channel;
class UringEngine;

}  // namespace lfp::detail

namespace lfp {

struct Session::Impl {
  Impl(Operations& o, SessionOptions so);
  ~Impl();

  Operations& ops;
  SessionOptions opts;
  ConnectionInfo conn;
  MountOptions mountOpts;
  std::string mountpoint;

  int fd = -1;  // the /dev/fuse fd the mount was made with
  bool mounted = false;
  bool viaFusermount = false;
  std::string mountDevice;  // "major:minor" of our mount, to never unmount someone else's
  std::unique_ptr<detail::Channel> master;

  detail::DecodeContext dctx;
  std::atomic<bool> initialized{false};
  std::atomic<bool> destroyed{false};
  uint64_t kernelFlags = 0;     // INIT flags granted to the kernel (64-bit, flags2 included)
  unsigned requestedPages = 0;  // max_pages asked for (before the kernel's own clamp)
  size_t bufSize = 0;           // bytes per /dev/fuse read buffer

  detail::InflightTable inflight;
  detail::HistogramCounter histogram;
  std::atomic<uint64_t> requests{0}, readRequests{0}, writeRequests{0}, readdirRequests{0};
  std::atomic<uint64_t> maxReadSize{0}, maxWriteSize{0}, maxReaddirSize{0};
  std::atomic<uint64_t> dropped{0}, malformed{0}, uringRequests{0};

  int exitFd = -1;  // eventfd: exit() and ending workers wake loop()
  std::atomic<bool> stopping{false};

  std::mutex retrieveMu;
  std::unordered_map<uint64_t, uint64_t> retrieves;  // notify_unique -> cookie
  uint64_t nextNotifyUnique = 1;

  std::unique_ptr<detail::UringEngine> uring;
  std::atomic<unsigned> uringQueues{0};  // queues that served (kept after stop)

  void countRequest(uint32_t opcode, uint64_t size);
  // Wakes loop() (async-signal-safe).
  void wake();
};

}  // namespace lfp
