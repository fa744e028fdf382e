// SPDX-License-Identifier: GPL-3.0-or-later
// Lock-free per-opcode request-size counters behind Session::histogram() in both backends.
#pragma once

#include <atomic>
#include <cstdint>

#include "lfp/lfp.h"

namespace lfp::detail {

class HistogramCounter {
 public:
  // Opcodes at or above this share slot 0 ("unknown"); 0 itself is never a valid opcode.
  static constexpr uint32_t kSlots = 64;

  static int bucketOf(uint64_t size);
  // Thread-safe; relaxed atomics (statistics, not synchronisation).
  void record(uint32_t opcode, uint64_t size);
  SizeHistogram snapshot() const;

 private:
  struct Slot {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> bytes{0};
    std::atomic<uint64_t> maxSize{0};
    std::atomic<uint64_t> buckets[SizeHistogram::kBuckets] = {};
  };
  Slot slots_[kSlots];
};

}  // namespace lfp::detail
