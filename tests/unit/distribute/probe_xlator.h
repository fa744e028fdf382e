// SPDX-License-Identifier: GPL-3.0-or-later
// ProbeXlator (volfile type test/probe): a test-only pass-through layer that records the fops
// reaching it, holds chosen fops at a gate until the test releases them, lets chosen fops go
// down and then loses their reply (ENOTCONN after the work was done, as a dropped connection
// does), and replaces statfs answers (petabyte children). ProbeGraph builds volfile text with
// the built-in translators plus this one. Shared by the distribute, unify, stripe, ha and
// performance tests.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/async_event.h"
#include "glusterfs/core/graph.h"
#include "glusterfs/core/hook_xlator.h"

namespace gf::test {

class ProbeXlator : public HookXlator {
 public:
  struct Config {};
  static const OptionTable<Config>& optionTable();
  ProbeXlator(const XlatorArgs& args, Config config);

  // Every fop that reached this layer, in order: "writev@OFFSET+LEN", "flush", "lookup NAME".
  std::vector<std::string> log() const;
  void clearLog();
  // How many calls of `fop` reached this layer (held ones included).
  size_t count(std::string_view fop) const;
  // The name of the thread the latest call of `fop` reached this layer on ("" if none did).
  std::string lastThread(std::string_view fop) const;

  // From now on every call of `fop` waits before going down until release(fop).
  void hold(std::string_view fop);
  void release(std::string_view fop);
  // Calls of `fop` waiting at the gate now.
  size_t waiting(std::string_view fop) const;
  // Polls (up to `seconds`) until `n` calls of `fop` wait at the gate.
  bool waitForHeld(std::string_view fop, size_t n, double seconds = 5) const;

  // Replies of lookup, readv and readdirp (fop "reply:lookup", ...) can be held the same way:
  // the call has been served below but its answer waits at the gate.
  Task<Result<EntryReply>> lookup(const CallCtx& ctx, const LookupReq& req) override;
  Task<Result<ReadvReply>> readv(const CallCtx& ctx, const ReadvReq& req) override;
  Task<Result<ReaddirReply>> readdirp(const CallCtx& ctx, const ReaddirpReq& req) override;

  // The next `times` calls of `fop` are passed down, then answered with `err`.
  void loseReply(std::string_view fop, int err = ENOTCONN, int times = 1);
  // statfs answers become `st` (nullopt: the child's own again).
  void setStatfs(std::optional<Statvfs> st);
  // Calls going down carry this client id (0: the caller's), as a server gives each
  // connection its own: locks taken through different probes have different owners.
  void setClientId(uint64_t id);

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 private:
  Task<void> gate(std::string name);
  struct Gate {
    std::shared_ptr<AsyncEvent> event;
    size_t waiting = 0;
  };
  mutable std::mutex mutex_;
  std::vector<std::string> log_;
  std::map<std::string, size_t, std::less<>> counts_;
  std::map<std::string, std::string, std::less<>> threads_;
  std::map<std::string, Gate, std::less<>> gates_;
  std::map<std::string, std::pair<int, int>, std::less<>> lose_;  // fop -> (errno, times)
  std::optional<Statvfs> statfs_;
  uint64_t clientId_ = 0;
};

// The built-in translator types plus test/probe.
const XlatorRegistry& probeRegistry();

// A graph from volfile text over probeRegistry(), initialised and started; stopped when
// destroyed. Throws like TestGraph.
class ProbeGraph {
 public:
  explicit ProbeGraph(std::string_view volfile);
  ~ProbeGraph();
  ProbeGraph(const ProbeGraph&) = delete;
  ProbeGraph& operator=(const ProbeGraph&) = delete;

  Xlator& top() const { return graph_->top(); }
  Graph& graph() const { return *graph_; }
  template <class X = Xlator>
  X& get(std::string_view name) const {
    auto* typed = dynamic_cast<X*>(graph_->find(name));
    if (!typed) throw std::logic_error("no translator '" + std::string(name) + "' of that type");
    return *typed;
  }

 private:
  std::unique_ptr<Graph> graph_;
};

}  // namespace gf::test
