// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/distribute: fops on existing files go to the child holding the data; changes to a
// directory's attributes go to every copy; statfs adds the children up.
#include <fcntl.h>

#include "glusterfs/core/log.h"
#include "glusterfs/core/statfs_sum.h"
#include "glusterfs/xlators/cluster/distribute/dht_internal.h"
#include "glusterfs/xlators/cluster/distribute/dht_migration.h"

namespace gf {

using namespace dht;

namespace {

struct DhtFdCtx {
  int child = -1;
};

// Directory metadata lives on every copy: change them all, answer with the first.
template <class Rep, class Call>
Task<Result<Rep>> onEveryCopy(DistributeXlator& d, Call call) {
  auto up = d.upChildren();
  std::vector<Task<Result<Rep>>> calls;
  for (size_t i = 0; i < d.childCount(); ++i)
    if (up[i]) calls.push_back(call(i));
  if (calls.empty()) co_return fail(ENOTCONN);
  auto all = co_await whenAll(std::move(calls));
  for (auto& r : all)
    if (!r) co_return std::move(r);
  co_return std::move(all.front());
}

// A directory's attributes from every copy (mergeDirTimes). With `all`, every copy must
// answer (a change); otherwise one answer will do (a copy missing is made by lookup).
template <class Call>
Task<Result<AttrReply>> dirAttrs(DistributeXlator& d, bool all, Call call) {
  auto up = d.upChildren();
  std::vector<Task<Result<AttrReply>>> calls;
  for (size_t i = 0; i < d.childCount(); ++i)
    if (up[i]) calls.push_back(call(i));
  if (calls.empty()) co_return fail(ENOTCONN);
  auto copies = co_await whenAll(std::move(calls));
  std::optional<AttrReply> out;
  std::optional<std::error_code> err;
  for (auto& r : copies) {
    if (!r) {
      if (!err) err = r.error();
      continue;
    }
    if (!out)
      out = *r;
    else
      mergeDirTimes(out->stat, r->stat);
  }
  if (err && (all || !out)) co_return fail(*err);
  co_return std::move(*out);
}

bool isDirLoc(const Loc& loc) { return loc.inode && loc.inode->isDir(); }
bool isDirFd(const DistributeXlator& d, const FdPtr& fd) {
  return fdChild(d, fd) < 0 && fd->inode() && fd->inode()->isDir();
}

void hideKeys(Dict& d) {
  d.erase(kLayoutKey);
  d.erase(kLinktoKey);
}

}  // namespace

int fdChild(const DistributeXlator& dht, const FdPtr& fd) {
  auto c = fd->ctx().get<DhtFdCtx>(&dht);
  return c ? c->child : -1;
}

void setFdChild(const DistributeXlator& dht, const FdPtr& fd, int child) {
  auto c = std::make_shared<DhtFdCtx>();
  c->child = child;
  fd->ctx().set(&dht, c);
}

// A fop on an existing file or directory, routed to the child that holds it.
#define GF_DHT_LOCATED(Rep, call) \
  return onLocated<Rep>(*this, ctx, req.loc, [this, &ctx, &req](size_t i) { return child(i).call; })
// A fop on an open fd, routed to the child it was opened on (a directory: the first child).
#define GF_DHT_ON_FD(Rep, call)                       \
  do {                                                \
    int c = fdChild(*this, req.fd);                   \
    if (c < 0) {                                      \
      auto up = upChildren();                         \
      for (size_t i = 0; i < up.size() && c < 0; ++i) \
        if (up[i]) c = static_cast<int>(i);           \
    }                                                 \
    if (c < 0) return fail(ENOTCONN);                 \
    return child(static_cast<size_t>(c)).call;        \
  } while (0)

Task<Result<AttrReply>> DistributeXlator::stat(const CallCtx& ctx, const StatReq& req) {
  if (isDirLoc(req.loc))
    return dirAttrs(*this, false, [this, &ctx, &req](size_t i) { return child(i).stat(ctx, req); });
  GF_DHT_LOCATED(AttrReply, stat(ctx, req));
}
Task<Result<AttrReply>> DistributeXlator::setattr(const CallCtx& ctx, const SetattrReq& req) {
  if (isDirLoc(req.loc))
    return dirAttrs(*this, true,
                    [this, &ctx, &req](size_t i) { return child(i).setattr(ctx, req); });
  GF_DHT_LOCATED(AttrReply, setattr(ctx, req));
}
Task<Result<AttrReply>> DistributeXlator::truncate(const CallCtx& ctx, const TruncateReq& req) {
  GF_DHT_LOCATED(AttrReply, truncate(ctx, req));
}
Task<Result<Empty>> DistributeXlator::access(const CallCtx& ctx, const AccessReq& req) {
  GF_DHT_LOCATED(Empty, access(ctx, req));
}
Task<Result<ReadlinkReply>> DistributeXlator::readlink(const CallCtx& ctx, const ReadlinkReq& req) {
  GF_DHT_LOCATED(ReadlinkReply, readlink(ctx, req));
}
Task<Result<XattrReply>> DistributeXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) {
  if (req.name == kLayoutKey || req.name == kLinktoKey) co_return fail(ENODATA);
  // Volume reports below us (heal info, ...) asked on a directory: every child's, together.
  if (isDirLoc(req.loc) && req.name.rfind("trusted.glusterfs.", 0) == 0) {
    auto up = upChildren();
    std::vector<Task<Result<XattrReply>>> calls;
    for (size_t i = 0; i < childCount(); ++i)
      if (up[i]) calls.push_back(child(i).getxattr(ctx, req));
    auto all = co_await whenAll(std::move(calls));
    std::string joined;
    for (auto& r : all)
      if (r)
        if (auto it = r->xattrs.find(req.name); it != r->xattrs.end()) joined += it->second;
    if (joined.empty()) co_return fail(ENODATA);
    XattrReply out;
    out.xattrs[req.name] = std::move(joined);
    co_return out;
  }
  auto r = co_await onLocated<XattrReply>(
      *this, ctx, req.loc, [this, &ctx, &req](size_t i) { return child(i).getxattr(ctx, req); });
  if (r) hideKeys(r->xattrs);
  co_return r;
}
Task<Result<ListxattrReply>> DistributeXlator::listxattr(const CallCtx& ctx,
                                                         const ListxattrReq& req) {
  auto r = co_await onLocated<ListxattrReply>(
      *this, ctx, req.loc, [this, &ctx, &req](size_t i) { return child(i).listxattr(ctx, req); });
  if (r)
    std::erase_if(r->names,
                  [](const std::string& n) { return n == kLayoutKey || n == kLinktoKey; });
  co_return r;
}
Task<Result<Empty>> DistributeXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) {
  if (req.xattrs.count(kLayoutKey) || req.xattrs.count(kLinktoKey)) return fail(EPERM);
  if (isDirLoc(req.loc))
    return onEveryCopy<Empty>(*this,
                              [this, &ctx, &req](size_t i) { return child(i).setxattr(ctx, req); });
  GF_DHT_LOCATED(Empty, setxattr(ctx, req));
}
Task<Result<Empty>> DistributeXlator::removexattr(const CallCtx& ctx, const RemovexattrReq& req) {
  if (req.name == kLayoutKey || req.name == kLinktoKey) return fail(EPERM);
  if (isDirLoc(req.loc))
    return onEveryCopy<Empty>(
        *this, [this, &ctx, &req](size_t i) { return child(i).removexattr(ctx, req); });
  GF_DHT_LOCATED(Empty, removexattr(ctx, req));
}
Task<Result<XattrReply>> DistributeXlator::xattrop(const CallCtx& ctx, const XattropReq& req) {
  GF_DHT_LOCATED(XattrReply, xattrop(ctx, req));
}
Task<Result<Empty>> DistributeXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  GF_DHT_LOCATED(Empty, inodelk(ctx, req));
}
// Entry locks on a directory name go to the child the name hashes to.
Task<Result<Empty>> DistributeXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  int h = req.basename.empty() ? -1 : hashedChild(req.loc.inode, req.basename);
  if (h >= 0) return child(static_cast<size_t>(h)).entrylk(ctx, req);
  GF_DHT_LOCATED(Empty, entrylk(ctx, req));
}

// Opens hold the migration lease (dht_migration.h): rebalance never moves an open file.
Task<Result<Empty>> DistributeXlator::open(const CallCtx& ctx, const OpenReq& req) {
  return dht::openWithLease(*this, ctx, req);
}

Task<Result<Empty>> DistributeXlator::opendir(const CallCtx& ctx, const OpendirReq& req) {
  auto r = co_await onEveryCopy<Empty>(
      *this, [this, &ctx, &req](size_t i) { return child(i).opendir(ctx, req); });
  if (r) setFdChild(*this, req.fd, -1);
  co_return r;
}

// A directory fd is open on every copy (opendir).
Task<Result<AttrReply>> DistributeXlator::fstat(const CallCtx& ctx, const FstatReq& req) {
  if (isDirFd(*this, req.fd))
    return dirAttrs(*this, false,
                    [this, &ctx, &req](size_t i) { return child(i).fstat(ctx, req); });
  GF_DHT_ON_FD(AttrReply, fstat(ctx, req));
}
Task<Result<AttrReply>> DistributeXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) {
  if (isDirFd(*this, req.fd))
    return dirAttrs(*this, true,
                    [this, &ctx, &req](size_t i) { return child(i).fsetattr(ctx, req); });
  GF_DHT_ON_FD(AttrReply, fsetattr(ctx, req));
}
Task<Result<AttrReply>> DistributeXlator::ftruncate(const CallCtx& ctx, const FtruncateReq& req) {
  GF_DHT_ON_FD(AttrReply, ftruncate(ctx, req));
}
Task<Result<ReadvReply>> DistributeXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  GF_DHT_ON_FD(ReadvReply, readv(ctx, req));
}
Task<Result<WriteReply>> DistributeXlator::writev(const CallCtx& ctx, const WritevReq& req) {
  GF_DHT_ON_FD(WriteReply, writev(ctx, req));
}
Task<Result<Empty>> DistributeXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  GF_DHT_ON_FD(Empty, flush(ctx, req));
}
Task<Result<Empty>> DistributeXlator::fsync(const CallCtx& ctx, const FsyncReq& req) {
  GF_DHT_ON_FD(Empty, fsync(ctx, req));
}
Task<Result<Empty>> DistributeXlator::fsyncdir(const CallCtx& ctx, const FsyncdirReq& req) {
  return onEveryCopy<Empty>(*this,
                            [this, &ctx, &req](size_t i) { return child(i).fsyncdir(ctx, req); });
}
Task<Result<Empty>> DistributeXlator::fsetxattr(const CallCtx& ctx, const FsetxattrReq& req) {
  if (req.xattrs.count(kLayoutKey) || req.xattrs.count(kLinktoKey)) return fail(EPERM);
  if (fdChild(*this, req.fd) < 0)
    return onEveryCopy<Empty>(
        *this, [this, &ctx, &req](size_t i) { return child(i).fsetxattr(ctx, req); });
  GF_DHT_ON_FD(Empty, fsetxattr(ctx, req));
}
Task<Result<XattrReply>> DistributeXlator::fgetxattr(const CallCtx& ctx, const FgetxattrReq& req) {
  GF_DHT_ON_FD(XattrReply, fgetxattr(ctx, req));
}
Task<Result<Empty>> DistributeXlator::fremovexattr(const CallCtx& ctx, const FremovexattrReq& req) {
  if (fdChild(*this, req.fd) < 0)
    return onEveryCopy<Empty>(
        *this, [this, &ctx, &req](size_t i) { return child(i).fremovexattr(ctx, req); });
  GF_DHT_ON_FD(Empty, fremovexattr(ctx, req));
}
Task<Result<XattrReply>> DistributeXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) {
  GF_DHT_ON_FD(XattrReply, fxattrop(ctx, req));
}
Task<Result<LkReply>> DistributeXlator::lk(const CallCtx& ctx, const LkReq& req) {
  GF_DHT_ON_FD(LkReply, lk(ctx, req));
}
Task<Result<Empty>> DistributeXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  GF_DHT_ON_FD(Empty, finodelk(ctx, req));
}
Task<Result<Empty>> DistributeXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  GF_DHT_ON_FD(Empty, fentrylk(ctx, req));
}
Task<Result<Empty>> DistributeXlator::fallocate(const CallCtx& ctx, const FallocateReq& req) {
  GF_DHT_ON_FD(Empty, fallocate(ctx, req));
}
Task<Result<LseekReply>> DistributeXlator::lseek(const CallCtx& ctx, const LseekReq& req) {
  GF_DHT_ON_FD(LseekReply, lseek(ctx, req));
}
Task<Result<RchecksumReply>> DistributeXlator::rchecksum(const CallCtx& ctx,
                                                         const RchecksumReq& req) {
  GF_DHT_ON_FD(RchecksumReply, rchecksum(ctx, req));
}

// The volume's size is the children's sum, in the smallest fragment size among them, with
// 128-bit intermediates so petabyte bricks cannot overflow the total.
Task<Result<StatfsReply>> DistributeXlator::statfs(const CallCtx& ctx, const StatfsReq& req) {
  auto up = upChildren();
  std::vector<Task<Result<StatfsReply>>> calls;
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i]) calls.push_back(child(i).statfs(ctx, req));
  if (calls.empty()) co_return fail(ENOTCONN);
  auto all = co_await whenAll(std::move(calls));
  co_return sumStatfs(all);
}

}  // namespace gf
