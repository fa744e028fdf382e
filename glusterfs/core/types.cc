// SPDX-License-Identifier: GPL-3.0-or-later
// Conversions between struct stat and Iatt.
#include "glusterfs/core/types.h"

namespace gf {

Iatt iattFromStat(const struct stat& st, const Gfid& gfid) {
  Iatt ia;
  ia.gfid = gfid;
  ia.ino = gfid.isNull() ? st.st_ino : gfid.ino();
  ia.mode = st.st_mode;
  ia.nlink = static_cast<uint32_t>(st.st_nlink);
  ia.uid = st.st_uid;
  ia.gid = st.st_gid;
  ia.rdev = st.st_rdev;
  ia.size = static_cast<uint64_t>(st.st_size);
  ia.blocks = static_cast<uint64_t>(st.st_blocks);
  ia.blksize = static_cast<uint32_t>(st.st_blksize);
  ia.atime = {st.st_atim.tv_sec, static_cast<uint32_t>(st.st_atim.tv_nsec)};
  ia.mtime = {st.st_mtim.tv_sec, static_cast<uint32_t>(st.st_mtim.tv_nsec)};
  ia.ctime = {st.st_ctim.tv_sec, static_cast<uint32_t>(st.st_ctim.tv_nsec)};
  return ia;
}

struct stat statFromIatt(const Iatt& ia) {
  struct stat st {};
  st.st_ino = ia.ino;
  st.st_mode = ia.mode;
  st.st_nlink = ia.nlink;
  st.st_uid = ia.uid;
  st.st_gid = ia.gid;
  st.st_rdev = ia.rdev;
  st.st_size = static_cast<off_t>(ia.size);
  st.st_blocks = static_cast<blkcnt_t>(ia.blocks);
  st.st_blksize = ia.blksize;
  st.st_atim = {ia.atime.sec, ia.atime.nsec};
  st.st_mtim = {ia.mtime.sec, ia.mtime.nsec};
  st.st_ctim = {ia.ctime.sec, ia.ctime.nsec};
  return st;
}

void pickXattrs(const Dict& have, const std::vector<std::string>& wanted, Dict& out) {
  for (const auto& want : wanted) {
    if (!want.empty() && want.back() == '*') {
      std::string_view prefix(want.data(), want.size() - 1);
      for (auto it = have.lower_bound(std::string(prefix));
           it != have.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix; ++it)
        out[it->first] = it->second;
    } else if (auto it = have.find(want); it != have.end()) {
      out[want] = it->second;
    }
  }
}

}  // namespace gf
