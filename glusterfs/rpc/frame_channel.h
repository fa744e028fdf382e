// SPDX-License-Identifier: GPL-3.0-or-later
// FrameChannel: frames over a Stream. One reader pulls frames (buffered, so many small frames
// cost one system call); any thread may send, and queued frames leave together in one
// gathered write. Shared by protocol/client and protocol/server.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "glusterfs/core/payload.h"
#include "glusterfs/rpc/transport.h"
#include "glusterfs/rpc/wire.h"

namespace gf::rpc {

struct Frame {
  FrameHeader header;
  std::string body;
  Payload data;
};

class FrameChannel : public std::enable_shared_from_this<FrameChannel> {
 public:
  explicit FrameChannel(std::unique_ptr<Stream> stream);
  ~FrameChannel();

  // The next frame; fails (and sets `why`) on a closed connection or a malformed header. The
  // connection should be closed after any failure.
  Task<Result<Frame>> read(std::string* why);
  // Frames announcing more than this are refused from their header (EPROTO) before anything
  // is allocated; at most the protocol's limits. Set by the reader, between reads.
  void limitFrames(uint32_t maxBody, uint32_t maxData) {
    maxBody_ = std::min(maxBody, kMaxBody);
    maxData_ = std::min(maxData, kMaxData);
  }
  // Queues a frame; thread-safe; never blocks. Frames leave in the order queued.
  void send(FrameHeader h, std::string body, Payload data = {});
  void close();
  bool closed() const;
  const std::string& peer() const { return stream_->describe(); }
  const std::string& peerAddress() const { return stream_->peerAddress(); }

 private:
  Task<Status> fill(char* out, size_t n);
  Task<void> writeLoop(std::shared_ptr<FrameChannel> self);

  std::unique_ptr<Stream> stream_;
  // Receive buffer: bytes [rxPos_, rxEnd_) are read but not yet consumed.
  std::unique_ptr<char[]> rx_;
  size_t rxPos_ = 0, rxEnd_ = 0;
  uint32_t maxBody_ = kMaxBody, maxData_ = kMaxData;

  struct Outgoing {
    char header[kHeaderSize];
    std::string body;
    Payload data;
  };
  mutable std::mutex mutex_;
  std::deque<Outgoing> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace gf::rpc
