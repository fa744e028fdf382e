// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/server: options, listening, connection bookkeeping, volfile serving.
#include "glusterfs/xlators/protocol/server/server_xlator.h"

#include <fstream>
#include <sstream>

#include "glusterfs/core/graph.h"
#include "glusterfs/core/log.h"
#include "glusterfs/rpc/transport.h"
#include "glusterfs/xlators/protocol/server/server_connection.h"

namespace gf {
namespace {
// "auth.addr.VOL.allow" -> "VOL" for a pattern "auth.addr.*.allow".
std::string starPart(const std::string& key, std::string_view prefix, std::string_view suffix) {
  return key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
}
}  // namespace

const OptionTable<ServerXlator::Config>& ServerXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .choice("transport-type", &C::transportType, "tcp", {"tcp", "socket", "unix", "ib-verbs"},
                  "Transport to listen on (ib-verbs is not available in this build).")
          .integer("listen-port", &C::listenPort, 6996, 1, 65535, "TCP port to listen on.")
          .alias("transport.socket.listen-port")
          .string("bind-address", &C::bindAddress, "",
                  "Local address to listen on (IPv4 or IPv6); empty: all addresses.")
          .alias("transport.socket.bind-address")
          .string("listen-path", &C::listenPath, "", "Socket path for transport-type unix.")
          .alias("transport.socket.listen-path")
          .add({"auth.addr.*.allow", {"auth.ip.*.allow"}, OptionKind::kString, "", INT64_MIN,
                INT64_MAX, {}, false,
                "Comma list of client addresses ('*' wildcards) allowed to mount VOLUME."},
               [](C& c, const OptionValue& v) {
                 bool ip = v.key.rfind("auth.ip.", 0) == 0;
                 c.auth.addrAllow[starPart(v.key, ip ? "auth.ip." : "auth.addr.", ".allow")] = v.text;
               })
          .add({"auth.addr.*.reject", {"auth.ip.*.reject"}, OptionKind::kString, "", INT64_MIN,
                INT64_MAX, {}, false, "Comma list of client addresses refused for VOLUME."},
               [](C& c, const OptionValue& v) {
                 bool ip = v.key.rfind("auth.ip.", 0) == 0;
                 c.auth.addrReject[starPart(v.key, ip ? "auth.ip." : "auth.addr.", ".reject")] = v.text;
               })
          .add({"auth.login.*.allow", {}, OptionKind::kString, "", INT64_MIN, INT64_MAX, {}, false,
                "Comma list of user names that may mount VOLUME (with their password)."},
               [](C& c, const OptionValue& v) {
                 c.auth.loginAllow[starPart(v.key, "auth.login.", ".allow")] = v.text;
               })
          .add({"auth.login.*.password", {}, OptionKind::kString, "", INT64_MIN, INT64_MAX, {},
                false, "Password of USER for auth.login."},
               [](C& c, const OptionValue& v) {
                 c.auth.passwords[starPart(v.key, "auth.login.", ".password")] = v.text;
               })
          .path("client-volume-filename", &C::clientVolumeFilename, "",
                "Client volfile served to `glusterfs -s HOST`.")
          .add({"volume-filename.*", {}, OptionKind::kPath, "", INT64_MIN, INT64_MAX, {}, false,
                "Client volfile served to `glusterfs -s HOST --volfile-id ID`."},
               [](C& c, const OptionValue& v) {
                 c.volumeFilenames[starPart(v.key, "volume-filename.", "")] = v.text;
               })
          .integer("inode-lru-limit", &C::inodeLruLimit, 16384, 0, 1 << 24,
                   "Idle inodes each export keeps resolved (and their brick handles open).");
  return table;
}

ServerXlator::ServerXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)) {}

ServerXlator::~ServerXlator() { stop(); }

EventLoop& ServerXlator::loop() { return graph()->netLoop(); }

Status ServerXlator::init() {
  for (auto* c : children()) {
    Export e;
    e.top = c;
    e.inodes = std::make_unique<InodeTable>(static_cast<size_t>(config_.inodeLruLimit));
    exports_.emplace(c->name(), std::move(e));
  }
  for (const auto* m : {&config_.auth.addrAllow, &config_.auth.addrReject, &config_.auth.loginAllow})
    for (const auto& [vol, list] : *m)
      if (!exports_.count(vol))
        GF_LOG_WARNING(name(), "auth rule for '%s', which is not a subvolume of this server",
                       vol.c_str());
  rpc::TransportConfig tc;
  tc.type = config_.transportType;
  tc.port = static_cast<uint16_t>(config_.listenPort);
  tc.bindAddress = config_.bindAddress;
  tc.path = config_.listenPath;
  if (tc.type == "unix" && tc.path.empty()) {
    GF_LOG_ERROR(name(), "transport-type unix needs option listen-path");
    return fail(EINVAL);
  }
  std::string why;
  auto l = rpc::listenStream(loop(), tc, &why);
  if (!l) {
    GF_LOG_ERROR(name(), "%s", why.c_str());
    return fail(l.error());
  }
  listener_ = std::move(*l);
  listenDesc_ = listener_->describe();
  GF_LOG_INFO(name(), "listening on %s (%s)", listenDesc_.c_str(), tc.type.c_str());
  return {};
}

void ServerXlator::start() {
  loop().post([this] { spawn(acceptLoop(), "server-accept"); });
}

Task<void> ServerXlator::acceptLoop() {
  while (true) {
    auto s = co_await listener_->accept();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) co_return;
    }
    if (!s) {
      if (s.errnum() == EMFILE || s.errnum() == ENFILE) {
        GF_LOG_ERROR(name(), "accept: %s; retrying in a second", s.error().message().c_str());
        co_await loop().sleepFor(std::chrono::seconds(1));
      }
      continue;
    }
    auto ch = std::make_shared<rpc::FrameChannel>(std::move(*s));
    std::shared_ptr<ServerConnection> conn;
    {
      std::lock_guard lock(mutex_);
      conn = std::make_shared<ServerConnection>(*this, ch, nextClientId_++);
      connections_.insert(conn);
    }
    spawn(conn->run(conn), "server-conn");
  }
}

void ServerXlator::stop() {
  std::set<std::shared_ptr<ServerConnection>> conns;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    conns.swap(connections_);
  }
  if (listener_) listener_->close();
  for (const auto& c : conns) c->close();
}

void ServerXlator::connectionClosed(ServerConnection* c) {
  std::shared_ptr<ServerConnection> keep;
  std::lock_guard lock(mutex_);
  for (auto it = connections_.begin(); it != connections_.end(); ++it)
    if (it->get() == c) {
      keep = *it;
      connections_.erase(it);
      break;
    }
  std::erase_if(instances_, [c](const auto& kv) { return kv.second == c; });
}

void ServerXlator::supersede(ServerConnection* fresh, const std::string& instanceId,
                             const std::string& exportName) {
  std::shared_ptr<ServerConnection> old;
  {
    std::lock_guard lock(mutex_);
    ServerConnection*& slot = instances_[exportName + '\0' + instanceId];
    for (const auto& c : connections_)
      if (c.get() == slot && slot != fresh) old = c;
    slot = fresh;
  }
  if (old) old->evict(fresh->peer());
}

size_t ServerXlator::connectionCount() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ServerXlator::notify(const Event& ev) {
  if (ev.type == EventType::kChildDown && ev.from)
    GF_LOG_WARNING(name(), "exported volume %s went down%s%s", ev.from->name().c_str(),
                   ev.reason.empty() ? "" : ": ", ev.reason.c_str());
}

ServerXlator::Export* ServerXlator::findExport(const std::string& n) {
  auto it = exports_.find(n);
  return it == exports_.end() ? nullptr : &it->second;
}

bool ServerXlator::volfileFor(const std::string& id, std::string& text, std::string& why) const {
  std::string path = config_.clientVolumeFilename;
  if (!id.empty()) {
    auto it = config_.volumeFilenames.find(id);
    if (it != config_.volumeFilenames.end()) path = it->second;
    else if (path.empty()) {
      why = "no volfile with id '" + id + "' on this server";
      return false;
    }
  }
  if (path.empty()) {
    why = "this server serves no client volfile (set client-volume-filename)";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot read " + path;
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

}  // namespace gf
