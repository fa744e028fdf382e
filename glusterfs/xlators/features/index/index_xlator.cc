// SPDX-License-Identifier: GPL-3.0-or-later
// features/index: keeps `index-base` in step with which files have pending changelogs.
#include "glusterfs/xlators/features/index/index_xlator.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "glusterfs/core/log.h"
#include "glusterfs/core/path_walk.h"

namespace gf {
namespace {
constexpr std::string_view kAfrPrefix = "trusted.afr.";

bool allZero(const std::string& v) {
  for (char c : v)
    if (c) return false;
  return true;
}
}  // namespace

const OptionTable<IndexXlator::Config>& IndexXlator::optionTable() {
  static const auto table = OptionTable<Config>()
                                .path("index-base", &Config::indexBase, "",
                                      "Directory holding the index (outside the brick).")
                                .required();
  return table;
}

IndexXlator::IndexXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)) {}

IndexXlator::~IndexXlator() {
  if (dirFd_ >= 0) close(dirFd_);
}

Status IndexXlator::init() {
  // Create the directory (and its parents) if needed.
  std::string path;
  for (size_t i = 1; i <= config_.indexBase.size(); ++i)
    if (i == config_.indexBase.size() || config_.indexBase[i] == '/') {
      path = config_.indexBase.substr(0, i);
      if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST) {
        GF_LOG_ERROR(name(), "cannot create index directory %s: %s", path.c_str(), strerror(errno));
        return fail(errno);
      }
    }
  dirFd_ = ::open(config_.indexBase.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd_ < 0) {
    GF_LOG_ERROR(name(), "cannot open index directory %s: %s", config_.indexBase.c_str(),
                 strerror(errno));
    return fail(errno);
  }
  // Entries from before a restart stay dirty until a full reply shows them clean.
  DIR* d = fdopendir(dup(dirFd_));
  size_t n = 0;
  if (d) {
    rewinddir(d);  // dups share the offset with dirFd_
    while (auto* e = ::readdir(d)) {
      if (auto g = Gfid::parse(e->d_name)) {
        dirty_[*g];
        ++n;
      }
    }
    closedir(d);
  }
  GF_LOG_INFO(name(), "index %s: %zu files pending heal", config_.indexBase.c_str(), n);
  return {};
}

void IndexXlator::observe(const Gfid& gfid, const std::string& path, const Dict& values) {
  bool touched = false;
  std::lock_guard lock(mutex_);
  auto it = dirty_.find(gfid);
  for (const auto& [k, v] : values) {
    if (std::string_view(k).substr(0, kAfrPrefix.size()) != kAfrPrefix) continue;
    touched = true;
    bool nonZero = !allZero(v);
    if (nonZero && it == dirty_.end()) {
      it = dirty_.emplace(gfid, std::map<std::string, bool>{}).first;
      std::string name = gfid.str();
      if (symlinkat(path.c_str(), dirFd_, name.c_str()) < 0 && errno != EEXIST)
        GF_LOG_WARNING(this->name(), "cannot index %s: %s", path.c_str(), strerror(errno));
    }
    if (it != dirty_.end()) it->second[k] = nonZero;
  }
  if (!touched || it == dirty_.end()) return;
  for (const auto& [k, dirty] : it->second)
    if (dirty) return;
  // Everything we have seen is clean. An entry restored from disk has seen nothing yet, and
  // then this reply alone is not proof enough; it stays until a later reply covers all keys.
  if (it->second.empty()) return;
  unlinkat(dirFd_, gfid.str().c_str(), 0);
  dirty_.erase(it);
}

Task<Result<XattrReply>> IndexXlator::xattrop(const CallCtx& ctx, const XattropReq& req) {
  auto r = co_await child().xattrop(ctx, req);
  if (r && req.loc.inode) observe(req.loc.inode->gfid(), req.loc.path(), r->xattrs);
  co_return r;
}

Task<Result<XattrReply>> IndexXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) {
  auto r = co_await child().fxattrop(ctx, req);
  if (r && req.fd) {
    Loc l;
    l.inode = req.fd->inode();
    observe(l.inode->gfid(), l.path(), r->xattrs);
  }
  co_return r;
}

Result<XattrReply> IndexXlator::listing() const {
  std::string out;
  // A dup shares its read offset with every other dup of dirFd_: start from the top.
  DIR* d = fdopendir(dup(dirFd_));
  if (!d) return fail(errno);
  rewinddir(d);
  while (auto* e = ::readdir(d)) {
    if (!Gfid::parse(e->d_name)) continue;
    char target[4096];
    ssize_t n = readlinkat(dirFd_, e->d_name, target, sizeof target - 1);
    out += e->d_name;
    out += '\t';
    if (n > 0) out.append(target, static_cast<size_t>(n));
    out += '\n';
  }
  closedir(d);
  XattrReply rep;
  rep.xattrs[kIndexPendingKey] = std::move(out);
  return rep;
}

Task<Result<XattrReply>> IndexXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) {
  if (req.name == kIndexPendingKey) return Task<Result<XattrReply>>::ready(listing());
  return child().getxattr(ctx, req);
}

bool IndexXlator::indexed(const Gfid& gfid) const {
  std::lock_guard lock(mutex_);
  return !gfid.isNull() && dirty_.count(gfid);
}

void IndexXlator::forget(const Gfid& gfid) {
  std::lock_guard lock(mutex_);
  if (dirty_.erase(gfid)) unlinkat(dirFd_, gfid.str().c_str(), 0);
}

Task<uint32_t> IndexXlator::linkCount(const CallCtx& ctx, const Loc& loc) {
  if (!indexed(loc.gfid())) co_return 0;
  StatReq before{loc};
  auto st = co_await child().stat(ctx, before);
  co_return st ? st->stat.nlink : 0;
}

Task<Result<Empty>> IndexXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  uint32_t links = co_await linkCount(ctx, req.loc);
  auto r = co_await child().unlink(ctx, req);
  if (r && links == 1) forget(req.loc.gfid());
  co_return r;
}

Task<Result<Empty>> IndexXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  Gfid gfid = req.loc.gfid();
  auto r = co_await child().rmdir(ctx, req);
  if (r && indexed(gfid)) forget(gfid);
  co_return r;
}

// The healer finds an indexed file by the path recorded here: it must follow renames.
Task<Result<AttrReply>> IndexXlator::rename(const CallCtx& ctx, const RenameReq& req) {
  bool exchange = req.flags & RENAME_EXCHANGE;
  uint32_t replacedLinks = exchange ? 0 : co_await linkCount(ctx, req.newLoc);
  Gfid moved = req.oldLoc.gfid(), other = req.newLoc.gfid();
  std::string from = req.oldLoc.path(), to = req.newLoc.path();
  auto r = co_await child().rename(ctx, req);
  if (!r) co_return r;
  if (replacedLinks == 1 && other != moved) forget(other);
  if (indexed(moved)) repoint(moved, to);
  if (exchange && indexed(other)) repoint(other, from);
  co_return r;
}

void IndexXlator::repoint(const Gfid& gfid, const std::string& path) {
  std::lock_guard lock(mutex_);
  if (!dirty_.count(gfid)) return;
  std::string name = gfid.str(), tmp = name + ".new";
  // Replaced in one step: a listing sees the old path or the new one, never no entry.
  unlinkat(dirFd_, tmp.c_str(), 0);
  if (symlinkat(path.c_str(), dirFd_, tmp.c_str()) < 0 ||
      renameat(dirFd_, tmp.c_str(), dirFd_, name.c_str()) < 0)
    GF_LOG_WARNING(this->name(), "cannot record the new path %s of %s: %s", path.c_str(),
                   name.c_str(), strerror(errno));
}

std::string IndexXlator::recordedPath(const Gfid& gfid) const {
  char target[4096];
  ssize_t n = readlinkat(dirFd_, gfid.str().c_str(), target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// The self-heal daemon found the file neither by this entry's path nor by its gfid. The entry
// goes only if this brick agrees: its path leads nowhere, or to another file.
Task<void> IndexXlator::dropIfStale(const CallCtx& ctx, const Gfid& gfid) {
  if (!indexed(gfid)) co_return;
  std::string path = recordedPath(gfid);
  if (path.empty() || path[0] != '/') co_return;  // only a gfid: nothing here can disprove it
  auto found = co_await walkPath(child(), walkTable_, ctx, path, WalkCache::kFresh);
  if (found && found->inode->gfid() == gfid) co_return;
  if (!found && found.errnum() != ENOENT && found.errnum() != ESTALE) co_return;
  GF_LOG_INFO(name(), "index entry %s (%s) is stale: %s", gfid.str().c_str(), path.c_str(),
              found ? "the path names another file" : "the path is gone");
  forget(gfid);
}

Task<Result<Empty>> IndexXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) {
  auto it = req.xattrs.find(kIndexStaleKey);
  if (it == req.xattrs.end()) co_return co_await child().setxattr(ctx, req);
  if (req.xattrs.size() != 1) co_return fail(EINVAL);
  auto g = Gfid::parse(it->second);
  if (!g) co_return fail(EINVAL);
  co_await dropIfStale(ctx, *g);
  co_return Empty{};
}

size_t IndexXlator::pendingCount() const {
  std::lock_guard lock(mutex_);
  return dirty_.size();
}

}  // namespace gf
