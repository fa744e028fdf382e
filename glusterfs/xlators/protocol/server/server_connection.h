// SPDX-License-Identifier: GPL-3.0-or-later
// ServerConnection: one client of protocol/server — handshake and authentication, then calls
// read in a loop and each served on a coroutine of its own; replies go back in any order.
// A malformed frame closes only this connection (logged with the peer's address).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/fd.h"
#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/frame_channel.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/xlators/protocol/server/server_xlator.h"

namespace gf {

class ServerConnection {
 public:
  ServerConnection(ServerXlator& server, std::shared_ptr<rpc::FrameChannel> ch, uint64_t clientId);
  ~ServerConnection();

  // Serves until the connection closes; `self` keeps the connection alive meanwhile.
  Task<void> run(std::shared_ptr<ServerConnection> self);
  void close();

  // Used by the fop handlers (server_fops.cc).
  ServerXlator& server() { return server_; }
  ServerXlator::Export& exported() { return *export_; }
  FdTable& fds() { return fds_; }
  uint64_t clientId() const { return clientId_; }
  // The same client reconnected from `by`: closes this connection and releases its fds and
  // locks now (see ServerXlator::supersede).
  void evict(const std::string& by);
  rpc::FrameChannel& channel() { return *ch_; }
  void reply(const rpc::FrameHeader& call, const rpc::ReplyEnvelope& env, std::string body,
             Payload data = {});
  void replyError(const rpc::FrameHeader& call, int err);
  void protocolError(const std::string& what);
  const std::string& peer() const { return ch_->peer(); }

 private:
  Task<bool> handshake(const rpc::Frame& f);
  void answerGetSpec(const rpc::Frame& f);
  void dispatch(rpc::Frame f, const std::shared_ptr<ServerConnection>& self);
  void cleanup();

  ServerXlator& server_;
  std::shared_ptr<rpc::FrameChannel> ch_;
  uint64_t clientId_;
  ServerXlator::Export* export_ = nullptr;
  std::string exportName_, clientName_;
  FdTable fds_;
  std::atomic<bool> closed_{false};
};

// Client-supplied text (names, paths, client names) made safe for one log line: control and
// non-ASCII bytes as \xNN, cut after `max` bytes.
std::string printable(std::string_view s, size_t max = 256);

// Serves one fop call (server_fops.cc): decodes, resolves locations, calls the export, answers.
void serveCall(std::shared_ptr<ServerConnection> conn, rpc::Frame frame);

}  // namespace gf
