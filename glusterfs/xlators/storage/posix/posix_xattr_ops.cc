// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: extended attributes and the atomic counter update (xattrop) replicate uses.
#include <sys/xattr.h>

#include <array>
#include <cstring>
#include <mutex>

#include "glusterfs/core/fd.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {
namespace {

// The file identity is ours: clients may read it but never change or list it.
bool isProtected(std::string_view key) { return key == kGfidXattr; }

// Reads through either a path (the handle's /proc entry) or an open descriptor.
struct XattrTarget {
  std::string path;
  int fd = -1;
  ssize_t get(const char* key, void* buf, size_t size) const {
    return fd >= 0 ? fgetxattr(fd, key, buf, size) : getxattr(path.c_str(), key, buf, size);
  }
  int set(const char* key, const void* val, size_t size, int flags) const {
    return fd >= 0 ? fsetxattr(fd, key, val, size, flags)
                   : setxattr(path.c_str(), key, val, size, flags);
  }
  int remove(const char* key) const {
    return fd >= 0 ? fremovexattr(fd, key) : removexattr(path.c_str(), key);
  }
  ssize_t list(char* buf, size_t size) const {
    return fd >= 0 ? flistxattr(fd, buf, size) : listxattr(path.c_str(), buf, size);
  }
};

Result<std::string> getValue(const XattrTarget& t, const std::string& key) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    ssize_t n = t.get(key.c_str(), nullptr, 0);
    if (n < 0) return fail(errno);
    std::string v(static_cast<size_t>(n), '\0');
    ssize_t m = t.get(key.c_str(), v.data(), v.size());
    if (m >= 0) {
      v.resize(static_cast<size_t>(m));
      return v;
    }
    if (errno != ERANGE) return fail(errno);  // grew meanwhile: try again
  }
  return fail(ERANGE);
}

Result<std::vector<std::string>> listNames(const XattrTarget& t) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    ssize_t n = t.list(nullptr, 0);
    if (n < 0) return fail(errno);
    std::string buf(static_cast<size_t>(n), '\0');
    ssize_t m = t.list(buf.data(), buf.size());
    if (m < 0) {
      if (errno == ERANGE) continue;
      return fail(errno);
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < static_cast<size_t>(m);) {
      std::string name(buf.data() + i);
      i += name.size() + 1;
      if (!name.empty() && !isProtected(name)) names.push_back(std::move(name));
    }
    return names;
  }
  return fail(ERANGE);
}

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
