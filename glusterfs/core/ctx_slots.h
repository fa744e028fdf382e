// SPDX-License-Identifier: GPL-3.0-or-later
// CtxSlots: per-translator private state hung on an inode or fd (GlusterFS's inode_ctx/fd_ctx).
//
// A translator keys its slot with itself; the value is released with the inode or fd, so a
// translator's "forget" and "release" are the destructors of its own context types.
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace gf {

class CtxSlots {
 public:
  template <class T>
  std::shared_ptr<T> get(const void* owner) const {
    std::lock_guard lock(mutex_);
    for (const auto& [k, v] : slots_)
      if (k == owner) return std::static_pointer_cast<T>(v);
    return nullptr;
  }

  // A replaced value is released after the lock is dropped: its destructor may use these slots.
  template <class T>
  void set(const void* owner, std::shared_ptr<T> value) {
    std::shared_ptr<void> old;
    std::lock_guard lock(mutex_);
    for (auto& [k, v] : slots_)
      if (k == owner) {
        old = std::exchange(v, std::move(value));
        return;
      }
    slots_.emplace_back(owner, std::move(value));
  }

  // Returns the existing value, or stores and returns make() atomically.
  template <class T, class Make>
  std::shared_ptr<T> getOrCreate(const void* owner, Make&& make) {
    std::lock_guard lock(mutex_);
    for (const auto& [k, v] : slots_)
      if (k == owner) return std::static_pointer_cast<T>(v);
    std::shared_ptr<T> value = make();
    slots_.emplace_back(owner, value);
    return value;
  }

  std::shared_ptr<void> take(const void* owner) {
    std::lock_guard lock(mutex_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it)
      if (it->first == owner) {
        auto v = std::move(it->second);
        slots_.erase(it);
        return v;
      }
    return nullptr;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> slots_;
};

}  // namespace gf
