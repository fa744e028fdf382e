// SPDX-License-Identifier: GPL-3.0-or-later
// Permission, naming and xattr-namespace rules of storage/memory.
#include "glusterfs/xlators/storage/memory/memory_rules.h"

#include <unistd.h>

#include <string_view>

#include "glusterfs/core/permission.h"

namespace gf::memrules {

Status checkNewName(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return fail(EINVAL);
  if (name.size() > kNameMax) return fail(ENAMETOOLONG);
  if (name == "." || name == "..") return fail(EEXIST);
  return {};
}

Status maySearch(const CallCtx& ctx, const MemNode& dir) {
  if (!dir.isDir()) return fail(ENOTDIR);
  return checkAccess(dir.iatt(), ctx, X_OK);
}

Status mayModifyDir(const CallCtx& ctx, const MemNode& dir) {
  if (!dir.isDir()) return fail(ENOTDIR);
  if (dir.removed) return fail(ENOENT);
  return checkAccess(dir.iatt(), ctx, W_OK | X_OK);
}

bool isOwnerOrRoot(const CallCtx& ctx, const MemNode& n) {
  return ctx.uid == 0 || ctx.uid == n.uid;
}

Status mayDeleteFrom(const CallCtx& ctx, const MemNode& dir, const MemNode& victim) {
  if (!(dir.mode & S_ISVTX) || ctx.uid == 0 || ctx.uid == dir.uid || ctx.uid == victim.uid)
    return {};
  return fail(EPERM);
}

void killSetIdBits(const CallCtx& ctx, MemNode& n) {
  if (ctx.uid == 0 || !n.isReg()) return;
  n.mode &= ~S_ISUID;
  if (n.mode & S_IXGRP) n.mode &= ~S_ISGID;
}

namespace {
bool hasPrefix(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
}  // namespace

Status checkXattr(const CallCtx& ctx, const MemNode& n, const std::string& name, XattrAccess a) {
  bool write = a == XattrAccess::kWrite;
  if (name.empty()) return fail(EINVAL);
  if (name.size() > kXattrNameMax) return fail(ERANGE);
  if (hasPrefix(name, "user.")) {
    // As Linux: user xattrs live only on regular files and directories.
    if (!n.isReg() && !n.isDir()) return fail(write ? EPERM : ENODATA);
    return checkAccess(n.iatt(), ctx, write ? W_OK : R_OK);
  }
  if (hasPrefix(name, "trusted.")) {
    if (ctx.uid != 0) return fail(write ? EPERM : ENODATA);
    return {};
  }
  if (hasPrefix(name, "security.")) {
    if (write && ctx.uid != 0) return fail(EPERM);
    return {};
  }
  return fail(EOPNOTSUPP);  // system.* (ACLs) and unknown namespaces
}

bool xattrVisible(const CallCtx& ctx, const MemNode& n, const std::string& name) {
  if (hasPrefix(name, "trusted.")) return ctx.uid == 0;
  return true;
}

}  // namespace gf::memrules
