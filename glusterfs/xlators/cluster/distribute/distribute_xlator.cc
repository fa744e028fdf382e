// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/distribute: options, child state, per-inode placement state, free-space placement.
#include "glusterfs/xlators/cluster/distribute/distribute_xlator.h"

#include <sys/stat.h>

#include "glusterfs/core/log.h"

namespace gf {

namespace {
struct DhtInodeCtx {
  std::mutex mutex;
  std::optional<dht::Layout> layout;  // directories
  int cached = -1;                    // files: the child holding the data
};

std::shared_ptr<DhtInodeCtx> ctxOf(const DistributeXlator* x, const InodePtr& inode) {
  return inode->ctx().getOrCreate<DhtInodeCtx>(x, [] { return std::make_shared<DhtInodeCtx>(); });
}
}  // namespace

namespace dht {
// A file being migrated is a linkfile too (with data arriving): follow it to the source.
bool isLinkfile(const Iatt& st, const Dict& xdata) {
  return S_ISREG(st.mode) && (st.mode & 07777) == S_ISVTX && xdata.count(kLinktoKey);
}

bool mayBeLinkfileInTheMaking(const Iatt& st, const Dict& xdata) {
  return S_ISREG(st.mode) && (st.mode & 07777) == S_ISVTX && st.size == 0 &&
         !xdata.count(kLinktoKey);
}
}  // namespace dht

const OptionTable<DistributeXlator::Config>& DistributeXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .boolean("lookup-unhashed", &C::lookupUnhashed, true,
                   "When a name is not on its hashed child, look on every child.")
          .percent("min-free-disk", &C::minFreeDiskPercent, 10,
                   "Create new files elsewhere (with a linkfile) when the hashed child has less "
                   "free space than this.")
          .boolean("rsync-hash", &C::rsyncHash, true,
                   "Hash rsync temp names .NAME.XXXXXX as NAME.")
          .boolean("maildir-hash", &C::maildirHash, true,
                   "Hash maildir names NAME:2,FLAGS as NAME (mail stays put as flags change).");
  return table;
}

const OptionTable<DistributeXlator::Config>& NufaXlator::optionTable() {
  using C = Config;
  static const auto table = [] {
    auto t = DistributeXlator::optionTable();
    t.xlator("local-volume-name", &C::localVolumeName,
             "Child local to this client: new files go there while it has room.")
        .required();
    return t;
  }();
  return table;
}

DistributeXlator::DistributeXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)), ownTable_(0) {
  up_.assign(children().size(), false);
}

DistributeXlator::~DistributeXlator() = default;

Status DistributeXlator::init() { return {}; }

Status NufaXlator::init() {
  localChild_ = childIndex(config().localVolumeName);
  if (localChild_ < 0) {
    GF_LOG_ERROR(name(), "local-volume-name '%s' is not a child", config().localVolumeName.c_str());
    return fail(EINVAL);
  }
  return {};
}

int DistributeXlator::childIndex(std::string_view n) const {
  for (size_t i = 0; i < children().size(); ++i)
    if (child(i).name() == n) return static_cast<int>(i);
  return -1;
}

void DistributeXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) return notifyChildren(ev);
  int idx = -1;
  for (size_t i = 0; i < children().size(); ++i)
    if (&child(i) == ev.from) idx = static_cast<int>(i);
  if (idx < 0) return;
  bool sendUp = false, sendDown = false;
  {
    std::lock_guard lock(mutex_);
    up_[idx] = ev.type == EventType::kChildUp;
    size_t count = 0;
    for (bool b : up_) count += b;
    if (count > 0 && !announcedUp_) announcedUp_ = sendUp = true;
    if (count == 0 && announcedUp_) {
      announcedUp_ = false;
      sendDown = true;
    }
  }
  if (ev.type == EventType::kChildDown)
    GF_LOG_WARNING(name(), "child %s is down: its files are unavailable%s%s",
                   child(idx).name().c_str(), ev.reason.empty() ? "" : ": ", ev.reason.c_str());
  if (sendUp) notifyParents(EventType::kChildUp);
  if (sendDown) notifyParents(EventType::kChildDown, "all children are down");
}

std::vector<bool> DistributeXlator::upChildren() const {
  std::lock_guard lock(mutex_);
  return up_;
}

int DistributeXlator::hashedChild(const InodePtr& dir, std::string_view n) const {
  auto layout = layoutOf(dir);
  if (!layout) return -1;
  return layout->childFor(dht::nameHash(n, hashRules()));
}

int DistributeXlator::cachedChild(const InodePtr& inode) const {
  if (!inode) return -1;
  auto c = inode->ctx().get<DhtInodeCtx>(this);
  if (!c) return -1;
  std::lock_guard lock(c->mutex);
  return c->cached;
}

void DistributeXlator::setCached(const InodePtr& inode, int child) {
  if (!inode) return;
  auto c = ctxOf(this, inode);
  std::lock_guard lock(c->mutex);
  c->cached = child;
}

void DistributeXlator::setLayout(const InodePtr& dir, const dht::Layout& layout) {
  if (!dir) return;
  auto c = ctxOf(this, dir);
  std::lock_guard lock(c->mutex);
  c->layout = layout;
}

std::optional<dht::Layout> DistributeXlator::layoutOf(const InodePtr& dir) const {
  if (!dir) return std::nullopt;
  auto c = dir->ctx().get<DhtInodeCtx>(this);
  if (!c) return std::nullopt;
  std::lock_guard lock(c->mutex);
  return c->layout;
}

Task<int> DistributeXlator::placementFor(int hashed) {
  auto up = upChildren();
  int preferred = localChild_ >= 0 && up[localChild_] ? localChild_ : hashed;
  if (config_.minFreeDiskPercent <= 0 || preferred < 0) co_return preferred;
  // Free space of every live child (cached for a second); the preferred one unless short.
  std::vector<double> freeShare;
  {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - freeCheckedAt_ < std::chrono::seconds(1))
      freeShare = freeShare_;
  }
  if (freeShare.empty()) {
    freeShare.assign(childCount(), -1);
    StatfsReq req{Loc{nullptr, {}, ownTable_.root()}};
    for (size_t i = 0; i < childCount(); ++i) {
      if (!up[i]) continue;
      auto s = co_await child(i).statfs(CallCtx::root(), req);
      if (s && s->stat.blocks) freeShare[i] = 100.0 * s->stat.bavail / s->stat.blocks;
    }
    std::lock_guard lock(mutex_);
    freeShare_ = freeShare;
    freeCheckedAt_ = std::chrono::steady_clock::now();
  }
  if (freeShare[preferred] < 0 || freeShare[preferred] >= config_.minFreeDiskPercent)
    co_return preferred;
  int best = preferred;
  for (size_t i = 0; i < childCount(); ++i)
    if (freeShare[i] > freeShare[best]) best = static_cast<int>(i);
  if (best != preferred)
    GF_LOG_INFO(name(), "%s has %.1f%% free (min-free-disk %lld%%): new file goes to %s",
                child(preferred).name().c_str(), freeShare[preferred],
                (long long)config_.minFreeDiskPercent, child(best).name().c_str());
  co_return best;
}

}  // namespace gf
