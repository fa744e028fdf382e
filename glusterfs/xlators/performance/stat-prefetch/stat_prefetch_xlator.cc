// SPDX-License-Identifier: GPL-3.0-or-later
// performance/stat-prefetch: per-directory cache of listed attributes.
#include "glusterfs/xlators/performance/stat-prefetch/stat_prefetch_xlator.h"

#include <map>
#include <mutex>

#include "glusterfs/core/fop_format.h"

namespace gf {

namespace {
struct Listed {
  std::mutex mutex;
  std::map<std::string, Iatt> names;
  std::chrono::steady_clock::time_point at;
  uint64_t generation = 0;  // bumped by every forget(): a listing sent before is out of date
};
}  // namespace

const OptionTable<StatPrefetchXlator::Config>& StatPrefetchXlator::optionTable() {
  static const auto table =
      OptionTable<Config>().time("cache-timeout", &Config::cacheTimeout, "1", 0, 3600000,
                                 "How long listed attributes answer lookups.");
  return table;
}

StatPrefetchXlator::StatPrefetchXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(config) {}

void StatPrefetchXlator::forget(const InodePtr& dir) {
  if (!dir) return;
  if (auto l = dir->ctx().get<Listed>(this)) {
    std::lock_guard lock(l->mutex);
    l->names.clear();
    ++l->generation;
  }
}

Task<Result<EntryReply>> StatPrefetchXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  if (req.xattrs.empty() && req.loc.parent && !req.loc.name.empty())
    if (auto l = req.loc.parent->ctx().get<Listed>(this)) {
      std::lock_guard lock(l->mutex);
      auto it = l->names.find(req.loc.name);
      if (it != l->names.end() &&
          std::chrono::steady_clock::now() - l->at <= config_.cacheTimeout &&
          (!req.loc.inode || !req.loc.inode->linked() || req.loc.inode->gfid() == it->second.gfid))
        co_return EntryReply{it->second, {}};
    }
  co_return co_await child().lookup(ctx, req);
}

Task<Result<ReaddirReply>> StatPrefetchXlator::readdirp(const CallCtx& ctx,
                                                        const ReaddirpReq& req) {
  if (!req.fd->inode()) co_return co_await child().readdirp(ctx, req);
  auto l =
      req.fd->inode()->ctx().getOrCreate<Listed>(this, [] { return std::make_shared<Listed>(); });
  uint64_t generation;
  {
    std::lock_guard lock(l->mutex);
    generation = l->generation;
  }
  auto r = co_await child().readdirp(ctx, req);
  if (!r) co_return r;
  std::lock_guard lock(l->mutex);
  // A change made while the listing was on its way may not be in it.
  if (l->generation != generation) co_return r;
  if (req.offset == 0) l->names.clear();
  l->at = std::chrono::steady_clock::now();
  for (const auto& e : r->entries)
    if (!e.stat.gfid.isNull() && e.name != "." && e.name != "..") l->names[e.name] = e.stat;
  co_return r;
}

// A change forgets the directory listings it could make stale: the directory a name changes
// in, and the directory a changed file was listed in. Both when it goes down and when it has
// been done, since a listing read in between may hold the old attributes.
Task<Status> StatPrefetchXlator::before(CallCtx&, const FopCall& call) {
  forgetChanged(call);
  co_return Status{};
}

void StatPrefetchXlator::after(const CallCtx&, const FopCall& call, FopOutcome&) {
  forgetChanged(call);
}

void StatPrefetchXlator::forgetChanged(const FopCall& call) {
  if (call.info().flags & (kFopData | kFopMetadata | kFopEntry))
    for (const auto& inode : inodesOf(call.id, call.req)) {
      forget(inode);  // a directory itself
      InodePtr parent;
      std::string name;
      if (inode->firstDentry(parent, name)) forget(parent);
    }
}

}  // namespace gf
