// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/distribute: one listing from many children. Files come from every child (linkfiles
// skipped), directories only from the first copy. Offsets handed out are positions in a
// per-fd table of (child, child's offset), so any child's cookies fit.
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>

#include "glusterfs/xlators/cluster/distribute/dht_internal.h"

namespace gf {

namespace {

struct DhtDirCursor {
  std::mutex mutex;
  int firstChild = -1;                              // directories are listed from this copy only
  std::vector<std::pair<int, uint64_t>> positions;  // our offset k -> positions[k-1]
};

// Linkfiles (and files being migrated in) have mode exactly ---------T; listings cannot see
// the linkto xattr, so the mode alone decides (a user file chmod'ed to 1000 is hidden too).
bool looksLikeLinkfile(const Iatt& st) { return S_ISREG(st.mode) && (st.mode & 07777) == S_ISVTX; }

// A readdirp entry costs at most this many times the readdir entry of the same name
// (dirEntryCost: 160 against 32 bytes for the shortest names).
constexpr uint64_t kReaddirpCostRatio = 5;

template <class Req>
Task<Result<ReaddirReply>> listing(DistributeXlator& d, const CallCtx& ctx, const Req& req) {
  constexpr bool plus = std::is_same_v<Req, ReaddirpReq>;
  const void* key = reinterpret_cast<const char*>(&d) + 1;  // distinct from the fd's child slot
  auto cur = req.fd->ctx().template getOrCreate<DhtDirCursor>(
      key, [] { return std::make_shared<DhtDirCursor>(); });
  int child;
  uint64_t off;
  {
    std::lock_guard lock(cur->mutex);
    if (cur->firstChild < 0) {
      auto up = d.upChildren();
      for (size_t i = 0; i < up.size() && cur->firstChild < 0; ++i)
        if (up[i]) cur->firstChild = static_cast<int>(i);
      if (cur->firstChild < 0) co_return fail(ENOTCONN);
    }
    if (req.offset == 0) {
      child = 0;
      off = 0;
    } else if (req.offset <= cur->positions.size()) {
      std::tie(child, off) = cur->positions[req.offset - 1];
    } else {
      co_return fail(EINVAL);
    }
  }
  ReaddirReply out;
  // Children are always asked with readdirp (linkfiles are told apart by their mode), whose
  // entries cost up to 5 times a readdir entry: asking with the caller's size would fit fewer
  // entries than the caller can take, or none at all (EINVAL). Ask for room enough, then hand
  // back what fits the caller's size.
  const uint64_t subSize =
      plus ? req.size
           : std::min<uint64_t>(req.size, UINT64_MAX / kReaddirpCostRatio) * kReaddirpCostRatio;
  uint64_t used = 0;
  bool full = false;
  while (static_cast<size_t>(child) < d.childCount() && !full) {
    ReaddirpReq sub{req.fd, subSize, off};
    if constexpr (plus) sub.xattrs = req.xattrs;
    auto r = co_await d.child(static_cast<size_t>(child)).readdirp(ctx, sub);
    if (!r) {
      if (r.errnum() == ENOTCONN || r.errnum() == EBADF) {  // that child is gone: skip it
        ++child;
        off = 0;
        continue;
      }
      co_return fail(r.error());
    }
    if (r->entries.empty()) {
      ++child;
      off = 0;
      continue;
    }
    std::lock_guard lock(cur->mutex);
    for (auto& e : r->entries) {
      bool dot = e.name == "." || e.name == "..";
      bool dirCopy = e.stat.isDir() && !dot;
      bool hidden = (child != cur->firstChild && (dot || dirCopy)) || looksLikeLinkfile(e.stat);
      if (!hidden) {
        uint64_t cost = dirEntryCost(e.name.size(), plus);
        if (used + cost > req.size) {
          // The rest of this page is read again from `off` by the next call.
          full = true;
          break;
        }
        used += cost;
      }
      off = e.offset;
      if (hidden) continue;
      cur->positions.emplace_back(child, off);
      e.offset = cur->positions.size();
      if (!plus || dirCopy) {
        // A directory's attributes are those of every copy (its times the newest, see
        // mergeDirTimes), and this is one copy's: the entry goes without them (no gfid, so
        // readdirplus does not claim to know them) and a lookup merges them.
        Iatt brief;
        if (!plus) brief.gfid = e.stat.gfid;
        brief.ino = e.stat.ino;
        brief.mode = e.stat.type();
        e.stat = brief;
      }
      out.entries.push_back(std::move(e));
    }
    if (!out.entries.empty()) break;
    // Only filtered entries in that page: the next one continues from `off`.
  }
  if (full && out.entries.empty()) co_return fail(EINVAL);  // not even one entry fits
  co_return out;
}

}  // namespace

Task<Result<ReaddirReply>> DistributeXlator::readdir(const CallCtx& ctx, const ReaddirReq& req) {
  return listing(*this, ctx, req);
}
Task<Result<ReaddirReply>> DistributeXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) {
  return listing(*this, ctx, req);
}

}  // namespace gf
