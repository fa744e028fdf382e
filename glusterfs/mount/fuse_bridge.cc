// SPDX-License-Identifier: GPL-3.0-or-later
// FuseBridge: connection set-up, node bookkeeping, and the entry fops (lookup, create family,
// link, unlink, rename, attributes).
#include "glusterfs/mount/fuse_bridge.h"

#include <linux/fuse.h>

#include "glusterfs/core/log.h"
#include "glusterfs/mount/fuse_call.h"

namespace gf {

FuseBridge::FuseBridge(Graph& graph, FuseBridgeOptions opts)
    : graph_(graph),
      opts_(opts),
      table_(0),
      nodes_(table_.root()),
      xattrMisses_(opts.attributeTimeout) {
  // What `ls -l` asks of every entry: listings say which of these an entry lacks, so that a
  // listing costs no getxattr round trip through the graph per entry.
  for (const char* name : {"security.selinux", "system.posix_acl_access"})
    if (!refusedXattr(name)) listingXattrs_.push_back(name);
}

FuseBridge::~FuseBridge() = default;

void FuseBridge::init(lfp::ConnectionInfo& conn) {
  uint64_t want = lfp::kCapAsyncRead | lfp::kCapPosixLocks | lfp::kCapFlockLocks |
                  lfp::kCapAtomicOTrunc | lfp::kCapBigWrites | lfp::kCapMaxPages |
                  lfp::kCapReaddirplus | lfp::kCapReaddirplusAuto | lfp::kCapParallelDirops |
                  lfp::kCapAsyncDio | lfp::kCapDontMask | lfp::kCapAutoInvalData |
                  lfp::kCapDirectIoAllowMmap | lfp::kCapLargeReaddir |
                  lfp::kCapParallelDirectWrites;
  if (opts_.writebackCache) want |= lfp::kCapWritebackCache;
  conn.want |= want & conn.capable;
  if (!opts_.writebackCache) conn.want &= ~static_cast<uint64_t>(lfp::kCapWritebackCache);
  // Tell applications the request size we negotiated, so cp and friends use large I/O.
  if (conn.maxWrite >= 4096) blksize_ = conn.maxWrite;
  GF_LOG_INFO("fuse", "FUSE %u.%u via %s: max_write %u, max_pages %u, patch level %u",
              conn.protoMajor, conn.protoMinor, conn.backend.c_str(), conn.maxWrite,
              conn.maxPages, conn.patchLevel);
}

CallCtx FuseBridge::callCtx(const lfp::Request& r, uint64_t lockOwner) {
  CallCtx c;
  const auto& k = r.ctx();
  c.uid = k.uid;
  c.gid = k.gid;
  c.pid = k.pid;
  c.lkOwner = lockOwner;
  return c;
}

bool FuseBridge::target(lfp::Ino ino, Target& out) const {
  out.inode = nodes_.get(ino);
  if (!out.inode) return false;
  out.loc.inode = out.inode;
  out.inode->firstDentry(out.loc.parent, out.loc.name);
  return true;
}

struct stat FuseBridge::toStat(const Iatt& st) const {
  struct stat s = statFromIatt(st);
  s.st_blksize = blksize_;
  return s;
}

lfp::Entry FuseBridge::entryFor(const InodePtr& inode, const Iatt& st) {
  lfp::Entry e;
  e.ino = nodes_.ref(inode);
  e.attr = toStat(st);
  e.attrTimeout = opts_.attributeTimeout;
  e.entryTimeout = opts_.entryTimeout;
  return e;
}

void FuseBridge::replyEntry(lfp::Request& r, const InodePtr& parent, const std::string& name,
                            const InodePtr& fresh, const Iatt& st) {
  InodePtr inode = table_.link(fresh, parent, name, st);
  r.replyEntry(entryFor(inode, st));
}

void FuseBridge::replyAttr(lfp::Request& r, const Iatt& st) {
  r.replyAttr(toStat(st), opts_.attributeTimeout);
}

void FuseBridge::forget(lfp::Ino ino, uint64_t nlookup) {
  xattrMisses_.forget(ino);
  nodes_.forget(ino, nlookup);
}

void FuseBridge::forgetMulti(std::span<const lfp::ForgetOne> items) {
  for (const auto& f : items) forget(f.ino, f.nlookup);
}

Task<void> FuseBridge::doLookup(lfp::Request r, lfp::Ino parentIno, std::string name) {
  InodePtr parent = nodes_.get(parentIno);
  if (!parent) {
    r.replyErr(ESTALE);
    co_return;
  }
  LookupReq req;
  req.loc.parent = parent;
  req.loc.name = name;
  req.loc.inode = table_.child(*parent, name);
  if (!req.loc.inode) req.loc.inode = table_.create();
  CallCtx c = callCtx(r);
  auto res = co_await top().lookup(c, req);
  if (!res) {
    if (res.errnum() == ENOENT) {
      table_.unlink(*parent, name);
      if (opts_.negativeTimeout > 0) {
        lfp::Entry neg;
        neg.entryTimeout = opts_.negativeTimeout;
        r.replyEntry(neg);
        co_return;
      }
    }
    r.replyErr(res.errnum());
    co_return;
  }
  replyEntry(r, parent, name, req.loc.inode, res->stat);
}

void FuseBridge::lookup(lfp::Request r, lfp::Ino parent, const char* name) {
  spawn(doLookup(std::move(r), parent, name), "fuse-lookup");
}

void FuseBridge::getattr(lfp::Request r, lfp::Ino ino, const lfp::FileInfo* fi) {
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  CallCtx c = callCtx(r);
  auto onOk = [this](lfp::Request& r, const AttrReply& a) { replyAttr(r, a.stat); };
  if (FdPtr fd = fi ? fdOf(*fi) : nullptr) {
    fuseCall(std::move(r), [this, c, req = FstatReq{fd}] { return top().fstat(c, req); }, onOk);
  } else {
    fuseCall(std::move(r), [this, c, req = StatReq{t.loc}] { return top().stat(c, req); }, onOk);
  }
}

Task<void> FuseBridge::doSetattr(lfp::Request r, lfp::Ino ino, struct stat attr, uint32_t toSet,
                                 FdPtr fd) {
  Target t;
  if (!target(ino, t)) {
    r.replyErr(ESTALE);
    co_return;
  }
  CallCtx c = callCtx(r);
  std::optional<Iatt> last;
  // Size is data (replicate locks it as such); everything else is metadata.
  if (toSet & FATTR_SIZE) {
    if (opts_.readOnly) {
      r.replyErr(EROFS);
      co_return;
    }
    Result<AttrReply> res = fail(EIO);
    if (fd) {
      FtruncateReq req{fd, static_cast<uint64_t>(attr.st_size)};
      res = co_await top().ftruncate(c, req);
    } else {
      TruncateReq req{t.loc, static_cast<uint64_t>(attr.st_size)};
      res = co_await top().truncate(c, req);
    }
    if (!res) {
      r.replyErr(res.errnum());
      co_return;
    }
    last = res->stat;
  }
  uint32_t valid = 0;
  if (toSet & FATTR_MODE) valid |= kSetMode;
  if (toSet & FATTR_UID) valid |= kSetUid;
  if (toSet & FATTR_GID) valid |= kSetGid;
  if (toSet & FATTR_ATIME) valid |= (toSet & FATTR_ATIME_NOW) ? kSetAtimeNow : kSetAtime;
  if (toSet & FATTR_MTIME) valid |= (toSet & FATTR_MTIME_NOW) ? kSetMtimeNow : kSetMtime;
  if (valid) {
    Iatt ia = iattFromStat(attr, Gfid{});
    Result<AttrReply> res = fail(EIO);
    if (fd) {
      FsetattrReq req{fd, ia, valid};
      res = co_await top().fsetattr(c, req);
    } else {
      SetattrReq req{t.loc, ia, valid};
      res = co_await top().setattr(c, req);
    }
    if (!res) {
      r.replyErr(res.errnum());
      co_return;
    }
    last = res->stat;
  }
  if (!last) {
    StatReq req{t.loc};
    auto res = co_await top().stat(c, req);
    if (!res) {
      r.replyErr(res.errnum());
      co_return;
    }
    last = res->stat;
  }
  replyAttr(r, *last);
}

void FuseBridge::setattr(lfp::Request r, lfp::Ino ino, const struct stat& attr, uint32_t toSet,
                         const lfp::FileInfo* fi) {
  xattrMisses_.forget(ino);  // a chmod rewrites the ACL xattrs, a chown drops capabilities
  spawn(doSetattr(std::move(r), ino, attr, toSet, fi ? fdOf(*fi) : nullptr), "fuse-setattr");
}

void FuseBridge::readlink(lfp::Request r, lfp::Ino ino) {
  Target t;
  if (!target(ino, t)) return r.replyErr(ESTALE);
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req = ReadlinkReq{t.loc}] { return top().readlink(c, req); },
      [](lfp::Request& r, const ReadlinkReply& rep) { r.replyReadlink(rep.target); });
}

// mknod, mkdir and symlink: make a name in `parent`, then answer with the new entry.
namespace {
template <class Req, class Fop>
void makeEntry(FuseBridge& b, lfp::Request r, lfp::Ino parentIno, const char* name, Req req,
               Fop fop) {
  FuseBridge::Target p;
  if (!b.target(parentIno, p)) return r.replyErr(ESTALE);
  req.loc.parent = p.inode;
  req.loc.name = name;
  req.loc.inode = b.inodes().create();
  req.gfid = Gfid::random();
  CallCtx c = FuseBridge::callCtx(r);
  fuseCall(
      std::move(r), [&b, c, req, fop] { return (b.top().*fop)(c, req); },
      [&b, req](lfp::Request& r, const EntryReply& e) {
        b.replyEntry(r, req.loc.parent, req.loc.name, req.loc.inode, e.stat);
      });
}
}  // namespace

void FuseBridge::mknod(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode,
                       dev_t rdev) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  MknodReq req;
  req.mode = mode;
  req.rdev = rdev;
  req.umask = r.ctx().umask;
  makeEntry(*this, std::move(r), parent, name, std::move(req), &Xlator::mknod);
}

void FuseBridge::mkdir(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  MkdirReq req;
  req.mode = mode;
  req.umask = r.ctx().umask;
  makeEntry(*this, std::move(r), parent, name, std::move(req), &Xlator::mkdir);
}

void FuseBridge::symlink(lfp::Request r, const char* target, lfp::Ino parent, const char* name) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  SymlinkReq req;
  req.target = target;
  makeEntry(*this, std::move(r), parent, name, std::move(req), &Xlator::symlink);
}

void FuseBridge::link(lfp::Request r, lfp::Ino ino, lfp::Ino newParent, const char* newName) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  Target src, dst;
  if (!target(ino, src) || !target(newParent, dst)) return r.replyErr(ESTALE);
  LinkReq req{src.loc, Loc{dst.inode, newName, nullptr}};
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req] { return top().link(c, req); },
      [this, req](lfp::Request& r, const EntryReply& e) {
        replyEntry(r, req.newLoc.parent, req.newLoc.name, req.oldLoc.inode, e.stat);
      });
}

void FuseBridge::unlink(lfp::Request r, lfp::Ino parent, const char* name) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  Target p;
  if (!target(parent, p)) return r.replyErr(ESTALE);
  UnlinkReq req{Loc{p.inode, name, table_.child(*p.inode, name)}};
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req] { return top().unlink(c, req); },
      [this, req](lfp::Request& r, const Empty&) {
        table_.unlink(*req.loc.parent, req.loc.name);
        r.replyOk();
      });
}

void FuseBridge::rmdir(lfp::Request r, lfp::Ino parent, const char* name) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  Target p;
  if (!target(parent, p)) return r.replyErr(ESTALE);
  RmdirReq req{Loc{p.inode, name, table_.child(*p.inode, name)}};
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req] { return top().rmdir(c, req); },
      [this, req](lfp::Request& r, const Empty&) {
        table_.unlink(*req.loc.parent, req.loc.name);
        r.replyOk();
      });
}

void FuseBridge::rename(lfp::Request r, lfp::Ino parent, const char* name, lfp::Ino newParent,
                        const char* newName, uint32_t flags) {
  if (opts_.readOnly) return r.replyErr(EROFS);
  Target p, np;
  if (!target(parent, p) || !target(newParent, np)) return r.replyErr(ESTALE);
  RenameReq req{Loc{p.inode, name, table_.child(*p.inode, name)},
                Loc{np.inode, newName, table_.child(*np.inode, newName)}, flags};
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req] { return top().rename(c, req); },
      [this, req](lfp::Request& r, const AttrReply&) {
        const auto& from = req.oldLoc;
        const auto& to = req.newLoc;
        if ((req.flags & RENAME_EXCHANGE) && from.inode && to.inode) {
          table_.unlink(*from.parent, from.name);
          table_.unlink(*to.parent, to.name);
          Iatt a, b;
          a.gfid = from.inode->gfid(), a.mode = from.inode->type();
          b.gfid = to.inode->gfid(), b.mode = to.inode->type();
          table_.link(from.inode, to.parent, to.name, a);
          table_.link(to.inode, from.parent, from.name, b);
        } else {
          table_.rename(*from.parent, from.name, to.parent, to.name);
        }
        r.replyOk();
      });
}

}  // namespace gf
