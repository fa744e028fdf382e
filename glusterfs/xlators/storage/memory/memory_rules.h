// SPDX-License-Identifier: GPL-3.0-or-later
// The Linux VFS rules storage/memory applies for its callers: names, ownership, the sticky
// bit, clearing set-id bits, and the xattr namespaces.
#pragma once

#include <string>

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/result.h"
#include "glusterfs/xlators/storage/memory/mem_node.h"

namespace gf::memrules {

inline constexpr size_t kNameMax = 255;
inline constexpr size_t kPathMax = 4096;
inline constexpr size_t kXattrNameMax = 255;
inline constexpr size_t kXattrSizeMax = 65536;

// A name that may be created: non-empty, no '/', at most kNameMax bytes, not "." or "..".
Status checkNewName(const std::string& name);
// Search (X) permission on a directory, needed to look a name up in it.
Status maySearch(const CallCtx& ctx, const MemNode& dir);
// Write and search permission on a directory, needed to add or remove a name.
Status mayModifyDir(const CallCtx& ctx, const MemNode& dir);
// The sticky-bit rule: in a sticky directory only the owner of the entry or of the directory
// (or root) may remove or rename it.
Status mayDeleteFrom(const CallCtx& ctx, const MemNode& dir, const MemNode& victim);
bool isOwnerOrRoot(const CallCtx& ctx, const MemNode& n);
// What a write or truncate by a non-root caller does to set-id bits.
void killSetIdBits(const CallCtx& ctx, MemNode& n);

enum class XattrAccess { kRead, kWrite };
// Namespace and permission rules for one xattr name (user.*, trusted.*, security.*).
Status checkXattr(const CallCtx& ctx, const MemNode& n, const std::string& name, XattrAccess a);
// Whether `name` shows up in listxattr (or a get-all) for this caller.
bool xattrVisible(const CallCtx& ctx, const MemNode& n, const std::string& name);

}  // namespace gf::memrules
