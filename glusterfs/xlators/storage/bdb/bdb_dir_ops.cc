// SPDX-License-Identifier: GPL-3.0-or-later
// storage/bdb: directory listings — the real objects on disk first, then the database files.
// Offsets handed out are positions in a per-fd list of where each entry continues from (a
// disk cookie or a database name), so seekdir to any of them resumes exactly there and the
// listing stays stable while files come and go; they stay small, as telldir(3) needs.
#include <mutex>
#include <vector>

#include "glusterfs/xlators/storage/bdb/bdb_xlator.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {

namespace {
struct BdbDirCursor {
  struct Position {
    bool inDb = false;
    uint64_t diskOffset = 0;  // continue the disk listing from here
    std::string name;         // or the database listing after this name
  };
  std::mutex mutex;
  std::vector<Position> given;  // offset k > 0 is given[k - 1]
};
}  // namespace

template <class Req>
Result<ReaddirReply> BdbXlator::listing(const Req& r, bool plus) {
  const void* key = reinterpret_cast<const char*>(this) + 1;
  auto cur = r.fd->ctx().template getOrCreate<BdbDirCursor>(
      key, [] { return std::make_shared<BdbDirCursor>(); });
  std::lock_guard lock(cur->mutex);
  BdbDirCursor::Position from;
  if (r.offset) {
    if (r.offset > cur->given.size()) return fail(EINVAL);
    from = cur->given[r.offset - 1];
  }
  ReaddirReply out;
  bool root = r.fd->inode()->isRoot();
  while (!from.inDb) {
    Req page = r;
    page.offset = from.diskOffset;
    Result<ReaddirReply> disk = fail(EIO);
    if constexpr (std::is_same_v<Req, ReaddirpReq>)
      disk = posix_->readdirpSync(CallCtx::root(), page);
    else
      disk = posix_->readdirSync(CallCtx::root(), page);
    if (!disk) return disk;
    if (disk->entries.empty()) {
      from = BdbDirCursor::Position{true, 0, {}};  // the disk is done: the database follows
      break;
    }
    for (auto& e : disk->entries) {
      from.diskOffset = e.offset;
      if (root && e.name == ".bdb") continue;
      cur->given.push_back(from);
      e.offset = cur->given.size();
      out.entries.push_back(std::move(e));
    }
    if (!out.entries.empty()) return out;
    // The page held only the hidden environment: read on.
  }
  size_t budget = r.size ? r.size : 4096, used = 0;
  GF_TRY(auto names, store_.list(nullptr, r.fd->inode()->gfid(), from.name, 256));
  for (auto& [name, gfid] : names) {
    size_t cost = dirEntryCost(name.size(), plus);
    if (used + cost > budget && !out.entries.empty()) break;
    DirEntry e;
    e.name = name;
    if (plus) {
      auto rec = store_.file(nullptr, gfid);
      if (!rec) continue;  // removed since the names were read
      e.stat = rec->attr;
      if constexpr (requires { r.xattrs; })
        if (!r.xattrs.empty()) {
          pickXattrs(rec->xattrs, r.xattrs, e.xattrs);
          e.xattrsRead = true;
        }
    } else {
      e.stat.gfid = gfid;
      e.stat.ino = gfid.ino();
      e.stat.mode = S_IFREG;
    }
    cur->given.push_back(BdbDirCursor::Position{true, 0, name});
    e.offset = cur->given.size();
    used += cost;
    out.entries.push_back(std::move(e));
  }
  return out;
}

Result<ReaddirReply> BdbXlator::readdirSync(const CallCtx&, const ReaddirReq& r) {
  return listing(r, false);
}
Result<ReaddirReply> BdbXlator::readdirpSync(const CallCtx&, const ReaddirpReq& r) {
  return listing(r, true);
}

}  // namespace gf
