// SPDX-License-Identifier: GPL-3.0-or-later
// RawClient: a blocking socket speaking the wire protocol byte by byte, so that tests can send
// a server exactly the frames a hostile or broken client would, and see how it answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "glusterfs/core/fops.h"
#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/frame_channel.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/wire.h"

namespace gf::test {

// A free loopback TCP port (bound once and released; fine for tests).
uint16_t freeLoopbackPort();

// Header bytes of a frame, with any field overridable for damaged frames.
std::string frameHeader(rpc::FrameType type, uint16_t opcode, uint64_t callId, uint32_t bodyLen,
                        uint32_t dataLen);
std::string frameBytes(rpc::FrameType type, uint16_t opcode, uint64_t callId, std::string_view body,
                       std::string_view data = {});

// The body of a call: an envelope, then `req`'s fields, its i-th Loc sent as locs[i] and its fd
// (if any) as fdId. Any WireLoc can be crafted this way, including ones no client would send.
template <class Req>
std::string callBody(const Req& req, const std::vector<rpc::WireLoc>& locs, uint64_t fdId,
                     Payload& data) {
  rpc::WireWriter w;
  rpc::Encoder e(w, data, [fdId](const FdPtr&) { return fdId; });
  e.value(rpc::CallEnvelope{});
  size_t i = 0;
  forEachField(req, [&](const char*, const auto& f) {
    if constexpr (std::is_same_v<std::decay_t<decltype(f)>, Loc>)
      e.value(locs.at(i++));
    else
      e.value(f);
  });
  return std::move(w.buffer());
}

class RawClient {
 public:
  // Connects to 127.0.0.1:port; throws on failure.
  explicit RawClient(uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // "127.0.0.1:PORT" of this end: how the server names us in its log.
  const std::string& self() const { return self_; }
  bool send(std::string_view bytes);
  void shutdownWrite();

  enum class Got { kFrame, kClosed, kTimeout, kBadFrame };
  Got read(rpc::Frame& f, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the server closes the connection within `timeout` (frames before that are
  // skipped).
  bool closedByServer(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // A proper handshake for `volume`; returns the reply's error (0 = accepted) or -1 when the
  // server sent no handshake reply.
  int handshake(const std::string& volume, uint32_t version = rpc::kProtocolVersion, const std::string& user = "",
                const std::string& password = "", const std::string& clientName = "raw-client");

  // Sends a call and waits for its reply: the reply's error (0 = success), -1 when the
  // connection closed or the reply never came. `replyBody` receives the fields after the
  // envelope, `fdId` the envelope's fd number.
  template <class Req>
  int call(const Req& req, const std::vector<rpc::WireLoc>& locs, uint64_t fdIdIn = 0,
           std::string* replyBody = nullptr, uint64_t* fdIdOut = nullptr) {
    Payload data;
    std::string body = callBody(req, locs, fdIdIn, data);
    return callRaw(static_cast<uint16_t>(FopOf<Req>::id), body, data.str(), replyBody, fdIdOut);
  }
  int callRaw(uint16_t opcode, std::string_view body, std::string_view data,
              std::string* replyBody = nullptr, uint64_t* fdIdOut = nullptr);

  // A lookup of the brick root: the smallest proof that the server still serves us.
  int lookupRoot();

 private:
  bool readExact(char* out, size_t n, std::chrono::steady_clock::time_point deadline, bool* closed);

  int fd_ = -1;
  std::string self_;
  uint64_t nextCallId_ = 1;
};

// The WireLoc of the brick root, and of `name` under a parent gfid.
rpc::WireLoc rootLoc();
rpc::WireLoc childLoc(const Gfid& parent, std::string name, std::string path = {});

}  // namespace gf::test
