// SPDX-License-Identifier: GPL-3.0-or-later
// Request-size histograms (per opcode, power-of-two buckets) and the opcode name table.
#include <cstdio>

#include "libfuse-patched/common/histogram_counter.h"

namespace lfp {
namespace {

// Indexed by FUSE opcode (protocol 7.45); gaps (7) and unknown numbers have no name.
constexpr const char* kOpNames[] = {
    nullptr,        "LOOKUP",        "FORGET",      "GETATTR",  "SETATTR",  "READLINK",
    "SYMLINK",      nullptr,         "MKNOD",       "MKDIR",    "UNLINK",   "RMDIR",
    "RENAME",       "LINK",          "OPEN",        "READ",     "WRITE",    "STATFS",
    "RELEASE",      nullptr,         "FSYNC",       "SETXATTR", "GETXATTR", "LISTXATTR",
    "REMOVEXATTR",  "FLUSH",         "INIT",        "OPENDIR",  "READDIR",  "RELEASEDIR",
    "FSYNCDIR",     "GETLK",         "SETLK",       "SETLKW",   "ACCESS",   "CREATE",
    "INTERRUPT",    "BMAP",          "DESTROY",     "IOCTL",    "POLL",     "NOTIFY_REPLY",
    "BATCH_FORGET", "FALLOCATE",     "READDIRPLUS", "RENAME2",  "LSEEK",    "COPY_FILE_RANGE",
    "SETUPMAPPING", "REMOVEMAPPING", "SYNCFS",      "TMPFILE",  "STATX",    "COPY_FILE_RANGE_64",
};

}  // namespace

const char* opcodeName(uint32_t opcode) {
  constexpr uint32_t n = sizeof kOpNames / sizeof kOpNames[0];
  if (opcode < n && kOpNames[opcode]) return kOpNames[opcode];
  if (opcode == 4096) return "CUSE_INIT";
  static thread_local char buf[24];
  std::snprintf(buf, sizeof buf, "OPCODE_%u", opcode);
  return buf;
}

const SizeHistogram::Row* SizeHistogram::find(uint32_t opcode) const {
  for (const Row& r : rows)
    if (r.opcode == opcode) return &r;
  return nullptr;
}

std::string SizeHistogram::format() const {
  std::string out;
  char buf[128];
  for (const Row& r : rows) {
    std::snprintf(
        buf, sizeof buf, "%s count=%llu bytes=%llu max=%llu",
        r.opcode ? opcodeName(r.opcode) : "UNKNOWN", static_cast<unsigned long long>(r.count),
        static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.maxSize));
    out += buf;
    for (int b = 0; b < kBuckets; ++b) {
      if (!r.buckets[b]) continue;
      std::snprintf(buf, sizeof buf, " %llu:%llu", 1ull << b,
                    static_cast<unsigned long long>(r.buckets[b]));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

namespace detail {

int HistogramCounter::bucketOf(uint64_t size) {
  if (size <= 1) return 0;
  int b = 64 - __builtin_clzll(size - 1);
  return b < SizeHistogram::kBuckets ? b : SizeHistogram::kBuckets - 1;
}

void HistogramCounter::record(uint32_t opcode, uint64_t size) {
  Slot& s = slots_[opcode < kSlots ? opcode : 0];
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.bytes.fetch_add(size, std::memory_order_relaxed);
  s.buckets[bucketOf(size)].fetch_add(1, std::memory_order_relaxed);
  uint64_t m = s.maxSize.load(std::memory_order_relaxed);
  while (size > m && !s.maxSize.compare_exchange_weak(m, size, std::memory_order_relaxed)) {
  }
}

SizeHistogram HistogramCounter::snapshot() const {
  SizeHistogram h;
  for (uint32_t op = 0; op < kSlots; ++op) {
    const Slot& s = slots_[op];
    uint64_t count = s.count.load(std::memory_order_relaxed);
    if (!count) continue;
    SizeHistogram::Row r;
    r.opcode = op;
    r.count = count;
    r.bytes = s.bytes.load(std::memory_order_relaxed);
    r.maxSize = s.maxSize.load(std::memory_order_relaxed);
    for (int b = 0; b < SizeHistogram::kBuckets; ++b)
      r.buckets[b] = s.buckets[b].load(std::memory_order_relaxed);
    h.rows.push_back(r);
  }
  return h;
}

}  // namespace detail
}  // namespace lfp
