// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: extended attributes and xattrop (atomic big-endian counters).
#include <sys/xattr.h>

#include "glusterfs/xlators/storage/memory/memory_rules.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

namespace gf {

using namespace memrules;

namespace {

uint64_t loadBigEndian(const char* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void storeBigEndian(char* p, size_t width, uint64_t v) {
  for (size_t i = width; i-- > 0; v >>= 8) p[i] = static_cast<char>(v & 0xff);
}

// Adds `delta` to `value` element-wise, both arrays of big-endian integers `width` bytes wide;
// each element wraps around as the integer type does.
void addArrays(std::string& value, const std::string& delta, size_t width) {
  for (size_t off = 0; off + width <= value.size(); off += width) {
    uint64_t sum =
        loadBigEndian(value.data() + off, width) + loadBigEndian(delta.data() + off, width);
    storeBigEndian(value.data() + off, width, sum);
  }
}

}  // namespace

Status MemoryXlator::doSetxattr(const CallCtx& c, MemNode& n, const Dict& xattrs, int32_t flags) {
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) || flags == (XATTR_CREATE | XATTR_REPLACE))
    return fail(EINVAL);
  if (xattrs.empty()) return fail(EINVAL);
  // All keys are checked before any is stored: the request applies entirely or not at all.
  for (const auto& [key, value] : xattrs) {
    GF_CHECK(checkXattr(c, n, key, XattrAccess::kWrite));
    if (value.size() > kXattrSizeMax) return fail(E2BIG);
    bool exists = n.xattrs.count(key) != 0;
    if ((flags & XATTR_CREATE) && exists) return fail(EEXIST);
    if ((flags & XATTR_REPLACE) && !exists) return fail(ENODATA);
  }
  for (const auto& [key, value] : xattrs) n.xattrs[key] = value;
  n.ctime = nowTimespec();
  return {};
}

Result<XattrReply> MemoryXlator::doGetxattr(const CallCtx& c, const MemNode& n,
                                            const std::string& name) {
  XattrReply out;
  if (name.empty()) {  // every attribute this caller may read
    for (const auto& [key, value] : n.xattrs)
      if (xattrVisible(c, n, key) && checkXattr(c, n, key, XattrAccess::kRead))
        out.xattrs.emplace(key, value);
    return out;
  }
  GF_CHECK(checkXattr(c, n, name, XattrAccess::kRead));
  auto it = n.xattrs.find(name);
  if (it == n.xattrs.end()) return fail(ENODATA);
  out.xattrs.emplace(name, it->second);
  return out;
}

Status MemoryXlator::doRemovexattr(const CallCtx& c, MemNode& n, const std::string& name) {
  GF_CHECK(checkXattr(c, n, name, XattrAccess::kWrite));
  if (n.xattrs.erase(name) == 0) return fail(ENODATA);
  n.ctime = nowTimespec();
  return {};
}

// xattrop is internal to the cluster translators (replicate's changelog): no permission check.
Result<XattrReply> MemoryXlator::doXattrop(MemNode& n, XattropOp op, const Dict& xattrs) {
  size_t width = op == XattropOp::kAddArray ? 4 : op == XattropOp::kAddArray64 ? 8 : 0;
  if (width == 0) return fail(EINVAL);
  for (const auto& [key, delta] : xattrs) {
    if (key.empty()) return fail(EINVAL);
    if (key.size() > kXattrNameMax) return fail(ERANGE);
    if (delta.size() % width != 0 || delta.size() > kXattrSizeMax) return fail(EINVAL);
    auto it = n.xattrs.find(key);
    if (it != n.xattrs.end() && it->second.size() != delta.size()) return fail(EINVAL);
  }
  XattrReply out;
  for (const auto& [key, delta] : xattrs) {
    auto [it, inserted] = n.xattrs.try_emplace(key, std::string(delta.size(), '\0'));
    addArrays(it->second, delta, width);
    out.xattrs.emplace(key, it->second);
  }
  if (!xattrs.empty()) n.ctime = nowTimespec();
  return out;
}

Result<Empty> MemoryXlator::setxattrSync(const CallCtx& c, const SetxattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  GF_CHECK(doSetxattr(c, *n, r.xattrs, r.flags));
  return Empty{};
}

Result<Empty> MemoryXlator::fsetxattrSync(const CallCtx& c, const FsetxattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  GF_CHECK(doSetxattr(c, *on.node, r.xattrs, r.flags));
  return Empty{};
}

Result<XattrReply> MemoryXlator::getxattrSync(const CallCtx& c, const GetxattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  return doGetxattr(c, *n, r.name);
}

Result<XattrReply> MemoryXlator::fgetxattrSync(const CallCtx& c, const FgetxattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  return doGetxattr(c, *on.node, r.name);
}

Result<ListxattrReply> MemoryXlator::listxattrSync(const CallCtx& c, const ListxattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  ListxattrReply out;
  for (const auto& [key, value] : n->xattrs)
    if (xattrVisible(c, *n, key)) out.names.push_back(key);
  return out;
}

Result<Empty> MemoryXlator::removexattrSync(const CallCtx& c, const RemovexattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  GF_CHECK(doRemovexattr(c, *n, r.name));
  return Empty{};
}

Result<Empty> MemoryXlator::fremovexattrSync(const CallCtx& c, const FremovexattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  GF_CHECK(doRemovexattr(c, *on.node, r.name));
  return Empty{};
}

Result<XattrReply> MemoryXlator::xattropSync(const CallCtx&, const XattropReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  return doXattrop(*n, r.op, r.xattrs);
}

Result<XattrReply> MemoryXlator::fxattropSync(const CallCtx&, const FxattropReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  return doXattrop(*on.node, r.op, r.xattrs);
}

}  // namespace gf
