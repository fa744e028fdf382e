// SPDX-License-Identifier: GPL-3.0-or-later
// Source selection for self-heal from the pending matrix (GlusterFS 2.0's rules, without its
// silent "biggest file wins" on split-brain).
//
// For one kind (data, metadata, entry), among the copies that answered:
//   innocent  accuses nobody (all counters zero; also a copy with no changelog at all)
//   fool      accuses itself (it began an operation it never finished)
//   wise      accuses others but not itself
// Sources are the wise copies no other wise copy accuses. Wise copies that accuse each other
// are a split-brain: no source unless a favorite child is among them. With no wise copy but
// fools, every fool is a candidate (an operation was cut short everywhere): `allFools` tells
// the caller to pick one by file attributes.
#pragma once

#include <string>
#include <vector>

#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"

namespace gf::afr {

enum class CopyRole { kDown, kInnocent, kFool, kWise };
const char* roleName(CopyRole r);

struct SourceVerdict {
  bool needsHeal = false;   // some answered copy accuses some copy
  bool splitBrain = false;  // wise copies accuse each other (and no favorite settles it)
  bool allFools = false;    // no wise copy; sources are all fools: pick one
  std::vector<bool> sources;
  std::vector<bool> sinks;
  std::vector<CopyRole> roles;
};

// `favorite`: index of the favorite-child, or -1.
SourceVerdict selectSources(const PendingMatrix& m, TxnKind kind, int favorite = -1);

}  // namespace gf::afr
