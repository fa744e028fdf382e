// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate: options, child state, quorum, and which copy serves reads.
#include "glusterfs/xlators/cluster/replicate/replicate_xlator.h"

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_healer.h"

namespace gf {

namespace {
// Per-inode: which copies hold good data and metadata, as last seen by a lookup or heal.
struct AfrInodeCtx {
  std::mutex mutex;
  std::vector<bool> readable;
  bool dataSplitBrain = false;
  bool metadataSplitBrain = false;
  bool locksTaken = false;  // fcntl or flock locks through this client (see noteLocksTaken)
};

std::shared_ptr<AfrInodeCtx> ctxOf(const ReplicateXlator* afr, const InodePtr& inode) {
  return inode->ctx().getOrCreate<AfrInodeCtx>(afr, [] { return std::make_shared<AfrInodeCtx>(); });
}
}  // namespace

const OptionTable<ReplicateXlator::Config>& ReplicateXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .xlator("read-subvolume", &C::readSubvolume,
                  "Child to read from (default: spread over the good copies by file).")
          .xlator("favorite-child", &C::favoriteChild,
                  "Child whose copy wins a split-brain (use with care: the other copy's changes "
                  "are lost).")
          .boolean("data-self-heal", &C::dataSelfHeal, true, "Heal file contents.")
          .boolean("metadata-self-heal", &C::metadataSelfHeal, true,
                   "Heal attributes and extended attributes.")
          .boolean("entry-self-heal", &C::entrySelfHeal, true, "Heal directory entries.")
          .boolean("data-change-log", &C::dataChangeLog, true, "Keep changelogs for data.")
          .boolean("metadata-change-log", &C::metadataChangeLog, true,
                   "Keep changelogs for metadata.")
          .boolean("entry-change-log", &C::entryChangeLog, true,
                   "Keep changelogs for directory entries.")
          .integer("data-lock-server-count", &C::dataLockServerCount, 0, 0, 64,
                   "Children to take data locks on (0: all; 2.0 locked on 1).")
          .integer("metadata-lock-server-count", &C::metadataLockServerCount, 0, 0, 64,
                   "Children to take metadata locks on (0: all).")
          .integer("entry-lock-server-count", &C::entryLockServerCount, 0, 0, 64,
                   "Children to take entry locks on (0: all).")
          .string("quorum", &C::quorum, "auto",
                  "Copies that must be reachable for a change: auto (a majority when there are "
                  "3 or more children, else 1), none, majority, or a number.")
          .size("self-heal-block-size", &C::healBlockSize, "128KB", 4096, 64 << 20,
                "Block compared by checksum (and copied when different) in data self-heal.")
          .integer("self-heal-parallelism", &C::healParallelism, 4, 1, 64,
                   "Files the background healer heals at once.")
          .integer("data-self-heal-window-size", &C::healWindow, 8, 1, 1024,
                   "Blocks of one file compared and copied at once in data self-heal.")
          .time("self-heal-interval", &C::healInterval, "60", 1000, 86400000,
                "How often the background healer looks at the bricks' pending index.")
          .boolean("self-heal-daemon", &C::selfHealDaemon, true,
                   "Heal pending files in the background (from the bricks' index).");
  return table;
}

ReplicateXlator::ReplicateXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)), healTable_(0) {
  for (auto* c : children()) childNames_.push_back(c->name());
  up_.assign(children().size(), false);
}

ReplicateXlator::~ReplicateXlator() = default;

Status ReplicateXlator::init() {
  auto indexOf = [&](const std::string& n) -> int {
    for (size_t i = 0; i < childNames_.size(); ++i)
      if (childNames_[i] == n) return static_cast<int>(i);
    return -1;
  };
  if (!config_.readSubvolume.empty() && (readSubvolume_ = indexOf(config_.readSubvolume)) < 0) {
    GF_LOG_ERROR(name(), "read-subvolume '%s' is not a child", config_.readSubvolume.c_str());
    return fail(EINVAL);
  }
  if (!config_.favoriteChild.empty() && (favorite_ = indexOf(config_.favoriteChild)) < 0) {
    GF_LOG_ERROR(name(), "favorite-child '%s' is not a child", config_.favoriteChild.c_str());
    return fail(EINVAL);
  }
  size_t n = childCount();
  const std::string& q = config_.quorum;
  if (q == "auto") quorum_ = n >= 3 ? n / 2 + 1 : 1;
  else if (q == "none") quorum_ = 1;
  else if (q == "majority") quorum_ = n / 2 + 1;
  else {
    char* end = nullptr;
    long v = strtol(q.c_str(), &end, 10);
    if (!end || *end || v < 1 || static_cast<size_t>(v) > n) {
      GF_LOG_ERROR(name(), "quorum '%s': use auto, none, majority or a number from 1 to %zu",
                   q.c_str(), n);
      return fail(EINVAL);
    }
    quorum_ = static_cast<size_t>(v);
  }
  healer_ = std::make_unique<AfrHealer>(*this);
  GF_LOG_INFO(name(), "%zu copies, quorum %zu", n, quorum_);
  return {};
}

void ReplicateXlator::start() {
  if (config_.selfHealDaemon) healer_->start();
}

void ReplicateXlator::stop() {
  if (healer_) healer_->stop();
}

void ReplicateXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) return notifyChildren(ev);
  int idx = -1;
  for (size_t i = 0; i < children().size(); ++i)
    if (&child(i) == ev.from) idx = static_cast<int>(i);
  if (idx < 0) return;
  bool sendUp = false, sendDown = false, cameBack = false;
  {
    std::lock_guard lock(mutex_);
    bool was = up_[idx];
    up_[idx] = ev.type == EventType::kChildUp;
    cameBack = !was && up_[idx];
    size_t count = 0;
    for (bool b : up_) count += b;
    // Up once any copy serves (reads work; changes need the quorum); down when none does.
    if (count > 0 && !announcedUp_) announcedUp_ = sendUp = true;
    if (count == 0 && announcedUp_) {
      announcedUp_ = false;
      sendDown = true;
    }
  }
  if (ev.type == EventType::kChildDown)
    GF_LOG_WARNING(name(), "child %s is down%s%s", childNames_[idx].c_str(),
                   ev.reason.empty() ? "" : ": ", ev.reason.c_str());
  else
    GF_LOG_INFO(name(), "child %s is up", childNames_[idx].c_str());
  if (sendUp) notifyParents(EventType::kChildUp);
  if (sendDown) notifyParents(EventType::kChildDown, "all copies are down");
  if (cameBack && healer_) healer_->wake();
}

std::vector<bool> ReplicateXlator::upChildren() const {
  std::lock_guard lock(mutex_);
  return up_;
}

void ReplicateXlator::setReadable(const InodePtr& inode, const std::vector<bool>& good,
                                  bool dataSplitBrain, bool metadataSplitBrain) {
  if (!inode) return;
  auto ctx = ctxOf(this, inode);
  std::lock_guard lock(ctx->mutex);
  ctx->readable = good;
  ctx->dataSplitBrain = dataSplitBrain;
  ctx->metadataSplitBrain = metadataSplitBrain;
}

void ReplicateXlator::markBehind(const InodePtr& inode, const std::vector<bool>& inStep) {
  if (!inode) return;
  auto ctx = ctxOf(this, inode);
  std::lock_guard lock(ctx->mutex);
  if (ctx->readable.size() != inStep.size()) ctx->readable.assign(inStep.size(), true);
  bool any = false;
  for (size_t i = 0; i < inStep.size(); ++i)
    any |= (ctx->readable[i] = ctx->readable[i] && inStep[i]);
  // The copies that just took the change are good whatever was thought before.
  if (!any) ctx->readable = inStep;
}

void ReplicateXlator::noteLocksTaken(const InodePtr& inode) {
  if (!inode) return;
  auto ctx = ctxOf(this, inode);
  std::lock_guard lock(ctx->mutex);
  ctx->locksTaken = true;
}

bool ReplicateXlator::locksTaken(const InodePtr& inode) const {
  if (!inode) return true;
  auto ctx = inode->ctx().get<AfrInodeCtx>(this);
  if (!ctx) return false;
  std::lock_guard lock(ctx->mutex);
  return ctx->locksTaken;
}

bool ReplicateXlator::dataSplitBrain(const InodePtr& inode) const {
  if (!inode) return false;
  auto ctx = inode->ctx().get<AfrInodeCtx>(this);
  if (!ctx) return false;
  std::lock_guard lock(ctx->mutex);
  return ctx->dataSplitBrain;
}

size_t ReplicateXlator::preferredChild(const Gfid& gfid) const {
  if (readSubvolume_ >= 0) return static_cast<size_t>(readSubvolume_);
  return gfid.isNull() ? 0 : GfidHash()(gfid) % childCount();
}

std::vector<size_t> ReplicateXlator::readOrder(const InodePtr& inode, bool allowStale) const {
  const size_t n = childCount();
  std::vector<bool> up = upChildren();
  std::vector<bool> good(n, true);
  if (inode)
    if (auto ctx = inode->ctx().get<AfrInodeCtx>(this)) {
      std::lock_guard lock(ctx->mutex);
      if (ctx->readable.size() == n) good = ctx->readable;
    }
  size_t first = preferredChild(inode ? inode->gfid() : Gfid{});
  std::vector<size_t> order;
  // Good copies that are up, starting at the preferred one; then any other live copy (a
  // copy being healed is better than no answer for attributes).
  for (size_t k = 0; k < n; ++k) {
    size_t i = (first + k) % n;
    if (up[i] && good[i]) order.push_back(i);
  }
  if (allowStale)
    for (size_t k = 0; k < n; ++k) {
      size_t i = (first + k) % n;
      if (up[i] && !good[i]) order.push_back(i);
    }
  return order;
}

}  // namespace gf
