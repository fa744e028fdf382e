// SPDX-License-Identifier: GPL-3.0-or-later
// listDirectory: every entry of a directory on one translator (for heals and rebalance).
#pragma once

#include <map>
#include <string>

#include "glusterfs/core/xlator.h"

namespace gf {

// Name -> attributes of every entry but "." and "..", read with readdirp through `xl`.
Task<Result<std::map<std::string, Iatt>>> listDirectory(Xlator& xl, const CallCtx& ctx,
                                                        const Loc& dir);

}  // namespace gf
