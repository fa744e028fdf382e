// SPDX-License-Identifier: GPL-3.0-or-later
// debug/error-gen: the decision to fail a fop.
#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"

#include <chrono>

#include "glusterfs/core/log.h"

namespace gf {

namespace {
OptionSpec stringSpec(const char* key, const char* def, const char* doc) {
  OptionSpec s;
  s.key = key;
  s.kind = OptionKind::kString;
  s.defaultValue = def;
  s.doc = doc;
  return s;
}
}  // namespace

const OptionTable<ErrorGenXlator::Config>& ErrorGenXlator::optionTable() {
  static const auto table =
      OptionTable<Config>()
          .percent("failure", &Config::failure, 10, "Percentage of matching fops to fail.")
          .add(stringSpec("error-no", "EIO", "Errno to fail with: a name (ENOSPC) or a number."),
               [](Config& c, const OptionValue& v) {
                 auto e = debug::parseErrno(v.text);
                 if (!e) throw OptionValueError("'" + v.text + "' is not an errno name or number");
                 c.errorNo = *e;
               })
          .add(stringSpec("enable", "all", "Comma list of fops that may fail (default: all)."),
               [](Config& c, const OptionValue& v) { c.enabled = debug::parseFopList(v.text); })
          .integer("random-seed", &Config::seed, 0, 0, INT64_MAX,
                   "Seed of the failure choices, for reproducible runs; 0 seeds from the clock.")
          .integer("skip", &Config::skip, 0, 0, INT64_MAX,
                   "Let this many matching fops through before failing any.")
          .integer("max-failures", &Config::maxFailures, 0, 0, INT64_MAX,
                   "Stop failing after this many failures (0: no limit).");
  return table;
}

ErrorGenXlator::ErrorGenXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(config) {
  reset();
}

void ErrorGenXlator::reset() {
  uint64_t seed =
      config_.seed != 0
          ? static_cast<uint64_t>(config_.seed)
          : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  random_.seed(seed);
  matching_ = 0;
  failures_ = 0;
}

void ErrorGenXlator::reconfigure(const Config& config) {
  std::lock_guard guard(mutex_);
  config_ = config;
  reset();
}

ErrorGenXlator::Config ErrorGenXlator::config() const {
  std::lock_guard guard(mutex_);
  return config_;
}

uint64_t ErrorGenXlator::failuresInjected() const {
  std::lock_guard guard(mutex_);
  return failures_;
}

uint64_t ErrorGenXlator::matchingCalls() const {
  std::lock_guard guard(mutex_);
  return matching_;
}

Task<Status> ErrorGenXlator::before(CallCtx&, const FopCall& call) {
  int err = 0;
  {
    std::lock_guard guard(mutex_);
    if (!config_.enabled.test(static_cast<size_t>(call.id))) return Task<Status>::ready({});
    ++matching_;
    if (matching_ <= static_cast<uint64_t>(config_.skip)) return Task<Status>::ready({});
    if (config_.maxFailures > 0 && failures_ >= static_cast<uint64_t>(config_.maxFailures))
      return Task<Status>::ready({});
    std::uniform_int_distribution<int> percent(0, 99);
    if (percent(random_) >= config_.failure) return Task<Status>::ready({});
    ++failures_;
    err = config_.errorNo;
  }
  GF_LOG_DEBUG(name(), "failing %s with %s", fopName(call.id), debug::errnoName(err).c_str());
  return fail(err);
}

}  // namespace gf
