// SPDX-License-Identifier: GPL-3.0-or-later
// The unify schedulers.
#include "glusterfs/xlators/cluster/unify/unify_sched.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace gf::unify {
namespace {

bool hasRoom(const ChildUsage& u, double minFree) { return u.up && u.freePercent >= minFree; }

// Round robin over `allowed` children that have room. The turn moves past the child picked,
// not just by one, so a skipped child's turn is not handed to its neighbour as an extra file
// (2.0's rr: schedule_index = picked + 1).
class RoundRobin {
 public:
  int next(const std::vector<size_t>& allowed, const std::vector<ChildUsage>& usage,
           double minFree) {
    if (allowed.empty()) return -1;
    std::lock_guard lock(mutex_);
    for (size_t k = 0; k < allowed.size(); ++k) {
      size_t at = (next_ + k) % allowed.size();
      if (hasRoom(usage[allowed[at]], minFree)) {
        next_ = at + 1;
        return static_cast<int>(allowed[at]);
      }
    }
    return -1;
  }

 private:
  std::mutex mutex_;
  size_t next_ = 0;
};

std::vector<size_t> allChildren(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

class RrScheduler : public Scheduler {
 public:
  RrScheduler(double minFree, size_t n) : minFree_(minFree), all_(allChildren(n)) {}
  int pick(std::string_view, const std::vector<ChildUsage>& u) override {
    return rr_.next(all_, u, minFree_);
  }

 private:
  double minFree_;
  std::vector<size_t> all_;
  RoundRobin rr_;
};

class RandomScheduler : public Scheduler {
 public:
  explicit RandomScheduler(double minFree) : minFree_(minFree), rng_(std::random_device{}()) {}
  int pick(std::string_view, const std::vector<ChildUsage>& u) override {
    std::vector<size_t> ok;
    for (size_t i = 0; i < u.size(); ++i)
      if (hasRoom(u[i], minFree_)) ok.push_back(i);
    if (ok.empty()) return -1;
    std::lock_guard lock(mutex_);
    return static_cast<int>(ok[std::uniform_int_distribution<size_t>(0, ok.size() - 1)(rng_)]);
  }

 private:
  double minFree_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

class NufaScheduler : public Scheduler {
 public:
  NufaScheduler(double minFree, size_t n, int local)
      : minFree_(minFree), local_(local), all_(allChildren(n)) {}
  int pick(std::string_view, const std::vector<ChildUsage>& u) override {
    if (hasRoom(u[local_], minFree_)) return local_;
    return rr_.next(all_, u, minFree_);
  }

 private:
  double minFree_;
  int local_;
  std::vector<size_t> all_;
  RoundRobin rr_;
};

class SwitchScheduler : public Scheduler {
 public:
  SwitchScheduler(double minFree, std::vector<std::pair<std::string, std::vector<size_t>>> cases,
                  std::vector<size_t> rest)
      : minFree_(minFree),
        cases_(std::move(cases)),
        rest_(std::move(rest)),
        rrs_(cases_.size() + 1) {}
  int pick(std::string_view name, const std::vector<ChildUsage>& u) override {
    std::string n(name);
    for (size_t c = 0; c < cases_.size(); ++c)
      if (fnmatch(cases_[c].first.c_str(), n.c_str(), 0) == 0)
        return rrs_[c].next(cases_[c].second, u, minFree_);
    return rrs_.back().next(rest_, u, minFree_);
  }

 private:
  double minFree_;
  std::vector<std::pair<std::string, std::vector<size_t>>> cases_;
  std::vector<size_t> rest_;
  std::vector<RoundRobin> rrs_;
};

class AluScheduler : public Scheduler {
 public:
  AluScheduler(double minFree, std::vector<AluCriterion> order, uint64_t maxOpen, size_t n)
      : minFree_(minFree),
        order_(std::move(order)),
        maxOpen_(maxOpen),
        excluded_(order_.size(), std::vector<bool>(n, false)) {}

  int pick(std::string_view, const std::vector<ChildUsage>& u) override {
    std::vector<size_t> cand;
    for (size_t i = 0; i < u.size(); ++i)
      if (hasRoom(u[i], minFree_) && (maxOpen_ == 0 || u[i].openFiles < maxOpen_))
        cand.push_back(i);
    if (cand.empty()) return -1;
    std::lock_guard lock(mutex_);
    for (size_t c = 0; c < order_.size() && cand.size() > 1; ++c) {
      double best = metric(order_[c].name, u[cand[0]]);
      for (size_t i : cand) best = std::min(best, metric(order_[c].name, u[i]));
      std::vector<size_t> keep;
      for (size_t i : cand) {
        double over = metric(order_[c].name, u[i]) - best;
        // Hysteresis: a child pushed out comes back only once it is within the exit threshold.
        bool out =
            excluded_[c][i] ? over > order_[c].exitThreshold : over > order_[c].entryThreshold;
        excluded_[c][i] = out;
        if (!out) keep.push_back(i);
      }
      if (!keep.empty()) cand = std::move(keep);
    }
    return static_cast<int>(cand[rr_++ % cand.size()]);
  }

  static double metric(const std::string& name, const ChildUsage& u) {
    if (name == "disk-usage") return static_cast<double>(u.usedBytes);
    if (name == "write-usage") return static_cast<double>(u.writtenBytes);
    if (name == "read-usage") return static_cast<double>(u.readBytes);
    if (name == "open-files-usage") return static_cast<double>(u.openFiles);
    return 0;  // disk-speed-usage: not measurable here; never separates children
  }

 private:
  double minFree_;
  std::vector<AluCriterion> order_;
  uint64_t maxOpen_;
  std::mutex mutex_;
  std::vector<std::vector<bool>> excluded_;
  size_t rr_ = 0;
};

int indexOf(const std::vector<std::string>& names, const std::string& n) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == n) return static_cast<int>(i);
  return -1;
}

}  // namespace

std::unique_ptr<Scheduler> makeScheduler(const SchedulerConfig& cfg,
                                         const std::vector<std::string>& names) {
  size_t n = names.size();
  if (cfg.kind == "rr") return std::make_unique<RrScheduler>(cfg.minFreeDiskPercent, n);
  if (cfg.kind == "random") return std::make_unique<RandomScheduler>(cfg.minFreeDiskPercent);
  if (cfg.kind == "nufa") {
    int local = indexOf(names, cfg.localChild);
    if (local < 0)
      throw std::invalid_argument("nufa.local-volume-name '" + cfg.localChild + "' is not a child");
    return std::make_unique<NufaScheduler>(cfg.minFreeDiskPercent, n, local);
  }
  if (cfg.kind == "switch") {
    std::vector<std::pair<std::string, std::vector<size_t>>> cases;
    std::set<size_t> named;
    for (const auto& [pattern, kids] : cfg.switchCases) {
      std::vector<size_t> idx;
      for (const auto& k : kids) {
        int i = indexOf(names, k);
        if (i < 0)
          throw std::invalid_argument("switch.case names '" + k + "', which is not a child");
        idx.push_back(static_cast<size_t>(i));
        named.insert(static_cast<size_t>(i));
      }
      cases.emplace_back(pattern, std::move(idx));
    }
    std::vector<size_t> rest;
    for (size_t i = 0; i < n; ++i)
      if (!named.count(i)) rest.push_back(i);
    if (rest.empty()) rest = allChildren(n);
    return std::make_unique<SwitchScheduler>(cfg.minFreeDiskPercent, std::move(cases),
                                             std::move(rest));
  }
  if (cfg.kind == "alu") {
    for (const auto& c : cfg.aluOrder)
      if (c.name != "disk-usage" && c.name != "write-usage" && c.name != "read-usage" &&
          c.name != "open-files-usage" && c.name != "disk-speed-usage")
        throw std::invalid_argument("alu.order: unknown criterion '" + c.name + "'");
    return std::make_unique<AluScheduler>(cfg.minFreeDiskPercent, cfg.aluOrder, cfg.aluMaxOpenFiles,
                                          n);
  }
  throw std::invalid_argument("unknown scheduler '" + cfg.kind +
                              "' (rr, random, alu, nufa, switch)");
}

}  // namespace gf::unify
