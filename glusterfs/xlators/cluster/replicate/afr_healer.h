// SPDX-License-Identifier: GPL-3.0-or-later
// AfrHealer: replicate's background self-heal. Reads each brick's index of files with pending
// changes (features/index), heals those files several at a time, and starts again when a
// child comes back and every self-heal-interval. Also runs the data heals that lookups hand
// off, keeps what it knows for `heal info`, and applies split-brain resolutions.
//
// Exposed through virtual extended attributes on any file of the volume:
//   getxattr trusted.glusterfs.replicate.heal-info   -> report text (pending, progress)
//   setxattr trusted.glusterfs.replicate.heal  "now" -> one pass at once (or heal this file)
//   setxattr trusted.glusterfs.replicate.resolve  "child:NAME" | "bigger-file" | "latest-mtime"
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "glusterfs/core/async_event.h"
#include "glusterfs/core/task.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal.h"

namespace gf {

inline constexpr const char* kHealInfoKey = "trusted.glusterfs.replicate.heal-info";
inline constexpr const char* kHealNowKey = "trusted.glusterfs.replicate.heal";
inline constexpr const char* kResolveKey = "trusted.glusterfs.replicate.resolve";

class AfrHealer {
 public:
  explicit AfrHealer(ReplicateXlator& afr);
  ~AfrHealer();
  void start();
  void stop();
  void wake();
  void healInBackground(const Loc& loc);

  Task<std::string> info();
  // One pass over the indices now; returns when it is done.
  Task<void> passNow();
  Task<Status> resolve(const Loc& loc, const std::string& how);

  struct Stats {
    uint64_t passes = 0, healed = 0, failed = 0, splitBrain = 0;
    uint64_t lastPassPending = 0;
    double lastPassSeconds = 0;
    bool running = false;
  };
  Stats stats() const;

 private:
  Task<void> loop();
  Task<void> pass();
  Task<void> healOne(Gfid gfid, std::string path);
  Task<Result<Loc>> resolvePath(const std::string& path, const Gfid& gfid);
  Task<std::map<Gfid, std::string>> collectIndex();

  ReplicateXlator& afr_;
  mutable std::mutex mutex_;
  std::set<Gfid> inFlight_;
  std::map<Gfid, std::string> splitBrains_;
  Stats stats_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> wakeRequested_{false};
  std::atomic<bool> started_{false};
  std::shared_ptr<AsyncEvent> stopped_;
};

}  // namespace gf
