// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate lookup: ask every copy, compare names and changelogs, heal what differs
// (names and attributes at once, contents in the background), answer from a good copy.
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal.h"
#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "glusterfs/xlators/cluster/replicate/afr_txn.h"

namespace gf {

using namespace afr;

namespace {
// Something to heal between copies that answered: a copy that is down stays accused until it
// is back (healing without it would only cost locks).
bool healable(const PendingMatrix& m, TxnKind kind) {
  for (size_t i = 0; i < m.size(); ++i)
    for (size_t j = 0; j < m.size(); ++j)
      if (m.answered(i) && m.answered(j) && m.get(i, j, kind) > 0) return true;
  return false;
}
}  // namespace

Task<Result<EntryReply>> ReplicateXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  const size_t n = childCount();
  for (int attempt = 0;; ++attempt) {
    bool mayHeal = attempt == 0;
    auto view = co_await lookupAll(*this, ctx, req.loc, req.xattrs);
    std::vector<std::error_code> errors;
    int first = -1;
    bool missingSomewhere = false, conflict = false;
    for (size_t i = 0; i < n; ++i) {
      if (!view.copies[i]) continue;
      if (!view.answered(i)) {
        int e = view.copies[i]->errnum();
        errors.push_back(view.copies[i]->error());
        if (e == ENOENT) missingSomewhere = true;
        continue;
      }
      if (first < 0) first = static_cast<int>(i);
      else if (view.stat(i).gfid != view.stat(first).gfid || view.stat(i).type() != view.stat(first).type())
        conflict = true;
    }
    if (first < 0) co_return fail(pickError(errors));

    // The copies disagree on the name: settle it in the parent directory first.
    if ((missingSomewhere || conflict) && req.loc.parent && mayHeal && config_.entrySelfHeal) {
      Loc dir = parentOf(req.loc);
      auto r = co_await healEntry(*this, dir);
      if (r == HealResult::kNothingToDo) (void)co_await healEntry(*this, dir, {}, true);
      continue;
    }
    if (conflict) {
      GF_LOG_ERROR(name(), "%s: the copies hold different files under this name (gfid or type "
                   "differ) and no changelog says which is right: split-brain",
                   req.loc.path().c_str());
      co_return fail(EIO);
    }

    PendingMatrix m = view.matrix(childNames_);
    const Iatt& st = view.stat(first);
    auto data = selectSources(m, TxnKind::kData, favorite_);
    auto meta = selectSources(m, TxnKind::kMetadata, favorite_);
    auto entry = selectSources(m, TxnKind::kEntry, favorite_);
    // A first lookup's inode is not linked yet (the caller links it from our reply), so the
    // bricks could not resolve it or its children: heal through an inode of our own that
    // carries the file's gfid.
    Loc self = req.loc;
    if (!self.inode || !self.inode->linked())
      self.inode = healTable_.link(healTable_.create(), nullptr, {}, st);
    if (mayHeal) {
      bool again = false;
      if (st.isDir() && healable(m, TxnKind::kEntry) && !entry.splitBrain &&
          config_.entrySelfHeal)
        again |= co_await healEntry(*this, self) == HealResult::kHealed;
      if (healable(m, TxnKind::kMetadata) && !meta.splitBrain && config_.metadataSelfHeal)
        again |= co_await healMetadata(*this, self) == HealResult::kHealed;
      if (again) continue;  // look again at what the heal left
    }
    // Contents heal in the background, also after a metadata heal made us look again.
    if (st.isReg() && healable(m, TxnKind::kData) && !data.splitBrain && config_.dataSelfHeal)
      healer_->healInBackground(self);
    if (data.splitBrain || meta.splitBrain)
      GF_LOG_ERROR(name(), "%s: split-brain (%s%s): data %s, metadata %s", req.loc.path().c_str(),
                   data.splitBrain ? "data" : "", meta.splitBrain ? " metadata" : "",
                   m.describe(TxnKind::kData, childNames_).c_str(),
                   m.describe(TxnKind::kMetadata, childNames_).c_str());
    // Reads go only to copies holding good data.
    std::vector<bool> good(n, false);
    for (size_t i = 0; i < n; ++i)
      good[i] = view.answered(i) && (!data.needsHeal || data.sources[i]) && !data.splitBrain;
    setReadable(req.loc.inode, good, st.isReg() && data.splitBrain, meta.splitBrain);
    // Answer from a copy with good data and metadata, the same one stat and readdirp prefer
    // (copies' ctimes differ by a tick: tar calls a file whose ctime moves "changed").
    int pick = first;
    size_t preferred = preferredChild(st.gfid);
    for (size_t k = 0; k < n; ++k) {
      size_t i = (preferred + k) % n;
      if (view.answered(i) && good[i] && (!meta.needsHeal || meta.sources[i])) {
        pick = static_cast<int>(i);
        break;
      }
    }
    EntryReply out = std::move(view.copies[pick]->value());
    std::erase_if(out.xdata, [](const auto& kv) { return isChangelogKey(kv.first); });
    co_return out;
  }
}

}  // namespace gf
