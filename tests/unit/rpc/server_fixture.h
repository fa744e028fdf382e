// SPDX-License-Identifier: GPL-3.0-or-later
// ServerFixture: a real protocol/server over storage/posix on loopback TCP, in this process,
// with its log in a temporary file, a sentinel directory beside the brick that no request may
// touch, and helpers to assert what the server logged about a given peer.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>

#include "tests/unit/rpc/raw_client.h"
#include "tests/unit/support/log_capture.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf {
class ServerXlator;
}

namespace gf::test {

class ServerFixture : public ::testing::Test {
 protected:
  // Starts "server" (protocol/server, tcp on 127.0.0.1) exporting "brick" (storage/posix on
  // brickDir(), or `leaf`), with `options` added to the server's (default: allow 127.0.0.1).
  void startServer(std::initializer_list<std::pair<std::string_view, std::string_view>> options =
                       {{"auth.addr.brick.allow", "127.0.0.1"}},
                   std::string_view leaf = "storage/posix");
  void stopServer() { graph_.reset(); }

  uint16_t port() const { return port_; }
  const std::string& tmpDir() const { return tmp_.path(); }  // holds brick/ and outside/
  const std::string& brickDir() const { return brick_; }
  const std::string& outsideDir() const { return outside_; }
  ServerXlator& server() const;
  TestGraph& graph() const { return *graph_; }

  // True once one line of the log contains every one of `parts` (waits up to `timeout`).
  bool logLineHas(std::initializer_list<std::string> parts,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  std::string logText() const { return log_.contents(); }
  // Waits until the server holds no more than `n` connections.
  bool connectionsDropTo(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // A fresh raw client can still handshake and look up the brick root.
  void expectStillServing();
  // The directory beside the brick and its sentinel file are exactly as the fixture made them.
  void expectOutsideUntouched();

 private:
  LogCapture log_{log::Level::kNormal};
  TempDir tmp_{"gf-rpc-server"};
  std::string brick_, outside_;
  std::string sentinelState_;  // mode/uid/mtime of the sentinel when it was made
  uint16_t port_ = 0;
  std::unique_ptr<TestGraph> graph_;
};

}  // namespace gf::test
