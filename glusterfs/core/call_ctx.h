// SPDX-License-Identifier: GPL-3.0-or-later
// CallCtx: who asked for a file operation (the caller's credentials and identity).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace gf {

struct CallCtx {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t pid = 0;
  // Supplementary groups; shared so that copying a context through layers costs nothing.
  std::shared_ptr<const std::vector<uint32_t>> groups;
  // Identifies the process-level lock owner (FUSE lock_owner) for fcntl/flock/inodelk.
  uint64_t lkOwner = 0;
  // Identifies the client connection (0 = local). Locks are owned by (clientId, lkOwner) and
  // released when that client goes away.
  uint64_t clientId = 0;

  // Internal operations (self-heal, rebalance) run as root with no process behind them.
  static CallCtx root() { return CallCtx{}; }
  bool inGroup(uint32_t g) const {
    if (g == gid) return true;
    if (groups)
      for (auto x : *groups)
        if (x == g) return true;
    return false;
  }
};

}  // namespace gf
