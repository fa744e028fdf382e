// SPDX-License-Identifier: GPL-3.0-or-later
// debug/error-gen: fails chosen fops with a chosen errno and probability (fault injection).
//
// Options: `failure` (percent of matching fops to fail, default 10), `error-no` (an errno
// name such as ENOSPC or a number; default EIO), `enable` (comma list of fops; default all),
// `random-seed` (reproducible choices; 0 seeds from the clock). Beyond 2.0, for precise tests:
// `skip` lets the first N matching fops through and `max-failures` stops after N failures
// (0: no limit) — e.g. enable=xattrop, skip=1, failure=100, max-failures=1 fails exactly the
// second xattrop. A failed fop is not passed down. reconfigure() changes all of this at run
// time. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"
#include "glusterfs/xlators/debug/common/fop_set.h"

namespace gf {

class ErrorGenXlator : public HookXlator {
 public:
  struct Config {
    int64_t failure = 10;
    int errorNo = EIO;
    debug::FopSet enabled = debug::allFops();
    int64_t seed = 0;
    int64_t skip = 0;
    int64_t maxFailures = 0;
  };
  static const OptionTable<Config>& optionTable();
  ErrorGenXlator(const XlatorArgs& args, Config config);

  // Replaces the configuration and restarts the counters (and the generator, if seeded).
  void reconfigure(const Config& config);
  Config config() const;
  uint64_t failuresInjected() const;
  uint64_t matchingCalls() const;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;

 private:
  void reset();

  mutable std::mutex mutex_;
  Config config_;
  std::mt19937_64 random_;
  uint64_t matching_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace gf
