// SPDX-License-Identifier: GPL-3.0-or-later
// A real protocol/server fed malformed and hostile frames over loopback TCP: each is refused
// (error reply or that connection closed), logged with the peer's address, and the server
// keeps serving well-behaved clients; path-escape requests never touch anything beyond the brick.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <thread>

#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "glusterfs/xlators/protocol/server/server_xlator.h"
#include "tests/unit/rpc/server_fixture.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using rpc::FrameType;
using std::chrono::milliseconds;

template <class T>
std::string le(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

class ServerRobustnessTest : public ServerFixture {
 protected:
  void SetUp() override { startServer(); }

  // Sends `bytes` (after a handshake when `handshake`), expects the server to close this
  // connection and to log `reason` with our address, and then to serve a fresh client.
  void expectClosedAndLogged(const std::string& bytes, const std::string& reason,
                             bool handshake = true) {
    RawClient c(port());
    if (handshake) ASSERT_EQ(c.handshake("brick"), 0);
    ASSERT_TRUE(c.send(bytes));
    EXPECT_TRUE(c.closedByServer()) << "the server kept a connection that sent: " << reason;
    EXPECT_TRUE(logLineHas({c.self(), reason}))
        << "no log line names " << c.self() << " and '" << reason << "'; log:\n"
        << logText();
    expectStillServing();
  }

  // A call frame carrying `body` (envelope included) for fop `op`.
  static std::string call(FopId op, const std::string& body, const std::string& data = {}) {
    return frameBytes(FrameType::kCall, static_cast<uint16_t>(op), 42, body, data);
  }
  static std::string envelope() {
    rpc::WireWriter w;
    Payload none;
    rpc::encodeMessage(rpc::CallEnvelope{}, w, none);
    return w.buffer();
  }
};

TEST_F(ServerRobustnessTest, BadMagicClosesTheConnection) {
  std::string h = frameHeader(FrameType::kPing, 0, 1, 0, 0);
  h.replace(0, 4, "HTTP");
  expectClosedAndLogged(h, "bad magic", false);
}

TEST_F(ServerRobustnessTest, UnsupportedFrameVersionClosesTheConnection) {
  std::string h = frameHeader(FrameType::kPing, 0, 1, 0, 0);
  h[4] = 7;
  expectClosedAndLogged(h, "unsupported protocol version 7");
}

TEST_F(ServerRobustnessTest, UnknownFrameTypeClosesTheConnection) {
  std::string h = frameHeader(FrameType::kPing, 0, 1, 0, 0);
  h[5] = 42;
  expectClosedAndLogged(h, "unknown frame type 42");
}

TEST_F(ServerRobustnessTest, OversizedBodyIsRefusedFromItsHeaderAlone) {
  // Only the header is sent: the server must not wait for 4 MiB that will never come.
  expectClosedAndLogged(frameHeader(FrameType::kCall, 0, 1, rpc::kMaxBody + 1, 0),
                        "exceeds the limit");
}

TEST_F(ServerRobustnessTest, OversizedDataIsRefusedFromItsHeaderAlone) {
  expectClosedAndLogged(frameHeader(FrameType::kCall, 0, 1, 10, rpc::kMaxData + 1),
                        "exceeds the limit");
}

TEST_F(ServerRobustnessTest, CallBeforeHandshakeClosesTheConnection) {
  expectClosedAndLogged(call(FopId::lookup, envelope()), "call before handshake", false);
}

TEST_F(ServerRobustnessTest, BigFrameBeforeHandshakeIsRefusedFromItsHeader) {
  // An unauthenticated peer may not make the server hold 64 MiB for it.
  expectClosedAndLogged(frameHeader(FrameType::kHandshake, 0, 1, 100, rpc::kMaxData), "handshake",
                        false);
}

TEST_F(ServerRobustnessTest, ReplayedHandshakeClosesTheConnection) {
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(rpc::HandshakeRequest{rpc::kProtocolVersion, "brick", "", "", "again"}, w, none);
  expectClosedAndLogged(frameBytes(FrameType::kHandshake, 0, 9, w.buffer()), "handshake replayed");
}

TEST_F(ServerRobustnessTest, ReplyFrameFromAClientClosesTheConnection) {
  expectClosedAndLogged(frameBytes(FrameType::kReply, 0, 9, le<int32_t>(0) + le<uint64_t>(0)),
                        "unexpected frame type 2");
}

TEST_F(ServerRobustnessTest, UnknownOpcodeClosesTheConnection) {
  expectClosedAndLogged(frameBytes(FrameType::kCall, 0x7777, 1, envelope()),
                        "unknown opcode 30583");
}

TEST_F(ServerRobustnessTest, TruncatedEnvelopeClosesTheConnection) {
  expectClosedAndLogged(call(FopId::lookup, envelope().substr(0, 5)),
                        "lookup: field past the end of the frame");
}

TEST_F(ServerRobustnessTest, StringLengthLieClosesTheConnection) {
  // lookup: gfid, parent, name (claims 10 000 bytes), ...
  std::string body = envelope() + std::string(32, '\0') + le<uint32_t>(10000) + "abc";
  expectClosedAndLogged(call(FopId::lookup, body), "lookup: string length beyond the frame");
}

TEST_F(ServerRobustnessTest, HugeDictCountClosesTheConnection) {
  std::string body = envelope() + le<uint64_t>(1) + le<uint32_t>(0xFFFFFFF0) + le<int32_t>(0);
  expectClosedAndLogged(call(FopId::fsetxattr, body),
                        "fsetxattr: item count larger than the frame");
}

TEST_F(ServerRobustnessTest, HugeGroupCountClosesTheConnection) {
  std::string body = le<uint32_t>(0) + le<uint32_t>(0) + le<uint32_t>(0) + le<uint64_t>(0) +
                     le<uint32_t>(0x7FFFFFFF);
  expectClosedAndLogged(call(FopId::lookup, body), "item count larger than the frame");
}

TEST_F(ServerRobustnessTest, BooleanOutOfRangeClosesTheConnection) {
  expectClosedAndLogged(call(FopId::fsync, envelope() + le<uint64_t>(1) + '\x05'),
                        "fsync: boolean is neither 0 nor 1");
}

TEST_F(ServerRobustnessTest, TrailingBytesCloseTheConnection) {
  expectClosedAndLogged(call(FopId::fstat, envelope() + le<uint64_t>(1) + "junk"),
                        "fstat: trailing bytes after the last field");
}

TEST_F(ServerRobustnessTest, PayloadLongerThanDataClosesTheConnection) {
  std::string body =
      envelope() + le<uint64_t>(1) + le<uint64_t>(100) + le<uint64_t>(0) + le<uint32_t>(0);
  expectClosedAndLogged(call(FopId::writev, body, "short"),
                        "writev: payload longer than the frame's data");
}

TEST_F(ServerRobustnessTest, UnreferencedDataClosesTheConnection) {
  expectClosedAndLogged(call(FopId::fstat, envelope() + le<uint64_t>(1), "stowaway"),
                        "fstat: data not referenced by any field");
}

TEST_F(ServerRobustnessTest, AbsurdPathLengthClosesTheConnection) {
  rpc::WireLoc w = rootLoc();
  w.path = "/" + std::string(70000, 'a');
  Payload data;
  expectClosedAndLogged(call(FopId::lookup, callBody(LookupReq{}, {w}, 0, data)),
                        "location name or path too long");
}

TEST_F(ServerRobustnessTest, MalformedReleaseClosesTheConnection) {
  expectClosedAndLogged(frameBytes(FrameType::kCall, rpc::kOpRelease, 0, "xyz"), "release:");
}

TEST_F(ServerRobustnessTest, HangUpInsideAFrameReleasesTheConnection) {
  std::string me;
  {
    RawClient c(port());
    me = c.self();
    ASSERT_EQ(c.handshake("brick"), 0);
    uint64_t fd = 0;
    CreateReq create;
    create.flags = O_RDWR;
    create.mode = 0644;
    ASSERT_EQ(c.call(create, {childLoc(Gfid::root(), "held")}, 0, nullptr, &fd), 0);
    std::string f = call(FopId::lookup, envelope() + std::string(200, '\0'));
    ASSERT_TRUE(c.send(f.substr(0, rpc::kHeaderSize + 30)));
    ASSERT_TRUE(logLineHas({"accepted client", me}));
  }  // hang up mid-body
  EXPECT_TRUE(connectionsDropTo(0));
  EXPECT_TRUE(logLineHas({"client " + me, "disconnected", "released 1 open files"})) << logText();
  expectStillServing();
}

TEST_F(ServerRobustnessTest, FdNeverOpenedGetsEbadfAndTheConnectionStays) {
  RawClient c(port());
  ASSERT_EQ(c.handshake("brick"), 0);
  EXPECT_EQ(c.call(FstatReq{}, {}, 12345), EBADF);
  EXPECT_EQ(c.call(ReadvReq{{}, 4096, 0, 0}, {}, 0), EBADF);
  EXPECT_EQ(c.call(FlushReq{}, {}, UINT64_MAX), EBADF);
  // Releasing a number never handed out is harmless, and gets no answer.
  ASSERT_TRUE(c.send(frameBytes(FrameType::kCall, rpc::kOpRelease, 0, le<uint64_t>(999))));
  EXPECT_EQ(c.lookupRoot(), 0) << "the connection should survive EBADF";
}

TEST_F(ServerRobustnessTest, FdOfAnotherConnectionIsNotUsable) {
  RawClient a(port()), b(port());
  ASSERT_EQ(a.handshake("brick"), 0);
  ASSERT_EQ(b.handshake("brick"), 0);
  uint64_t fdId = 0;
  CreateReq create;
  create.flags = O_RDWR;
  create.mode = 0644;
  ASSERT_EQ(a.call(create, {childLoc(Gfid::root(), "mine")}, 0, nullptr, &fdId), 0);
  ASSERT_NE(fdId, 0u);
  EXPECT_EQ(a.call(FstatReq{}, {}, fdId), 0);
  EXPECT_EQ(b.call(FstatReq{}, {}, fdId), EBADF) << "fd numbers must be per connection";
}

// Path-escape attempts crafted on the wire: every one refused, nothing beyond the brick touched.
TEST_F(ServerRobustnessTest, PathEscapesAreRefusedAndTouchNothingOutside) {
  RawClient c(port());
  ASSERT_EQ(c.handshake("brick"), 0);
  const Gfid root = Gfid::root();
  MkdirReq mkdir;
  mkdir.mode = 0755;
  CreateReq create;
  create.flags = O_RDWR | O_CREAT;
  create.mode = 0644;
  std::vector<std::string> badNames = {
      "..", ".", "../outside", "a/b", "/", std::string("..\0x", 4), std::string("x\0/../y", 7)};
  for (const auto& name : badNames) {
    SCOPED_TRACE("name '" + name + "'");
    EXPECT_EQ(c.call(LookupReq{}, {childLoc(root, name)}), EINVAL);
    EXPECT_EQ(c.call(mkdir, {childLoc(root, name)}), EINVAL);
    EXPECT_EQ(c.call(create, {childLoc(root, name)}), EINVAL);
    EXPECT_EQ(c.call(UnlinkReq{}, {childLoc(root, name)}), EINVAL);
    EXPECT_EQ(c.call(RmdirReq{}, {childLoc(root, name)}), EINVAL);
    EXPECT_EQ(c.call(SymlinkReq{"/etc/passwd", {}, 0, {}}, {childLoc(root, name)}), EINVAL);
  }
  std::vector<std::string> badPaths = {
      "/../outside/sentinel", "/../outside",         "/a/../../outside",
      "/./../outside",        "../outside/sentinel", std::string("/..\0/outside/sentinel", 21)};
  for (const auto& path : badPaths) {
    SCOPED_TRACE("path '" + path + "'");
    rpc::WireLoc byPath{Gfid::random(), Gfid{}, "", path};
    rpc::WireLoc byParentPath{Gfid{}, Gfid{}, "sentinel", path};
    EXPECT_GT(c.call(StatReq{}, {byPath}), 0);
    EXPECT_GT(c.call(UnlinkReq{}, {byParentPath}), 0);
    EXPECT_GT(c.call(create, {byParentPath}), 0);
    EXPECT_GT(c.call(SetattrReq{{}, Iatt{}, kSetMode}, {byPath}), 0);
    EXPECT_GT(c.call(TruncateReq{{}, 0}, {byPath}), 0);
  }
  // A good file, then attempts to move or link it out, and to rename over "..".
  ASSERT_EQ(c.call(create, {childLoc(root, "inside")}), 0);
  rpc::WireLoc inside = childLoc(root, "inside");
  EXPECT_EQ(c.call(RenameReq{}, {inside, childLoc(root, "..")}), EINVAL);
  EXPECT_EQ(c.call(RenameReq{}, {inside, childLoc(root, "../outside/moved")}), EINVAL);
  EXPECT_EQ(c.call(LinkReq{}, {inside, childLoc(root, "../outside/linked")}), EINVAL);
  EXPECT_GT(
      c.call(RenameReq{}, {inside, rpc::WireLoc{Gfid{}, Gfid{}, "moved", "/../outside/moved"}}), 0);
  // A symlink pointing out is stored as text and never followed by the server.
  ASSERT_EQ(c.call(SymlinkReq{"../outside", {}, 0, {}}, {childLoc(root, "esc")}), 0);
  EXPECT_GT(c.call(StatReq{}, {rpc::WireLoc{Gfid::random(), Gfid{}, "", "/esc/sentinel"}}), 0);
  EXPECT_GT(c.call(create, {rpc::WireLoc{Gfid{}, Gfid{}, "planted", "/esc/planted"}}), 0);
  EXPECT_GT(c.call(UnlinkReq{}, {rpc::WireLoc{Gfid{}, Gfid{}, "sentinel", "/esc/sentinel"}}), 0);
  EXPECT_EQ(c.lookupRoot(), 0) << "refused locations must not cost the client its connection";
  expectOutsideUntouched();
  EXPECT_TRUE(logLineHas({c.self(), "invalid location"}))
      << "refused locations should be logged with the peer";
}

// Names, client names and paths come from the peer: in the log they stay on their own line.
TEST_F(ServerRobustnessTest, ClientSuppliedTextCannotForgeLogLines) {
  RawClient c(port());
  ASSERT_EQ(c.handshake("brick", rpc::kProtocolVersion, "", "", "evil\nFORGED-CLIENT line"), 0);
  EXPECT_EQ(c.call(LookupReq{}, {childLoc(Gfid::root(), "a/\nFORGED-LOCATION")}), EINVAL);
  RawClient d(port());
  EXPECT_EQ(d.handshake("nosuch\nFORGED-VOLUME", rpc::kProtocolVersion, "", "", "\r\nFORGED-NAME"), ENOENT);
  ASSERT_TRUE(logLineHas({c.self(), "evil\\x0aFORGED-CLIENT line"})) << logText();
  ASSERT_TRUE(logLineHas({d.self(), "nosuch\\x0aFORGED-VOLUME", "\\x0d\\x0aFORGED-NAME"}));
  ASSERT_TRUE(logLineHas({c.self(), "a/\\x0aFORGED-LOCATION"}));
  std::istringstream lines(logText());
  std::string line;
  while (std::getline(lines, line)) EXPECT_NE(line.rfind("FORGED", 0), 0u) << line;
}

// Garbage from many peers at once, then a real client over protocol/client still works.
TEST_F(ServerRobustnessTest, RandomGarbageFromManyPeersLeavesTheServerServing) {
  std::mt19937 rng(20090514);
  std::vector<std::unique_ptr<RawClient>> peers;
  for (int i = 0; i < 40; ++i) {
    auto p = std::make_unique<RawClient>(port());
    std::string junk(1 + rng() % 300, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    // Half of them start with a valid header prefix so that the decoder goes deeper.
    if (i % 2) junk = frameHeader(FrameType::kCall, rng() % 60, i, junk.size(), 0) + junk;
    p->send(junk);
    peers.push_back(std::move(p));
  }
  for (auto& p : peers) p->shutdownWrite();
  peers.clear();
  EXPECT_TRUE(connectionsDropTo(0, std::chrono::seconds(10)));
  expectStillServing();

  std::string text =
      "volume c\n  type protocol/client\n  option transport-type tcp\n"
      "  option remote-host 127.0.0.1\n  option remote-port " +
      std::to_string(port()) + "\n  option remote-subvolume brick\nend-volume\n";
  TestGraph client(text);
  auto& remote = client.get<ClientXlator>("c");
  for (int i = 0; i < 500 && !remote.connected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(remote.connected()) << "protocol/client did not come up; log:\n" << logText();
  TestClient fs(client.top());
  ASSERT_OK(fs.writeFile("/after-garbage", "still here"));
  ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/after-garbage"));
  EXPECT_EQ(back, "still here");
  expectOutsideUntouched();
}

}  // namespace
}  // namespace gf::test
