// SPDX-License-Identifier: GPL-3.0-or-later
// sumStatfs: the statfs of a volume made of several children (distribute, unify, stripe).
#pragma once

#include <vector>

#include "glusterfs/core/fops.h"
#include "glusterfs/core/result.h"

namespace gf {

// Adds the children that answered, in units of the smallest fragment size among them; sums
// saturate at UINT64_MAX rather than wrap. Fails only if no child answered.
Result<StatfsReply> sumStatfs(const std::vector<Result<StatfsReply>>& children);

}  // namespace gf
