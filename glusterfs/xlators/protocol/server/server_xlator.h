// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/server: exports its subvolumes to clients over a transport (tcp, unix).
//
// Each connection first sends a handshake naming the subvolume it wants and its credentials;
// auth.addr / auth.login rules decide (no rules: refused, as in 2.0). Calls are served
// concurrently and answered in any order. Each export has its own inode table, shared by all
// connections; each connection has its own open fds and lock identity (clientId), released
// when it goes away. Clients may fetch their volfile (client-volume-filename) before any
// handshake. Fops reach the exported volume on the network thread that read them; load
// performance/io-threads below the server so blocking system calls leave that thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/inode.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"
#include "glusterfs/xlators/protocol/server/server_auth.h"

namespace gf {
namespace rpc {
class Listener;
}
class ServerConnection;

class ServerXlator : public Xlator {
 public:
  struct Config {
    std::string transportType = "tcp";
    int64_t listenPort = 6996;
    std::string bindAddress;
    std::string listenPath;
    AuthRules auth;
    std::string clientVolumeFilename;
    std::map<std::string, std::string> volumeFilenames;  // volfile-id -> file
    int64_t inodeLruLimit = 16384;
  };
  static const OptionTable<Config>& optionTable();
  ServerXlator(const XlatorArgs& args, Config config);
  ~ServerXlator() override;

  Status init() override;
  void start() override;
  void stop() override;
  void notify(const Event& ev) override;

  struct Export {
    Xlator* top = nullptr;
    std::unique_ptr<InodeTable> inodes;
  };
  Export* findExport(const std::string& name);
  const Config& config() const { return config_; }
  // The client volfile for `id` ("" = the default one), or an error message.
  bool volfileFor(const std::string& id, std::string& text, std::string& why) const;
  EventLoop& loop();
  void connectionClosed(ServerConnection* c);
  // Records `fresh` as the connection of client instance `instanceId` to `exportName`, and
  // closes the one recorded before it (cleaning up at once: fds, locks): a client that
  // reconnected has given that one up, even if the server's end of TCP has not heard of it.
  void supersede(ServerConnection* fresh, const std::string& instanceId,
                 const std::string& exportName);
  size_t connectionCount() const;
  const std::string& listenAddress() const { return listenDesc_; }

 private:
  Task<void> acceptLoop();

  Config config_;
  std::map<std::string, Export> exports_;
  std::unique_ptr<rpc::Listener> listener_;
  std::string listenDesc_;
  mutable std::mutex mutex_;
  std::set<std::shared_ptr<ServerConnection>> connections_;
  std::map<std::string, ServerConnection*> instances_;  // export '\0' instance id -> connection
  uint64_t nextClientId_ = 1;
  bool stopping_ = false;
};

}  // namespace gf
