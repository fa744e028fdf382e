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
// Subtracts, on each copy, the `kind` counters seen in `m` (and only those) about the copies
// now in step (`inStep`: sources and healed sinks). Counters about a copy that is down or was
// not healed stay: they are the only record that it is behind.
Task<void> clearObserved(ReplicateXlator& afr, const CallCtx& ctx, const Loc& loc,
                         const PendingMatrix& m, TxnKind kind, const std::vector<bool>& inStep);
// The copies that answered the look taken under the heal lock.
std::vector<bool> answeredCopies(const CopyView& view);
// The copy to heal from: an explicit choice, else a source (2.0's tie-break among fools).
int pickSource(const SourceVerdict& v, const CopyView& view, TxnKind kind, HealChoice choice);

}  // namespace gf::afr
