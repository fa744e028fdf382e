// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe: options, block arithmetic, child state, per-inode block size.
#include "glusterfs/xlators/cluster/stripe/stripe_xlator.h"

#include <fnmatch.h>

#include <atomic>
#include <limits>
#include <sstream>

#include "glusterfs/core/log.h"

namespace gf {

namespace stripe {

size_t childOf(uint64_t offset, uint64_t blockSize, size_t children) {
  return static_cast<size_t>((offset / blockSize) % children);
}

std::vector<Piece> split(uint64_t offset, uint64_t length, uint64_t blockSize, size_t children) {
  std::vector<Piece> out;
  const uint64_t maxEnd = std::numeric_limits<uint64_t>::max();
  if (length > maxEnd - offset) length = maxEnd - offset;
  uint64_t pos = offset, end = offset + length;
  while (pos < end) {
    uint64_t blockEnd = (pos / blockSize + 1) * blockSize;  // cannot wrap: pos < 2^64 - 1
    if (blockEnd < pos) blockEnd = maxEnd;                  // last block of the address space
    uint64_t take = std::min(end, blockEnd) - pos;
    out.push_back(Piece{childOf(pos, blockSize, children), pos, take});
    pos += take;
  }
  return out;
}

}  // namespace stripe

namespace {
struct StripeInodeCtx {
  std::atomic<uint64_t> blockSize{0};
  std::mutex mutex;
  std::shared_ptr<AsyncEvent> lastAppend;  // set when the latest queued append is done
};

// "*.mpg:1MB,*:128KB" -> patterns with sizes, in order.
std::vector<std::pair<std::string, uint64_t>> parseBlockSizes(const std::string& text) {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, e - b + 1);
    std::string pattern = "*", size = item;
    if (size_t colon = item.rfind(':'); colon != std::string::npos) {
      pattern = item.substr(0, colon);
      size = item.substr(colon + 1);
    }
    OptionSpec spec;
    spec.kind = OptionKind::kSize;
    spec.min = 512;
    spec.max = int64_t{1} << 30;
    OptionValue v;
    std::string why;
    if (!parseOptionValue(spec, size, v, why))
      throw OptionValueError("block size for '" + pattern + "': " + why);
    out.emplace_back(pattern, static_cast<uint64_t>(v.number));
  }
  if (out.empty()) throw OptionValueError("no block size given");
  return out;
}
}  // namespace

const OptionTable<StripeXlator::Config>& StripeXlator::optionTable() {
  static const auto table = OptionTable<Config>().add(
      {"block-size",
       {},
       OptionKind::kString,
       "128KB",
       INT64_MIN,
       INT64_MAX,
       {},
       false,
       "Block size per file name pattern, first match wins: \"*.mpg:1MB,*:128KB\" "
       "(sizes from 512 bytes to 1GB)."},
      [](Config& c, const OptionValue& v) { c.blockSizes = parseBlockSizes(v.text); });
  return table;
}

StripeXlator::StripeXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)), ownTable_(0) {
  up_.assign(children().size(), false);
}

uint64_t StripeXlator::blockSizeFor(std::string_view name) const {
  std::string n(name);
  for (const auto& [pattern, size] : config_.blockSizes)
    if (fnmatch(pattern.c_str(), n.c_str(), 0) == 0) return size;
  return 128 * 1024;
}

uint64_t StripeXlator::blockSizeOf(const InodePtr& inode) const {
  if (inode)
    if (auto c = inode->ctx().get<StripeInodeCtx>(this))
      if (uint64_t bs = c->blockSize.load()) return bs;
  return config_.blockSizes.empty() ? 128 * 1024 : config_.blockSizes.back().second;
}

namespace {
std::shared_ptr<StripeInodeCtx> inodeCtx(const StripeXlator* s, const InodePtr& inode) {
  return inode->ctx().getOrCreate<StripeInodeCtx>(
      s, [] { return std::make_shared<StripeInodeCtx>(); });
}
}  // namespace

void StripeXlator::setBlockSize(const InodePtr& inode, uint64_t bs) {
  if (!inode || !bs) return;
  inodeCtx(this, inode)->blockSize = bs;
}

StripeXlator::AppendTurn StripeXlator::appendTurn(const InodePtr& inode) {
  AppendTurn turn{nullptr, std::make_shared<AsyncEvent>()};
  if (!inode) return turn;
  auto c = inodeCtx(this, inode);
  std::lock_guard lock(c->mutex);
  turn.before = std::exchange(c->lastAppend, turn.mine);
  return turn;
}

bool StripeXlator::allUp() const {
  std::lock_guard lock(mutex_);
  for (bool b : up_)
    if (!b) return false;
  return true;
}

// A file needs every child: the volume is up only when all are.
void StripeXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) return notifyChildren(ev);
  int idx = -1;
  for (size_t i = 0; i < children().size(); ++i)
    if (&child(i) == ev.from) idx = static_cast<int>(i);
  if (idx < 0) return;
  bool sendUp = false, sendDown = false;
  {
    std::lock_guard lock(mutex_);
    up_[idx] = ev.type == EventType::kChildUp;
    bool all = true;
    for (bool b : up_) all = all && b;
    if (all && !announcedUp_) announcedUp_ = sendUp = true;
    if (!all && announcedUp_) {
      announcedUp_ = false;
      sendDown = true;
    }
  }
  if (sendUp) notifyParents(EventType::kChildUp);
  if (sendDown)
    notifyParents(EventType::kChildDown, "stripe child " + child(idx).name() + " is down" +
                                             (ev.reason.empty() ? "" : ": " + ev.reason));
}

}  // namespace gf
