// SPDX-License-Identifier: GPL-3.0-or-later
// Internal helpers shared by the self-heal source files.
#pragma once

#include <vector>

#include "glusterfs/xlators/cluster/replicate/afr_heal.h"

namespace gf::afr {

// Takes the heal lock of `kind` on every live copy, in child order, waiting.
Task<std::vector<bool>> healLock(ReplicateXlator& afr, const CallCtx& ctx, TxnKind kind,
                                 const Loc& loc);
Task<void> healUnlock(ReplicateXlator& afr, const CallCtx& ctx, TxnKind kind, const Loc& loc,
                      const std::vector<bool>& held);
// Subtracts, on each copy, the `kind` counters seen in `m` (and only those).
Task<void> clearObserved(ReplicateXlator& afr, const CallCtx& ctx, const Loc& loc,
                         const PendingMatrix& m, TxnKind kind);
// The copy to heal from: an explicit choice, else a source (2.0's tie-break among fools).
int pickSource(const SourceVerdict& v, const CopyView& view, TxnKind kind, HealChoice choice);

}  // namespace gf::afr
