// SPDX-License-Identifier: GPL-3.0-or-later
// performance/io-cache: per-file page maps validated by mtime and size, bounded globally.
#include "glusterfs/xlators/performance/io-cache/io_cache_xlator.h"

#include <fnmatch.h>

#include <atomic>
#include <map>
#include <sstream>

#include "glusterfs/core/fop_format.h"

namespace gf {

struct IoCacheXlator::File {
  std::mutex mutex;
  std::map<uint64_t, Payload> pages;  // by page offset
  int64_t bytes = 0;
  Timespec mtime;
  uint64_t size = 0;
  bool known = false;
  std::chrono::steady_clock::time_point checked;
  uint64_t generation = 0;  // bumped by every change made through this client
  int priority = 1;
  // The cache's total: pages of a forgotten inode must stop counting against cache-size.
  std::shared_ptr<std::atomic<int64_t>> total;
  ~File() {
    if (total) *total -= bytes;
  }
};

namespace {
std::vector<std::pair<std::string, int>> parsePriorities(const std::string& text) {
  std::vector<std::pair<std::string, int>> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t colon = item.rfind(':');
    if (colon == std::string::npos)
      throw OptionValueError("'" + item + "' is not PATTERN:PRIORITY");
    try {
      out.emplace_back(item.substr(0, colon), std::stoi(item.substr(colon + 1)));
    } catch (const std::exception&) {
      throw OptionValueError("'" + item + "': the priority is not a number");
    }
  }
  return out;
}
}  // namespace

const OptionTable<IoCacheXlator::Config>& IoCacheXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .size("cache-size", &C::cacheSize, "32MB", 1 << 20, int64_t{1} << 40,
                "Memory for cached pages.")
          .time("cache-timeout", &C::cacheTimeout, "1", 0, 3600000,
                "How long pages are trusted before the file is looked at again.")
          .size("page-size", &C::pageSize, "128KB", 4096, 16 << 20, "Size of a cached page.")
          .add({"priority",
                {},
                OptionKind::kString,
                "",
                INT64_MIN,
                INT64_MAX,
                {},
                false,
                "PATTERN:PRIORITY list; higher priority pages stay longer (\"*.h:3,*:1\")."},
               [](C& c, const OptionValue& v) { c.priorities = parsePriorities(v.text); });
  return table;
}

IoCacheXlator::IoCacheXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(std::move(config)) {}

int IoCacheXlator::priorityOf(const InodePtr& inode) const {
  InodePtr parent;
  std::string name;
  if (!inode->firstDentry(parent, name)) return 1;
  for (const auto& [pattern, prio] : config_.priorities)
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return prio;
  return 1;
}

void IoCacheXlator::account(const std::shared_ptr<File>& f, int64_t delta) {
  std::lock_guard lock(mutex_);
  *bytes_ += delta;
  if (delta > 0) {
    files_.remove_if([&](const std::weak_ptr<File>& w) { return w.expired() || w.lock() == f; });
    files_.push_back(f);
  }
  // Pages go lowest priority first, least recently used file among equals. The file being
  // read is a candidate too: a low-priority file must not push out a high-priority one just
  // because it is the one being read now.
  while (*bytes_ > config_.cacheSize && !files_.empty()) {
    auto victim = files_.end();
    int lowest = INT32_MAX;
    for (auto it = files_.begin(); it != files_.end(); ++it)
      if (auto s = it->lock(); s && s->priority < lowest) lowest = s->priority, victim = it;
    if (victim == files_.end()) break;
    auto s = victim->lock();
    std::lock_guard l(s->mutex);
    while (*bytes_ > config_.cacheSize && !s->pages.empty()) {
      auto page = s->pages.begin();
      auto size = static_cast<int64_t>(page->second.size());
      s->pages.erase(page);
      s->bytes -= size;
      *bytes_ -= size;
    }
    if (s->pages.empty()) files_.erase(victim);
  }
}

void IoCacheXlator::drop(const std::shared_ptr<File>& f) {
  int64_t freed;
  {
    std::lock_guard lock(f->mutex);
    freed = f->bytes;
    f->pages.clear();
    f->bytes = 0;
    f->known = false;
    ++f->generation;
  }
  if (freed) account(f, -freed);
}

Task<Result<ReadvReply>> IoCacheXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  const InodePtr& inode = req.fd->inode();
  auto f = inode->ctx().getOrCreate<File>(this, [&] {
    auto nf = std::make_shared<File>();
    nf->priority = priorityOf(inode);
    nf->total = bytes_;
    return nf;
  });
  // Out of date? Look at the file's attributes again and keep the pages only if unchanged.
  bool stale;
  {
    std::lock_guard lock(f->mutex);
    stale = !f->known || std::chrono::steady_clock::now() - f->checked > config_.cacheTimeout;
  }
  if (stale) {
    FstatReq st{req.fd};
    auto a = co_await child().fstat(ctx, st);
    if (!a) co_return fail(a.error());
    int64_t freed = 0;
    {
      std::lock_guard lock(f->mutex);
      if (!f->known || a->stat.mtime != f->mtime || a->stat.size != f->size) {
        freed = f->bytes;
        f->pages.clear();
        f->bytes = 0;
        ++f->generation;
      }
      f->mtime = a->stat.mtime;
      f->size = a->stat.size;
      f->known = true;
      f->checked = std::chrono::steady_clock::now();
    }
    if (freed) account(f, -freed);
  }
  const uint64_t ps = static_cast<uint64_t>(config_.pageSize);
  uint64_t first = req.offset / ps * ps;
  uint64_t end = req.offset + req.size;
  Payload out;
  for (uint64_t page = first; page < end; page += ps) {
    Payload data;
    uint64_t gen;
    bool have = false;
    {
      std::lock_guard lock(f->mutex);
      gen = f->generation;
      if (auto it = f->pages.find(page); it != f->pages.end()) data = it->second, have = true;
    }
    if (!have) {
      ReadvReq rd{req.fd, ps, page, req.flags};
      auto r = co_await child().readv(ctx, rd);
      if (!r) {
        if (out.empty()) co_return fail(r.error());
        break;
      }
      data = std::move(r->data);
      int64_t added = 0;
      {
        std::lock_guard lock(f->mutex);
        if (f->generation == gen && !f->pages.count(page)) {
          f->pages[page] = data;
          f->bytes += static_cast<int64_t>(data.size());
          added = static_cast<int64_t>(data.size());
        }
      }
      if (added) account(f, added);
    }
    uint64_t from = page < req.offset ? req.offset - page : 0;
    if (from >= data.size()) break;
    uint64_t take = std::min<uint64_t>(data.size() - from, end - (page + from));
    out.append(data.sub(from, take));
    if (data.size() < ps) break;  // end of file
  }
  co_return ReadvReply{std::move(out)};
}

// A change through this client makes the file's pages worthless: both when it goes down and
// when it has been done, since a read racing with it may have cached what it replaced.
Task<Status> IoCacheXlator::before(CallCtx&, const FopCall& call) {
  dropChanged(call);
  co_return Status{};
}

void IoCacheXlator::after(const CallCtx&, const FopCall& call, FopOutcome&) { dropChanged(call); }

void IoCacheXlator::dropChanged(const FopCall& call) {
  if (call.info().flags & (kFopData | kFopMetadata))
    for (const auto& inode : inodesOf(call.id, call.req))
      if (auto f = inode->ctx().get<File>(this)) drop(f);
}

}  // namespace gf
