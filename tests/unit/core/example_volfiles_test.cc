// SPDX-License-Identifier: GPL-3.0-or-later
// The example volfiles that `make install` ships (share/examples) build with this build's
// translators, and the local ones come up and serve a lookup of their root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "glusterfs/core/graph.h"
#include "glusterfs/xlators/registry.h"
#include "tests/unit/support/source_tree.h"

namespace gf {
namespace {

namespace fs = std::filesystem;
using test::sourceTreePath;

fs::path examplesDir() { return sourceTreePath("share/examples"); }

TEST(ExampleVolfilesTest, EveryExampleBuilds) {
  fs::path dir = examplesDir();
  ASSERT_FALSE(dir.empty()) << "share/examples not found; set GF_SOURCE_DIR";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".vol") files.push_back(e.path());
  EXPECT_GE(files.size(), 3u);
  for (const auto& f : files) {
    try {
      auto g = Graph::fromFile(f.string(), builtinXlators());
      EXPECT_FALSE(g->xlators().empty()) << f;
    } catch (const VolfileError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(ExampleVolfilesTest, TopsAreTheDocumentedVolumes) {
  fs::path dir = examplesDir();
  ASSERT_FALSE(dir.empty());
  struct Case {
    const char* file;
    const char* top;
    const char* type;
  };
  for (auto [file, top, type] : {Case{"local.vol", "iothreads", "performance/io-threads"},
                                 Case{"server.vol", "server", "protocol/server"},
                                 Case{"client.vol", "remote", "protocol/client"},
                                 Case{"memory.vol", "scratch", "features/locks"}}) {
    auto g = Graph::fromFile((dir / file).string(), builtinXlators());
    EXPECT_EQ(g->top().name(), top) << file;
    EXPECT_EQ(g->top().type(), type) << file;
  }
  // server.vol exports the volume that client.vol asks for.
  auto server = Graph::fromFile((dir / "server.vol").string(), builtinXlators());
  ASSERT_NE(server->find("brick"), nullptr);
  EXPECT_EQ(server->top().children()[0]->name(), "brick");
  auto client = Graph::fromFile((dir / "client.vol").string(), builtinXlators());
  const auto& opts = client->volfile().volumes.back().options;
  auto sub = std::find_if(opts.begin(), opts.end(),
                          [](const RawOption& o) { return o.key == "remote-subvolume"; });
  ASSERT_NE(sub, opts.end());
  EXPECT_EQ(sub->value, "brick");
}

// Builds `file` (with overrides), inits and starts it, and looks up the root through the top.
void expectServesRoot(const fs::path& file, std::vector<std::string> overrides) {
  GraphOptions o;
  o.xlatorOptions = std::move(overrides);
  auto g = Graph::fromFile(file.string(), builtinXlators(), o);
  std::string err;
  ASSERT_TRUE(g->init(&err).ok()) << err;
  g->start();
  InodeTable table;
  LookupReq req{Loc{nullptr, "", table.root()}};
  auto r = syncWait(g->top().lookup(CallCtx::root(), req));
  ASSERT_TRUE(r.ok()) << file << ": " << r.error().message();
  EXPECT_TRUE(r->stat.isDir());
  EXPECT_EQ(r->stat.ino, 1u);
  g->stop();
}

TEST(ExampleVolfilesTest, LocalExampleServesItsBrick) {
  fs::path dir = examplesDir();
  ASSERT_FALSE(dir.empty());
  fs::path brick = fs::path(::testing::TempDir()) / ("example_brick_" + std::to_string(getpid()));
  fs::create_directories(brick);
  expectServesRoot(dir / "local.vol", {"posix.directory=" + brick.string()});
  fs::remove_all(brick);
}

TEST(ExampleVolfilesTest, MemoryExampleComesUp) {
  fs::path dir = examplesDir();
  ASSERT_FALSE(dir.empty());
  expectServesRoot(dir / "memory.vol", {});
}

}  // namespace
}  // namespace gf
