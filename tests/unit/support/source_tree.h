// SPDX-License-Identifier: GPL-3.0-or-later
// sourceTreePath(): a path of the source tree (e.g. "share/examples") for tests that read
// shipped files: under $GF_SOURCE_DIR, else under the test binary's directory or one of its
// parents (BUILD/tests/unit_tests with BUILD inside the tree), else under the working
// directory. Empty when none has it.
#pragma once

#include <filesystem>
#include <string_view>

namespace gf::test {

std::filesystem::path sourceTreePath(std::string_view relative);

}  // namespace gf::test
