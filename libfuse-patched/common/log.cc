// SPDX-License-Identifier: GPL-3.0-or-later
// The library's log sink: standard error unless the application installs its own.
#include "libfuse-patched/common/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>

namespace lfp {
namespace {

void stderrSink(int level, const char* message) {
  static const char* const kNames[] = {"error", "warning", "info", "debug"};
  const char* name = level >= 0 && level <= 3 ? kNames[level] : "?";
  std::fprintf(stderr, "lfp %s: %s\n", name, message);
}

std::atomic<LogSink> gSink{&stderrSink};

}  // namespace

void setLogSink(LogSink sink) { gSink.store(sink ? sink : &stderrSink); }

namespace detail {

void log(int level, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  gSink.load()(level, buf);
}

}  // namespace detail
}  // namespace lfp
