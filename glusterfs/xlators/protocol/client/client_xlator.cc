// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/client: options, the connect/reconnect loop, handshake, and the generic fop call.
#include "glusterfs/xlators/protocol/client/client_xlator.h"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <type_traits>

#include "glusterfs/core/graph.h"
#include "glusterfs/core/log.h"
#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/transport.h"
#include "glusterfs/xlators/protocol/client/client_connection.h"
#include "glusterfs/xlators/protocol/client/client_fd.h"

namespace gf {

using rpc::FrameType;

const OptionTable<ClientXlator::Config>& ClientXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .choice("transport-type", &C::transportType, "tcp", {"tcp", "socket", "unix", "ib-verbs"},
                  "Transport to the server (ib-verbs is not available in this build).")
          .string("remote-host", &C::remoteHost, "",
                  "Server host name or address; every address of the name is tried in turn.")
          .alias("transport.socket.remote-host")
          .integer("remote-port", &C::remotePort, 6996, 1, 65535, "Server port.")
          .alias("transport.socket.remote-port")
          .string("remote-subvolume", &C::remoteSubvolume, "",
                  "Name of the volume exported by the server's protocol/server.")
          .required()
          .string("connect-path", &C::connectPath, "", "Server socket path for transport-type unix.")
          .alias("transport.socket.connect-path")
          .string("username", &C::username, "", "User name for the server's auth.login.")
          .string("password", &C::password, "", "Password for the server's auth.login.")
          .time("frame-timeout", &C::frameTimeout, "1800", 1000, 86400000,
                "A call unanswered this long fails with ETIMEDOUT.")
          .time("ping-timeout", &C::pingTimeout, "10", 1000, 3600000,
                "A server silent this long (pings unanswered) is disconnected.");
  return table;
}

namespace {
std::string randomInstanceId() {
  std::random_device rd;
  char buf[33];
  snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}
}  // namespace

ClientXlator::ClientXlator(const XlatorArgs& args, Config config)
    : Xlator(args),
      config_(std::move(config)),
      shared_(std::make_shared<ClientShared>()),
      instanceId_(randomInstanceId()) {}

ClientXlator::~ClientXlator() { stop(); }

Status ClientXlator::init() {
  std::string why;
  if (!rpc::transportSupported(config_.transportType, &why)) {
    GF_LOG_ERROR(name(), "%s", why.c_str());
    return fail(EPROTONOSUPPORT);
  }
  if (config_.transportType == "unix" ? config_.connectPath.empty() : config_.remoteHost.empty()) {
    GF_LOG_ERROR(name(), "option %s is required",
                 config_.transportType == "unix" ? "connect-path" : "remote-host");
    return fail(EINVAL);
  }
  return {};
}

void ClientXlator::start() {
  graph()->netLoop().post([this] { spawn(connectLoop(), "client-connect"); });
}

void ClientXlator::stop() {
  std::shared_ptr<ClientConnection> conn;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
    conn = shared_->conn;
  }
  if (conn) conn->close("client stopping");
}

bool ClientXlator::connected() const { return current() != nullptr; }

std::shared_ptr<ClientConnection> ClientXlator::current() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->conn;
}

Task<Status> ClientXlator::handshake(const std::shared_ptr<ClientConnection>& conn,
                                     std::string& why) {
  char host[256] = "client";
  gethostname(host, sizeof host - 1);
  std::string me = std::string(host) + ":" + std::to_string(getpid());
  rpc::HandshakeRequest req{rpc::kProtocolVersion, config_.remoteSubvolume, config_.username, config_.password, me,
                            instanceId_};
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(req, w, none);
  auto f = co_await conn->call(FrameType::kHandshake, 0, std::move(w.buffer()));
  if (!f) {
    why = "handshake with " + conn->peer() + " failed: " + f.error().message();
    co_return fail(f.error());
  }
  rpc::HandshakeReply rep;
  rpc::WireReader r(f->body);
  std::string bad;
  if (f->header.type != FrameType::kHandshakeReply || !rpc::decodeMessage(rep, r, f->data, bad)) {
    why = "malformed handshake reply from " + conn->peer();
    co_return fail(EPROTO);
  }
  if (rep.error) {
    why = "server " + conn->peer() + " refused '" + config_.remoteSubvolume + "': " + rep.message;
    co_return fail(rep.error);
  }
  co_return Status{};
}

Task<void> ClientXlator::connectLoop() {
  EventLoop& loop = graph()->netLoop();
  auto backoff = std::chrono::milliseconds(500);
  std::string lastReason;
  ClientTimeouts timeouts{config_.frameTimeout, config_.pingTimeout};
  rpc::TransportConfig tc;
  tc.type = config_.transportType;
  tc.host = config_.remoteHost;
  tc.port = static_cast<uint16_t>(config_.remotePort);
  tc.path = config_.connectPath;
  while (true) {
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopping) co_return;
    }
    std::string why;
    auto stream = co_await rpc::connectStream(loop, tc, &why);
    if (stream) {
      auto ch = std::make_shared<rpc::FrameChannel>(std::move(*stream));
      uint64_t gen;
      {
        std::lock_guard lock(shared_->mutex);
        gen = ++shared_->generation;
      }
      auto conn = std::make_shared<ClientConnection>(ch, gen, loop, timeouts, name());
      conn->start();
      Status hs = co_await handshake(conn, why);
      if (hs) {
        co_await reopenFiles(conn);
        {
          std::lock_guard lock(shared_->mutex);
          if (shared_->stopping) {
            conn->close("client stopping");
            co_return;
          }
          shared_->conn = conn;
        }
        GF_LOG_INFO(name(), "connected to %s, volume '%s'", conn->peer().c_str(),
                    config_.remoteSubvolume.c_str());
        lastReason.clear();
        backoff = std::chrono::milliseconds(500);
        notifyParents(EventType::kChildUp);
        co_await conn->closedEvent().wait();
        {
          std::lock_guard lock(shared_->mutex);
          if (shared_->conn == conn) shared_->conn.reset();
        }
        lastReason = conn->closeReason();
        GF_LOG_WARNING(name(), "%s", lastReason.c_str());
        notifyParents(EventType::kChildDown, lastReason);
        continue;  // try again at once
      }
      conn->close(why);
    }
    if (why != lastReason) {
      GF_LOG_ERROR(name(), "%s", why.c_str());
      lastReason = why;
      notifyParents(EventType::kChildDown, why);
    }
    co_await loop.sleepFor(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
}

namespace {
template <class Req>
constexpr bool kOpens = std::is_same_v<Req, OpenReq> || std::is_same_v<Req, CreateReq> ||
                        std::is_same_v<Req, OpendirReq>;
}

template <class Req>
Task<Result<typename FopOf<Req>::Reply>> ClientXlator::call(const CallCtx& ctx, const Req& req) {
  using Rep = typename FopOf<Req>::Reply;
  auto conn = current();
  if (!conn) co_return fail(ENOTCONN);
  rpc::WireWriter body;
  Payload data;
  rpc::encodeMessage(rpc::envelopeOf(ctx), body, data);
  bool stale = false;
  rpc::encodeMessage(req, body, data, [&](const FdPtr& fd) -> uint64_t {
    if constexpr (kOpens<Req>) {
      return 0;  // the new fd: the server makes its own
    } else {
      auto fc = fd ? fd->ctx().get<ClientFdCtx>(this) : nullptr;
      if (!fc || fc->lost || fc->generation != conn->generation()) {
        stale = true;
        return 0;
      }
      return fc->remoteId;
    }
  });
  if (stale) co_return fail(EBADF);
  // A frame over the protocol's limits would make the server drop the whole connection, and
  // an answer over them could never arrive: such calls fail here, alone.
  bool tooBig = body.size() > rpc::kMaxBody || data.size() > rpc::kMaxData;
  if constexpr (std::is_same_v<Req, ReadvReq>) tooBig = tooBig || req.size > rpc::kMaxData;
  if (tooBig) co_return fail(EINVAL);
  auto frame = co_await conn->call(FrameType::kCall, static_cast<uint16_t>(FopOf<Req>::id),
                                   std::move(body.buffer()), std::move(data));
  if (!frame) co_return fail(frame.error());
  rpc::WireReader r(frame->body);
  rpc::ReplyEnvelope env;
  Rep rep;
  {
    Payload none;
    rpc::Decoder d(r, none);
    if (!d.value(env)) {
      conn->close(std::string("malformed reply from ") + conn->peer() + ": " + d.error());
      co_return fail(EIO);
    }
  }
  if (env.error) co_return fail(env.error);
  rpc::Decoder d(r, frame->data);
  if (!d.value(rep) || !d.finish()) {
    conn->close(std::string("malformed ") + fopName(FopOf<Req>::id) + " reply from " +
                conn->peer() + ": " + d.error());
    co_return fail(EIO);
  }
  if constexpr (kOpens<Req>) {
    bool dir = std::is_same_v<Req, OpendirReq>;
    int32_t flags = 0;
    if constexpr (!std::is_same_v<Req, OpendirReq>) flags = req.flags;
    attachClientFd(*req.fd, this, shared_, env.fdId, conn->generation(), flags, dir);
  }
  if constexpr (std::is_same_v<Req, LkReq>) {
    if (req.cmd != LockCmd::kGet) recordLock(*req.fd, this, req, ctx.lkOwner);
  }
  co_return rep;
}

#define GF_CLIENT_FOP_DEF_(name_, Req, Rep, flags)                                \
  Task<Result<Rep>> ClientXlator::name_(const CallCtx& ctx, const Req& req) {     \
    return call<Req>(ctx, req);                                                    \
  }
GF_FOP_LIST(GF_CLIENT_FOP_DEF_)
#undef GF_CLIENT_FOP_DEF_

}  // namespace gf
