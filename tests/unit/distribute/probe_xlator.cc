// SPDX-License-Identifier: GPL-3.0-or-later
// ProbeXlator: fop log, gates, lost replies and statfs overrides for cluster and cache tests.
#include "tests/unit/distribute/probe_xlator.h"

#include <chrono>
#include <thread>

#include "glusterfs/xlators/registry.h"

namespace gf::test {

const OptionTable<ProbeXlator::Config>& ProbeXlator::optionTable() {
  static const OptionTable<Config> table;
  return table;
}

ProbeXlator::ProbeXlator(const XlatorArgs& args, Config) : HookXlator(args) {}

std::vector<std::string> ProbeXlator::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void ProbeXlator::clearLog() {
  std::lock_guard lock(mutex_);
  log_.clear();
  counts_.clear();
}

size_t ProbeXlator::count(std::string_view fop) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(fop);
  return it == counts_.end() ? 0 : it->second;
}

void ProbeXlator::hold(std::string_view fop) {
  std::lock_guard lock(mutex_);
  auto& g = gates_[std::string(fop)];
  if (!g.event || g.event->isSet()) g.event = std::make_shared<AsyncEvent>();
}

void ProbeXlator::release(std::string_view fop) {
  std::shared_ptr<AsyncEvent> ev;
  {
    std::lock_guard lock(mutex_);
    auto it = gates_.find(fop);
    if (it == gates_.end()) return;
    ev = std::move(it->second.event);
  }
  if (ev) ev->set();  // the held calls resume on this thread
}

size_t ProbeXlator::waiting(std::string_view fop) const {
  std::lock_guard lock(mutex_);
  auto it = gates_.find(fop);
  return it == gates_.end() ? 0 : it->second.waiting;
}

bool ProbeXlator::waitForHeld(std::string_view fop, size_t n, double seconds) const {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (waiting(fop) < n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void ProbeXlator::loseReply(std::string_view fop, int err, int times) {
  std::lock_guard lock(mutex_);
  lose_[std::string(fop)] = {err, times};
}

void ProbeXlator::setStatfs(std::optional<Statvfs> st) {
  std::lock_guard lock(mutex_);
  statfs_ = st;
}

void ProbeXlator::setClientId(uint64_t id) {
  std::lock_guard lock(mutex_);
  clientId_ = id;
}

namespace {
std::string describe(const FopCall& call) {
  std::string s = fopName(call.id);
  if (call.id == FopId::writev) {
    const auto& w = call.as<WritevReq>();
    s += "@" + std::to_string(w.offset) + "+" + std::to_string(w.data.size());
  } else if (call.id == FopId::readv) {
    const auto& r = call.as<ReadvReq>();
    s += "@" + std::to_string(r.offset) + "+" + std::to_string(r.size);
  } else if (call.id == FopId::lookup) {
    s += " " + call.as<LookupReq>().loc.name;
  }
  return s;
}
}  // namespace

Task<void> ProbeXlator::gate(std::string name) {
  std::shared_ptr<AsyncEvent> ev;
  {
    std::lock_guard lock(mutex_);
    auto it = gates_.find(name);
    if (it != gates_.end() && it->second.event && !it->second.event->isSet()) {
      ev = it->second.event;
      ++it->second.waiting;
    }
  }
  if (!ev) co_return;
  co_await ev->wait();
  std::lock_guard lock(mutex_);
  --gates_[name].waiting;
}

std::string ProbeXlator::lastThread(std::string_view fop) const {
  std::lock_guard lock(mutex_);
  auto it = threads_.find(fop);
  return it == threads_.end() ? std::string() : it->second;
}

Task<Status> ProbeXlator::before(CallCtx& ctx, const FopCall& call) {
  std::string name = fopName(call.id);
  {
    std::lock_guard lock(mutex_);
    if (clientId_) ctx.clientId = clientId_;
    log_.push_back(describe(call));
    ++counts_[name];
    char thread[16] = "";
    pthread_getname_np(pthread_self(), thread, sizeof thread);
    threads_[name] = thread;
  }
  co_await gate(name);
  co_return Status{};
}

Task<Result<EntryReply>> ProbeXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  auto r = co_await HookXlator::lookup(ctx, req);
  co_await gate("reply:lookup");
  co_return r;
}

Task<Result<ReadvReply>> ProbeXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  auto r = co_await HookXlator::readv(ctx, req);
  co_await gate("reply:readv");
  co_return r;
}

Task<Result<ReaddirReply>> ProbeXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) {
  auto r = co_await HookXlator::readdirp(ctx, req);
  co_await gate("reply:readdirp");
  co_return r;
}

void ProbeXlator::after(const CallCtx&, const FopCall& call, FopOutcome& outcome) {
  std::lock_guard lock(mutex_);
  if (call.id == FopId::statfs && statfs_ && outcome.reply)
    static_cast<StatfsReply*>(outcome.reply)->stat = *statfs_;
  auto it = lose_.find(fopName(call.id));
  if (it != lose_.end() && it->second.second > 0) {
    --it->second.second;
    outcome.error = std::error_code(it->second.first, std::generic_category());
  }
}

const XlatorRegistry& probeRegistry() {
  static const XlatorRegistry registry = [] {
    std::vector<XlatorType> types = builtinXlators().types();
    types.push_back(XlatorType{"test/probe", {}, "test-only fop recorder and gate", 1, 1,
                               &optionsOf<ProbeXlator>, &makeXlator<ProbeXlator>});
    return XlatorRegistry(std::move(types));
  }();
  return registry;
}

ProbeGraph::ProbeGraph(std::string_view volfile)
    : graph_(Graph::fromText(volfile, probeRegistry(), {}, "<test volfile>")) {
  std::string why;
  if (!graph_->init(&why)) throw std::runtime_error(why);
  graph_->start();
}

ProbeGraph::~ProbeGraph() { graph_->stop(); }

}  // namespace gf::test
