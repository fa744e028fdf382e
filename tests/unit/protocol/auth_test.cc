// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/server authentication end to end: real client and server graphs in this process;
// a refused client never comes up, its child-down event says why, and the server's log names
// the client and the reason. Also the client volfile served to `glusterfs -s HOST`.
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "glusterfs/core/graph.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "glusterfs/xlators/registry.h"
#include "tests/unit/rpc/server_fixture.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A protocol/client graph whose top events (child up / down) are recorded.
class ClientRun {
 public:
  ClientRun(uint16_t port, const std::string& user, const std::string& password,
            const std::string& remoteSubvolume = "brick") {
    std::string text =
        "volume client\n  type protocol/client\n  option transport-type tcp\n"
        "  option remote-host 127.0.0.1\n  option remote-port " +
        std::to_string(port) + "\n  option remote-subvolume " + remoteSubvolume + "\n";
    if (!user.empty()) text += "  option username " + user + "\n";
    if (!password.empty()) text += "  option password " + password + "\n";
    text += "end-volume\n";
    graph_ = Graph::fromText(text, builtinXlators());
    graph_->setTopListener([this](const Event& ev) {
      std::lock_guard lock(mutex_);
      events_.push_back({ev.type, ev.reason});
      cv_.notify_all();
    });
    std::string why;
    if (!graph_->init(&why)) throw std::runtime_error(why);
    graph_->start();
  }
  ~ClientRun() {
    graph_->stop();
    graph_.reset();
  }

  // The reason of the first event of `type` within `timeout`, or nullopt.
  std::optional<std::string> waitFor(EventType type, milliseconds timeout = seconds(10)) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& [t, reason] : events_)
        if (t == type) {
          found = reason;
          return true;
        }
      return false;
    });
    return found;
  }
  bool sawUp() {
    std::lock_guard lock(mutex_);
    for (const auto& e : events_)
      if (e.first == EventType::kChildUp) return true;
    return false;
  }
  Xlator& top() { return graph_->top(); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::pair<EventType, std::string>> events_;
  std::unique_ptr<Graph> graph_;  // last: stopped and destroyed before the events it reports to
};

std::string thisClientName() {
  char host[256] = "client";
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

class AuthTest : public ServerFixture {
 protected:
  // The client must be refused: a child-down naming `reason`, no child-up even after it has
  // retried, and a server log line naming this client and the reason.
  void expectRefused(const std::string& user, const std::string& password,
                     const std::string& reason) {
    ClientRun client(port(), user, password);
    auto down = client.waitFor(EventType::kChildDown);
    ASSERT_TRUE(down) << "no child-down event; log:\n" << logText();
    EXPECT_NE(down->find(reason), std::string::npos) << "child-down reason: " << *down;
    EXPECT_NE(down->find("127.0.0.1:" + std::to_string(port())), std::string::npos) << *down;
    EXPECT_FALSE(client.waitFor(EventType::kChildUp, milliseconds(1500)))
        << "a refused client came up";
    EXPECT_TRUE(logLineHas({"refused client 127.0.0.1:", thisClientName(), "'brick'", reason}))
        << "log:\n"
        << logText();
    if (!password.empty()) {
      EXPECT_EQ(logText().find(password), std::string::npos) << "a password reached the log";
    }
  }

  void expectAccepted(const std::string& user, const std::string& password) {
    ClientRun client(port(), user, password);
    ASSERT_TRUE(client.waitFor(EventType::kChildUp)) << "log:\n" << logText();
    EXPECT_TRUE(logLineHas({"accepted client 127.0.0.1:", thisClientName(), "'brick'"}));
    TestClient fs(client.top());
    ASSERT_OK(fs.writeFile("/hello", "world"));
    ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/hello"));
    EXPECT_EQ(back, "world");
  }
};

TEST_F(AuthTest, AllowedByAddress) {
  startServer({{"auth.addr.brick.allow", "10.1.2.3, 127.0.0.1"}});
  expectAccepted("", "");
}

TEST_F(AuthTest, AllowedByAddressWildcard) {
  startServer({{"auth.addr.brick.allow", "127.0.*"}});
  expectAccepted("", "");
}

TEST_F(AuthTest, RejectedByTheRejectList) {
  startServer({{"auth.addr.brick.allow", "*"}, {"auth.addr.brick.reject", "127.0.0.1"}});
  expectRefused("", "", "address 127.0.0.1 is rejected for volume brick");
}

TEST_F(AuthTest, RejectedWhenNotInTheAllowList) {
  startServer({{"auth.addr.brick.allow", "10.0.0.*,192.168.1.1"}});
  expectRefused("", "", "address 127.0.0.1 is not allowed for volume brick");
}

TEST_F(AuthTest, LoginWithTheRightPassword) {
  startServer({{"auth.login.brick.allow", "alice"}, {"auth.login.alice.password", "s3cret"}});
  expectAccepted("alice", "s3cret");
}

TEST_F(AuthTest, LoginWithAWrongPassword) {
  startServer({{"auth.login.brick.allow", "alice"}, {"auth.login.alice.password", "s3cret"}});
  expectRefused("alice", "guess-wrong", "wrong password for user 'alice'");
}

TEST_F(AuthTest, LoginAsAUserNotAllowed) {
  startServer({{"auth.login.brick.allow", "alice"}, {"auth.login.alice.password", "s3cret"}});
  expectRefused("mallory", "s3cret", "user 'mallory' is not allowed for volume brick");
}

TEST_F(AuthTest, LoginAsAUserWithoutPassword) {
  startServer({{"auth.login.brick.allow", "alice,bob"}, {"auth.login.alice.password", "s3cret"}});
  expectRefused("bob", "anything", "unknown user 'bob'");
}

TEST_F(AuthTest, LoginWithoutAUserNameWhenOnlyLoginIsConfigured) {
  startServer({{"auth.login.brick.allow", "alice"}, {"auth.login.alice.password", "s3cret"}});
  expectRefused("", "", "no authentication rule allows volume brick");
}

TEST_F(AuthTest, NoAuthConfiguredRefusesEveryone) {
  startServer({});
  expectRefused("", "", "no authentication rule allows volume brick");
}

TEST_F(AuthTest, AddressRejectWinsOverAGoodLogin) {
  startServer({{"auth.addr.brick.reject", "127.0.0.1"},
               {"auth.login.brick.allow", "alice"},
               {"auth.login.alice.password", "s3cret"}});
  expectRefused("alice", "s3cret", "address 127.0.0.1 is rejected for volume brick");
}

TEST_F(AuthTest, WrongPasswordWinsOverAnAllowedAddress) {
  startServer({{"auth.addr.brick.allow", "127.0.0.1"},
               {"auth.login.brick.allow", "alice"},
               {"auth.login.alice.password", "s3cret"}});
  expectRefused("alice", "nope-nope", "wrong password for user 'alice'");
}

TEST_F(AuthTest, UnknownRemoteSubvolumeIsRefused) {
  startServer();
  ClientRun client(port(), "", "", "nosuch");
  auto down = client.waitFor(EventType::kChildDown);
  ASSERT_TRUE(down);
  EXPECT_NE(down->find("no subvolume 'nosuch' on this server"), std::string::npos) << *down;
  EXPECT_FALSE(client.waitFor(EventType::kChildUp, milliseconds(1000)));
  EXPECT_TRUE(logLineHas({"refused client 127.0.0.1:", "'nosuch'", "no subvolume"}));
}

TEST_F(AuthTest, HandshakeWithAnotherProtocolVersionIsRefused) {
  startServer();
  RawClient c(port());
  EXPECT_EQ(c.handshake("brick", 1), EPROTONOSUPPORT);  // 2.0 clients before readdirp xattrs
  EXPECT_TRUE(logLineHas({"refused client", c.self(), "protocol version 1"}));
  RawClient good(port());
  EXPECT_EQ(good.handshake("brick", rpc::kProtocolVersion), 0);
}

TEST_F(AuthTest, RefusedRawClientCannotCallAnything) {
  startServer({{"auth.addr.brick.allow", "10.0.0.1"}});
  RawClient c(port());
  EXPECT_EQ(c.handshake("brick"), EACCES);
  // Whatever it sends next, it gets no service: the server hangs up.
  c.send(frameBytes(rpc::FrameType::kCall, static_cast<uint16_t>(FopId::lookup), 5, ""));
  rpc::Frame f;
  EXPECT_NE(c.read(f, seconds(5)), RawClient::Got::kFrame);
}

// ---- client-volume-filename ----------------------------------------------------------------

class VolfileFetchTest : public ServerFixture {
 protected:
  std::string writeVolfile(const std::string& name, const std::string& text) {
    std::string path = tmpDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  Result<std::string> fetch(const std::string& id, std::string& why) {
    VolfileSource src;
    src.host = "127.0.0.1";
    src.port = port();
    src.transport = "tcp";
    src.volfileId = id;
    return fetchClientVolfile(src, why);
  }
};

TEST_F(VolfileFetchTest, ServesTheClientVolfile) {
  const std::string text = "# client\nvolume c\n  type protocol/client\nend-volume\n";
  std::string path = writeVolfile("client.vol", text);
  std::string other = writeVolfile("other.vol", "volume o\nend-volume\n");
  startServer({{"auth.addr.brick.allow", "127.0.0.1"},
               {"client-volume-filename", path},
               {"volume-filename.other", other}});
  std::string why;
  ASSERT_OK_AND_ASSIGN(std::string got, fetch("", why));
  EXPECT_EQ(got, text);
  ASSERT_OK_AND_ASSIGN(std::string byId, fetch("other", why));
  EXPECT_EQ(byId, "volume o\nend-volume\n");
}

TEST_F(VolfileFetchTest, ServerWithoutAVolfileSaysSo) {
  startServer();
  std::string why;
  EXPECT_ERRNO(fetch("", why), ENOENT);
  EXPECT_NE(why.find("serves no client volfile"), std::string::npos) << why;
  EXPECT_NE(why.find("127.0.0.1"), std::string::npos) << why;
}

TEST_F(VolfileFetchTest, UnknownVolfileIdSaysSo) {
  startServer();
  std::string why;
  EXPECT_ERRNO(fetch("nosuch", why), ENOENT);
  EXPECT_NE(why.find("no volfile with id 'nosuch'"), std::string::npos) << why;
}

TEST_F(VolfileFetchTest, UnreadableVolfileSaysSo) {
  startServer({{"client-volume-filename", "/nonexistent/client.vol"}});
  std::string why;
  EXPECT_ERRNO(fetch("", why), ENOENT);
  EXPECT_NE(why.find("cannot read /nonexistent/client.vol"), std::string::npos) << why;
}

TEST_F(VolfileFetchTest, NoServerListeningSaysSo) {
  VolfileSource src;
  src.host = "127.0.0.1";
  src.port = freeLoopbackPort();
  std::string why;
  auto r = fetchClientVolfile(src, why);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(why.find("cannot connect to 127.0.0.1"), std::string::npos) << why;
}

// One server exports two bricks, each with its own auth rules: a client names the one it wants
// and reaches only that brick's files; the other brick refuses it by its own rule.
TEST(ServerSubvolumesTest, EachExportedSubvolumeHasItsOwnFilesAndAuth) {
  TempDir one("gf-sub-one"), two("gf-sub-two");
  uint16_t port = freeLoopbackPort();
  std::string text = volume("b1", "storage/posix", {{"directory", one.path()}}) +
                     volume("b2", "storage/posix", {{"directory", two.path()}}) +
                     "volume server\n  type protocol/server\n  option transport-type tcp\n"
                     "  option bind-address 127.0.0.1\n  option listen-port " +
                     std::to_string(port) +
                     "\n  option auth.addr.b1.allow 127.0.0.1\n"
                     "  option auth.addr.b2.allow *\n  option auth.addr.b2.reject 127.0.0.1\n"
                     "  subvolumes b1 b2\nend-volume\n";
  TestGraph server(text);
  {
    ClientRun c1(port, "", "", "b1");
    ASSERT_TRUE(c1.waitFor(EventType::kChildUp));
    TestClient fs(c1.top());
    ASSERT_OK(fs.writeFile("/on-one", "1"));
    EXPECT_TRUE(std::filesystem::exists(one.path() + "/on-one"));
    EXPECT_FALSE(std::filesystem::exists(two.path() + "/on-one"));
  }
  ClientRun c2(port, "", "", "b2");
  auto down = c2.waitFor(EventType::kChildDown);
  ASSERT_TRUE(down);
  EXPECT_FALSE(c2.waitFor(EventType::kChildUp, milliseconds(1000)));
}

// The same over IPv6: a server bound to ::1 serves a client whose remote-host is ::1.
TEST(ServerSubvolumesTest, ServesOverIpv6Loopback) {
  std::ifstream v6("/proc/sys/net/ipv6/conf/lo/disable_ipv6");
  int disabled = 1;
  if (!(v6 >> disabled) || disabled) GTEST_SKIP() << "no IPv6 loopback on this host";
  TempDir dir("gf-v6");
  uint16_t port = freeLoopbackPort();
  TestGraph server(volume("b", "storage/posix", {{"directory", dir.path()}}) +
                   "volume server\n  type protocol/server\n  option transport-type tcp\n"
                   "  option bind-address ::1\n  option listen-port " +
                   std::to_string(port) +
                   "\n  option auth.addr.b.allow ::1\n  subvolumes b\nend-volume\n");
  TestGraph client("volume c\n  type protocol/client\n  option transport-type tcp\n"
                   "  option remote-host ::1\n  option remote-port " +
                   std::to_string(port) + "\n  option remote-subvolume b\nend-volume\n");
  auto& c = client.get<ClientXlator>("c");
  for (int i = 0; i < 250 && !c.connected(); ++i) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(c.connected());
  TestClient fs(client.top());
  ASSERT_OK(fs.writeFile("/v6", "six"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/v6"));
}

}  // namespace
}  // namespace gf::test
