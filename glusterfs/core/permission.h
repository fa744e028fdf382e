// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX permission check of a caller against file attributes (for the access fop).
#pragma once

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/result.h"
#include "glusterfs/core/types.h"

namespace gf {

// `mask` is R_OK|W_OK|X_OK (F_OK always passes). Root may read and write anything and execute
// anything that has at least one execute bit (or is a directory), as in the Linux VFS.
Status checkAccess(const Iatt& attr, const CallCtx& ctx, int mask);

}  // namespace gf
