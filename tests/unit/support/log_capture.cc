// SPDX-License-Identifier: GPL-3.0-or-later
// LogCapture: a temporary log file.
#include "tests/unit/support/log_capture.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gf::test {

LogCapture::LogCapture(log::Level level) : previous_(log::level()) {
  char tmpl[] = "/tmp/gf-log-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  path_ = tmpl;
  if (!log::openFile(path_)) throw std::runtime_error("cannot open log " + path_);
  log::setLevel(level);
}

LogCapture::~LogCapture() {
  (void)log::openFile("-");
  log::setLevel(previous_);
  unlink(path_.c_str());
}

std::string LogCapture::contents() const {
  std::ifstream in(path_);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace gf::test
