// SPDX-License-Identifier: GPL-3.0-or-later
// AfrHealer: index-driven background self-heal, heal info and split-brain resolution.
#include "glusterfs/xlators/cluster/replicate/afr_healer.h"

#include <sstream>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/graph.h"
#include "glusterfs/core/log.h"
#include "glusterfs/core/path_walk.h"
#include "glusterfs/xlators/features/index/index_xlator.h"

namespace gf {

using namespace afr;
using Clock = std::chrono::steady_clock;

AfrHealer::AfrHealer(ReplicateXlator& afr) : afr_(afr), stopped_(std::make_shared<AsyncEvent>()) {}

AfrHealer::~AfrHealer() { stop(); }

void AfrHealer::start() {
  if (started_.exchange(true)) return;
  afr_.graph()->netLoop().post([this] { spawn(loop(), "afr-healer"); });
}

void AfrHealer::stop() { stopping_ = true; }

void AfrHealer::wake() { wakeRequested_ = true; }

AfrHealer::Stats AfrHealer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Task<void> AfrHealer::loop() {
  EventLoop& loop = afr_.graph()->netLoop();
  auto last = Clock::now();
  // A first pass soon after start-up: a restarted client resumes what was pending.
  wakeRequested_ = true;
  while (!stopping_) {
    co_await loop.sleepFor(std::chrono::milliseconds(500));
    if (stopping_) break;
    bool due = Clock::now() - last >= afr_.config().healInterval;
    if (!due && !wakeRequested_.exchange(false)) continue;
    size_t up = 0;
    for (bool b : afr_.upChildren()) up += b;
    if (up < 2) continue;  // nothing to heal from, or to
    co_await pass();
    last = Clock::now();
  }
}

Task<std::map<Gfid, std::string>> AfrHealer::collectIndex() {
  std::map<Gfid, std::string> all;
  auto up = afr_.upChildren();
  for (size_t i = 0; i < afr_.childCount(); ++i) {
    if (!up[i]) continue;
    GetxattrReq req{Loc{nullptr, {}, afr_.healTable().root()}, kIndexPendingKey};
    auto r = co_await afr_.child(i).getxattr(healCtx(), req);
    if (!r) continue;  // a brick without features/index: only lookups find its pending files
    std::istringstream in(r->xattrs[kIndexPendingKey]);
    std::string line;
    while (std::getline(in, line)) {
      size_t tab = line.find('\t');
      auto g = Gfid::parse(line.substr(0, tab));
      if (!g) continue;
      std::string path = tab == std::string::npos ? std::string() : line.substr(tab + 1);
      auto& slot = all[*g];
      if (slot.empty() || slot.rfind("<gfid:", 0) == 0) slot = path;
    }
  }
  co_return all;
}

Task<Result<Loc>> AfrHealer::resolvePath(const std::string& path, const Gfid& gfid) {
  InodeTable& t = afr_.healTable();
  CallCtx ctx = healCtx();
  auto byGfid = [&]() -> Task<Result<Loc>> {
    Iatt id;
    id.gfid = gfid;
    Loc l{nullptr, {}, t.link(t.create(), nullptr, {}, id)};
    LookupReq req{l, {}};
    auto r = co_await afr_.lookup(ctx, req);
    if (!r) co_return fail(r.error());
    co_return l;
  };
  if (path.empty() || path[0] != '/') co_return co_await byGfid();  // only the gfid is known
  // The index names the file as it was last seen there; it may have been renamed since on
  // the other copies (while this one was away): then its gfid finds it.
  auto byPath = co_await walkPath(afr_, t, ctx, path, WalkCache::kFresh);
  if (byPath && (gfid.isNull() || byPath->inode->gfid() == gfid)) co_return byPath;
  if (gfid.isNull()) co_return byPath ? Result<Loc>(fail(ESTALE)) : byPath;
  co_return co_await byGfid();
}

namespace {
// A zero-change xattrop on every changelog key: the brick's index sees the file is clean.
Task<void> refreshIndex(ReplicateXlator& afr, const Loc& loc) {
  Dict zeros;
  for (const auto& n : afr.childNames()) zeros[changelogKey(n)] = encodeCounts({0, 0, 0});
  XattropReq req{loc, XattropOp::kAddArray, zeros};
  auto up = afr.upChildren();
  for (size_t i = 0; i < afr.childCount(); ++i)
    if (up[i]) (void)co_await afr.child(i).xattrop(healCtx(), req);
}
// Nobody finds the file any more (removed everywhere, or renamed on a brick that then lost
// the entry): each brick's index checks its own entry and drops it if its path agrees.
Task<void> reportStale(ReplicateXlator& afr, const Gfid& gfid) {
  SetxattrReq req{Loc{nullptr, {}, afr.healTable().root()}, Dict{{kIndexStaleKey, gfid.str()}}, 0};
  auto up = afr.upChildren();
  for (size_t i = 0; i < afr.childCount(); ++i)
    if (up[i]) (void)co_await afr.child(i).setxattr(healCtx(), req);
}
}  // namespace

Task<void> AfrHealer::healOne(Gfid gfid, std::string path) {
  {
    std::lock_guard lock(mutex_);
    if (!inFlight_.insert(gfid).second) co_return;
  }
  auto loc = co_await resolvePath(path, gfid);
  HealResult r = HealResult::kFailed;
  if (loc) {
    r = co_await healInode(afr_, *loc);
    if (r == HealResult::kNothingToDo) co_await refreshIndex(afr_, *loc);
  } else {
    GF_LOG_DEBUG(afr_.name(), "heal: cannot find %s (%s): %s", path.c_str(), gfid.str().c_str(),
                 loc.error().message().c_str());
    if (loc.errnum() == ENOENT || loc.errnum() == ESTALE) co_await reportStale(afr_, gfid);
  }
  std::lock_guard lock(mutex_);
  inFlight_.erase(gfid);
  if (r == HealResult::kHealed) ++stats_.healed;
  if (r == HealResult::kFailed) ++stats_.failed;
  if (r == HealResult::kSplitBrain) {
    ++stats_.splitBrain;
    splitBrains_[gfid] = path;
  } else {
    splitBrains_.erase(gfid);
  }
}

Task<void> AfrHealer::pass() {
  {
    std::lock_guard lock(mutex_);
    if (stats_.running) co_return;
    stats_.running = true;
  }
  auto start = Clock::now();
  auto pending = co_await collectIndex();
  std::vector<std::pair<Gfid, std::string>> work(pending.begin(), pending.end());
  // Parents before children: shorter paths first, so directories are whole when files heal.
  std::stable_sort(work.begin(), work.end(), [](const auto& a, const auto& b) {
    return std::count(a.second.begin(), a.second.end(), '/') <
           std::count(b.second.begin(), b.second.end(), '/');
  });
  size_t width = static_cast<size_t>(afr_.config().healParallelism);
  for (size_t i = 0; i < work.size() && !stopping_; i += width) {
    std::vector<Task<void>> batch;
    for (size_t k = i; k < std::min(work.size(), i + width); ++k)
      batch.push_back(healOne(work[k].first, work[k].second));
    co_await whenAll(std::move(batch));
  }
  std::lock_guard lock(mutex_);
  stats_.running = false;
  ++stats_.passes;
  stats_.lastPassPending = work.size();
  stats_.lastPassSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!work.empty())
    GF_LOG_INFO(afr_.name(), "self-heal pass: %zu pending entries handled in %.2f s", work.size(),
                stats_.lastPassSeconds);
}

Task<void> AfrHealer::passNow() { co_await pass(); }

void AfrHealer::healInBackground(const Loc& loc) {
  if (!loc.inode || loc.inode->gfid().isNull()) return;
  Gfid g = loc.inode->gfid();
  {
    std::lock_guard lock(mutex_);
    if (inFlight_.count(g)) return;
    inFlight_.insert(g);
  }
  auto run = [](AfrHealer* self, Loc l, Gfid g) -> Task<void> {
    HealResult r = co_await healData(self->afr_, l);
    std::lock_guard lock(self->mutex_);
    self->inFlight_.erase(g);
    if (r == HealResult::kHealed) ++self->stats_.healed;
    if (r == HealResult::kFailed) ++self->stats_.failed;
    if (r == HealResult::kSplitBrain) self->splitBrains_[g] = l.path();
  };
  afr_.graph()->netLoop().post([this, run, loc, g] { spawn(run(this, loc, g), "afr-bg-heal"); });
}

Task<std::string> AfrHealer::info() {
  auto pending = co_await collectIndex();
  auto up = afr_.upChildren();
  Stats s = stats();
  std::ostringstream out;
  out << "Volume " << afr_.name() << ": " << afr_.childCount() << " copies, quorum "
      << afr_.quorumCount() << "\n";
  for (size_t i = 0; i < afr_.childCount(); ++i)
    out << "  " << afr_.childNames()[i] << ": " << (up[i] ? "up" : "down") << "\n";
  out << "Self-heal: " << (afr_.config().selfHealDaemon ? "on" : "off") << ", passes "
      << s.passes << ", healed " << s.healed << ", failed " << s.failed << ", "
      << (s.running ? "a pass is running" : "idle") << "\n";
  out << "Pending heal: " << pending.size() << " entries\n";
  size_t shown = 0;
  for (const auto& [g, p] : pending) {
    if (++shown > 100) {
      out << "  ...\n";
      break;
    }
    out << "  " << (p.empty() ? "<gfid:" + g.str() + ">" : p) << "\n";
  }
  std::lock_guard lock(mutex_);
  out << "Split-brain: " << splitBrains_.size() << " entries\n";
  for (const auto& [g, p] : splitBrains_) out << "  " << p << " (gfid " << g.str() << ")\n";
  out << "Heals in progress: " << inFlight_.size() << "\n";
  co_return out.str();
}

Task<Status> AfrHealer::resolve(const Loc& loc, const std::string& how) {
  int source = -1;
  if (how.rfind("child:", 0) == 0) {
    std::string name = how.substr(6);
    for (size_t i = 0; i < afr_.childCount(); ++i)
      if (afr_.childNames()[i] == name) source = static_cast<int>(i);
    if (source < 0) co_return fail(EINVAL);
  } else if (how == "bigger-file" || how == "latest-mtime") {
    auto view = co_await lookupAll(afr_, healCtx(), loc);
    for (size_t i = 0; i < afr_.childCount(); ++i) {
      if (!view.answered(i)) continue;
      if (source < 0) {
        source = static_cast<int>(i);
        continue;
      }
      const Iatt& a = view.stat(i);
      const Iatt& b = view.stat(source);
      bool better = how == "bigger-file" ? a.size > b.size : a.mtime > b.mtime;
      if (better) source = static_cast<int>(i);
    }
    if (source < 0) co_return fail(ENOTCONN);
  } else {
    co_return fail(EINVAL);
  }
  GF_LOG_WARNING(afr_.name(), "%s: resolving with %s as the source (%s)", loc.path().c_str(),
                 afr_.childNames()[source].c_str(), how.c_str());
  HealResult r = co_await healInode(afr_, loc, HealChoice{source});
  if (r != HealResult::kHealed && r != HealResult::kNothingToDo) co_return fail(EIO);
  std::lock_guard lock(mutex_);
  if (loc.inode) splitBrains_.erase(loc.inode->gfid());
  co_return Status{};
}

}  // namespace gf
