// SPDX-License-Identifier: GPL-3.0-or-later
// Location resolution by gfid, by parent and name, or by walking the path with lookups.
#include "glusterfs/xlators/protocol/server/server_resolver.h"

#include <string_view>

namespace gf {
namespace {

// One directory entry name as a client may send it: "." and ".." would climb, '/' would
// reach further, and a NUL would cut the name short in the brick's system calls.
bool validName(std::string_view n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string_view::npos &&
         n.find('\0') == std::string_view::npos;
}

// Looks `name` up in `parent` through the export and links the result into the table.
Task<Result<InodePtr>> lookupChild(Xlator& top, InodeTable& table, const CallCtx& ctx,
                                   const InodePtr& parent, const std::string& name) {
  if (auto known = table.child(*parent, name)) co_return known;
  LookupReq req;
  req.loc = Loc{parent, name, table.create()};
  auto res = co_await top.lookup(ctx, req);
  if (!res) co_return fail(res.error());
  co_return table.link(req.loc.inode, parent, name, res->stat);
}

// Walks `path` ("/a/b", or "<gfid:UUID>/a/b") from the root or a known inode.
Task<Result<InodePtr>> walk(Xlator& top, InodeTable& table, const CallCtx& ctx,
                            std::string_view path) {
  InodePtr cur = table.root();
  if (path.rfind("<gfid:", 0) == 0) {
    size_t end = path.find('>');
    if (end == std::string_view::npos) co_return fail(EINVAL);
    auto g = Gfid::parse(path.substr(6, end - 6));
    if (!g) co_return fail(EINVAL);
    cur = table.find(*g);
    if (!cur) co_return fail(ESTALE);
    path.remove_prefix(end + 1);
  } else if (path.empty() || path.front() != '/') {
    co_return fail(EINVAL);
  }
  // The whole path is checked before any lookup: a crafted one costs the brick nothing.
  for (std::string_view rest = path; !rest.empty();) {
    size_t slash = rest.find('/');
    std::string_view comp = rest.substr(0, slash);
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
    if (!comp.empty() && !validName(comp)) co_return fail(EINVAL);  // never climb out
  }
  while (!path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) break;
    size_t slash = path.find('/');
    std::string comp(path.substr(0, slash));
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash);
    auto next = co_await lookupChild(top, table, ctx, cur, comp);
    if (!next) co_return fail(next.error());
    cur = *next;
  }
  co_return cur;
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
  if (!w.name.empty() && !validName(w.name)) co_return fail(EINVAL);

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
