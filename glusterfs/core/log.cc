// SPDX-License-Identifier: GPL-3.0-or-later
// Log sink: one line per message, timestamped, written with a single write(2) so lines from
// different threads never interleave.
#include "glusterfs/core/log.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <exception>
#include <mutex>

#include "glusterfs/core/task.h"

namespace gf::log {

std::atomic<int> gLevel{static_cast<int>(Level::kNormal)};

namespace {
std::mutex gMutex;
std::string gPath;
std::atomic<int> gFd{2};

constexpr const char* kNames[] = {"NONE", "CRITICAL", "ERROR", "WARNING", "NORMAL", "DEBUG", "TRACE"};
constexpr char kLetters[] = {'-', 'C', 'E', 'W', 'N', 'D', 'T'};
}  // namespace

void setLevel(Level l) { gLevel.store(static_cast<int>(l)); }
Level level() { return static_cast<Level>(gLevel.load()); }
const char* levelName(Level l) { return kNames[static_cast<int>(l)]; }

bool parseLevel(std::string_view text, Level& out) {
  for (int i = 0; i <= static_cast<int>(Level::kTrace); ++i) {
    std::string_view n = kNames[i];
    if (n.size() == text.size() && strncasecmp(n.data(), text.data(), n.size()) == 0) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  if (text.size() == 4 && strncasecmp(text.data(), "INFO", 4) == 0) {
    out = Level::kNormal;
    return true;
  }
  return false;
}

Status openFile(const std::string& path) {
  std::lock_guard lock(gMutex);
  if (path.empty() || path == "-") {
    int old = gFd.exchange(2);
    if (old > 2) close(old);
    gPath.clear();
    return {};
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return fail(errno);
  int old = gFd.exchange(fd);
  if (old > 2) close(old);
  gPath = path;
  return {};
}

void reopen() {
  std::string path;
  {
    std::lock_guard lock(gMutex);
    path = gPath;
  }
  if (!path.empty()) (void)openFile(path);
}

void write(Level l, std::string_view domain, const char* fmt, ...) {
  char buf[4096];
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  gmtime_r(&tv.tv_sec, &t);
  int n = snprintf(buf, sizeof buf, "[%04d-%02d-%02d %02d:%02d:%02d.%06ld] %c [%.*s] ",
                   t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                   static_cast<long>(tv.tv_usec), kLetters[static_cast<int>(l)],
                   static_cast<int>(domain.size()), domain.data());
  // A prefix that did not fit (a huge domain) is cut; the message then gets no room at all.
  n = std::clamp(n, 0, static_cast<int>(sizeof buf) - 2);
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
  va_end(ap);
  size_t len = static_cast<size_t>(n) + (m < 0 ? 0 : std::min<size_t>(m, sizeof buf - n - 2));
  buf[len++] = '\n';
  (void)!::write(gFd.load(), buf, len);
}

}  // namespace gf::log

namespace gf::detail {
void reportUncaught(std::exception_ptr e, const char* where) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    GF_LOG_CRITICAL(where, "uncaught exception in a spawned task: %s", ex.what());
  } catch (...) {
    GF_LOG_CRITICAL(where, "uncaught non-standard exception in a spawned task");
  }
}
}  // namespace gf::detail
