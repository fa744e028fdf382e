// SPDX-License-Identifier: GPL-3.0-or-later
// performance/quick-read: small-file contents from lookups, lazily opened fds.
#include "glusterfs/xlators/performance/quick-read/quick_read_xlator.h"

#include <fcntl.h>

#include <atomic>

#include "glusterfs/core/fop_format.h"

namespace gf {

struct QuickReadXlator::Cached {
  std::mutex mutex;
  Payload content;
  Timespec mtime;
  uint64_t size = 0;
  std::chrono::steady_clock::time_point fetched;
  bool valid = false;
  uint64_t generation = 0;  // bumped by every drop(): a lookup sent before brings old contents
  // The cache's total: the copy of a forgotten inode must stop counting against cache-size.
  std::shared_ptr<std::atomic<int64_t>> total;
  ~Cached() {
    if (total && valid) *total -= static_cast<int64_t>(content.size());
  }
};

namespace {
// An fd opened for reading a cached file, not (yet) opened below.
struct QuickFd {
  std::mutex mutex;
  bool openedBelow = false;
  Loc loc;
  int32_t flags = 0;
  CallCtx ctx;
};

bool readOnly(int32_t flags) {
  return (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_TRUNC | O_CREAT | O_DIRECT));
}
}  // namespace

const OptionTable<QuickReadXlator::Config>& QuickReadXlator::optionTable() {
  using C = Config;
  static const auto table = OptionTable<C>()
                                .size("max-file-size", &C::maxFileSize, "64KB", 0, 1 << 20,
                                      "Files up to this size come with their lookup.")
                                .time("cache-timeout", &C::cacheTimeout, "1", 0, 3600000,
                                      "How long a copy is used before the file is looked at again.")
                                .size("cache-size", &C::cacheSize, "64MB", 0, int64_t{1} << 40,
                                      "Memory for copies, the oldest given up first.");
  return table;
}

QuickReadXlator::QuickReadXlator(const XlatorArgs& args, Config config)
    : HookXlator(args),
      config_(config),
      contentKey_(std::string(kLookupContentPrefix) + std::to_string(config.maxFileSize)) {}

std::shared_ptr<QuickReadXlator::Cached> QuickReadXlator::fresh(const InodePtr& inode) {
  if (!inode) return nullptr;
  auto c = inode->ctx().get<Cached>(this);
  if (!c) return nullptr;
  std::lock_guard lock(c->mutex);
  if (!c->valid || std::chrono::steady_clock::now() - c->fetched > config_.cacheTimeout)
    return nullptr;
  return c;
}

void QuickReadXlator::store(const std::shared_ptr<Cached>& c, uint64_t generation,
                            std::string content, const Iatt& st) {
  int64_t added = static_cast<int64_t>(content.size());
  {
    std::lock_guard lock(c->mutex);
    // Changed through this client while the lookup was on its way: the contents may be old.
    if (c->generation != generation) return;
    added -= c->valid ? static_cast<int64_t>(c->content.size()) : 0;
    c->content = Payload::copyOf(content);
    c->mtime = st.mtime;
    c->size = st.size;
    c->fetched = std::chrono::steady_clock::now();
    c->valid = true;
  }
  std::lock_guard lock(mutex_);
  lru_.remove_if([&](const std::weak_ptr<Cached>& w) { return w.expired() || w.lock() == c; });
  lru_.push_back(c);
  *cachedBytes_ += added;
  while (*cachedBytes_ > config_.cacheSize && !lru_.empty()) {
    auto old = lru_.front().lock();
    lru_.pop_front();
    if (!old) continue;
    std::lock_guard l(old->mutex);
    if (old->valid) *cachedBytes_ -= static_cast<int64_t>(old->content.size());
    old->valid = false;
    old->content = {};
  }
}

void QuickReadXlator::drop(const InodePtr& inode) {
  auto c = inode->ctx().get<Cached>(this);
  if (!c) return;
  int64_t freed = 0;
  {
    std::lock_guard lock(c->mutex);
    if (c->valid) freed = static_cast<int64_t>(c->content.size());
    c->valid = false;
    c->content = {};
    ++c->generation;
  }
  *cachedBytes_ -= freed;
}

Task<Result<EntryReply>> QuickReadXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  std::shared_ptr<Cached> c;
  uint64_t generation = 0;
  if (req.loc.inode) {
    c = req.loc.inode->ctx().getOrCreate<Cached>(this, [this] {
      auto nc = std::make_shared<Cached>();
      nc->total = cachedBytes_;
      return nc;
    });
    std::lock_guard lock(c->mutex);
    generation = c->generation;
  }
  LookupReq ask = req;
  ask.xattrs.push_back(contentKey_);
  auto r = co_await child().lookup(ctx, ask);
  if (!r) co_return r;
  auto it = r->xdata.find(contentKey_);
  if (it != r->xdata.end()) {
    if (c) store(c, generation, std::move(it->second), r->stat);
    r->xdata.erase(it);
  } else if (req.loc.inode) {
    drop(req.loc.inode);  // too big now, or not a file
  }
  co_return r;
}

Task<Result<Empty>> QuickReadXlator::open(const CallCtx& ctx, const OpenReq& req) {
  if (readOnly(req.flags) && fresh(req.loc.inode)) {
    auto q = std::make_shared<QuickFd>();
    q->loc = req.loc;
    q->flags = req.flags;
    q->ctx = ctx;
    req.fd->ctx().set(this, q);
    co_return Empty{};
  }
  // `: > file` changes the contents with an open alone (see before() for why twice).
  bool truncating = (req.flags & O_TRUNC) && req.loc.inode;
  if (truncating) drop(req.loc.inode);
  auto r = co_await child().open(ctx, req);
  if (truncating) drop(req.loc.inode);
  co_return r;
}

Task<Status> QuickReadXlator::openBelow(const FdPtr& fd) {
  auto q = fd->ctx().get<QuickFd>(this);
  if (!q) co_return Status{};
  {
    std::lock_guard lock(q->mutex);
    if (q->openedBelow) co_return Status{};
  }
  OpenReq req{q->loc, q->flags, fd};
  auto r = co_await child().open(q->ctx, req);
  if (!r) co_return r.error();
  std::lock_guard lock(q->mutex);
  q->openedBelow = true;
  co_return Status{};
}

Task<Result<ReadvReply>> QuickReadXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  auto q = req.fd->ctx().get<QuickFd>(this);
  bool below = !q;
  if (q) {
    std::lock_guard lock(q->mutex);
    below = q->openedBelow;
  }
  if (!below) {
    if (auto c = fresh(req.fd->inode())) {
      std::lock_guard lock(c->mutex);
      ReadvReply out;
      if (req.offset < c->content.size())
        out.data = c->content.sub(req.offset,
                                  std::min<uint64_t>(req.size, c->content.size() - req.offset));
      co_return out;
    }
    Status s = co_await openBelow(req.fd);
    if (!s) co_return fail(s.error());
  }
  co_return co_await child().readv(ctx, req);
}

Task<Result<Empty>> QuickReadXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  if (auto q = req.fd->ctx().get<QuickFd>(this)) {
    std::lock_guard lock(q->mutex);
    if (!q->openedBelow) co_return Empty{};
  }
  co_return co_await child().flush(ctx, req);
}

// Changes drop the copy, both when they go down and when they have been done: a lookup
// answered in between may bring what they replaced. Any other use of a lazily opened fd opens
// it below first.
Task<Status> QuickReadXlator::before(CallCtx&, const FopCall& call) {
  dropChanged(call);
  for (const auto& fd : fdsOf(call.id, call.req)) {
    Status s = co_await openBelow(fd);
    if (!s) co_return s;
  }
  co_return Status{};
}

void QuickReadXlator::after(const CallCtx&, const FopCall& call, FopOutcome&) { dropChanged(call); }

void QuickReadXlator::dropChanged(const FopCall& call) {
  if (call.info().flags & (kFopData | kFopMetadata | kFopEntry))
    for (const auto& inode : inodesOf(call.id, call.req)) drop(inode);
}

}  // namespace gf
