// SPDX-License-Identifier: GPL-3.0-or-later
// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its contents afterwards.
#pragma once

#include <filesystem>
#include <string>

namespace gf::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "gf-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace gf::test
