// SPDX-License-Identifier: GPL-3.0-or-later
// RawClient: blocking loopback socket with deadlines, frame building and reply parsing.
#include "tests/unit/rpc/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gf::test {

uint16_t freeLoopbackPort() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) < 0) {
    close(s);
    throw std::runtime_error("cannot find a free port");
  }
  close(s);
  return ntohs(a.sin_port);
}

std::string frameHeader(rpc::FrameType type, uint16_t opcode, uint64_t callId, uint32_t bodyLen,
                        uint32_t dataLen) {
  rpc::FrameHeader h;
  h.type = type;
  h.opcode = opcode;
  h.callId = callId;
  h.bodyLen = bodyLen;
  h.dataLen = dataLen;
  char raw[rpc::kHeaderSize];
  rpc::encodeHeader(h, raw);
  return std::string(raw, sizeof raw);
}

std::string frameBytes(rpc::FrameType type, uint16_t opcode, uint64_t callId, std::string_view body,
                       std::string_view data) {
  return frameHeader(type, opcode, callId, static_cast<uint32_t>(body.size()),
                     static_cast<uint32_t>(data.size())) +
         std::string(body) + std::string(data);
}

RawClient::RawClient(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
    throw std::runtime_error(std::string("connect failed: ") + strerror(errno));
  sockaddr_in me{};
  socklen_t len = sizeof me;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&me), &len);
  self_ = "127.0.0.1:" + std::to_string(ntohs(me.sin_port));
}

RawClient::~RawClient() {
  if (fd_ >= 0) close(fd_);
}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RawClient::shutdownWrite() { shutdown(fd_, SHUT_WR); }

bool RawClient::readExact(char* out, size_t n, std::chrono::steady_clock::time_point deadline,
                          bool* closed) {
  *closed = false;
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    ssize_t got = recv(fd_, out, n, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      *closed = true;  // EOF or ECONNRESET: the server hung up
      return false;
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

RawClient::Got RawClient::read(rpc::Frame& f, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char hdr[rpc::kHeaderSize];
  bool closed;
  if (!readExact(hdr, sizeof hdr, deadline, &closed)) return closed ? Got::kClosed : Got::kTimeout;
  std::string why;
  if (!rpc::decodeHeader(hdr, f.header, why)) return Got::kBadFrame;
  f.body.resize(f.header.bodyLen);
  if (!readExact(f.body.data(), f.body.size(), deadline, &closed))
    return closed ? Got::kClosed : Got::kTimeout;
  std::string data(f.header.dataLen, '\0');
  if (!readExact(data.data(), data.size(), deadline, &closed))
    return closed ? Got::kClosed : Got::kTimeout;
  f.data = Payload::copyOf(data);
  return Got::kFrame;
}

bool RawClient::closedByServer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    rpc::Frame f;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    Got g = read(f, left);
    if (g == Got::kClosed) return true;
    if (g == Got::kTimeout || g == Got::kBadFrame) return false;
  }
  return false;
}

int RawClient::handshake(const std::string& volume, uint32_t version, const std::string& user,
                         const std::string& password, const std::string& clientName) {
  rpc::HandshakeRequest req{version, volume, user, password, clientName};
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(req, w, none);
  if (!send(frameBytes(rpc::FrameType::kHandshake, 0, nextCallId_++, w.buffer()))) return -1;
  rpc::Frame f;
  if (read(f) != Got::kFrame || f.header.type != rpc::FrameType::kHandshakeReply) return -1;
  rpc::HandshakeReply rep;
  rpc::WireReader r(f.body);
  std::string why;
  if (!rpc::decodeMessage(rep, r, f.data, why)) return -1;
  return rep.error;
}

int RawClient::callRaw(uint16_t opcode, std::string_view body, std::string_view data,
                       std::string* replyBody, uint64_t* fdIdOut) {
  uint64_t id = nextCallId_++;
  if (!send(frameBytes(rpc::FrameType::kCall, opcode, id, body, data))) return -1;
  while (true) {
    rpc::Frame f;
    if (read(f) != Got::kFrame) return -1;
    if (f.header.type == rpc::FrameType::kPing) continue;
    if (f.header.type != rpc::FrameType::kReply || f.header.callId != id) return -1;
    rpc::WireReader r(f.body);
    rpc::ReplyEnvelope env;
    Payload none;
    rpc::Decoder d(r, none);
    if (!d.value(env)) return -1;
    if (replyBody) replyBody->assign(f.body.substr(f.body.size() - r.left()));
    if (fdIdOut) *fdIdOut = env.fdId;
    return env.error;
  }
}

int RawClient::lookupRoot() { return call(LookupReq{}, {rootLoc()}); }

rpc::WireLoc rootLoc() { return rpc::WireLoc{Gfid::root(), Gfid{}, "", "/"}; }

rpc::WireLoc childLoc(const Gfid& parent, std::string name, std::string path) {
  if (path.empty()) path = "/" + name;
  return rpc::WireLoc{Gfid{}, parent, std::move(name), std::move(path)};
}

}  // namespace gf::test
