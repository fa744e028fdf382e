// SPDX-License-Identifier: GPL-3.0-or-later
// debug/trace: one log line per call and per reply.
#include "glusterfs/xlators/debug/trace/trace_xlator.h"

#include "glusterfs/core/fop_format.h"
#include "glusterfs/core/log.h"

namespace gf {

const OptionTable<TraceXlator::Config>& TraceXlator::optionTable() {
  static const auto table =
      OptionTable<Config>()
          .add(
              [] {
                OptionSpec s;
                s.key = "include-ops";
                s.kind = OptionKind::kString;
                s.doc = "Comma list of fops to trace (default: all).";
                return s;
              }(),
              [](Config& c, const OptionValue& v) { c.include = debug::parseFopList(v.text); })
          .add(
              [] {
                OptionSpec s;
                s.key = "exclude-ops";
                s.kind = OptionKind::kString;
                s.doc = "Comma list of fops not to trace.";
                return s;
              }(),
              [](Config& c, const OptionValue& v) { c.exclude = debug::parseFopList(v.text); });
  return table;
}

TraceXlator::TraceXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(config) {}

bool TraceXlator::traces(FopId id) const {
  auto i = static_cast<size_t>(id);
  return config_.include.test(i) && !config_.exclude.test(i);
}

Task<Status> TraceXlator::before(CallCtx& ctx, const FopCall& call) {
  if (!traces(call.id) || !log::enabled(log::Level::kNormal)) return Task<Status>::ready({});
  uint64_t seq = nextSeq_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard guard(mutex_);
    inFlight_.emplace(call.req, InFlight{seq, std::chrono::steady_clock::now()});
  }
  std::string req = formatRequest(call.id, call.req);
  GF_LOG_INFO(name(), "#%llu %s(%s) uid=%u gid=%u pid=%u client=%llu owner=%llu",
              static_cast<unsigned long long>(seq), fopName(call.id), req.c_str(), ctx.uid, ctx.gid,
              ctx.pid, static_cast<unsigned long long>(ctx.clientId),
              static_cast<unsigned long long>(ctx.lkOwner));
  return Task<Status>::ready({});
}

void TraceXlator::after(const CallCtx&, const FopCall& call, FopOutcome& outcome) {
  if (!traces(call.id)) return;
  InFlight f{};
  {
    std::lock_guard guard(mutex_);
    auto it = inFlight_.find(call.req);
    if (it == inFlight_.end()) return;  // logging was off when the call went down
    f = it->second;
    inFlight_.erase(it);
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  f.start)
                .count();
  if (outcome.error) {
    int e = outcome.error.value();
    GF_LOG_INFO(name(), "#%llu %s => error %s (%s) [%lld us]",
                static_cast<unsigned long long>(f.seq), fopName(call.id),
                debug::errnoName(e).c_str(), outcome.error.message().c_str(),
                static_cast<long long>(us));
  } else {
    std::string rep = formatReply(call.id, outcome.reply);
    GF_LOG_INFO(name(), "#%llu %s => %s [%lld us]", static_cast<unsigned long long>(f.seq),
                fopName(call.id), rep.c_str(), static_cast<long long>(us));
  }
}

}  // namespace gf
