// SPDX-License-Identifier: GPL-3.0-or-later
// The lock tests run over every graph that serves locks: features/locks over storage/memory,
// storage/memory alone (it serves locks itself through the same LockService), and
// features/locks over storage/posix.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"
#include "tests/unit/xlators/locks/lock_test_util.h"

namespace gf::test {

struct LockGraph {
  const char* label;
  std::string (*volfile)(const std::string& dir);
};

inline const LockGraph kLockGraphs[] = {
    {"LocksOverMemory",
     [](const std::string&) {
       return volume("brick", "storage/memory") + volume("locks", "features/locks", {}, {"brick"});
     }},
    {"MemoryAlone", [](const std::string&) { return volume("brick", "storage/memory"); }},
    {"LocksOverPosix",
     [](const std::string& dir) {
       return volume("brick", "storage/posix", {{"directory", dir}}) +
              volume("locks", "features/posix-locks", {}, {"brick"});
     }},
};

class LockGraphTest : public ::testing::TestWithParam<LockGraph> {
 protected:
  void SetUp() override {
    graph_ = std::make_unique<TestGraph>(GetParam().volfile(dir_.path()));
    fs_ = std::make_unique<TestClient>(graph_->top());
    ASSERT_OK(fs_->writeFile("/f", std::string(100, 'x'), 0666));
    ASSERT_OK(fs_->mkdir("/dir", 0777));
  }

  Xlator& top() { return graph_->top(); }
  TestClient& fs() { return *fs_; }
  // The process `owner` of client `client`, with an fd on /f.
  TestClient owner(uint64_t owner, uint64_t client = 0) {
    return fs_->withLockOwner(owner, client);
  }
  FdPtr openF(TestClient& c, int flags = O_RDWR) {
    auto fd = c.open("/f", flags);
    EXPECT_TRUE(fd.ok());
    return fd.ok() ? *fd : nullptr;
  }
  void disconnect(uint64_t client) {
    top().notify(Event{EventType::kClientDisconnect, nullptr, client});
  }

 private:
  TempDir dir_{"gf-locks"};
  std::unique_ptr<TestGraph> graph_;
  std::unique_ptr<TestClient> fs_;
};

struct LockGraphName {
  std::string operator()(const ::testing::TestParamInfo<LockGraph>& info) const {
    return info.param.label;
  }
};

}  // namespace gf::test
