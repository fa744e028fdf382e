// SPDX-License-Identifier: GPL-3.0-or-later
// sumStatfs with 128-bit intermediates.
#include "glusterfs/core/statfs_sum.h"

#include <algorithm>
#include <limits>

namespace gf {

Result<StatfsReply> sumStatfs(const std::vector<Result<StatfsReply>>& children) {
  uint64_t frsize = 0;
  std::error_code err(ENOTCONN, std::generic_category());
  for (const auto& r : children) {
    if (!r) {
      err = r.error();
      continue;
    }
    uint64_t f = r->stat.frsize ? r->stat.frsize : r->stat.bsize;
    if (f && (frsize == 0 || f < frsize)) frsize = f;
  }
  if (frsize == 0) {
    for (const auto& r : children)
      if (r) return *r;  // answers without sizes: nothing to add
    return fail(err);
  }
  using u128 = unsigned __int128;
  const u128 kMax = std::numeric_limits<uint64_t>::max();
  u128 blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0, favail = 0;
  StatfsReply out;
  bool first = true;
  for (const auto& r : children) {
    if (!r) continue;
    const auto& s = r->stat;
    uint64_t f = s.frsize ? s.frsize : s.bsize;
    blocks += u128(s.blocks) * f / frsize;
    bfree += u128(s.bfree) * f / frsize;
    bavail += u128(s.bavail) * f / frsize;
    files += s.files;
    ffree += s.ffree;
    favail += s.favail;
    if (first) {
      out.stat = s;
      first = false;
    } else {
      out.stat.namemax = std::min(out.stat.namemax, s.namemax);
    }
  }
  auto clamp = [&](u128 v) { return static_cast<uint64_t>(std::min(v, kMax)); };
  out.stat.frsize = frsize;
  out.stat.bsize = std::max<uint64_t>(out.stat.bsize, frsize);
  out.stat.blocks = clamp(blocks);
  out.stat.bfree = clamp(bfree);
  out.stat.bavail = clamp(bavail);
  out.stat.files = clamp(files);
  out.stat.ffree = clamp(ffree);
  out.stat.favail = clamp(favail);
  return out;
}

}  // namespace gf
