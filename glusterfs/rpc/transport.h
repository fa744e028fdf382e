// SPDX-License-Identifier: GPL-3.0-or-later
// Transports: byte streams between client and server, behind an interface so that another
// transport (ib-verbs) can be added without touching the protocol translators.
//
// tcp: IPv4 and IPv6, TCP_NODELAY, optional bind address; a host name with several addresses
// is tried address by address. unix: a socket path. All I/O completes on the EventLoop.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/result.h"
#include "glusterfs/core/task.h"

namespace gf::rpc {

class Stream {
 public:
  virtual ~Stream() = default;
  virtual Task<Status> readExact(char* buf, size_t n) = 0;
  // Reads at least one byte (up to n); ENOTCONN at end of stream.
  virtual Task<Result<size_t>> readSome(char* buf, size_t n) = 0;
  virtual Task<Status> writeAll(std::span<const iovec> bufs) = 0;
  // Ends the connection; any thread, any time: pending and later reads and writes fail.
  virtual void close() = 0;
  // The peer's address for auth.addr ("10.0.0.5", "::1"; "unix" for unix sockets) and a
  // description for logs ("10.0.0.5:1021").
  virtual const std::string& peerAddress() const = 0;
  virtual const std::string& describe() const = 0;
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual Task<Result<std::unique_ptr<Stream>>> accept() = 0;
  virtual void close() = 0;
  virtual const std::string& describe() const = 0;
};

struct TransportConfig {
  std::string type = "tcp";  // tcp | unix (| ib-verbs: not in this build)
  std::string host;          // tcp: remote host (client)
  uint16_t port = 6996;      // tcp: remote or listen port
  std::string bindAddress;   // tcp: local address to listen on (server); empty = all
  std::string path;          // unix: socket path
};

// Known transport type? (the protocol translators validate their options with this)
bool transportSupported(const std::string& type, std::string* why);
Task<Result<std::unique_ptr<Stream>>> connectStream(EventLoop& loop, TransportConfig cfg,
                                                     std::string* why);
Result<std::unique_ptr<Listener>> listenStream(EventLoop& loop, const TransportConfig& cfg,
                                               std::string* why);

}  // namespace gf::rpc
