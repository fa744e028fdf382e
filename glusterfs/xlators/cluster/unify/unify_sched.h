// SPDX-License-Identifier: GPL-3.0-or-later
// Schedulers of cluster/unify: which child gets a new file.
//   rr      round robin over the children with room
//   random  a random child with room
//   nufa    the local child while it has room, then round robin
//   switch  by name pattern: "*.jpg:c1,c2;*.mpg:c3" (round robin inside a case; other names go
//           to the children no case names)
//   alu     adaptive least usage: criteria in order (disk-usage, write-usage, read-usage,
//           open-files-usage, disk-speed-usage), each keeping the children within its entry
//           threshold of the best, with an exit threshold as hysteresis; then round robin.
// "Room" is `<scheduler>.limits.min-free-disk` (percent of the child's size).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace gf::unify {

// What the scheduler knows of each child (refreshed by unify).
struct ChildUsage {
  bool up = false;
  double freePercent = 100;   // of the child's filesystem
  uint64_t usedBytes = 0;
  uint64_t readBytes = 0;     // through this client, since start
  uint64_t writtenBytes = 0;
  uint64_t openFiles = 0;
};

struct AluCriterion {
  std::string name;  // disk-usage, write-usage, read-usage, open-files-usage, disk-speed-usage
  double entryThreshold = 0;  // in the criterion's unit (bytes, or files)
  double exitThreshold = 0;
};

struct SchedulerConfig {
  std::string kind = "rr";
  double minFreeDiskPercent = 5;
  std::string localChild;                                // nufa
  std::vector<std::pair<std::string, std::vector<std::string>>> switchCases;  // switch
  std::vector<AluCriterion> aluOrder;                    // alu
  uint64_t aluMaxOpenFiles = 0;                          // 0: no limit
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // The child for a new file named `name`, or -1 if no child has room (ENOSPC).
  virtual int pick(std::string_view name, const std::vector<ChildUsage>& usage) = 0;
};

// `childNames` in unify's child order; throws std::invalid_argument for a bad configuration
// (an unknown scheduler, a child name that is not a child, an unknown alu criterion).
std::unique_ptr<Scheduler> makeScheduler(const SchedulerConfig& cfg,
                                         const std::vector<std::string>& childNames);

}  // namespace gf::unify
