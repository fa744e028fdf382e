// SPDX-License-Identifier: GPL-3.0-or-later
// checkAccess: owner/group/other bits with root's exceptions.
#include "glusterfs/core/permission.h"

#include <unistd.h>

namespace gf {

Status checkAccess(const Iatt& attr, const CallCtx& ctx, int mask) {
  mask &= R_OK | W_OK | X_OK;
  if (mask == 0) return {};
  if (ctx.uid == 0) {
    if (!(mask & X_OK) || attr.isDir() || (attr.mode & (S_IXUSR | S_IXGRP | S_IXOTH))) return {};
    return fail(EACCES);
  }
  unsigned shift;
  if (ctx.uid == attr.uid) shift = 6;
  else if (ctx.inGroup(attr.gid)) shift = 3;
  else shift = 0;
  unsigned granted = (attr.mode >> shift) & 7;
  unsigned want = ((mask & R_OK) ? 4 : 0) | ((mask & W_OK) ? 2 : 0) | ((mask & X_OK) ? 1 : 0);
  if ((granted & want) == want) return {};
  return fail(EACCES);
}

}  // namespace gf
