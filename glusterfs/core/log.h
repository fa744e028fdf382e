// SPDX-License-Identifier: GPL-3.0-or-later
// Logging with GlusterFS 2.0's levels to a file (-l FILE, -L LEVEL); SIGHUP reopens the file.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "glusterfs/core/result.h"

namespace gf::log {

enum class Level : int { kNone = 0, kCritical, kError, kWarning, kNormal, kDebug, kTrace };

extern std::atomic<int> gLevel;
inline bool enabled(Level l) { return static_cast<int>(l) <= gLevel.load(std::memory_order_relaxed); }
void setLevel(Level l);
Level level();
// NONE, CRITICAL, ERROR, WARNING, NORMAL (or INFO), DEBUG, TRACE; case-insensitive.
bool parseLevel(std::string_view text, Level& out);
const char* levelName(Level l);

// Directs the log to `path` ("-" or empty: standard error). Fails if the file cannot be opened.
Status openFile(const std::string& path);
// Reopens the current file (after logrotate moved it away).
void reopen();
void write(Level l, std::string_view domain, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

}  // namespace gf::log

#define GF_LOG(lvl, domain, ...)                                              \
  do {                                                                        \
    if (::gf::log::enabled(lvl)) ::gf::log::write(lvl, domain, __VA_ARGS__);  \
  } while (0)
#define GF_LOG_CRITICAL(domain, ...) GF_LOG(::gf::log::Level::kCritical, domain, __VA_ARGS__)
#define GF_LOG_ERROR(domain, ...) GF_LOG(::gf::log::Level::kError, domain, __VA_ARGS__)
#define GF_LOG_WARNING(domain, ...) GF_LOG(::gf::log::Level::kWarning, domain, __VA_ARGS__)
#define GF_LOG_INFO(domain, ...) GF_LOG(::gf::log::Level::kNormal, domain, __VA_ARGS__)
#define GF_LOG_DEBUG(domain, ...) GF_LOG(::gf::log::Level::kDebug, domain, __VA_ARGS__)
#define GF_LOG_TRACE(domain, ...) GF_LOG(::gf::log::Level::kTrace, domain, __VA_ARGS__)
