// SPDX-License-Identifier: GPL-3.0-or-later
// listDirectory: opendir, readdirp until an empty page.
#include "glusterfs/core/dir_list.h"

#include <fcntl.h>

namespace gf {

Task<Result<std::map<std::string, Iatt>>> listDirectory(Xlator& xl, const CallCtx& ctx,
                                                        const Loc& dir) {
  FdPtr fd = makeFd(dir.inode, O_RDONLY);
  OpendirReq open{dir, fd};
  auto o = co_await xl.opendir(ctx, open);
  if (!o) co_return fail(o.error());
  std::map<std::string, Iatt> out;
  uint64_t offset = 0;
  while (true) {
    ReaddirpReq rd{fd, 128 * 1024, offset};
    auto r = co_await xl.readdirp(ctx, rd);
    if (!r) co_return fail(r.error());
    if (r->entries.empty()) break;
    for (auto& e : r->entries) {
      offset = e.offset;
      if (e.name != "." && e.name != "..") out[e.name] = e.stat;
    }
  }
  co_return out;
}

}  // namespace gf
