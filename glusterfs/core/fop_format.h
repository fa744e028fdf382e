// SPDX-License-Identifier: GPL-3.0-or-later
// Text forms of fop requests and replies (trace, logs, test failures), and generic walks over
// the attributes inside a reply, all derived from the GF_FIELDS lists.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "glusterfs/core/fops.h"

namespace gf {

std::string formatRequest(FopId id, const void* req);
std::string formatReply(FopId id, const void* reply);
// Calls fn on every Iatt inside `reply` (including directory entries).
void forEachIatt(FopId id, void* reply, const std::function<void(Iatt&)>& fn);
// The inodes a request names: each Loc's inode and parent, each fd's inode (nulls skipped).
std::vector<InodePtr> inodesOf(FopId id, const void* req);
// The fds a request names (nulls skipped).
std::vector<FdPtr> fdsOf(FopId id, const void* req);

}  // namespace gf
