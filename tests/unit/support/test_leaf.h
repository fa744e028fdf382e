// SPDX-License-Identifier: GPL-3.0-or-later
// TestLeaf: the storage volume of a test that runs over several leaves (a test parameter):
// "memory" (storage/memory) or "posix" (storage/posix on a temporary directory that lives as
// long as the TestLeaf).
#pragma once

#include <memory>
#include <string>

#include "tests/unit/support/temp_dir.h"

namespace gf::test {

class TestLeaf {
 public:
  explicit TestLeaf(std::string kind, std::string name = "mem");
  // The volfile text of the leaf volume, named as given.
  std::string volume() const;

 private:
  std::string kind_, name_;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace gf::test
