// SPDX-License-Identifier: GPL-3.0-or-later
// selectSources: innocent / fool / wise classification and split-brain detection.
#include "glusterfs/xlators/cluster/replicate/afr_source.h"

namespace gf::afr {

const char* roleName(CopyRole r) {
  switch (r) {
    case CopyRole::kDown: return "down";
    case CopyRole::kInnocent: return "innocent";
    case CopyRole::kFool: return "fool";
    case CopyRole::kWise: return "wise";
  }
  return "?";
}

SourceVerdict selectSources(const PendingMatrix& m, TxnKind kind, int favorite) {
  const size_t n = m.size();
  SourceVerdict v;
  v.sources.assign(n, false);
  v.sinks.assign(n, false);
  v.roles.assign(n, CopyRole::kDown);
  for (size_t i = 0; i < n; ++i) {
    if (!m.answered(i)) continue;
    bool accusesOther = false;
    for (size_t j = 0; j < n; ++j)
      if (j != i && m.get(i, j, kind) > 0) accusesOther = true;
    if (m.get(i, i, kind) > 0) v.roles[i] = CopyRole::kFool;
    else if (accusesOther) v.roles[i] = CopyRole::kWise;
    else v.roles[i] = CopyRole::kInnocent;
    if (v.roles[i] != CopyRole::kInnocent) v.needsHeal = true;
  }
  if (!v.needsHeal) {
    for (size_t i = 0; i < n; ++i) v.sources[i] = m.answered(i);
    return v;
  }
  bool anyWise = false;
  for (size_t i = 0; i < n; ++i) {
    if (v.roles[i] != CopyRole::kWise) continue;
    anyWise = true;
    bool accused = false;
    for (size_t j = 0; j < n; ++j)
      if (j != i && v.roles[j] == CopyRole::kWise && m.get(j, i, kind) > 0) accused = true;
    v.sources[i] = !accused;
  }
  bool anySource = false;
  for (size_t i = 0; i < n; ++i) anySource = anySource || v.sources[i];
  if (anyWise && !anySource) {
    if (favorite >= 0 && static_cast<size_t>(favorite) < n && v.roles[favorite] == CopyRole::kWise) {
      v.sources[favorite] = true;
    } else {
      v.splitBrain = true;
    }
  } else if (!anyWise) {
    v.allFools = true;
    for (size_t i = 0; i < n; ++i) v.sources[i] = v.roles[i] == CopyRole::kFool;
    if (favorite >= 0 && static_cast<size_t>(favorite) < n && v.sources[favorite]) {
      v.sources.assign(n, false);
      v.sources[favorite] = true;
      v.allFools = false;
    }
  }
  for (size_t i = 0; i < n; ++i) v.sinks[i] = m.answered(i) && !v.sources[i] && !v.splitBrain;
  return v;
}

}  // namespace gf::afr
