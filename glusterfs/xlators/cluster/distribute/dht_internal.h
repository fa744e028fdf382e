// SPDX-License-Identifier: GPL-3.0-or-later
// Internal helpers shared by the distribute source files.
#pragma once

#include <optional>
#include <vector>

#include "glusterfs/xlators/cluster/distribute/distribute_xlator.h"

namespace gf {

// `req` plus the xattrs distribute needs back (layout, linkto).
LookupReq dhtLookupReq(const LookupReq& req);
// Looks `req` up on every live child: a directory (merged, healed), or the one data file.
Task<Result<EntryReply>> lookupEverywhere(DistributeXlator& dht, const CallCtx& ctx,
                                          const LookupReq& req);
// Merges a directory's copies (creating missing ones, healing the layout).
Task<Result<EntryReply>> mergeDirectory(DistributeXlator& dht, const CallCtx& ctx, const Loc& loc,
                                        std::vector<std::optional<Result<EntryReply>>> copies);
// The child holding `loc`'s data (looking it up if not known); any child for a directory.
Task<Result<int>> locate(DistributeXlator& dht, const CallCtx& ctx, const Loc& loc);
// The child an fd was opened on (files), or -1 for directories (open on every child).
int fdChild(const DistributeXlator& dht, const FdPtr& fd);
void setFdChild(const DistributeXlator& dht, const FdPtr& fd, int child);

}  // namespace gf
