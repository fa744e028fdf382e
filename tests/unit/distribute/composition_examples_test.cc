// SPDX-License-Identifier: GPL-3.0-or-later
// The composition examples under share/examples (distribute, unify and stripe over replicate,
// ha over protocol/client) build as shipped; the local ones come up on temporary bricks given
// with --xlator-option, hold a small tree and put its pieces where the composition says.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "glusterfs/core/graph.h"
#include "glusterfs/xlators/registry.h"
#include "tests/unit/support/source_tree.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"

namespace gf::test {
namespace {

namespace fs = std::filesystem;

fs::path examplesDir() { return sourceTreePath("share/examples"); }

// Builds an example with every storage/posix volume moved under `bricks`, and starts it.
std::unique_ptr<Graph> startExample(const std::string& file, const std::string& bricks) {
  auto probe = Graph::fromFile((examplesDir() / file).string(), builtinXlators());
  GraphOptions o;
  for (const auto& v : probe->volfile().volumes)
    if (v.type == "storage/posix") {
      fs::create_directories(bricks + "/" + v.name);
      o.xlatorOptions.push_back(v.name + ".directory=" + bricks + "/" + v.name);
    }
  auto g = Graph::fromFile((examplesDir() / file).string(), builtinXlators(), o);
  std::string err;
  if (!g->init(&err)) throw std::runtime_error(err);
  g->start();
  return g;
}

bool onBrick(const std::string& bricks, const std::string& disk, const std::string& path) {
  struct stat st;
  return lstat((bricks + "/" + disk + path).c_str(), &st) == 0;
}

TEST(CompositionExamplesTest, TheyBuildWithTheExpectedTops) {
  ASSERT_FALSE(examplesDir().empty()) << "share/examples not found; set GF_SOURCE_DIR";
  struct Case {
    const char* file;
    const char* top;
    const char* type;
  };
  for (auto [file, top, type] :
       {Case{"distribute-replicate.vol", "spool", "cluster/distribute"},
        Case{"unify-replicate.vol", "unify", "cluster/unify"},
        Case{"stripe-replicate.vol", "stripe", "cluster/stripe"},
        Case{"ha-client.vol", "ha", "cluster/ha"}}) {
    auto g = Graph::fromFile((examplesDir() / file).string(), builtinXlators());
    EXPECT_EQ(g->top().name(), top) << file;
    EXPECT_EQ(g->top().type(), type) << file;
    for (auto* c : g->top().children()) {
      EXPECT_EQ(c->type(), std::string(file) == "ha-client.vol" ? "protocol/client"
                                                                   : "cluster/replicate")
          << file;
    }
  }
}

TEST(CompositionExamplesTest, DistributeOverReplicateKeepsTwoCopiesOnOnePair) {
  ASSERT_FALSE(examplesDir().empty());
  TempDir bricks("dr-example");
  auto g = startExample("distribute-replicate.vol", bricks.path());
  TestClient fs(g->top());
  ASSERT_OK(fs.mkdir("/box"));
  for (int i = 0; i < 20; ++i)
    ASSERT_OK(fs.writeFile("/box/m" + std::to_string(i), "mail " + std::to_string(i)));
  for (int i = 0; i < 20; ++i) {
    std::string p = "/box/m" + std::to_string(i);
    EXPECT_EQ(*fs.readFile(p), "mail " + std::to_string(i));
    bool pair1 = onBrick(bricks.path(), "disk1", p), pair2 = onBrick(bricks.path(), "disk3", p);
    EXPECT_NE(pair1, pair2) << p << " must be on exactly one pair";
    EXPECT_EQ(pair1, onBrick(bricks.path(), "disk2", p)) << p << ": copies of pair 1 differ";
    EXPECT_EQ(pair2, onBrick(bricks.path(), "disk4", p)) << p << ": copies of pair 2 differ";
  }
  for (const char* d : {"disk1", "disk2", "disk3", "disk4"})
    EXPECT_TRUE(onBrick(bricks.path(), d, "/box")) << d;
  g->stop();
}

TEST(CompositionExamplesTest, UnifyOverReplicateNamesEveryFileInTheNamespace) {
  ASSERT_FALSE(examplesDir().empty());
  TempDir bricks("ur-example");
  auto g = startExample("unify-replicate.vol", bricks.path());
  TestClient fs(g->top());
  for (int i = 0; i < 6; ++i) ASSERT_OK(fs.writeFile("/f" + std::to_string(i), "x"));
  for (int i = 0; i < 6; ++i) {
    std::string p = "/f" + std::to_string(i);
    EXPECT_TRUE(onBrick(bricks.path(), "ns1", p) && onBrick(bricks.path(), "ns2", p)) << p;
    EXPECT_NE(onBrick(bricks.path(), "disk1", p), onBrick(bricks.path(), "disk3", p)) << p;
  }
  EXPECT_EQ(fs.listDir("/")->size(), 6u);
  g->stop();
}

TEST(CompositionExamplesTest, StripeOverReplicateSpreadsBlocksOverBothPairs) {
  ASSERT_FALSE(examplesDir().empty());
  TempDir bricks("sr-example");
  auto g = startExample("stripe-replicate.vol", bricks.path());
  TestClient fs(g->top());
  std::string data(512 * 1024, 'z');
  for (size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>('a' + i / 4096 % 26);
  ASSERT_OK(fs.writeFile("/big", data));
  EXPECT_EQ(*fs.readFile("/big"), data);
  for (const char* d : {"disk1", "disk2", "disk3", "disk4"}) {
    struct stat st;
    ASSERT_EQ(stat((bricks.path() + "/" + d + "/big").c_str(), &st), 0) << d;
    EXPECT_EQ(static_cast<size_t>(st.st_size), data.size()) << d << ": full logical size";
    EXPECT_LT(static_cast<size_t>(st.st_blocks) * 512, data.size()) << d << ": holds half";
  }
  g->stop();
}

}  // namespace
}  // namespace gf::test
