// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/client: sends every fop to one remote subvolume of a glusterfsd.
//
// Connects (trying each address of remote-host in turn), authenticates, and reconnects with
// backoff when the connection drops. Calls made while disconnected, or in flight when it
// drops, fail with ENOTCONN; none waits past ping-timeout for a dead server. After a
// reconnect, open files are reopened and their locks taken again before the translator
// reports itself up; a file that cannot be reopened fails later calls with EBADF (logged).
// Sends kChildUp / kChildDown (with the reason, e.g. an authentication refusal) upward.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"

namespace gf {

class ClientConnection;
struct ClientFdCtx;
struct ClientShared;

class ClientXlator : public Xlator {
 public:
  struct Config {
    std::string transportType = "tcp";
    std::string remoteHost;
    int64_t remotePort = 6996;
    std::string remoteSubvolume;
    std::string connectPath;
    std::string username;
    std::string password;
    std::chrono::milliseconds frameTimeout{std::chrono::seconds(1800)};
    std::chrono::milliseconds pingTimeout{std::chrono::seconds(10)};
  };
  static const OptionTable<Config>& optionTable();
  ClientXlator(const XlatorArgs& args, Config config);
  ~ClientXlator() override;

  Status init() override;
  void start() override;
  void stop() override;
  bool connected() const;

#define GF_CLIENT_FOP_(name, Req, Rep, flags) \
  Task<Result<Rep>> name(const CallCtx& ctx, const Req& req) override;
  GF_FOP_LIST(GF_CLIENT_FOP_)
#undef GF_CLIENT_FOP_

 private:
  template <class Req>
  Task<Result<typename FopOf<Req>::Reply>> call(const CallCtx& ctx, const Req& req);
  Task<void> connectLoop();
  Task<Status> handshake(const std::shared_ptr<ClientConnection>& conn, std::string& why);
  Task<void> reopenFiles(std::shared_ptr<ClientConnection> conn);
  std::shared_ptr<ClientConnection> current() const;

  Config config_;
  std::shared_ptr<ClientShared> shared_;
  std::string instanceId_;  // sent in every handshake (see rpc::HandshakeRequest)
};

// Fetches a client volfile from a server (glusterfs -s HOST [--volfile-id ID]).
struct VolfileSource {
  std::string host;
  uint16_t port = 6996;
  std::string transport = "tcp";
  std::string volfileId;
};
Result<std::string> fetchClientVolfile(const VolfileSource& src, std::string& why);

}  // namespace gf
