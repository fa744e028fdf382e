// SPDX-License-Identifier: GPL-3.0-or-later
// Location resolution by gfid, by parent and name, or by walking the path with lookups.
#include "glusterfs/xlators/protocol/server/server_resolver.h"

#include <string_view>

#include "glusterfs/core/path_walk.h"

namespace gf {
namespace {

Task<Result<InodePtr>> walk(Xlator& top, InodeTable& table, const CallCtx& ctx,
                            std::string_view path) {
  auto l = co_await walkPath(top, table, ctx, path);
  if (!l) co_return fail(l.error());
  co_return l->inode;
}

Task<Result<InodePtr>> lookupChild(Xlator& top, InodeTable& table, const CallCtx& ctx,
                                   const InodePtr& parent, const std::string& name) {
  if (auto known = table.child(*parent, name)) co_return known;
  LookupReq req;
  req.loc = Loc{parent, name, table.create()};
  auto res = co_await top.lookup(ctx, req);
  if (!res) co_return fail(res.error());
  co_return table.link(req.loc.inode, parent, name, res->stat);
}

std::string_view parentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Task<Result<Loc>> resolveWireLoc(Xlator& top, InodeTable& table, const CallCtx& ctx,
                                 const rpc::WireLoc& w, ResolveNeeds needs) {
  Loc loc;
  loc.name = w.name;
  if (!w.name.empty() && !validEntryName(w.name)) co_return fail(EINVAL);

  // The parent, for anything that names an entry.
  if (!w.name.empty()) {
    if (!w.parent.isNull()) loc.parent = table.find(w.parent);
    if (!loc.parent) {
      std::string_view pp = parentPath(w.path);
      if (pp.empty()) co_return fail(ESTALE);
      auto p = co_await walk(top, table, ctx, pp);
      if (!p) co_return fail(p.error() == std::error_code(ENOENT, std::generic_category())
                                 ? std::error_code(ESTALE, std::generic_category())
                                 : p.error());
      loc.parent = *p;
    }
    if (!w.parent.isNull() && loc.parent->gfid() != w.parent) co_return fail(ESTALE);
  }

  // The inode itself.
  if (!w.gfid.isNull()) {
    loc.inode = w.gfid.isRoot() ? table.root() : table.find(w.gfid);
    if (!loc.inode && needs.inode) {
      Result<InodePtr> found = fail(ESTALE);
      if (loc.parent) found = co_await lookupChild(top, table, ctx, loc.parent, w.name);
      else if (!w.path.empty()) found = co_await walk(top, table, ctx, w.path);
      if (!found) co_return fail(found.errnum() == ENOENT ? ESTALE : found.errnum());
      if ((*found)->gfid() != w.gfid) co_return fail(ESTALE);
      loc.inode = *found;
    }
  }
  if (!loc.inode && loc.parent) loc.inode = table.child(*loc.parent, w.name);
  if (!loc.inode) {
    if (needs.inode) co_return fail(w.gfid.isNull() && w.name.empty() ? EINVAL : ESTALE);
    loc.inode = table.create();
  }
  co_return loc;
}

}  // namespace gf
