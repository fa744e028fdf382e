// SPDX-License-Identifier: GPL-3.0-or-later
#include "glusterfs/mount/xattr_miss_cache.h"

#include <algorithm>

namespace gf {

XattrMissCache::XattrMissCache(double ttlSeconds)
    : ttl_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(std::max(0.0, ttlSeconds)))) {}

bool XattrMissCache::missing(uint64_t ino, std::string_view name) {
  if (ttl_ == Clock::duration::zero()) return false;
  std::lock_guard lock(mutex_);
  auto it = misses_.find(ino);
  if (it == misses_.end()) return false;
  auto now = Clock::now();
  for (const auto& [n, until] : it->second)
    if (n == name) return now < until;
  return false;
}

void XattrMissCache::remember(uint64_t ino, std::string_view name) {
  if (ttl_ == Clock::duration::zero()) return;
  std::lock_guard lock(mutex_);
  if (misses_.size() >= kMaxInodes && !misses_.contains(ino)) misses_.clear();
  auto until = Clock::now() + ttl_;
  auto& names = misses_[ino];
  for (auto& [n, u] : names)
    if (n == name) {
      u = until;
      return;
    }
  names.emplace_back(name, until);
}

void XattrMissCache::forget(uint64_t ino) {
  std::lock_guard lock(mutex_);
  misses_.erase(ino);
}

}  // namespace gf
