// SPDX-License-Identifier: GPL-3.0-or-later
#include "glusterfs/core/path_walk.h"

#include <string>

#include "glusterfs/core/xlator.h"

namespace gf {

bool validEntryName(std::string_view n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string_view::npos &&
         n.find('\0') == std::string_view::npos;
}

Task<Result<Loc>> walkPath(Xlator& top, InodeTable& table, const CallCtx& ctx,
                           std::string_view path, WalkCache cache) {
  Loc cur{nullptr, {}, table.root()};
  if (path.rfind("<gfid:", 0) == 0) {
    size_t end = path.find('>');
    if (end == std::string_view::npos) co_return fail(EINVAL);
    auto g = Gfid::parse(path.substr(6, end - 6));
    if (!g) co_return fail(EINVAL);
    cur.inode = table.find(*g);
    if (!cur.inode) co_return fail(ESTALE);
    path.remove_prefix(end + 1);
  } else if (path.empty() || path.front() != '/') {
    co_return fail(EINVAL);
  }
  for (std::string_view rest = path; !rest.empty();) {
    size_t slash = rest.find('/');
    std::string_view comp = rest.substr(0, slash);
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
    if (!comp.empty() && !validEntryName(comp)) co_return fail(EINVAL);  // never climb out
  }
  while (!path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) break;
    size_t slash = path.find('/');
    std::string name(path.substr(0, slash));
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash);
    Loc next{cur.inode, name, nullptr};
    if (cache == WalkCache::kReuse) next.inode = table.child(*cur.inode, name);
    if (!next.inode) {
      LookupReq req{Loc{cur.inode, name, table.create()}, {}};
      auto r = co_await top.lookup(ctx, req);
      if (!r) co_return fail(r.error());
      next.inode = table.link(req.loc.inode, cur.inode, name, r->stat);
    }
    cur = std::move(next);
  }
  co_return cur;
}

}  // namespace gf
