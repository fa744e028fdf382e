// SPDX-License-Identifier: GPL-3.0-or-later
// Server-side resolution of wire locations into inodes of an export's table.
//
// A location names its file by gfid, by parent gfid and name, and by path. Inodes the table
// still holds are found by gfid at once; others (after a server restart or LRU eviction) are
// found again by looking the path up component by component through the export, and checked
// against the gfid the client expects (a mismatch is ESTALE: the name now holds another file).
#pragma once

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/inode.h"
#include "glusterfs/core/xlator.h"
#include "glusterfs/rpc/fop_codec.h"

namespace gf {

struct ResolveNeeds {
  bool inode = true;   // the named file must exist (false: lookup and the creating fops)
};

Task<Result<Loc>> resolveWireLoc(Xlator& top, InodeTable& table, const CallCtx& ctx,
                                 const rpc::WireLoc& w, ResolveNeeds needs);

}  // namespace gf
