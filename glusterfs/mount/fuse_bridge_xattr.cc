// SPDX-License-Identifier: GPL-3.0-or-later
// FuseBridge: extended attributes, statfs and access.
#include "glusterfs/mount/fuse_bridge.h"
#include "glusterfs/mount/fuse_call.h"

namespace gf {

bool FuseBridge::refusedXattr(std::string_view name) const {
  if (!opts_.acl && (name == "system.posix_acl_access" || name == "system.posix_acl_default"))
    return true;
  return !opts_.selinux && name == "security.selinux";
}

void FuseBridge::setxattr(lfp::Request r, lfp::Ino ino, const char* name, const char* value,
                          size_t size, int flags) {
  if (refusedXattr(name)) return r.replyErr(EOPNOTSUPP);
  if (opts_.readOnly) return r.replyErr(EROFS);
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  CallCtx c = callCtx(r);
  xattrMisses_.forget(ino);
  SetxattrReq req{t.loc, Dict{{name, std::string(value, size)}}, flags};
  fuseCall(
      std::move(r), [this, c, req] { return top().setxattr(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

void FuseBridge::getxattr(lfp::Request r, lfp::Ino ino, const char* name, size_t size) {
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  if (!*name) return r.replyErr(EINVAL);
  if (refusedXattr(name)) return r.replyErr(EOPNOTSUPP);
  if (xattrMisses_.missing(ino, name)) return r.replyErr(ENODATA);
  CallCtx c = callCtx(r);
  GetxattrReq req{t.loc, name};
  fuseCall(
      std::move(r), [this, c, req, ino] { return getxattrNoting(c, req, ino); },
      [size, key = req.name](lfp::Request& r, const XattrReply& rep) {
        auto it = rep.xattrs.find(key);
        if (it == rep.xattrs.end()) return r.replyErr(ENODATA);
        const std::string& v = it->second;
        if (size == 0) return r.replyXattrSize(v.size());
        if (v.size() > size) return r.replyErr(ERANGE);
        r.replyBuf(v.data(), v.size());
      });
}

Task<Result<XattrReply>> FuseBridge::getxattrNoting(CallCtx c, GetxattrReq req, lfp::Ino ino) {
  auto res = co_await top().getxattr(c, req);
  if (res ? !res->xattrs.contains(req.name) : res.errnum() == ENODATA)
    xattrMisses_.remember(ino, req.name);
  co_return res;
}

void FuseBridge::listxattr(lfp::Request r, lfp::Ino ino, size_t size) {
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req = ListxattrReq{t.loc}] { return top().listxattr(c, req); },
      [this, size, privileged = c.uid == 0](lfp::Request& r, const ListxattrReply& rep) {
        std::string all;
        for (const auto& n : rep.names) {
          // As on local filesystems, trusted.* names are only listed for the privileged.
          if (!privileged && n.rfind("trusted.", 0) == 0) continue;
          if (refusedXattr(n)) continue;
          all += n;
          all.push_back('\0');
        }
        if (size == 0) return r.replyXattrSize(all.size());
        if (all.size() > size) return r.replyErr(ERANGE);
        r.replyBuf(all.data(), all.size());
      });
}

void FuseBridge::removexattr(lfp::Request r, lfp::Ino ino, const char* name) {
  if (refusedXattr(name)) return r.replyErr(EOPNOTSUPP);
  if (opts_.readOnly) return r.replyErr(EROFS);
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  xattrMisses_.forget(ino);
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r),
      [this, c, req = RemovexattrReq{t.loc, name}] { return top().removexattr(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

void FuseBridge::statfs(lfp::Request r, lfp::Ino ino) {
  Target t;
  if (!target(ino, t)) t.loc.inode = table_.root();
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req = StatfsReq{t.loc}] { return top().statfs(c, req); },
      [](lfp::Request& r, const StatfsReply& rep) {
        struct statvfs sv {};
        const auto& s = rep.stat;
        sv.f_bsize = s.bsize;
        sv.f_frsize = s.frsize;
        sv.f_blocks = s.blocks;
        sv.f_bfree = s.bfree;
        sv.f_bavail = s.bavail;
        sv.f_files = s.files;
        sv.f_ffree = s.ffree;
        sv.f_favail = s.favail;
        sv.f_namemax = s.namemax;
        r.replyStatfs(sv);
      });
}

void FuseBridge::access(lfp::Request r, lfp::Ino ino, int mask) {
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req = AccessReq{t.loc, mask}] { return top().access(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

}  // namespace gf
