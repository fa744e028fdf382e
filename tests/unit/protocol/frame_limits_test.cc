// SPDX-License-Identifier: GPL-3.0-or-later
// Calls whose request or answer cannot travel in one frame (rpc::kMaxBody, rpc::kMaxData):
// they fail on their own, the server never allocates for them, and the connection — with
// every other call on it — survives.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "glusterfs/rpc/wire.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "tests/unit/rpc/server_fixture.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

class FrameLimitsTest : public ServerFixture {
 protected:
  void SetUp() override { startServer(); }

  std::unique_ptr<TestGraph> connectClient() {
    std::string text =
        "volume c\n  type protocol/client\n  option transport-type tcp\n"
        "  option remote-host 127.0.0.1\n  option remote-port " +
        std::to_string(port()) + "\n  option remote-subvolume brick\nend-volume\n";
    auto g = std::make_unique<TestGraph>(text);
    auto& c = g->get<ClientXlator>("c");
    for (int i = 0; i < 500 && !c.connected(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return g;
  }
  // Lines of the log saying the client lost its connection.
  bool clientLostConnection() { return logLineHas({"[c]", "lost"}, std::chrono::milliseconds(0)); }
};

TEST_F(FrameLimitsTest, ServerRefusesReadsLargerThanAFrameBeforeAllocating) {
  RawClient c(port());
  ASSERT_EQ(c.handshake("brick"), 0);
  uint64_t fd = 0;
  CreateReq create;
  create.flags = O_RDWR;
  create.mode = 0644;
  ASSERT_EQ(c.call(create, {childLoc(Gfid::root(), "f")}, 0, nullptr, &fd), 0);
  EXPECT_EQ(c.call(ReadvReq{{}, rpc::kMaxData, 0, 0}, {}, fd), 0);
  EXPECT_EQ(c.call(ReadvReq{{}, uint64_t{rpc::kMaxData} + 1, 0, 0}, {}, fd), EINVAL);
  EXPECT_EQ(c.call(ReadvReq{{}, uint64_t{1} << 31, 0, 0}, {}, fd), EINVAL);
  EXPECT_EQ(c.call(RchecksumReq{{}, 0, uint32_t{1} << 31}, {}, fd), EINVAL);
  EXPECT_EQ(c.lookupRoot(), 0);
}

TEST_F(FrameLimitsTest, ClientReadLargerThanAFrameFailsAndTheConnectionStays) {
  // A sparse file longer than one frame's data, made directly in the brick.
  const uint64_t size = uint64_t{rpc::kMaxData} + 8192;
  { std::ofstream(brickDir() + "/big"); }
  ASSERT_EQ(truncate((brickDir() + "/big").c_str(), static_cast<off_t>(size)), 0);
  auto g = connectClient();
  ASSERT_TRUE(g->get<ClientXlator>("c").connected());
  TestClient fs(g->top());
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/big", O_RDONLY));
  EXPECT_ERRNO(fs.read(fd, 0, size), EINVAL);
  ASSERT_OK_AND_ASSIGN(std::string tail, fs.read(fd, size - 10, 100));
  EXPECT_EQ(tail, std::string(10, '\0'));
  EXPECT_TRUE(g->get<ClientXlator>("c").connected());
  EXPECT_FALSE(clientLostConnection()) << logText();
}

TEST_F(FrameLimitsTest, ClientWriteLargerThanAFrameFailsAndTheConnectionStays) {
  auto g = connectClient();
  ASSERT_TRUE(g->get<ClientXlator>("c").connected());
  TestClient fs(g->top());
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/w"));
  std::string big(size_t{rpc::kMaxData} + 1, 'x');
  EXPECT_ERRNO(fs.write(fd, 0, big), EINVAL);
  ASSERT_OK(fs.write(fd, 0, "small"));
  ASSERT_OK_AND_ASSIGN(std::string back, fs.readFile("/w"));
  EXPECT_EQ(back, "small");
  EXPECT_FALSE(clientLostConnection()) << logText();
}

// A separate fixture: the directory is filled in memory, straight through the brick.
class ReaddirLimitTest : public FrameLimitsTest {
 protected:
  void SetUp() override { startServer({{"auth.addr.brick.allow", "127.0.0.1"}}, "storage/memory"); }
};

TEST_F(ReaddirLimitTest, HugeReaddirBudgetIsCutToWhatAFrameCarries) {
  // Enough long names that one unbounded readdir answer would pass rpc::kMaxBody.
  const int kFiles = 12000;
  const std::string pad(240, 'n');
  TestClient local(graph().get("brick"));
  ASSERT_OK(local.mkdir("/spool"));
  for (int i = 0; i < kFiles; ++i)
    ASSERT_OK(local.mknod("/spool/" + pad + std::to_string(i), S_IFREG | 0644));
  auto g = connectClient();
  ASSERT_TRUE(g->get<ClientXlator>("c").connected());
  TestClient fs(g->top());
  for (bool plus : {false, true}) {
    ASSERT_OK_AND_ASSIGN(auto entries, fs.readdirAll("/spool", plus, uint64_t{1} << 40));
    EXPECT_EQ(entries.size(), static_cast<size_t>(kFiles) + 2);
  }
  EXPECT_FALSE(clientLostConnection())
      << "a directory page too big for a frame cost the connection";
}

}  // namespace
}  // namespace gf::test
