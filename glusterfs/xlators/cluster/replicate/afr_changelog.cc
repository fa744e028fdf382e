// SPDX-License-Identifier: GPL-3.0-or-later
// Changelog keys, values and the pending matrix.
#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"

namespace gf::afr {

const char* kindName(TxnKind k) {
  switch (k) {
    case TxnKind::kData: return "data";
    case TxnKind::kMetadata: return "metadata";
    case TxnKind::kEntry: return "entry";
  }
  return "?";
}

std::string changelogKey(std::string_view childName) {
  return std::string(kChangelogPrefix) + std::string(childName);
}

bool isChangelogKey(std::string_view key) {
  return key.substr(0, kChangelogPrefix.size()) == kChangelogPrefix;
}

std::string encodeCounts(const Counts& c) {
  std::string out(12, '\0');
  for (int k = 0; k < 3; ++k) {
    uint32_t v = static_cast<uint32_t>(c[k]);
    for (int b = 0; b < 4; ++b) out[k * 4 + b] = static_cast<char>((v >> (24 - 8 * b)) & 0xff);
  }
  return out;
}

Counts decodeCounts(std::string_view raw) {
  Counts c{0, 0, 0};
  for (int k = 0; k < 3 && raw.size() >= static_cast<size_t>(k * 4 + 4); ++k) {
    uint32_t v = 0;
    for (int b = 0; b < 4; ++b) v = (v << 8) | static_cast<unsigned char>(raw[k * 4 + b]);
    c[k] = static_cast<int32_t>(v);
  }
  return c;
}

Dict changelogDelta(const std::vector<std::string>& childNames, TxnKind kind,
                    const std::vector<int32_t>& delta) {
  Dict d;
  for (size_t j = 0; j < childNames.size(); ++j) {
    if (delta[j] == 0) continue;
    Counts c{0, 0, 0};
    c[static_cast<int>(kind)] = delta[j];
    d[changelogKey(childNames[j])] = encodeCounts(c);
  }
  return d;
}

void PendingMatrix::setRow(size_t i, const Dict& xattrs, const std::vector<std::string>& childNames) {
  answered_[i] = true;
  for (size_t j = 0; j < n_; ++j) {
    auto it = xattrs.find(changelogKey(childNames[j]));
    cells_[i * n_ + j] = it == xattrs.end() ? Counts{0, 0, 0} : decodeCounts(it->second);
  }
}

std::string PendingMatrix::describe(TxnKind k, const std::vector<std::string>& childNames) const {
  std::string out;
  for (size_t i = 0; i < n_; ++i) {
    out += childNames[i] + (answered_[i] ? "=[" : "=(down)[");
    for (size_t j = 0; j < n_; ++j) {
      if (j) out += ' ';
      out += std::to_string(get(i, j, k));
    }
    out += "] ";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace gf::afr
