// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: a first end-to-end pass through the test client.
#include <gtest/gtest.h>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

TEST(MemorySmokeTest, WritesReadsAndLists) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/d/f", "hello"));
  ASSERT_OK_AND_ASSIGN(std::string data, fs.readFile("/d/f"));
  EXPECT_EQ(data, "hello");
  ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/d"));
  EXPECT_EQ(names, std::vector<std::string>{"f"});
}

}  // namespace
}  // namespace gf::test
