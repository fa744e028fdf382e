// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/unit/support/source_tree.h"

#include <cstdlib>
#include <system_error>
#include <vector>

namespace gf::test {

namespace fs = std::filesystem;

fs::path sourceTreePath(std::string_view relative) {
  std::vector<fs::path> roots;
  if (const char* s = std::getenv("GF_SOURCE_DIR")) roots.emplace_back(s);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  for (fs::path p = exe.parent_path(); !ec && !p.empty() && p != p.root_path(); p = p.parent_path())
    roots.push_back(p);
  roots.push_back(fs::current_path());
  for (const auto& r : roots)
    if (fs::exists(r / relative)) return r / relative;
  return {};
}

}  // namespace gf::test
