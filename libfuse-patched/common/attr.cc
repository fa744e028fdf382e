// SPDX-License-Identifier: GPL-3.0-or-later
// Conversions from lfp/POSIX types to the kernel's fuse_attr / fuse_entry_out records.
#include "libfuse-patched/common/attr.h"

#include <cmath>
#include <cstring>

namespace lfp::detail {

void splitTimeout(double seconds, uint64_t& sec, uint32_t& nsec) {
  if (!(seconds > 0)) {  // also catches NaN
    sec = 0;
    nsec = 0;
    return;
  }
  if (seconds >= 1e18) {
    sec = UINT64_C(1000000000000000000);
    nsec = 0;
    return;
  }
  double whole = std::floor(seconds);
  sec = static_cast<uint64_t>(whole);
  double frac = (seconds - whole) * 1e9;
  nsec = frac >= 999999999.0 ? 999999999u : static_cast<uint32_t>(frac);
}

void toFuseAttr(const struct stat& st, fuse_attr& out) {
  std::memset(&out, 0, sizeof out);
  out.ino = st.st_ino;
  out.size = static_cast<uint64_t>(st.st_size);
  out.blocks = static_cast<uint64_t>(st.st_blocks);
  out.atime = static_cast<uint64_t>(st.st_atim.tv_sec);
  out.mtime = static_cast<uint64_t>(st.st_mtim.tv_sec);
  out.ctime = static_cast<uint64_t>(st.st_ctim.tv_sec);
  out.atimensec = static_cast<uint32_t>(st.st_atim.tv_nsec);
  out.mtimensec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  out.ctimensec = static_cast<uint32_t>(st.st_ctim.tv_nsec);
  out.mode = st.st_mode;
  out.nlink = static_cast<uint32_t>(st.st_nlink);
  out.uid = st.st_uid;
  out.gid = st.st_gid;
  // glibc's dev_t encoding equals the kernel's new_encode_dev() for 32-bit values.
  out.rdev = static_cast<uint32_t>(st.st_rdev);
  out.blksize = static_cast<uint32_t>(st.st_blksize);
}

void toEntryOut(const Entry& e, fuse_entry_out& out) {
  std::memset(&out, 0, sizeof out);
  out.nodeid = e.ino;
  out.generation = e.generation;
  splitTimeout(e.entryTimeout, out.entry_valid, out.entry_valid_nsec);
  splitTimeout(e.attrTimeout, out.attr_valid, out.attr_valid_nsec);
  toFuseAttr(e.attr, out.attr);
  if (e.ino != 0) out.attr.ino = e.attr.st_ino ? e.attr.st_ino : e.ino;
}

void toKstatfs(const struct statvfs& st, fuse_kstatfs& out) {
  std::memset(&out, 0, sizeof out);
  out.blocks = st.f_blocks;
  out.bfree = st.f_bfree;
  out.bavail = st.f_bavail;
  out.files = st.f_files;
  out.ffree = st.f_ffree;
  out.bsize = static_cast<uint32_t>(st.f_bsize);
  out.namelen = static_cast<uint32_t>(st.f_namemax);
  out.frsize = static_cast<uint32_t>(st.f_frsize);
}

}  // namespace lfp::detail
