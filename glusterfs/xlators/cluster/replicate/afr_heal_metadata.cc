// SPDX-License-Identifier: GPL-3.0-or-later
// Metadata self-heal: owner, mode, times and extended attributes from the source copy.
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal_util.h"

namespace gf::afr {
namespace {

bool isInternal(const std::string& key) { return isChangelogKey(key) || key == "trusted.gfid"; }

// Makes copy `sink` of `loc` carry the attributes and xattrs of copy `source`.
Task<Status> copyMetadata(ReplicateXlator& afr, const CallCtx& ctx, const Loc& loc, size_t source,
                          size_t sink, const Iatt& srcStat) {
  GetxattrReq all{loc, ""};
  auto [srcX, sinkX] =
      co_await whenAll(afr.child(source).getxattr(ctx, all), afr.child(sink).getxattr(ctx, all));
  if (!srcX) co_return srcX.error();
  if (!sinkX) co_return sinkX.error();
  SetattrReq attrs;
  attrs.loc = loc;
  attrs.attr = srcStat;
  attrs.valid = kSetUid | kSetGid | kSetAtime | kSetMtime;
  if (!srcStat.isLink()) attrs.valid |= kSetMode;
  auto set = co_await afr.child(sink).setattr(ctx, attrs);
  if (!set) co_return set.error();
  for (const auto& [k, v] : srcX->xattrs) {
    if (isInternal(k)) continue;
    auto it = sinkX->xattrs.find(k);
    if (it != sinkX->xattrs.end() && it->second == v) continue;
    SetxattrReq sx{loc, Dict{{k, v}}, 0};
    auto r = co_await afr.child(sink).setxattr(ctx, sx);
    if (!r) co_return r.error();
  }
  for (const auto& [k, v] : sinkX->xattrs) {
    if (isInternal(k) || srcX->xattrs.count(k)) continue;
    RemovexattrReq rx{loc, k};
    auto r = co_await afr.child(sink).removexattr(ctx, rx);
    if (!r && r.errnum() != ENODATA) co_return r.error();
  }
  co_return Status{};
}

}  // namespace

Task<HealResult> healMetadata(ReplicateXlator& afr, const Loc& loc, HealChoice choice) {
  if (!afr.config().metadataSelfHeal && choice.source < 0) co_return HealResult::kNothingToDo;
  CallCtx ctx = healCtx();
  auto held = co_await healLock(afr, ctx, TxnKind::kMetadata, loc);
  // Look again under the lock: a transaction may have finished meanwhile.
  auto view = co_await lookupAll(afr, ctx, loc);
  PendingMatrix m = view.matrix(afr.childNames());
  SourceVerdict v = selectSources(m, TxnKind::kMetadata, afr.favoriteIndex());
  HealResult result = HealResult::kNothingToDo;
  if (!v.needsHeal && choice.source < 0) {
    // nothing to do
  } else if (v.splitBrain && choice.source < 0) {
    GF_LOG_ERROR(afr.name(), "%s: metadata split-brain (%s); resolve with favorite-child or "
                 "gluster-heal resolve", loc.path().c_str(),
                 m.describe(TxnKind::kMetadata, afr.childNames()).c_str());
    result = HealResult::kSplitBrain;
  } else {
    int src = pickSource(v, view, TxnKind::kMetadata, choice);
    result = src < 0 ? HealResult::kFailed : HealResult::kHealed;
    if (src >= 0) {
      const Iatt srcStat = view.stat(src);
      for (size_t i = 0; i < afr.childCount(); ++i) {
        if (static_cast<int>(i) == src || !view.answered(i)) continue;
        Status s = co_await copyMetadata(afr, ctx, loc, src, i, srcStat);
        if (!s) {
          GF_LOG_WARNING(afr.name(), "%s: metadata heal of %s failed: %s", loc.path().c_str(),
                         afr.childNames()[i].c_str(), s.error().message().c_str());
          result = HealResult::kFailed;
        }
      }
      if (result == HealResult::kHealed) {
        co_await clearObserved(afr, ctx, loc, m, TxnKind::kMetadata, answeredCopies(view));
        GF_LOG_INFO(afr.name(), "%s: metadata healed from %s", loc.path().c_str(),
                    afr.childNames()[src].c_str());
      }
    }
  }
  co_await healUnlock(afr, ctx, TxnKind::kMetadata, loc, held);
  co_return result;
}

}  // namespace gf::afr
