// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/client's frame-timeout: a call the server accepted but never answers fails with
// ETIMEDOUT on its own, while the connection (pings still answered) stays up for other calls.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/wire.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "tests/unit/rpc/raw_client.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

bool readAll(int fd, char* p, size_t n) {
  while (n) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool writeAll(int fd, const std::string& s) {
  return ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
}

// A server that accepts one client, welcomes its handshake and answers its pings, but never
// answers a call.
class SilentServer {
 public:
  SilentServer() : port_(freeLoopbackPort()) {
    listen_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(listen_, 4) < 0)
      throw std::runtime_error("silent server cannot listen");
    thread_ = std::thread([this] { serve(); });
  }
  ~SilentServer() {
    ::shutdown(listen_, SHUT_RDWR);
    if (conn_ >= 0) ::shutdown(conn_, SHUT_RDWR);
    thread_.join();
    ::close(listen_);
    if (conn_ >= 0) ::close(conn_);
  }
  uint16_t port() const { return port_; }
  int callsSeen() const { return calls_.load(); }

 private:
  void serve() {
    conn_ = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn_ < 0) return;
    while (true) {
      char raw[rpc::kHeaderSize];
      if (!readAll(conn_, raw, sizeof raw)) return;
      rpc::FrameHeader h;
      std::string why;
      if (!rpc::decodeHeader(raw, h, why)) return;
      std::string rest(h.bodyLen + h.dataLen, '\0');
      if (!rest.empty() && !readAll(conn_, rest.data(), rest.size())) return;
      if (h.type == rpc::FrameType::kHandshake) {
        rpc::WireWriter w;
        Payload none;
        rpc::encodeMessage(rpc::HandshakeReply{0, "", "silent"}, w, none);
        writeAll(conn_, frameBytes(rpc::FrameType::kHandshakeReply, 0, h.callId, w.buffer()));
      } else if (h.type == rpc::FrameType::kPing) {
        writeAll(conn_, frameBytes(rpc::FrameType::kPong, 0, h.callId, ""));
      } else if (h.type == rpc::FrameType::kCall) {
        ++calls_;  // and no answer
      }
    }
  }
  uint16_t port_;
  int listen_ = -1;
  int conn_ = -1;
  std::atomic<int> calls_{0};
  std::thread thread_;
};

TEST(FrameTimeoutTest, AnUnansweredCallFailsWithEtimedoutAndTheConnectionStays) {
  SilentServer server;
  TestGraph g("volume c\n  type protocol/client\n  option transport-type tcp\n"
              "  option remote-host 127.0.0.1\n  option remote-port " +
              std::to_string(server.port()) +
              "\n  option remote-subvolume brick\n  option frame-timeout 1\n"
              "  option ping-timeout 30\nend-volume\n");
  auto& client = g.get<ClientXlator>("c");
  for (int i = 0; i < 250 && !client.connected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(client.connected());
  TestClient fs(g.top());
  EXPECT_ERRNO(fs.stat("/"), ETIMEDOUT);
  EXPECT_GE(server.callsSeen(), 1);
  EXPECT_TRUE(client.connected());  // a slow call is not a dead server
}

}  // namespace
}  // namespace gf::test
