// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe: file data cut at block boundaries, each piece on the child owning the
// block, all pieces of one call in parallel; holes read as zeros up to the logical size.
#include <fcntl.h>
#include <linux/falloc.h>

#include <atomic>
#include <cstring>

#include "glusterfs/core/checksum.h"
#include "glusterfs/core/lock_support.h"
#include "glusterfs/xlators/cluster/stripe/stripe_xlator.h"

namespace gf {

using stripe::Piece;

namespace {

// The logical size: the largest piece.
Task<Result<uint64_t>> logicalSize(StripeXlator& s, const CallCtx& ctx, const FdPtr& fd) {
  FstatReq st{fd};
  std::vector<Task<Result<AttrReply>>> calls;
  for (size_t i = 0; i < s.childCount(); ++i) calls.push_back(s.child(i).fstat(ctx, st));
  auto all = co_await whenAll(std::move(calls));
  uint64_t size = 0;
  for (auto& r : all) {
    if (!r) co_return fail(r.error());
    size = std::max(size, r->stat.size);
  }
  co_return size;
}

}  // namespace

namespace {

// Writes `req` at its offset, each piece on the child owning its block.
Task<Result<WriteReply>> writeAt(StripeXlator& s, const CallCtx& ctx, const WritevReq& req) {
  uint64_t bs = s.blockSizeOf(req.fd->inode());
  auto pieces = stripe::split(req.offset, req.data.size(), bs, s.childCount());
  std::vector<WritevReq> subs;
  subs.reserve(pieces.size());
  for (const auto& p : pieces)
    subs.push_back(WritevReq{req.fd, req.data.sub(p.offset - req.offset, p.length), p.offset,
                             req.flags & ~uint32_t{O_APPEND}});
  std::vector<Task<Result<WriteReply>>> calls;
  for (size_t k = 0; k < pieces.size(); ++k)
    calls.push_back(s.child(pieces[k].child).writev(ctx, subs[k]));
  auto all = co_await whenAll(std::move(calls));
  // Report the bytes written contiguously from the start (a short piece ends the count).
  uint64_t done = 0;
  for (size_t k = 0; k < all.size(); ++k) {
    if (!all[k]) {
      if (done == 0) co_return fail(all[k].error());
      break;
    }
    done += all[k]->size;
    if (all[k]->size < pieces[k].length) break;
  }
  co_return WriteReply{done};
}

// Lock owners for the append lock, apart from those of FUSE and of other translators.
std::atomic<uint64_t> gAppendOwner{0x5719000000000000ULL};
constexpr const char* kAppendDomain = "stripe.append";

}  // namespace

Task<Result<std::unique_ptr<StripeXlator::AppendSection>>> StripeXlator::enterAppendTurn(
    const CallCtx& ctx, const FdPtr& fd) {
  AppendTurn turn = appendTurn(fd->inode());
  if (turn.before) co_await turn.before->wait();
  auto section = std::make_unique<AppendSection>(AppendSection{turn.mine, ctx, false});
  section->owner.lkOwner = gAppendOwner.fetch_add(1);
  Flock whole{F_WRLCK, SEEK_SET, 0, 0};
  auto locked = co_await child(0).finodelk(
      section->owner, FinodelkReq{kAppendDomain, fd, LockCmd::kSetWait, whole});
  // Without a lock manager on child 0 only this client's appends are ordered.
  if (!locked && !noLockManager(locked.errnum())) co_return fail(locked.error());
  section->locked = bool(locked);
  co_return section;
}

Task<void> StripeXlator::leaveAppendTurn(AppendSection& section, const FdPtr& fd) {
  if (!section.locked) co_return;
  Flock whole{F_UNLCK, SEEK_SET, 0, 0};
  (void)co_await child(0).finodelk(section.owner,
                                   FinodelkReq{kAppendDomain, fd, LockCmd::kSet, whole});
  section.locked = false;
}

Task<Result<WriteReply>> StripeXlator::writev(const CallCtx& ctx, const WritevReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  if (!((static_cast<uint32_t>(req.fd->flags()) | req.flags) & O_APPEND))
    co_return co_await writeAt(*this, ctx, req);
  // Finding the end and writing there must not interleave with another append.
  auto section = co_await enterAppendTurn(ctx, req.fd);
  if (!section) co_return fail(section.error());
  auto end = co_await logicalSize(*this, ctx, req.fd);
  Result<WriteReply> r = fail(EIO);
  if (end) {
    WritevReq at = req;
    at.offset = *end;
    r = co_await writeAt(*this, ctx, at);
  } else {
    r = fail(end.error());
  }
  co_await leaveAppendTurn(**section, req.fd);
  co_return r;
}

Task<Result<ReadvReply>> StripeXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  uint64_t bs = blockSizeOf(req.fd->inode());
  auto pieces = stripe::split(req.offset, req.size, bs, childCount());
  std::vector<ReadvReq> subs;
  subs.reserve(pieces.size());
  for (const auto& p : pieces) subs.push_back(ReadvReq{req.fd, p.length, p.offset, req.flags});
  std::vector<Task<Result<ReadvReply>>> calls;
  for (size_t k = 0; k < pieces.size(); ++k)
    calls.push_back(child(pieces[k].child).readv(ctx, subs[k]));
  auto all = co_await whenAll(std::move(calls));
  bool full = true;
  for (size_t k = 0; k < all.size(); ++k) {
    if (!all[k]) co_return fail(all[k].error());
    if (all[k]->data.size() < pieces[k].length) full = false;
  }
  ReadvReply out;
  if (full) {
    for (auto& r : all) out.data.append(r->data);
    co_return out;
  }
  // A short piece is a hole on its child, or the end of the file: ask how long the file is.
  auto size = co_await logicalSize(*this, ctx, req.fd);
  if (!size) co_return fail(size.error());
  if (*size <= req.offset) co_return out;
  uint64_t want = std::min<uint64_t>(req.size, *size - req.offset);
  Payload buf = Payload::allocate(want);
  std::memset(buf.mutableData(), 0, want);
  for (size_t k = 0; k < all.size(); ++k) {
    uint64_t at = pieces[k].offset - req.offset;
    if (at >= want) break;
    uint64_t n = std::min<uint64_t>(all[k]->data.size(), want - at);
    all[k]->data.sub(0, n).copyTo(buf.mutableData() + at);
  }
  out.data = std::move(buf);
  co_return out;
}

Task<Result<Empty>> StripeXlator::fallocate(const CallCtx& ctx, const FallocateReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  // Shifting ranges would move blocks between children: not expressible piecewise.
  if (req.mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) co_return fail(EOPNOTSUPP);
  uint64_t bs = blockSizeOf(req.fd->inode());
  auto pieces = stripe::split(req.offset, req.len, bs, childCount());
  std::vector<FallocateReq> subs;
  subs.reserve(pieces.size());
  for (const auto& p : pieces) subs.push_back(FallocateReq{req.fd, req.mode, p.offset, p.length});
  std::vector<Task<Result<Empty>>> calls;
  for (size_t k = 0; k < pieces.size(); ++k)
    calls.push_back(child(pieces[k].child).fallocate(ctx, subs[k]));
  auto all = co_await whenAll(std::move(calls));
  for (auto& r : all)
    if (!r) co_return std::move(r);
  co_return Empty{};
}

// SEEK_DATA: the nearest data any child has (each child only holds data in its own blocks).
// SEEK_HOLE: the first block, from the offset on, whose owner has a hole in it. A piece that
// ends before the logical size (ENXIO on its child) has a hole there too. The owners of one
// round of blocks (one per child) are asked at once.
Task<Result<LseekReply>> StripeXlator::lseek(const CallCtx& ctx, const LseekReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  if (req.whence != SEEK_DATA && req.whence != SEEK_HOLE)
    co_return co_await child(0).lseek(ctx, req);
  auto size = co_await logicalSize(*this, ctx, req.fd);
  if (!size) co_return fail(size.error());
  if (req.offset >= *size) co_return fail(ENXIO);
  if (req.whence == SEEK_DATA) {
    std::vector<Task<Result<LseekReply>>> calls;
    for (size_t i = 0; i < childCount(); ++i) calls.push_back(child(i).lseek(ctx, req));
    auto all = co_await whenAll(std::move(calls));
    std::optional<uint64_t> best;
    for (auto& r : all) {
      if (!r && r.errnum() != ENXIO) co_return fail(r.error());
      if (r && r->offset < *size && (!best || r->offset < *best)) best = r->offset;
    }
    if (!best) co_return fail(ENXIO);
    co_return LseekReply{*best};
  }
  uint64_t bs = blockSizeOf(req.fd->inode());
  uint64_t pos = req.offset;
  while (pos < *size) {
    std::vector<LseekReq> asks;
    std::vector<uint64_t> ends;
    for (uint64_t at = pos; at < *size && asks.size() < childCount();) {
      uint64_t blockEnd = *size;
      if (at / bs < (*size - 1) / bs) blockEnd = (at / bs + 1) * bs;  // no overflow near 2^64
      asks.push_back(LseekReq{req.fd, at, SEEK_HOLE});
      ends.push_back(blockEnd);
      at = blockEnd;
    }
    std::vector<Task<Result<LseekReply>>> calls;
    for (const auto& q : asks)
      calls.push_back(child(stripe::childOf(q.offset, bs, childCount())).lseek(ctx, q));
    auto all = co_await whenAll(std::move(calls));
    for (size_t k = 0; k < all.size(); ++k) {
      if (!all[k]) {
        if (all[k].errnum() == ENXIO) co_return LseekReply{asks[k].offset};
        co_return fail(all[k].error());
      }
      if (all[k]->offset < ends[k]) co_return LseekReply{std::max(all[k]->offset, asks[k].offset)};
    }
    pos = ends.back();
  }
  co_return LseekReply{*size};
}

Task<Result<RchecksumReply>> StripeXlator::rchecksum(const CallCtx& ctx, const RchecksumReq& req) {
  ReadvReq rd{req.fd, req.len, req.offset, 0};
  auto data = co_await readv(ctx, rd);
  if (!data) co_return fail(data.error());
  std::string bytes = data->data.str();
  co_return RchecksumReply{adler32(bytes.data(), bytes.size()),
                           strongHash128(bytes.data(), bytes.size())};
}

}  // namespace gf
