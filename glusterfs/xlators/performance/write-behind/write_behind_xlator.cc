// SPDX-License-Identifier: GPL-3.0-or-later
// performance/write-behind: per-file queues of acknowledged writes, drained in order.
#include "glusterfs/xlators/performance/write-behind/write_behind_xlator.h"

#include <fcntl.h>

#include <coroutine>
#include <deque>
#include <mutex>

#include "glusterfs/core/fop_format.h"

namespace gf {

namespace {

struct Pending {
  FdPtr fd;
  CallCtx ctx;
  uint64_t offset;
  Payload data;
};

// The writes of one file not yet confirmed by the layers below, and who waits for them.
struct WbFile {
  std::mutex mutex;
  std::deque<Pending> queue;
  size_t bytes = 0;
  bool sending = false;
  std::error_code error;                         // from a write sent behind; reported once
  std::vector<std::coroutine_handle<>> drained;  // resumed when the queue empties
};

std::shared_ptr<WbFile> fileOf(const WriteBehindXlator* x, const InodePtr& inode) {
  return inode->ctx().getOrCreate<WbFile>(x, [] { return std::make_shared<WbFile>(); });
}

// Sends the queue down one write at a time, in order, until it is empty. The front entry
// stays queued while it is in flight, so nothing joins onto it.
Task<void> sendAll(Xlator& below, std::shared_ptr<WbFile> f) {
  while (true) {
    Pending p;
    std::vector<std::coroutine_handle<>> waiters;
    {
      std::lock_guard lock(f->mutex);
      if (f->queue.empty()) {
        f->sending = false;
        waiters.swap(f->drained);
      } else {
        p = f->queue.front();
      }
    }
    if (!p.fd) {
      for (auto h : waiters) h.resume();  // outside the lock
      co_return;
    }
    WritevReq req{p.fd, p.data, p.offset, 0};
    auto r = co_await below.writev(p.ctx, req);
    std::lock_guard lock(f->mutex);
    if (!f->error) {
      if (!r)
        f->error = r.error();
      else if (r->size < p.data.size())
        f->error = std::error_code(EIO, std::generic_category());
    }
    f->bytes -= p.data.size();
    f->queue.pop_front();
  }
}

void kick(Xlator& below, const std::shared_ptr<WbFile>& f) {
  {
    std::lock_guard lock(f->mutex);
    if (f->sending || f->queue.empty()) return;
    f->sending = true;
  }
  spawn(sendAll(below, f), "write-behind");
}

// Waits until every write of `f` made so far is down; returns (and clears) a deferred error.
struct DrainAwaiter {
  Xlator& below;
  std::shared_ptr<WbFile> f;
  bool await_ready() {
    std::lock_guard lock(f->mutex);
    return f->queue.empty();
  }
  bool await_suspend(std::coroutine_handle<> h) {
    {
      std::lock_guard lock(f->mutex);
      if (f->queue.empty()) return false;
      f->drained.push_back(h);
    }
    kick(below, f);
    return true;
  }
  void await_resume() {}
};

// The deferred error is taken only by `report`ing callers (write, flush, fsync): anyone else
// who waits must leave it for them, or close() would report success for lost data.
enum class Deferred { kLeave, kReport };

Task<Status> drain(Xlator& below, std::shared_ptr<WbFile> f, Deferred deferred) {
  co_await DrainAwaiter{below, f};
  if (deferred == Deferred::kLeave) co_return Status{};
  std::lock_guard lock(f->mutex);
  std::error_code e = std::exchange(f->error, {});
  if (e) co_return e;
  co_return Status{};
}

// flush-behind: the flush still goes down after the writes made before it, since the lock
// release it carries must not overtake them. Its own outcome has no one left to hear it.
Task<void> flushAfterWrites(Xlator& below, std::shared_ptr<WbFile> f, CallCtx ctx, FlushReq req) {
  (void)co_await drain(below, f, Deferred::kLeave);  // kLeave never fails
  (void)co_await below.flush(ctx, req);
}

}  // namespace

const OptionTable<WriteBehindXlator::Config>& WriteBehindXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .size("cache-size", &C::cacheSize, "1MB", 4096, int64_t{1} << 30,
                "Bytes of acknowledged writes a file may have waiting.")
          .alias("window-size")
          .size("aggregate-size", &C::aggregateSize, "128KB", 4096, 16 << 20,
                "Contiguous writes are joined up to this size before going down.")
          .boolean("flush-behind", &C::flushBehind, false,
                   "close() returns before the file's writes are down (errors then reach only "
                   "fsync or a later write).")
          .boolean("enable-O_SYNC", &C::enableOSync, false,
                   "Also write O_SYNC/O_DSYNC files behind (off: they pass straight through).")
          .add({"disable-for-first-nbytes",
                {},
                OptionKind::kSize,
                "",
                0,
                INT64_MAX,
                {},
                false,
                "Accepted for 2.0 volfiles; has no effect."},
               [](C&, const OptionValue&) {});
  return table;
}

WriteBehindXlator::WriteBehindXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(config) {}

// Every fop that names a file with writes waiting sees them first.
Task<Status> WriteBehindXlator::before(CallCtx&, const FopCall& call) {
  // The deferred error belongs to the writer: of the fops that come here only fsync reports
  // it (write and flush have their own overrides); anything else just waits.
  Deferred deferred = call.id == FopId::fsync ? Deferred::kReport : Deferred::kLeave;
  for (const auto& inode : inodesOf(call.id, call.req)) {
    auto f = inode->ctx().get<WbFile>(this);
    if (!f) continue;
    Status s = co_await drain(child(), f, deferred);
    if (!s) co_return s;
  }
  co_return Status{};
}

Task<Result<WriteReply>> WriteBehindXlator::writev(const CallCtx& ctx, const WritevReq& req) {
  auto f = fileOf(this, req.fd->inode());
  int flags = req.fd->flags();
  bool direct = (flags & O_DIRECT) || (!config_.enableOSync && (flags & (O_SYNC | O_DSYNC)));
  if (direct) {
    Status s = co_await drain(child(), f, Deferred::kReport);
    if (!s) co_return fail(s.error());
    co_return co_await child().writev(ctx, req);
  }
  bool full;
  {
    std::lock_guard lock(f->mutex);
    if (f->error) co_return fail(std::exchange(f->error, {}));
    // Join a write that continues the last waiting one (same fd, contiguous, still small).
    auto& q = f->queue;
    bool canJoin = !q.empty() && !(f->sending && q.size() == 1);
    bool joined = false;
    if (canJoin) {
      Pending& last = q.back();
      if (last.fd == req.fd && last.offset + last.data.size() == req.offset &&
          last.data.size() + req.data.size() <= static_cast<size_t>(config_.aggregateSize)) {
        last.data.append(req.data);
        joined = true;
      }
    }
    if (!joined) q.push_back(Pending{req.fd, ctx, req.offset, req.data});
    f->bytes += req.data.size();
    full = f->bytes >= static_cast<size_t>(config_.cacheSize);
  }
  // The payload may be the FUSE library's receive buffer: it stays alive with the Payload.
  kick(child(), f);
  if (full) {
    Status s = co_await drain(child(), f, Deferred::kReport);
    if (!s) co_return fail(s.error());
  }
  co_return WriteReply{req.data.size()};
}

Task<Result<Empty>> WriteBehindXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  auto f = req.fd->inode()->ctx().get<WbFile>(this);
  if (f && config_.flushBehind) {
    spawn(flushAfterWrites(child(), f, ctx, req), "write-behind flush");
    co_return Empty{};
  }
  if (f) {
    Status s = co_await drain(child(), f, Deferred::kReport);
    if (!s) {
      (void)co_await child().flush(ctx, req);
      co_return fail(s.error());
    }
  }
  co_return co_await child().flush(ctx, req);
}

}  // namespace gf
