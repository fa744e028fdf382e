// SPDX-License-Identifier: GPL-3.0-or-later
// The unify schedulers on their own: which child each picks for given usage, with room
// limits, switch cases, alu criteria with entry and exit thresholds, and bad configurations.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "glusterfs/xlators/cluster/unify/unify_sched.h"

namespace gf::unify {
namespace {

const std::vector<std::string> kNames = {"c0", "c1", "c2"};

std::vector<ChildUsage> roomy(size_t n = 3) {
  std::vector<ChildUsage> u(n);
  for (auto& c : u) c.up = true;
  return u;
}

std::vector<int> picks(Scheduler& s, const std::vector<ChildUsage>& u, int n,
                       std::string_view name = "f") {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(s.pick(name, u));
  return out;
}

TEST(UnifySchedulerTest, RoundRobinSkipsChildrenWithoutRoomOrDown) {
  SchedulerConfig cfg;
  cfg.kind = "rr";
  cfg.minFreeDiskPercent = 10;
  auto s = makeScheduler(cfg, kNames);
  auto u = roomy();
  EXPECT_EQ(picks(*s, u, 6), (std::vector<int>{0, 1, 2, 0, 1, 2}));
  u[1].freePercent = 9.9;
  auto p = picks(*s, u, 6);
  for (int c : p) EXPECT_NE(c, 1);
  EXPECT_EQ(std::count(p.begin(), p.end(), 0), 3);
  u[1].freePercent = 10;  // the limit itself is still room
  u[2].up = false;
  p = picks(*s, u, 4);
  for (int c : p) EXPECT_TRUE(c == 0 || c == 1);
  EXPECT_EQ(std::count(p.begin(), p.end(), 1), 2);
  u[0].freePercent = u[1].freePercent = 0;
  EXPECT_EQ(s->pick("f", u), -1);
}

TEST(UnifySchedulerTest, RandomPicksOnlyChildrenWithRoomAndAllOfThem) {
  SchedulerConfig cfg;
  cfg.kind = "random";
  cfg.minFreeDiskPercent = 5;
  auto s = makeScheduler(cfg, {"c0", "c1", "c2", "c3"});
  auto u = roomy(4);
  u[2].freePercent = 1;
  std::map<int, int> seen;
  for (int c : picks(*s, u, 400)) ++seen[c];
  EXPECT_EQ(seen.count(2), 0u);
  for (int c : {0, 1, 3}) EXPECT_GT(seen[c], 60) << c;
  for (auto& c : u) c.freePercent = 0;
  EXPECT_EQ(s->pick("f", u), -1);
}

TEST(UnifySchedulerTest, NufaPrefersTheLocalChildWhileItHasRoom) {
  SchedulerConfig cfg;
  cfg.kind = "nufa";
  cfg.localChild = "c2";
  cfg.minFreeDiskPercent = 20;
  auto s = makeScheduler(cfg, kNames);
  auto u = roomy();
  EXPECT_EQ(picks(*s, u, 5), (std::vector<int>(5, 2)));
  u[2].freePercent = 10;
  auto p = picks(*s, u, 4);
  for (int c : p) EXPECT_NE(c, 2);
  EXPECT_EQ(std::count(p.begin(), p.end(), 0), 2) << "round robin over the others";
  u[2].freePercent = 50;
  u[2].up = false;
  EXPECT_NE(s->pick("f", u), 2);
}

TEST(UnifySchedulerTest, SwitchSendsEachPatternToItsChildren) {
  SchedulerConfig cfg;
  cfg.kind = "switch";
  cfg.switchCases = {{"*.jpg", {"c1"}}, {"*.mpg", {"c2", "c0"}}};
  auto s = makeScheduler(cfg, {"c0", "c1", "c2", "c3"});
  auto u = roomy(4);
  EXPECT_EQ(picks(*s, u, 3, "photo.jpg"), (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(picks(*s, u, 4, "film.mpg"), (std::vector<int>{2, 0, 2, 0}));
  EXPECT_EQ(picks(*s, u, 3, "notes.txt"), (std::vector<int>{3, 3, 3})) << "unnamed children";
  // First matching case wins; a case without room is ENOSPC, not another case's child.
  u[1].freePercent = 0;
  EXPECT_EQ(s->pick("x.jpg", u), -1);
  EXPECT_EQ(s->pick("x.txt", u), 3);
}

TEST(UnifySchedulerTest, SwitchWithEveryChildNamedSendsOtherNamesAnywhere) {
  SchedulerConfig cfg;
  cfg.kind = "switch";
  cfg.switchCases = {{"*.jpg", {"c0"}}, {"*.txt", {"c1", "c2"}}};
  auto s = makeScheduler(cfg, kNames);
  auto u = roomy();
  EXPECT_EQ(picks(*s, u, 3, "other"), (std::vector<int>{0, 1, 2}));
}

ChildUsage used(double gb) {
  ChildUsage c;
  c.up = true;
  c.usedBytes = static_cast<uint64_t>(gb * (1 << 30));
  return c;
}

// disk-usage with entry 1 GB and exit 512 MB: a child 2 GB above the least used is left out
// and comes back only once it is within 512 MB, not already when within 1 GB.
TEST(UnifySchedulerTest, AluLeavesOutChildrenBeyondTheEntryThresholdUntilTheExitThreshold) {
  SchedulerConfig cfg;
  cfg.kind = "alu";
  cfg.aluOrder = {{"disk-usage", 1.0 * (1 << 30), 0.5 * (1 << 30)}};
  auto s = makeScheduler(cfg, kNames);
  std::vector<ChildUsage> u = {used(10), used(10.5), used(12)};
  auto p = picks(*s, u, 6);
  EXPECT_EQ(std::count(p.begin(), p.end(), 2), 0);
  EXPECT_EQ(std::count(p.begin(), p.end(), 0), 3);
  EXPECT_EQ(std::count(p.begin(), p.end(), 1), 3);
  u[2] = used(10.8);  // within entry, not within exit: still out
  p = picks(*s, u, 6);
  EXPECT_EQ(std::count(p.begin(), p.end(), 2), 0);
  u[2] = used(10.4);  // within exit: back
  p = picks(*s, u, 6);
  EXPECT_EQ(std::count(p.begin(), p.end(), 2), 2);
  u[2] = used(10.8);  // back in, so the entry threshold applies again
  p = picks(*s, u, 6);
  EXPECT_EQ(std::count(p.begin(), p.end(), 2), 2);
}

TEST(UnifySchedulerTest, AluAppliesCriteriaInOrderAndRespectsLimits) {
  SchedulerConfig cfg;
  cfg.kind = "alu";
  cfg.minFreeDiskPercent = 5;
  cfg.aluMaxOpenFiles = 100;
  cfg.aluOrder = {{"disk-usage", 1.0 * (1 << 30), 1.0 * (1 << 30)},
                  {"write-usage", 1 << 20, 1 << 20}};
  auto s = makeScheduler(cfg, {"c0", "c1", "c2", "c3"});
  std::vector<ChildUsage> u = {used(1), used(1.2), used(1.1), used(9)};
  u[0].writtenBytes = 50 << 20;  // busy writer
  u[1].writtenBytes = 1 << 20;
  u[2].writtenBytes = 1 << 19;
  // c3 is out on disk usage; of the rest c0 is out on write usage.
  auto p = picks(*s, u, 6);
  EXPECT_EQ(std::count(p.begin(), p.end(), 3), 0);
  EXPECT_EQ(std::count(p.begin(), p.end(), 0), 0);
  EXPECT_EQ(std::count(p.begin(), p.end(), 1) + std::count(p.begin(), p.end(), 2), 6);
  u[1].openFiles = 100;  // at max-open-files
  u[2].freePercent = 4;  // below min-free-disk
  p = picks(*s, u, 3);
  EXPECT_EQ(p, (std::vector<int>{0, 0, 0})) << "the only child left, whatever its usage";
  u[0].up = false;
  u[3].up = false;
  EXPECT_EQ(s->pick("f", u), -1);
}

TEST(UnifySchedulerTest, BadConfigurationsAreRefused) {
  SchedulerConfig c;
  c.kind = "fastest";
  EXPECT_THROW(makeScheduler(c, kNames), std::invalid_argument);
  c.kind = "nufa";
  c.localChild = "c9";
  EXPECT_THROW(makeScheduler(c, kNames), std::invalid_argument);
  c.kind = "switch";
  c.switchCases = {{"*.jpg", {"nope"}}};
  EXPECT_THROW(makeScheduler(c, kNames), std::invalid_argument);
  c.kind = "alu";
  c.aluOrder = {{"disk-usage", 0, 0}, {"cpu-usage", 0, 0}};
  EXPECT_THROW(makeScheduler(c, kNames), std::invalid_argument);
}

}  // namespace
}  // namespace gf::unify
