// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/unify: options (GlusterFS 2.0 names), the namespace, child state, scheduling input.
#include "glusterfs/xlators/cluster/unify/unify_xlator.h"

#include <sstream>
#include <stdexcept>

#include "glusterfs/core/graph.h"
#include "glusterfs/core/log.h"

namespace gf {

namespace {
struct UnifyInodeCtx {
  int child = -1;
  bool healed = false;
};
struct UnifyFdCtx {
  int child = -1;
};

std::string middle(const std::string& key, std::string_view prefix, std::string_view suffix) {
  return key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
}

int64_t parseWhole(const std::string& text, OptionKind kind) {
  OptionSpec spec;
  spec.kind = kind;
  spec.min = 0;
  spec.max = kind == OptionKind::kPercent ? 100 : INT64_MAX;
  OptionValue v;
  std::string why;
  if (!parseOptionValue(spec, text, v, why)) throw OptionValueError(why);
  return kind == OptionKind::kTime ? v.duration.count() : v.number;
}

double parseAmount(const std::string& text) {
  OptionSpec spec;
  spec.kind = OptionKind::kSize;
  spec.min = 0;
  OptionValue v;
  std::string why;
  if (!parseOptionValue(spec, text, v, why)) throw OptionValueError(why);
  return static_cast<double>(v.number);
}
}  // namespace

const OptionTable<UnifyXlator::Config>& UnifyXlator::optionTable() {
  using C = Config;
  auto str = [](std::string key, std::string doc) {
    OptionSpec s;
    s.key = std::move(key);
    s.kind = OptionKind::kString;
    s.doc = std::move(doc);
    return s;
  };
  static const auto table =
      OptionTable<C>()
          .xlator("namespace", &C::nsName, "Volume holding an entry for every file (required).")
          .required()
          .choice("scheduler", &C::scheduler, "rr", {"rr", "random", "alu", "nufa", "switch"},
                  "Which child gets a new file.")
          .boolean("self-heal", &C::selfHeal, true,
                   "Create missing directory copies and namespace entries on lookup.")
          .add(str("*.limits.min-free-disk", "A child with less free space (percent) gets no new files."),
               [](C& c, const OptionValue& v) {
                 c.minFree[middle(v.key, "", ".limits.min-free-disk")] =
                     parseWhole(v.text, OptionKind::kPercent);
               })
          .add(str("*.refresh-interval", "How often child usage is refreshed (seconds)."),
               [](C& c, const OptionValue& v) {
                 c.refreshInterval = std::chrono::milliseconds(parseWhole(v.text, OptionKind::kTime));
               })
          .alias("alu.stat-refresh.interval")
          .string("alu.order", &C::aluOrder,
                  "disk-usage:write-usage:read-usage:open-files-usage:disk-speed-usage",
                  "alu criteria in order of importance, ':' separated.")
          .add(str("alu.*.entry-threshold", "How far from the best a child may be in a criterion."),
               [](C& c, const OptionValue& v) {
                 c.aluEntry[middle(v.key, "alu.", ".entry-threshold")] = parseAmount(v.text);
               })
          .add(str("alu.*.exit-threshold", "How close to the best an excluded child must come back."),
               [](C& c, const OptionValue& v) {
                 c.aluExit[middle(v.key, "alu.", ".exit-threshold")] = parseAmount(v.text);
               })
          .integer("alu.limits.max-open-files", &C::aluMaxOpenFiles, 0, 0, 1 << 30,
                   "A child with this many open files gets no new files (0: no limit).")
          .add(str("alu.stat-refresh.num-file-create", "Accepted for 2.0 volfiles."),
               [](C&, const OptionValue&) {})
          .xlator("nufa.local-volume-name", &C::nufaLocal, "The local child for scheduler nufa.")
          .string("switch.case", &C::switchCase, "",
                  "Scheduler switch: \"*.jpg:child1,child2;*.mpg:child3\".");
  (void)str;
  return table;
}

UnifyXlator::UnifyXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)), ownTable_(0) {
  up_.assign(children().size(), false);
  usage_.resize(children().size());
}

UnifyXlator::~UnifyXlator() = default;

Status UnifyXlator::init() {
  ns_ = graph()->find(config_.nsName);
  if (!ns_ || ns_ == this) {
    GF_LOG_ERROR(name(), "namespace volume '%s' is not defined", config_.nsName.c_str());
    return fail(EINVAL);
  }
  for (auto* c : children())
    if (c == ns_) {
      GF_LOG_ERROR(name(), "the namespace '%s' must not also be a subvolume", config_.nsName.c_str());
      return fail(EINVAL);
    }
  ns_->addParent(this);
  unify::SchedulerConfig sc;
  sc.kind = config_.scheduler;
  auto mf = config_.minFree.find(sc.kind);
  sc.minFreeDiskPercent = mf == config_.minFree.end() ? 5 : static_cast<double>(mf->second);
  sc.localChild = config_.nufaLocal;
  std::stringstream order(config_.aluOrder);
  std::string crit;
  while (std::getline(order, crit, ':')) {
    if (crit.empty()) continue;
    unify::AluCriterion c{crit, 0, 0};
    if (auto e = config_.aluEntry.find(crit); e != config_.aluEntry.end()) c.entryThreshold = e->second;
    c.exitThreshold = c.entryThreshold;
    if (auto x = config_.aluExit.find(crit); x != config_.aluExit.end()) c.exitThreshold = x->second;
    sc.aluOrder.push_back(c);
  }
  sc.aluMaxOpenFiles = static_cast<uint64_t>(config_.aluMaxOpenFiles);
  std::stringstream cases(config_.switchCase);
  std::string item;
  while (std::getline(cases, item, ';')) {
    size_t colon = item.find(':');
    if (colon == std::string::npos) continue;
    std::vector<std::string> kids;
    std::stringstream ks(item.substr(colon + 1));
    std::string k;
    while (std::getline(ks, k, ','))
      if (!k.empty()) kids.push_back(k);
    sc.switchCases.emplace_back(item.substr(0, colon), kids);
  }
  std::vector<std::string> names;
  for (auto* c : children()) names.push_back(c->name());
  try {
    scheduler_ = unify::makeScheduler(sc, names);
  } catch (const std::invalid_argument& e) {
    GF_LOG_ERROR(name(), "%s", e.what());
    return fail(EINVAL);
  }
  return {};
}

// Up when the namespace and at least one storage child are.
void UnifyXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) {
    notifyChildren(ev);
    if (ns_) ns_->notify(ev);
    return;
  }
  bool sendUp = false, sendDown = false;
  {
    std::lock_guard lock(mutex_);
    bool up = ev.type == EventType::kChildUp;
    if (ev.from == ns_) nsUp_ = up;
    for (size_t i = 0; i < children().size(); ++i)
      if (&child(i) == ev.from) up_[i] = usage_[i].up = up;
    size_t count = 0;
    for (bool b : up_) count += b;
    bool serving = nsUp_ && count > 0;
    if (serving && !announcedUp_) announcedUp_ = sendUp = true;
    if (!serving && announcedUp_) {
      announcedUp_ = false;
      sendDown = true;
    }
  }
  if (sendUp) notifyParents(EventType::kChildUp);
  if (sendDown) notifyParents(EventType::kChildDown, nsUp_ ? "no storage child is up" : "the namespace is down");
}

std::vector<bool> UnifyXlator::upChildren() const {
  std::lock_guard lock(mutex_);
  return up_;
}

int UnifyXlator::cachedChild(const InodePtr& inode) const {
  if (!inode) return -1;
  auto c = inode->ctx().get<UnifyInodeCtx>(this);
  return c ? c->child : -1;
}

void UnifyXlator::setCached(const InodePtr& inode, int child) {
  if (!inode) return;
  inode->ctx().getOrCreate<UnifyInodeCtx>(this, [] { return std::make_shared<UnifyInodeCtx>(); })->child = child;
}

bool UnifyXlator::dirHealed(const InodePtr& inode) {
  auto c = inode->ctx().getOrCreate<UnifyInodeCtx>(this, [] { return std::make_shared<UnifyInodeCtx>(); });
  std::lock_guard lock(mutex_);
  bool first = !c->healed;
  c->healed = true;
  return first;
}

int UnifyXlator::fdChild(const FdPtr& fd) const {
  auto c = fd->ctx().get<UnifyFdCtx>(this);
  return c ? c->child : -1;
}

void UnifyXlator::setFdChild(const FdPtr& fd, int child) {
  auto c = std::make_shared<UnifyFdCtx>();
  c->child = child;
  fd->ctx().set(this, c);
}

void UnifyXlator::noteIo(int child, uint64_t read, uint64_t written) {
  if (child < 0) return;
  std::lock_guard lock(mutex_);
  usage_[child].readBytes += read;
  usage_[child].writtenBytes += written;
}

void UnifyXlator::noteOpen(int child, int delta) {
  if (child < 0) return;
  std::lock_guard lock(mutex_);
  usage_[child].openFiles += delta;
}

Task<int> UnifyXlator::schedule(std::string_view name) {
  bool stale;
  {
    std::lock_guard lock(mutex_);
    stale = std::chrono::steady_clock::now() - refreshedAt_ >= config_.refreshInterval;
  }
  if (stale) {
    StatfsReq req{Loc{nullptr, {}, ownTable_.root()}};
    auto up = upChildren();
    for (size_t i = 0; i < childCount(); ++i) {
      if (!up[i]) continue;
      auto s = co_await child(i).statfs(CallCtx::root(), req);
      if (!s || !s->stat.blocks) continue;
      std::lock_guard lock(mutex_);
      usage_[i].freePercent = 100.0 * s->stat.bavail / s->stat.blocks;
      usage_[i].usedBytes = (s->stat.blocks - s->stat.bfree) * s->stat.frsize;
    }
    std::lock_guard lock(mutex_);
    refreshedAt_ = std::chrono::steady_clock::now();
  }
  std::vector<unify::ChildUsage> usage;
  {
    std::lock_guard lock(mutex_);
    usage = usage_;
  }
  co_return scheduler_->pick(name, usage);
}

}  // namespace gf
