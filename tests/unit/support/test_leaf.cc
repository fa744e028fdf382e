// SPDX-License-Identifier: GPL-3.0-or-later
// TestLeaf: storage/memory or storage/posix on a temporary directory, by name.
#include "tests/unit/support/test_leaf.h"

#include <stdexcept>

#include "tests/unit/support/test_graph.h"

namespace gf::test {

TestLeaf::TestLeaf(std::string kind, std::string name)
    : kind_(std::move(kind)), name_(std::move(name)) {
  if (kind_ == "posix") dir_ = std::make_unique<TempDir>("leaf-" + name_);
  else if (kind_ != "memory") throw std::invalid_argument("no test leaf '" + kind_ + "'");
}

std::string TestLeaf::volume() const {
  if (dir_) return test::volume(name_, "storage/posix", {{"directory", dir_->path()}});
  return test::volume(name_, "storage/memory");
}

}  // namespace gf::test
