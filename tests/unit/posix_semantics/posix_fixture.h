// SPDX-License-Identifier: GPL-3.0-or-later
// The fixture of the POSIX-semantics suite: one set of typed tests run over every storage leaf.
//
// A backend is a small struct naming its translator type and writing its volfile; adding a
// leaf to the suite is one struct and one entry in `Backends`. A backend whose type is not in
// this build's registry is skipped with a reason.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "glusterfs/xlators/registry.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {

struct MemoryBackend {
  static constexpr const char* kType = "storage/memory";
  static constexpr const char* kLabel = "Memory";
  std::string volfile() { return volume("brick", kType); }
};

struct PosixBackend {
  static constexpr const char* kType = "storage/posix";
  static constexpr const char* kLabel = "Posix";
  std::unique_ptr<TempDir> dir;
  std::string volfile() {
    dir = std::make_unique<TempDir>("gf-posix-brick");
    return volume("brick", kType, {{"directory", dir->path()}});
  }
};

// Regular files in Berkeley DB, everything else on disk: the suite sees one filesystem.
struct BdbBackend {
  static constexpr const char* kType = "storage/bdb";
  static constexpr const char* kLabel = "Bdb";
  std::unique_ptr<TempDir> dir;
  std::string volfile() {
    dir = std::make_unique<TempDir>("gf-bdb-brick");
    return volume("brick", kType, {{"directory", dir->path()}});
  }
};

using Backends = ::testing::Types<MemoryBackend, PosixBackend, BdbBackend>;

struct BackendNames {
  template <class B>
  static std::string GetName(int) {
    return B::kLabel;
  }
};

template <class Backend>
class PosixSemanticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!builtinXlators().find(Backend::kType))
      GTEST_SKIP() << Backend::kType << " is not in this build's translator registry";
    graph_ = std::make_unique<TestGraph>(backend_.volfile());
    fs_ = std::make_unique<TestClient>(graph_->top());
  }
  void TearDown() override {
    fs_.reset();
    graph_.reset();
  }

  TestClient& fs() { return *fs_; }
  Xlator& top() { return graph_->top(); }

 private:
  Backend backend_;
  std::unique_ptr<TestGraph> graph_;
  std::unique_ptr<TestClient> fs_;
};

// Declares a typed suite `Name` over every backend.
#define GF_POSIX_SUITE(Name)                                \
  template <class B>                                        \
  class Name : public ::gf::test::PosixSemanticsTest<B> {}; \
  TYPED_TEST_SUITE(Name, ::gf::test::Backends, ::gf::test::BackendNames)

}  // namespace gf::test
