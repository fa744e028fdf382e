// SPDX-License-Identifier: GPL-3.0-or-later
// Data self-heal: compare block checksums of source and sink and copy only the blocks that
// differ (holes stay holes), then trim the sink to the source's size.
#include <fcntl.h>
#include <linux/falloc.h>

#include <algorithm>
#include <vector>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal_util.h"

namespace gf::afr {
namespace {

bool allZero(const Payload& p) {
  for (const auto& s : p.slices())
    for (size_t i = 0; i < s.size; ++i)
      if (s.data[i]) return false;
  return true;
}

// Compares one block of `fd` on `src` and `dst` and copies it when it differs; returns the
// bytes copied.
Task<Result<uint64_t>> healBlock(ReplicateXlator& afr, const CallCtx& ctx, const FdPtr& fd,
                                 size_t src, size_t dst, uint64_t off, uint32_t len,
                                 uint64_t sinkSize) {
  // Blocks the sink does not have at all need no comparing.
  if (off < sinkSize) {
    RchecksumReq cs{fd, off, len};
    auto [a, b] = co_await whenAll(afr.child(src).rchecksum(ctx, cs), afr.child(dst).rchecksum(ctx, cs));
    if (!a) co_return fail(a.error());
    if (b && a->weak == b->weak && a->strong == b->strong) co_return uint64_t{0};
  }
  ReadvReq rd{fd, len, off, 0};
  auto data = co_await afr.child(src).readv(ctx, rd);
  if (!data) co_return fail(data.error());
  if (allZero(data->data) && data->data.size() == len) {
    FallocateReq hole{fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len};
    auto h = co_await afr.child(dst).fallocate(ctx, hole);
    if (h) co_return uint64_t{0};  // otherwise write the zeros
  }
  WritevReq wr{fd, data->data, off, 0};
  auto w = co_await afr.child(dst).writev(ctx, wr);
  if (!w) co_return fail(w.error());
  co_return static_cast<uint64_t>(data->data.size());
}

// Copies differing blocks of `fd` from child `src` to child `dst`, a window of blocks at a
// time (the network and both disks stay busy); returns bytes copied.
Task<Result<uint64_t>> copyBlocks(ReplicateXlator& afr, const CallCtx& ctx, const FdPtr& fd,
                                  size_t src, size_t dst, uint64_t size, uint64_t sinkSize) {
  const uint64_t block = static_cast<uint64_t>(afr.config().healBlockSize);
  const uint64_t window = static_cast<uint64_t>(afr.config().healWindow);
  // Past the sink's end nothing is compared: copied in pieces of at least 1 MiB.
  const uint64_t bulk = std::max<uint64_t>(block, 1 << 20);
  uint64_t copied = 0;
  for (uint64_t off = 0; off < size;) {
    std::vector<Task<Result<uint64_t>>> blocks;
    for (uint64_t k = 0; k < window && off < size; ++k) {
      uint64_t len = std::min(off >= sinkSize ? bulk : block, size - off);
      blocks.push_back(healBlock(afr, ctx, fd, src, dst, off, static_cast<uint32_t>(len), sinkSize));
      off += len;
    }
    for (auto& r : co_await whenAll(std::move(blocks))) {
      if (!r) co_return fail(r.error());
      copied += *r;
    }
  }
  co_return copied;
}

}  // namespace

Task<HealResult> healData(ReplicateXlator& afr, const Loc& loc, HealChoice choice) {
  if (!afr.config().dataSelfHeal && choice.source < 0) co_return HealResult::kNothingToDo;
  CallCtx ctx = healCtx();
  auto held = co_await healLock(afr, ctx, TxnKind::kData, loc);
  auto view = co_await lookupAll(afr, ctx, loc);
  PendingMatrix m = view.matrix(afr.childNames());
  SourceVerdict v = selectSources(m, TxnKind::kData, afr.favoriteIndex());
  HealResult result = HealResult::kNothingToDo;
  if (!v.needsHeal && choice.source < 0) {
    afr.setReadable(loc.inode, answeredCopies(view), false, false);
  } else if (v.splitBrain && choice.source < 0) {
    GF_LOG_ERROR(afr.name(), "%s: data split-brain (%s); reads fail with EIO until it is "
                 "resolved (favorite-child or gluster-heal resolve)", loc.path().c_str(),
                 m.describe(TxnKind::kData, afr.childNames()).c_str());
    afr.setReadable(loc.inode, std::vector<bool>(afr.childCount(), false), true, false);
    result = HealResult::kSplitBrain;
  } else {
    int src = pickSource(v, view, TxnKind::kData, choice);
    if (src < 0) {
      result = HealResult::kFailed;
    } else {
      // One fd object serves every copy: each child keeps its own open file under it.
      FdPtr fd = makeFd(loc.inode, O_RDWR);
      OpenReq open{loc, O_RDWR, fd};
      std::vector<bool> opened(afr.childCount(), false);
      for (size_t i = 0; i < afr.childCount(); ++i)
        if (view.answered(i)) opened[i] = (co_await afr.child(i).open(ctx, open)).ok();
      const uint64_t size = view.stat(src).size;
      result = opened[src] ? HealResult::kHealed : HealResult::kFailed;
      uint64_t total = 0;
      for (size_t i = 0; i < afr.childCount() && result == HealResult::kHealed; ++i) {
        if (static_cast<int>(i) == src || !view.answered(i)) continue;
        if (!opened[i]) {
          result = HealResult::kFailed;
          break;
        }
        auto copied = co_await copyBlocks(afr, ctx, fd, src, i, size, view.stat(i).size);
        FtruncateReq trim{fd, size};
        auto t = copied ? co_await afr.child(i).ftruncate(ctx, trim) : Result<AttrReply>(fail(EIO));
        if (!copied || !t) {
          GF_LOG_WARNING(afr.name(), "%s: data heal of %s failed: %s", loc.path().c_str(),
                         afr.childNames()[i].c_str(),
                         (!copied ? copied.error() : t.error()).message().c_str());
          result = HealResult::kFailed;
          break;
        }
        total += *copied;
      }
      if (result == HealResult::kHealed) {
        co_await clearObserved(afr, ctx, loc, m, TxnKind::kData, opened);
        afr.setReadable(loc.inode, opened, false, false);  // not a copy that is down
        GF_LOG_INFO(afr.name(), "%s: data healed from %s (%llu of %llu bytes copied)",
                    loc.path().c_str(), afr.childNames()[src].c_str(),
                    (unsigned long long)total, (unsigned long long)size);
      }
    }
  }
  co_await healUnlock(afr, ctx, TxnKind::kData, loc, held);
  co_return result;
}

}  // namespace gf::afr
