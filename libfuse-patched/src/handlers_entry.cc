// SPDX-License-Identifier: GPL-3.0-or-later
// Handlers for requests on names and attributes: lookup/forget, getattr/setattr, the namespace
// operations, statfs, access and extended attributes.
#include <cerrno>
#include <vector>

#include "libfuse-patched/src/handlers.h"

namespace lfp::detail {

FileInfo fileInfo(uint64_t fh, uint32_t flags, uint64_t lockOwner) {
  FileInfo fi;
  fi.fh = fh;
  fi.flags = static_cast<int32_t>(flags);
  fi.lockOwner = lockOwner;
  return fi;
}

void doLookup(Dispatch& d, const Decoded& in) {
  d.ops().lookup(d.request(in), in.h.nodeid, in.name);
}

void doForget(Dispatch& d, const Decoded& in) {
  d.ops().forget(in.h.nodeid, in.as<fuse_forget_in>().nlookup);
}

void doBatchForget(Dispatch& d, const Decoded& in) {
  size_t n = in.payloadSize / sizeof(fuse_forget_one);
  std::vector<ForgetOne> items(n);
  for (size_t i = 0; i < n; ++i) {
    fuse_forget_one f;
    std::memcpy(&f, in.payload + i * sizeof f, sizeof f);
    items[i] = ForgetOne{f.nodeid, f.nlookup};
  }
  d.ops().forgetMulti(items);
}

void doGetattr(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_getattr_in>();
  if (a.getattr_flags & FUSE_GETATTR_FH) {
    FileInfo fi = fileInfo(a.fh);
    d.ops().getattr(d.request(in), in.h.nodeid, &fi);
  } else {
    d.ops().getattr(d.request(in), in.h.nodeid, nullptr);
  }
}

void doSetattr(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_setattr_in>();
  struct stat st {};
  st.st_mode = a.mode;
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_size = static_cast<off_t>(a.size);
  st.st_atim.tv_sec = static_cast<time_t>(a.atime);
  st.st_atim.tv_nsec = a.atimensec;
  st.st_mtim.tv_sec = static_cast<time_t>(a.mtime);
  st.st_mtim.tv_nsec = a.mtimensec;
  st.st_ctim.tv_sec = static_cast<time_t>(a.ctime);
  st.st_ctim.tv_nsec = a.ctimensec;
  FileInfo fi = fileInfo(a.fh, 0, (a.valid & FATTR_LOCKOWNER) ? a.lock_owner : 0);
  d.ops().setattr(d.request(in), in.h.nodeid, st, a.valid, (a.valid & FATTR_FH) ? &fi : nullptr);
}

void doReadlink(Dispatch& d, const Decoded& in) { d.ops().readlink(d.request(in), in.h.nodeid); }

// SYMLINK carries the new entry's name first, then the link target.
void doSymlink(Dispatch& d, const Decoded& in) {
  d.ops().symlink(d.request(in), in.name2, in.h.nodeid, in.name);
}

void doMknod(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_mknod_in>();
  // The kernel's new_encode_dev() equals glibc's dev_t layout for 32-bit values.
  d.ops().mknod(d.request(in), in.h.nodeid, in.name, a.mode, static_cast<dev_t>(a.rdev));
}

void doMkdir(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_mkdir_in>();
  d.ops().mkdir(d.request(in), in.h.nodeid, in.name, a.mode);
}

void doUnlink(Dispatch& d, const Decoded& in) {
  d.ops().unlink(d.request(in), in.h.nodeid, in.name);
}

void doRmdir(Dispatch& d, const Decoded& in) { d.ops().rmdir(d.request(in), in.h.nodeid, in.name); }

void doRename(Dispatch& d, const Decoded& in) {
  d.ops().rename(d.request(in), in.h.nodeid, in.name, in.as<fuse_rename_in>().newdir, in.name2, 0);
}

void doRename2(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_rename2_in>();
  d.ops().rename(d.request(in), in.h.nodeid, in.name, a.newdir, in.name2, a.flags);
}

// LINK: the header names the new parent, the argument the existing inode.
void doLink(Dispatch& d, const Decoded& in) {
  d.ops().link(d.request(in), in.as<fuse_link_in>().oldnodeid, in.h.nodeid, in.name);
}

void doStatfs(Dispatch& d, const Decoded& in) { d.ops().statfs(d.request(in), in.h.nodeid); }

void doAccess(Dispatch& d, const Decoded& in) {
  d.ops().access(d.request(in), in.h.nodeid, static_cast<int>(in.as<fuse_access_in>().mask));
}

void doSetxattr(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_setxattr_in>();
  d.ops().setxattr(d.request(in), in.h.nodeid, in.name, in.payload, in.payloadSize,
                   static_cast<int>(a.flags));
}

void doGetxattr(Dispatch& d, const Decoded& in) {
  d.ops().getxattr(d.request(in), in.h.nodeid, in.name, in.as<fuse_getxattr_in>().size);
}

void doListxattr(Dispatch& d, const Decoded& in) {
  d.ops().listxattr(d.request(in), in.h.nodeid, in.as<fuse_getxattr_in>().size);
}

void doRemovexattr(Dispatch& d, const Decoded& in) {
  d.ops().removexattr(d.request(in), in.h.nodeid, in.name);
}

}  // namespace lfp::detail
