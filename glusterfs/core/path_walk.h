// SPDX-License-Identifier: GPL-3.0-or-later
// walkPath: finds a path ("/a/b", or "<gfid:UUID>/a/b" from an inode the table knows) below a
// translator with one lookup per component, linking what it finds into an inode table. Used
// where only a path is known: protocol/server resolving a client's path, the self-heal daemon
// finding an indexed file, features/index checking that an entry still names its file.
#pragma once

#include <string_view>

#include "glusterfs/core/inode.h"
#include "glusterfs/core/result.h"
#include "glusterfs/core/task.h"

namespace gf {

class Xlator;
struct CallCtx;

// One directory entry name: "." and ".." would climb, '/' would reach further, and a NUL
// would cut the name short in a brick's system calls.
bool validEntryName(std::string_view name);

enum class WalkCache {
  kReuse,  // entries the table already knows are taken as they are
  kFresh,  // every component is looked up again (names may have moved since)
};

// The whole path is checked before any lookup: a malformed one costs nothing below. The
// result's parent and name are those of the last component (none for the root).
Task<Result<Loc>> walkPath(Xlator& top, InodeTable& table, const CallCtx& ctx,
                           std::string_view path, WalkCache cache = WalkCache::kReuse);

}  // namespace gf
