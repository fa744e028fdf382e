// SPDX-License-Identifier: GPL-3.0-or-later
// performance/read-ahead: per-fd prefetch window for sequential readers.
#include "glusterfs/xlators/performance/read-ahead/read_ahead_xlator.h"

#include <atomic>
#include <map>
#include <mutex>

#include "glusterfs/core/async_event.h"
#include "glusterfs/core/fop_format.h"

namespace gf {

namespace {

// Bumped by every change of the file: pages of an older generation are worthless.
struct FileGen {
  std::atomic<uint64_t> value{0};
};

struct Page {
  std::shared_ptr<AsyncEvent> ready = std::make_shared<AsyncEvent>();
  Result<ReadvReply> data = fail(EIO);
  uint64_t generation = 0;
};

struct RaFd {
  std::mutex mutex;
  uint64_t expected = 0;                            // where a sequential reader reads next
  std::map<uint64_t, std::shared_ptr<Page>> pages;  // by page offset
};

uint64_t genOf(const void* key, const InodePtr& inode) {
  auto g = inode->ctx().getOrCreate<FileGen>(key, [] { return std::make_shared<FileGen>(); });
  return g->value.load();
}

Task<void> fetch(Xlator& below, CallCtx ctx, FdPtr fd, uint64_t off, uint64_t size,
                 std::shared_ptr<Page> page) {
  ReadvReq req{fd, size, off, 0};
  page->data = co_await below.readv(ctx, req);
  page->ready->set();
}

}  // namespace

const OptionTable<ReadAheadXlator::Config>& ReadAheadXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .size("page-size", &C::pageSize, "128KB", 4096, 16 << 20, "Size of each page read ahead.")
          .integer("page-count", &C::pageCount, 4, 1, 64,
                   "Pages read ahead of a sequential reader.");
  return table;
}

ReadAheadXlator::ReadAheadXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(config) {}

Task<Result<ReadvReply>> ReadAheadXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  const uint64_t ps = static_cast<uint64_t>(config_.pageSize);
  auto ra = req.fd->ctx().getOrCreate<RaFd>(this, [] { return std::make_shared<RaFd>(); });
  uint64_t gen = genOf(this, req.fd->inode());
  std::shared_ptr<Page> hit;
  uint64_t hitOffset = 0;
  {
    std::lock_guard lock(ra->mutex);
    bool sequential = req.offset == ra->expected;
    ra->expected = req.offset + req.size;
    if (!sequential) ra->pages.clear();
    // Drop pages behind the reader and pages of an older generation.
    for (auto it = ra->pages.begin(); it != ra->pages.end();)
      if (it->first + ps <= req.offset || it->second->generation != gen)
        it = ra->pages.erase(it);
      else
        ++it;
    uint64_t first = req.offset / ps * ps;
    auto it = ra->pages.find(first);
    if (it != ra->pages.end() && req.offset + req.size <= first + ps) {
      hit = it->second;
      hitOffset = first;
    }
    if (sequential) {
      for (int64_t k = 1; k <= config_.pageCount; ++k) {
        uint64_t off = first + static_cast<uint64_t>(k) * ps;
        if (ra->pages.count(off)) continue;
        auto p = std::make_shared<Page>();
        p->generation = gen;
        ra->pages.emplace(off, p);
        spawn(fetch(child(), ctx, req.fd, off, ps, p), "read-ahead");
      }
    }
  }
  if (hit) {
    co_await hit->ready->wait();
    if (hit->data && genOf(this, req.fd->inode()) == gen) {
      const Payload& all = hit->data->data;
      uint64_t at = req.offset - hitOffset;
      ReadvReply out;
      if (at < all.size()) out.data = all.sub(at, std::min<uint64_t>(req.size, all.size() - at));
      co_return out;
    }
  }
  co_return co_await child().readv(ctx, req);
}

// A change makes pages worthless both when it goes down and when it has been done: pages
// fetched while it was on its way may hold what it replaced.
Task<Status> ReadAheadXlator::before(CallCtx&, const FopCall& call) {
  invalidate(call);
  co_return Status{};
}

void ReadAheadXlator::after(const CallCtx&, const FopCall& call, FopOutcome&) { invalidate(call); }

void ReadAheadXlator::invalidate(const FopCall& call) {
  if (call.info().flags & (kFopData | kFopMetadata))
    for (const auto& inode : inodesOf(call.id, call.req))
      if (auto g = inode->ctx().get<FileGen>(this)) ++g->value;
}

}  // namespace gf
