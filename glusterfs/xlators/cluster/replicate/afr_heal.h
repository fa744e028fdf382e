// SPDX-License-Identifier: GPL-3.0-or-later
// Replicate's self-heal: bring every live copy of a file or directory in line with a source
// copy chosen from the changelogs. Each heal takes the same locks as the transactions it
// races with, looks again under the lock, copies, then subtracts exactly the counters it saw
// (changes that happen meanwhile keep theirs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "glusterfs/xlators/cluster/replicate/replicate_xlator.h"

namespace gf::afr {

// One lookup per live copy (with its changelog); nullopt for copies that are down.
struct CopyView {
  std::vector<std::optional<Result<EntryReply>>> copies;
  bool answered(size_t i) const { return copies[i] && copies[i]->ok(); }
  const Iatt& stat(size_t i) const { return copies[i]->value().stat; }
  PendingMatrix matrix(const std::vector<std::string>& names) const;
};
Task<CopyView> lookupAll(ReplicateXlator& afr, const CallCtx& ctx, const Loc& loc,
                         std::vector<std::string> extraXattrs = {});

enum class HealResult { kNothingToDo, kHealed, kSplitBrain, kFailed };
const char* healResultName(HealResult r);

// What to heal: the verdict may be forced by an explicit source (split-brain resolution).
struct HealChoice {
  int source = -1;  // >= 0: use this copy as the only source, whatever the changelogs say
};

Task<HealResult> healMetadata(ReplicateXlator& afr, const Loc& loc, HealChoice choice = {});
Task<HealResult> healData(ReplicateXlator& afr, const Loc& loc, HealChoice choice = {});
// `unionOnly`: no changelog accuses anyone, but names differ (a copy missed a create): add
// what is missing, delete nothing.
Task<HealResult> healEntry(ReplicateXlator& afr, const Loc& dir, HealChoice choice = {},
                           bool unionOnly = false);
// Everything the file or directory needs (used by the background healer and resolution).
Task<HealResult> healInode(ReplicateXlator& afr, const Loc& loc, HealChoice choice = {});

// A root context with a fresh lock owner for heal operations.
CallCtx healCtx();
// The parent of `loc` as a location of its own.
Loc parentOf(const Loc& loc);

}  // namespace gf::afr
