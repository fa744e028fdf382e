// SPDX-License-Identifier: GPL-3.0-or-later
// LogCapture: sends the process log to a temporary file for the lifetime of the object, so a
// test can assert on what a translator logged. Restores standard error and the previous level.
#pragma once

#include <string>

#include "glusterfs/core/log.h"

namespace gf::test {

class LogCapture {
 public:
  explicit LogCapture(log::Level level = log::Level::kTrace);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  const std::string& path() const { return path_; }
  std::string contents() const;  // everything logged so far

 private:
  std::string path_;
  log::Level previous_;
};

}  // namespace gf::test
