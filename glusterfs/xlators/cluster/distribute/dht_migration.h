// SPDX-License-Identifier: GPL-3.0-or-later
// File migration for rebalance, made safe for readers and writers by one lock domain:
// every open of a file (read or write) holds a shared lock in "dht.migration" on the child
// holding it, for as long as the fd is open; the migrator takes that lock exclusively without
// waiting, so it only ever moves a file nobody has open, and an open arriving during a move
// waits for it, then finds the file again in its new place.
//
// A move: the destination is created as a linkfile pointing back at the source (lookups keep
// going to the source while data arrives), filled, given its attributes, then made a regular
// file; only then is the source removed. Interrupted at any point, the source is intact and
// the next rebalance starts that file over.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "glusterfs/xlators/cluster/distribute/distribute_xlator.h"

namespace gf::dht {

inline constexpr const char* kMigrationDomain = "dht.migration";
// Held on the first child's copy of a directory while its layout is rewritten.
inline constexpr const char* kLayoutDomain = "dht.layout";

// Opens `fd` on the child holding `loc`, holding the shared migration lock with it.
Task<Result<Empty>> openWithLease(DistributeXlator& d, const CallCtx& ctx, const OpenReq& req);
// Takes the lease for an fd just created on `child`.
Task<void> leaseCreated(DistributeXlator& d, size_t child, const Loc& loc, const FdPtr& fd);

struct RebalanceStats {
  std::atomic<uint64_t> directories{0}, scanned{0}, migrated{0}, bytes{0}, busy{0}, failed{0};
};

// Fixes every directory's layout for the current children and (unless fixLayoutOnly) moves
// each file off a child that no longer owns its hash. `parallel` files move at once; files
// open somewhere are retried until `busyRetries` passes have gone by. `progress` is called now
// and then.
Task<Status> rebalance(DistributeXlator& d, bool fixLayoutOnly, size_t parallel,
                       RebalanceStats& stats, std::function<void(const RebalanceStats&)> progress);

}  // namespace gf::dht
