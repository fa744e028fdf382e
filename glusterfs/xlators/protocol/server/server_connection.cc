// SPDX-License-Identifier: GPL-3.0-or-later
// ServerConnection: handshake, authentication, the read loop and clean-up on disconnect.
#include "glusterfs/xlators/protocol/server/server_connection.h"

#include <unistd.h>

#include "glusterfs/core/log.h"
#include "glusterfs/rpc/messages.h"

namespace gf {

using rpc::Frame;
using rpc::FrameHeader;
using rpc::FrameType;

namespace {
constexpr uint32_t kMaxFrameBeforeHandshake = 64 * 1024;
}

std::string printable(std::string_view s, size_t max) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

ServerConnection::ServerConnection(ServerXlator& server, std::shared_ptr<rpc::FrameChannel> ch,
                                   uint64_t clientId)
    : server_(server), ch_(std::move(ch)), clientId_(clientId) {}

ServerConnection::~ServerConnection() = default;

void ServerConnection::close() { ch_->close(); }

void ServerConnection::protocolError(const std::string& what) {
  GF_LOG_ERROR(server_.name(), "malformed frame from %s: %s; closing that connection",
               ch_->peer().c_str(), what.c_str());
  close();
}

void ServerConnection::reply(const FrameHeader& call, const rpc::ReplyEnvelope& env,
                             std::string body, Payload data) {
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(env, w, none);
  w.buffer().append(body);
  FrameHeader h;
  h.type = FrameType::kReply;
  h.opcode = call.opcode;
  h.callId = call.callId;
  ch_->send(h, std::move(w.buffer()), std::move(data));
}

void ServerConnection::replyError(const FrameHeader& call, int err) {
  reply(call, rpc::ReplyEnvelope{err, 0}, {});
}

void ServerConnection::answerGetSpec(const Frame& f) {
  rpc::GetSpecRequest req;
  rpc::GetSpecReply rep;
  rpc::WireReader r(f.body);
  std::string why;
  if (!rpc::decodeMessage(req, r, f.data, why)) return protocolError("getspec: " + why);
  if (!server_.volfileFor(req.volfileId, rep.volfile, rep.message)) rep.error = ENOENT;
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(rep, w, none);
  FrameHeader h;
  h.type = FrameType::kGetSpecReply;
  h.callId = f.header.callId;
  ch_->send(h, std::move(w.buffer()));
}

Task<bool> ServerConnection::handshake(const Frame& f) {
  rpc::HandshakeRequest req;
  rpc::WireReader r(f.body);
  std::string why;
  if (!rpc::decodeMessage(req, r, f.data, why)) {
    protocolError("handshake: " + why);
    co_return false;
  }
  rpc::HandshakeReply rep;
  char host[256] = "server";
  gethostname(host, sizeof host - 1);
  rep.serverName = host;
  auto* ex = server_.findExport(req.remoteSubvolume);
  if (req.version != rpc::kProtocolVersion) {
    rep.error = EPROTONOSUPPORT;
    rep.message = "client speaks protocol version " + std::to_string(req.version) +
                  ", this server speaks " + std::to_string(rpc::kProtocolVersion);
  } else if (!ex) {
    rep.error = ENOENT;
    rep.message = "no subvolume '" + req.remoteSubvolume + "' on this server";
  } else {
    auto verdict = authenticate(server_.config().auth, req.remoteSubvolume, ch_->peerAddress(),
                                req.username, req.password);
    if (!verdict.accepted) {
      rep.error = EACCES;
      rep.message = "authentication failed: " + verdict.reason;
    }
  }
  if (rep.error) {
    GF_LOG_ERROR(server_.name(), "refused client %s (%s) for '%s': %s", ch_->peer().c_str(),
                 printable(req.clientName).c_str(), printable(req.remoteSubvolume).c_str(),
                 printable(rep.message).c_str());
  } else {
    export_ = ex;
    exportName_ = req.remoteSubvolume;
    clientName_ = printable(req.clientName);
    GF_LOG_INFO(server_.name(), "accepted client %s (%s) for '%s'", ch_->peer().c_str(),
                clientName_.c_str(), exportName_.c_str());
    // Before the client hears yes (and takes its locks again): its older connection goes.
    if (!req.instanceId.empty()) server_.supersede(this, req.instanceId, exportName_);
  }
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(rep, w, none);
  FrameHeader h;
  h.type = FrameType::kHandshakeReply;
  h.callId = f.header.callId;
  ch_->send(h, std::move(w.buffer()));
  co_return rep.error == 0;
}

void ServerConnection::dispatch(Frame f, const std::shared_ptr<ServerConnection>& self) {
  switch (f.header.type) {
    case FrameType::kPing: {
      FrameHeader h;
      h.type = FrameType::kPong;
      h.callId = f.header.callId;
      ch_->send(h, {});
      return;
    }
    case FrameType::kGetSpec:
      answerGetSpec(f);
      return;
    case FrameType::kCall:
      if (f.header.opcode == rpc::kOpRelease) {
        rpc::ReleaseMessage m;
        rpc::WireReader r(f.body);
        std::string why;
        if (!rpc::decodeMessage(m, r, f.data, why)) return protocolError("release: " + why);
        fds_.remove(m.fdId);
        return;
      }
      serveCall(self, std::move(f));
      return;
    case FrameType::kHandshake:
      return protocolError("handshake replayed on an established connection");
    default:
      return protocolError("unexpected frame type " +
                           std::to_string(static_cast<int>(f.header.type)));
  }
}

Task<void> ServerConnection::run(std::shared_ptr<ServerConnection> self) {
  std::string why;
  // Before the handshake only a volfile fetch, a ping or the handshake itself are valid, all
  // small: an unauthenticated peer may not make the server hold megabytes for it.
  ch_->limitFrames(kMaxFrameBeforeHandshake, 0);
  while (!export_) {
    auto f = co_await ch_->read(&why);
    if (!f) {
      if (f.errnum() == EPROTO) protocolError("before the handshake: " + why);
      cleanup();
      co_return;
    }
    if (f->header.type == FrameType::kGetSpec) {
      answerGetSpec(*f);
    } else if (f->header.type == FrameType::kPing) {
      dispatch(std::move(*f), self);
    } else if (f->header.type == FrameType::kHandshake) {
      if (!co_await handshake(*f)) {
        // Let the refusal reach the client before hanging up; it closes on its own.
        co_await server_.loop().sleepFor(std::chrono::milliseconds(200));
        close();
        cleanup();
        co_return;
      }
    } else {
      protocolError("call before handshake");
      cleanup();
      co_return;
    }
  }
  ch_->limitFrames(rpc::kMaxBody, rpc::kMaxData);
  while (true) {
    auto f = co_await ch_->read(&why);
    if (!f) {
      if (f.errnum() == EPROTO) protocolError(why);
      break;
    }
    dispatch(std::move(*f), self);
    if (ch_->closed()) break;
  }
  cleanup();
}

void ServerConnection::evict(const std::string& by) {
  GF_LOG_WARNING(server_.name(), "client %s (%s) reconnected from %s; closing its old connection",
                 ch_->peer().c_str(), clientName_.c_str(), by.c_str());
  cleanup();
}

void ServerConnection::cleanup() {
  if (closed_.exchange(true)) return;
  close();
  size_t open = fds_.removeAll().size();
  if (export_) {
    GF_LOG_INFO(server_.name(), "client %s (%s) disconnected from '%s'; released %zu open files",
                ch_->peer().c_str(), clientName_.c_str(), exportName_.c_str(), open);
    // Locks held by this client (posix, flock, inodelk, entrylk) go with it.
    Event ev{EventType::kClientDisconnect, &server_, clientId_, {}};
    export_->top->notify(ev);
  }
  server_.connectionClosed(this);
}

}  // namespace gf
