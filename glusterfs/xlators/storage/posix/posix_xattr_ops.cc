// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: extended attributes and the atomic counter update (xattrop) replicate uses.
#include <sys/xattr.h>

#include <array>
#include <cstring>
#include <mutex>

#include "glusterfs/core/fd.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xattr.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {
namespace {

Status setAll(const XattrTarget& t, const Dict& xattrs, int flags) {
  for (const auto& [k, v] : xattrs) {
    if (isProtected(k)) return fail(EPERM);
    if (t.set(k.c_str(), v.data(), v.size(), flags) < 0) return fail(errno);
  }
  return {};
}

Result<XattrReply> getOneOrAll(const XattrTarget& t, const std::string& name) {
  XattrReply out;
  if (!name.empty()) {
    GF_TRY(out.xattrs[name], getValue(t, name));
    return out;
  }
  GF_TRY(auto names, listNames(t));
  for (const auto& n : names) {
    auto v = getValue(t, n);
    if (v) out.xattrs[n] = std::move(*v);
  }
  return out;
}

// Serialises read-add-write of counters on the same file within this brick process.
std::mutex& counterLock(const Gfid& g) {
  static std::array<std::mutex, 64> locks;
  return locks[GfidHash()(g) % locks.size()];
}

template <class Int>
std::string addBigEndian(const std::string& cur, const std::string& delta) {
  std::string out(std::max(cur.size(), delta.size()), '\0');
  for (size_t i = 0; i + sizeof(Int) <= out.size(); i += sizeof(Int)) {
    auto load = [&](const std::string& s) -> Int {
      Int v = 0;
      if (i + sizeof(Int) > s.size()) return 0;
      for (size_t b = 0; b < sizeof(Int); ++b)
        v = static_cast<Int>((v << 8) | static_cast<unsigned char>(s[i + b]));
      return v;
    };
    using U = std::make_unsigned_t<Int>;
    U sum = static_cast<U>(load(cur)) + static_cast<U>(load(delta));
    for (size_t b = 0; b < sizeof(Int); ++b)
      out[i + b] = static_cast<char>((sum >> (8 * (sizeof(Int) - 1 - b))) & 0xff);
  }
  return out;
}

Result<XattrReply> addCounters(const XattrTarget& t, const Gfid& gfid, XattropOp op, const Dict& in) {
  size_t width = op == XattropOp::kAddArray64 ? 8 : 4;
  for (const auto& [k, v] : in)
    if (v.size() % width != 0 || isProtected(k)) return fail(EINVAL);
  std::lock_guard lock(counterLock(gfid));
  XattrReply out;
  for (const auto& [k, delta] : in) {
    auto cur = getValue(t, k);
    std::string current = cur ? *cur : std::string();
    if (!cur && cur.errnum() != ENODATA) return fail(cur.error());
    std::string sum = width == 8 ? addBigEndian<int64_t>(current, delta)
                                 : addBigEndian<int32_t>(current, delta);
    if (t.set(k.c_str(), sum.data(), sum.size(), 0) < 0) return fail(errno);
    out.xattrs[k] = std::move(sum);
  }
  return out;
}

}  // namespace

#define GF_POSIX_LOC_TARGET(loc)                     \
  GF_TRY(auto h, handles_->resolve(loc));            \
  XattrTarget t{PosixHandles::procPath(h->fd), -1}

#define GF_POSIX_FD_TARGET(fdp)                      \
  auto* f = handles_->fdCtx(fdp);                    \
  if (!f) return fail(EBADF);                        \
  XattrTarget t{{}, f->fd}

Result<Empty> PosixXlator::setxattrSync(const CallCtx&, const SetxattrReq& r) {
  GF_POSIX_LOC_TARGET(r.loc);
  GF_CHECK(setAll(t, r.xattrs, r.flags));
  return Empty{};
}

Result<Empty> PosixXlator::fsetxattrSync(const CallCtx&, const FsetxattrReq& r) {
  GF_POSIX_FD_TARGET(r.fd);
  GF_CHECK(setAll(t, r.xattrs, r.flags));
  return Empty{};
}

Result<XattrReply> PosixXlator::getxattrSync(const CallCtx&, const GetxattrReq& r) {
  GF_POSIX_LOC_TARGET(r.loc);
  return getOneOrAll(t, r.name);
}

Result<XattrReply> PosixXlator::fgetxattrSync(const CallCtx&, const FgetxattrReq& r) {
  GF_POSIX_FD_TARGET(r.fd);
  return getOneOrAll(t, r.name);
}

Result<ListxattrReply> PosixXlator::listxattrSync(const CallCtx&, const ListxattrReq& r) {
  GF_POSIX_LOC_TARGET(r.loc);
  GF_TRY(auto names, listNames(t));
  return ListxattrReply{std::move(names)};
}

Result<Empty> PosixXlator::removexattrSync(const CallCtx&, const RemovexattrReq& r) {
  if (isProtected(r.name)) return fail(EPERM);
  GF_POSIX_LOC_TARGET(r.loc);
  if (t.remove(r.name.c_str()) < 0) return fail(errno);
  return Empty{};
}

Result<Empty> PosixXlator::fremovexattrSync(const CallCtx&, const FremovexattrReq& r) {
  if (isProtected(r.name)) return fail(EPERM);
  GF_POSIX_FD_TARGET(r.fd);
  if (t.remove(r.name.c_str()) < 0) return fail(errno);
  return Empty{};
}

Result<XattrReply> PosixXlator::xattropSync(const CallCtx&, const XattropReq& r) {
  GF_POSIX_LOC_TARGET(r.loc);
  return addCounters(t, h->gfid, r.op, r.xattrs);
}

Result<XattrReply> PosixXlator::fxattropSync(const CallCtx&, const FxattropReq& r) {
  GF_POSIX_FD_TARGET(r.fd);
  return addCounters(t, r.fd->inode()->gfid(), r.op, r.xattrs);
}

}  // namespace gf
