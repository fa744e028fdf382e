// SPDX-License-Identifier: GPL-3.0-or-later
// DirBuffer: READDIR/READDIRPLUS replies in the kernel's fuse_dirent/fuse_direntplus format.
#include <linux/fuse.h>

#include <cstddef>
#include <cstring>

#include "lfp/lfp.h"
#include "libfuse-patched/common/attr.h"
#include "libfuse-patched/common/log.h"

namespace lfp {
namespace {

constexpr size_t kNameOffset = offsetof(fuse_dirent, name);
constexpr size_t kNameMax = 1024;  // the kernel rejects the whole reply beyond FUSE_NAME_MAX

constexpr size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }

bool validName(std::string_view name) {
  if (name.empty() || name.size() > kNameMax || name.find('\0') != std::string_view::npos) {
    detail::log(kLogWarning, "readdir: skipping invalid entry name of %zu bytes", name.size());
    return false;
  }
  return true;
}

// Appends one fuse_dirent at buf[pos]; the caller reserved align8(kNameOffset + name.size()).
void putDirent(char* p, std::string_view name, Ino ino, uint32_t type, uint64_t off) {
  fuse_dirent d{};
  d.ino = ino;
  d.off = off;
  d.namelen = static_cast<uint32_t>(name.size());
  d.type = (type & S_IFMT) >> 12;
  std::memcpy(p, &d, kNameOffset);
  std::memcpy(p + kNameOffset, name.data(), name.size());
  size_t used = kNameOffset + name.size();
  std::memset(p + used, 0, align8(used) - used);
}

}  // namespace

bool DirBuffer::add(std::string_view name, Ino ino, uint32_t type, uint64_t off) {
  if (!validName(name)) return true;
  size_t rec = align8(kNameOffset + name.size());
  if (buf_.size() + rec > limit_) return false;
  size_t pos = buf_.size();
  buf_.resize(pos + rec);
  putDirent(buf_.data() + pos, name, ino, type, off);
  return true;
}

bool DirBuffer::addPlus(std::string_view name, const Entry& e, uint64_t off) {
  if (!validName(name)) return true;
  size_t rec = sizeof(fuse_entry_out) + align8(kNameOffset + name.size());
  if (buf_.size() + rec > limit_) return false;
  size_t pos = buf_.size();
  buf_.resize(pos + rec);
  fuse_entry_out eo;
  detail::toEntryOut(e, eo);
  std::memcpy(buf_.data() + pos, &eo, sizeof eo);
  Ino ino = e.attr.st_ino ? e.attr.st_ino : e.ino;
  putDirent(buf_.data() + pos + sizeof eo, name, ino, e.attr.st_mode, off);
  return true;
}

}  // namespace lfp
