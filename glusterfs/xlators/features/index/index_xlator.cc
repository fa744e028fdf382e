// SPDX-License-Identifier: GPL-3.0-or-later
// features/index: keeps `index-base` in step with which files have pending changelogs.
#include "glusterfs/xlators/features/index/index_xlator.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "glusterfs/core/log.h"

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

Task<Result<Empty>> IndexXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  Gfid gfid = req.loc.gfid();
  uint32_t links = 0;
  if (indexed(gfid)) {
    StatReq before{req.loc};
    auto st = co_await child().stat(ctx, before);
    if (st) links = st->stat.nlink;
  }
  auto r = co_await child().unlink(ctx, req);
  if (r && links == 1) forget(gfid);
  co_return r;
}

Task<Result<Empty>> IndexXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  Gfid gfid = req.loc.gfid();
  auto r = co_await child().rmdir(ctx, req);
  if (r && indexed(gfid)) forget(gfid);
  co_return r;
}

size_t IndexXlator::pendingCount() const {
  std::lock_guard lock(mutex_);
  return dirty_.size();
}

}  // namespace gf
