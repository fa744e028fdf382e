// SPDX-License-Identifier: GPL-3.0-or-later
// Replicate's changelog: on every copy, `trusted.afr.<child>` holds three big-endian int32
// counters (data, metadata, entry) of operations begun but not known to have succeeded on
// <child>. Copy i's counter for child j is "i accuses j". The pending matrix gathers them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/types.h"

namespace gf::afr {

enum class TxnKind : int { kData = 0, kMetadata = 1, kEntry = 2 };
const char* kindName(TxnKind k);

inline constexpr std::string_view kChangelogPrefix = "trusted.afr.";
using Counts = std::array<int32_t, 3>;

std::string changelogKey(std::string_view childName);
std::string encodeCounts(const Counts& c);
// Short, missing or malformed values count as zeros (a brick added later has none).
Counts decodeCounts(std::string_view raw);
bool isChangelogKey(std::string_view key);

// The xattrop request that adds `delta[j]` to the `kind` counter of child j's key.
Dict changelogDelta(const std::vector<std::string>& childNames, TxnKind kind,
                    const std::vector<int32_t>& delta);

class PendingMatrix {
 public:
  PendingMatrix(size_t n) : n_(n), cells_(n * n), answered_(n, false) {}
  // Fills row i from the changelog xattrs copy i returned.
  void setRow(size_t i, const Dict& xattrs, const std::vector<std::string>& childNames);
  void set(size_t i, size_t j, TxnKind k, int32_t v) { cells_[i * n_ + j][static_cast<int>(k)] = v; }
  int32_t get(size_t i, size_t j, TxnKind k) const { return cells_[i * n_ + j][static_cast<int>(k)]; }
  bool answered(size_t i) const { return answered_[i]; }
  void setAnswered(size_t i, bool a) { answered_[i] = a; }
  size_t size() const { return n_; }
  std::string describe(TxnKind k, const std::vector<std::string>& childNames) const;

 private:
  size_t n_;
  std::vector<Counts> cells_;
  std::vector<bool> answered_;
};

}  // namespace gf::afr
