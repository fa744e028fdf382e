// SPDX-License-Identifier: GPL-3.0-or-later
// ClientConnection: one established connection of protocol/client — calls in flight matched
// to their replies by call id (replies may come in any order), per-call frame-timeout, and a
// ping when the server has been quiet, declaring it dead after ping-timeout.
//
// Every call ends exactly once: with its reply, ETIMEDOUT (frame-timeout) or ENOTCONN (the
// connection closed, or the server stopped answering pings).
#pragma once

#include <atomic>
#include <chrono>
#include <coroutine>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "glusterfs/core/async_event.h"
#include "glusterfs/core/executor.h"
#include "glusterfs/rpc/frame_channel.h"

namespace gf {

struct ClientTimeouts {
  std::chrono::milliseconds frame{std::chrono::seconds(1800)};
  std::chrono::milliseconds ping{std::chrono::seconds(10)};
};

class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
 public:
  ClientConnection(std::shared_ptr<rpc::FrameChannel> ch, uint64_t generation, EventLoop& loop,
                   ClientTimeouts timeouts, std::string name);
  ~ClientConnection();

  // Starts the reader and the timeout sweeper.
  void start();
  // Sends a frame and waits for its answer.
  Task<Result<rpc::Frame>> call(rpc::FrameType type, uint16_t opcode, std::string body,
                                Payload data = {});
  // Sends a frame that gets no answer (fd release).
  void post(rpc::FrameType type, uint16_t opcode, std::string body);
  void close(const std::string& reason);
  bool closed() const { return closed_.isSet(); }
  AsyncEvent& closedEvent() { return closed_; }
  const std::string& closeReason() const { return reason_; }
  uint64_t generation() const { return generation_; }
  const std::string& peer() const { return ch_->peer(); }

 private:
  struct Pending {
    std::coroutine_handle<> waiter;
    Result<rpc::Frame> result = fail(ENOTCONN);
    std::chrono::steady_clock::time_point deadline;
  };
  struct CallAwaiter;
  Task<void> readLoop(std::shared_ptr<ClientConnection> self);
  Task<void> sweepLoop(std::shared_ptr<ClientConnection> self);
  void complete(uint64_t id, Result<rpc::Frame> result);
  void failAll(int err);

  std::shared_ptr<rpc::FrameChannel> ch_;
  uint64_t generation_;
  EventLoop& loop_;
  ClientTimeouts timeouts_;
  std::string name_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, Pending*> pending_;
  uint64_t nextId_ = 1;
  bool accepting_ = true;
  std::atomic<int64_t> lastHeardMs_;
  std::atomic<int64_t> pingSentMs_{0};
  AsyncEvent closed_;
  std::string reason_;
};

}  // namespace gf
