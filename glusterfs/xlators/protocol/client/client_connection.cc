// SPDX-License-Identifier: GPL-3.0-or-later
// ClientConnection: call/reply matching, timeouts and pings.
#include "glusterfs/xlators/protocol/client/client_connection.h"

#include <vector>

#include "glusterfs/core/log.h"

namespace gf {

using rpc::Frame;
using rpc::FrameHeader;
using rpc::FrameType;

namespace {
int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

ClientConnection::ClientConnection(std::shared_ptr<rpc::FrameChannel> ch, uint64_t generation,
                                   EventLoop& loop, ClientTimeouts timeouts, std::string name)
    : ch_(std::move(ch)),
      generation_(generation),
      loop_(loop),
      timeouts_(timeouts),
      name_(std::move(name)),
      lastHeardMs_(nowMs()) {}

ClientConnection::~ClientConnection() { ch_->close(); }

void ClientConnection::start() {
  auto self = shared_from_this();
  spawn(readLoop(self), "client-read");
  spawn(sweepLoop(self), "client-sweep");
}

// Registers the call, then sends it. Nothing may touch the awaiter after send(): the reply can
// resume (and destroy) it on another thread before await_suspend returns.
struct ClientConnection::CallAwaiter {
  ClientConnection& c;
  FrameHeader header;
  std::string body;
  Payload data;
  Pending pending;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    pending.waiter = h;
    pending.deadline = std::chrono::steady_clock::now() + c.timeouts_.frame;
    {
      std::lock_guard lock(c.mutex_);
      if (!c.accepting_) return false;  // result stays ENOTCONN
      header.callId = c.nextId_++;
      c.pending_[header.callId] = &pending;
    }
    c.ch_->send(header, std::move(body), std::move(data));
    return true;
  }
  Result<Frame> await_resume() { return std::move(pending.result); }
};

Task<Result<Frame>> ClientConnection::call(FrameType type, uint16_t opcode, std::string body,
                                           Payload data) {
  FrameHeader h;
  h.type = type;
  h.opcode = opcode;
  CallAwaiter awaiter{*this, h, std::move(body), std::move(data), {}};
  co_return co_await awaiter;
}

void ClientConnection::post(FrameType type, uint16_t opcode, std::string body) {
  FrameHeader h;
  h.type = type;
  h.opcode = opcode;
  ch_->send(h, std::move(body));
}

void ClientConnection::complete(uint64_t id, Result<Frame> result) {
  Pending* p = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // timed out already, or a reply we never asked for
    p = it->second;
    pending_.erase(it);
  }
  p->result = std::move(result);
  p->waiter.resume();
}

void ClientConnection::failAll(int err) {
  std::vector<Pending*> all;
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    for (auto& [id, p] : pending_) all.push_back(p);
    pending_.clear();
  }
  for (auto* p : all) {
    p->result = fail(err);
    p->waiter.resume();
  }
}

void ClientConnection::close(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (closed_.isSet() || !reason_.empty()) return;
    reason_ = reason;
  }
  ch_->close();
  failAll(ENOTCONN);
  closed_.set();
}

Task<void> ClientConnection::readLoop(std::shared_ptr<ClientConnection> self) {
  std::string why;
  while (true) {
    auto f = co_await ch_->read(&why);
    if (!f) {
      if (f.errnum() == EPROTO)
        GF_LOG_ERROR(name_, "malformed frame from %s: %s", ch_->peer().c_str(), why.c_str());
      close("connection to " + ch_->peer() + " lost (" + why + ")");
      co_return;
    }
    lastHeardMs_ = nowMs();
    if (f->header.type == FrameType::kPong) {
      pingSentMs_ = 0;
      continue;
    }
    if (f->header.type == FrameType::kPing) {
      FrameHeader h;
      h.type = FrameType::kPong;
      h.callId = f->header.callId;
      ch_->send(h, {});
      continue;
    }
    complete(f->header.callId, std::move(*f));
  }
}

Task<void> ClientConnection::sweepLoop(std::shared_ptr<ClientConnection> self) {
  const auto tick = std::chrono::milliseconds(
      std::max<int64_t>(100, std::min<int64_t>(1000, timeouts_.ping.count() / 4)));
  while (!closed_.isSet()) {
    co_await loop_.sleepFor(tick);
    if (closed_.isSet()) break;
    int64_t now = nowMs();
    // Calls past their frame-timeout fail on their own; the connection stays.
    std::vector<uint64_t> expired;
    bool busy;
    {
      std::lock_guard lock(mutex_);
      auto t = std::chrono::steady_clock::now();
      for (auto& [id, p] : pending_)
        if (p->deadline <= t) expired.push_back(id);
      busy = !pending_.empty();
    }
    for (auto id : expired) {
      GF_LOG_ERROR(name_, "call %llu to %s exceeded frame-timeout", (unsigned long long)id,
                   ch_->peer().c_str());
      complete(id, fail(ETIMEDOUT));
    }
    // A quiet server gets pinged; one that stays silent for ping-timeout is declared dead.
    int64_t sent = pingSentMs_.load();
    if (sent && now - sent >= timeouts_.ping.count()) {
      GF_LOG_ERROR(name_, "server %s has not responded in the last %lld seconds, disconnecting",
                   ch_->peer().c_str(), (long long)(timeouts_.ping.count() / 1000));
      close("server " + ch_->peer() + " not responding (ping-timeout)");
      break;
    }
    if (!sent && (busy || now - lastHeardMs_.load() >= timeouts_.ping.count() / 2) &&
        now - lastHeardMs_.load() >= tick.count()) {
      pingSentMs_ = now;
      post(FrameType::kPing, 0, {});
    }
  }
}

}  // namespace gf
