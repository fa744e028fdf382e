// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers for the storage/bdb tests: a brick directory with its volfile, and a look at the
// databases themselves once the translator has let go of them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "glusterfs/xlators/storage/bdb/bdb_store.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {

struct BdbBrick {
  TempDir dir{"gf-bdb-brick"};
  std::string mode = "persistent";
  std::string volfile() const {
    return volume("brick", "storage/bdb", {{"directory", dir.path()}, {"mode", mode}});
  }
};

// The brick's databases opened directly (with recovery, as a restarted brick would): only
// while no graph has them open.
class BdbStoreView {
 public:
  explicit BdbStoreView(const BdbBrick& brick) {
    std::string why;
    // ".bdb" is where storage/bdb keeps its environment inside the brick directory.
    Status st = store_.open(brick.dir.path() + "/.bdb", brick.mode == "persistent", &why);
    EXPECT_TRUE(st.ok()) << why;
  }
  bool hasFile(const Gfid& g) { return store_.file(nullptr, g).ok(); }
  size_t blocks(const Gfid& g) {
    size_t n = 0;
    Status st = store_.forEachBlock(nullptr, g, 0, UINT64_MAX, [&](uint64_t, std::string_view) {
      ++n;
      return Status{};
    });
    EXPECT_TRUE(st.ok());
    return n;
  }
  size_t files() {
    auto all = store_.allFiles();
    EXPECT_TRUE(all.ok());
    return all ? all->size() : 0;
  }
  BdbStore& store() { return store_; }

 private:
  BdbStore store_;
};

}  // namespace gf::test
