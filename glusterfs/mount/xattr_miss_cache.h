// SPDX-License-Identifier: GPL-3.0-or-later
// XattrMissCache: remembers for the attribute timeout that an inode has no extended attribute
// of some name. `ls -l` asks every entry for security.selinux and system.posix_acl_access; on
// most volumes neither exists, and the two round trips through the graph per entry cost more
// than the listing and the stats together. A change through this mount (setxattr,
// removexattr, setattr) forgets the inode's entries at once; other clients' changes are seen
// after the timeout, as their attribute changes are.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gf {

class XattrMissCache {
 public:
  explicit XattrMissCache(double ttlSeconds);
  bool missing(uint64_t ino, std::string_view name);
  void remember(uint64_t ino, std::string_view name);
  void forget(uint64_t ino);

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxInodes = 65536;  // beyond this, start again from empty
  Clock::duration ttl_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, std::vector<std::pair<std::string, Clock::time_point>>> misses_;
};

}  // namespace gf
