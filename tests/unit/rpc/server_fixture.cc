// SPDX-License-Identifier: GPL-3.0-or-later
// ServerFixture: server graph set-up, log polling and the checks shared by the server tests.
#include "tests/unit/rpc/server_fixture.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "glusterfs/xlators/protocol/server/server_xlator.h"

namespace gf::test {

namespace {
constexpr const char* kSentinelText = "precious: must never change";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

void ServerFixture::startServer(
    std::initializer_list<std::pair<std::string_view, std::string_view>> options,
    std::string_view leaf) {
  brick_ = tmp_.path() + "/brick";
  outside_ = tmp_.path() + "/outside";
  std::filesystem::create_directories(brick_);
  std::filesystem::create_directories(outside_);
  std::ofstream(outside_ + "/sentinel") << kSentinelText;
  struct stat st;
  if (stat((outside_ + "/sentinel").c_str(), &st) == 0)
    sentinelState_ = std::to_string(st.st_mode) + "/" + std::to_string(st.st_uid) + "/" +
                     std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  port_ = freeLoopbackPort();
  std::string portText = std::to_string(port_);
  std::string text = leaf == "storage/posix" ? volume("brick", leaf, {{"directory", brick_}})
                                             : volume("brick", leaf);
  text += "volume server\n  type protocol/server\n  option transport-type tcp\n";
  text += "  option bind-address 127.0.0.1\n  option listen-port " + portText + "\n";
  for (const auto& [k, v] : options)
    text += "  option " + std::string(k) + " " + std::string(v) + "\n";
  text += "  subvolumes brick\nend-volume\n";
  graph_ = std::make_unique<TestGraph>(text);
}

ServerXlator& ServerFixture::server() const { return graph_->get<ServerXlator>("server"); }

bool ServerFixture::logLineHas(std::initializer_list<std::string> parts,
                               std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::istringstream lines(log_.contents());
    std::string line;
    while (std::getline(lines, line)) {
      bool all = true;
      for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
      if (all) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ServerFixture::connectionsDropTo(size_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (server().connectionCount() > n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void ServerFixture::expectStillServing() {
  RawClient c(port_);
  ASSERT_EQ(c.handshake("brick"), 0) << "a well-behaved client was refused";
  EXPECT_EQ(c.lookupRoot(), 0) << "a well-behaved client's lookup failed";
}

void ServerFixture::expectOutsideUntouched() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(outside_))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"sentinel"}) << "something appeared beside the brick";
  EXPECT_EQ(slurp(outside_ + "/sentinel"), kSentinelText);
  struct stat st;
  ASSERT_EQ(lstat((outside_ + "/sentinel").c_str(), &st), 0) << "the sentinel is gone";
  EXPECT_EQ(st.st_nlink, 1u) << "the sentinel was hard-linked from somewhere";
  EXPECT_EQ(std::to_string(st.st_mode) + "/" + std::to_string(st.st_uid) + "/" +
                std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec),
            sentinelState_)
      << "the sentinel's mode, owner or mtime changed";
  for (const std::string& p : {outside_, outside_ + "/sentinel", tmp_.path()}) {
    char list[256];
    EXPECT_LE(llistxattr(p.c_str(), list, sizeof list), 0) << p << " was given xattrs";
  }
}

}  // namespace gf::test
