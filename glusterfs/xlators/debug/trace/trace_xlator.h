// SPDX-License-Identifier: GPL-3.0-or-later
// debug/trace: logs every fop call and its reply (or error) at NORMAL level, with the
// caller's identity and the time the fop took below this layer.
//
// Options: `include-ops` (comma list of fops to trace; default all) and `exclude-ops` (fops
// not to trace); names as in GF_FOP_LIST, validated when the volfile is read. A call and its
// reply share a sequence number ("#12 writev(...)" ... "#12 writev => {size=4096}").
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"
#include "glusterfs/xlators/debug/common/fop_set.h"

namespace gf {

class TraceXlator : public HookXlator {
 public:
  struct Config {
    debug::FopSet include = debug::allFops();
    debug::FopSet exclude;
  };
  static const OptionTable<Config>& optionTable();
  TraceXlator(const XlatorArgs& args, Config config);

  bool traces(FopId id) const;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 private:
  struct InFlight {
    uint64_t seq;
    std::chrono::steady_clock::time_point start;
  };
  Config config_;
  std::atomic<uint64_t> nextSeq_{1};
  std::mutex mutex_;
  std::unordered_multimap<const void*, InFlight> inFlight_;  // keyed by request address
};

}  // namespace gf
