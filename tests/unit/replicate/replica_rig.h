// SPDX-License-Identifier: GPL-3.0-or-later
// ReplicaRig: cluster/replicate over N storage/memory bricks, each brick a stack of
// debug/error-gen (named c0, c1, ...: replicate's children) over features/locks (and
// optionally features/index) over storage/memory, built from volfile text through the real
// parser. Tests fail chosen calls on one copy, take copies down and up, and read every copy
// directly through its memory leaf (changelogs, whole trees) without going through replicate.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"
#include "glusterfs/xlators/cluster/replicate/replicate_xlator.h"
#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {

struct RigOptions {
  size_t copies = 2;
  // Extra options of the replicate volume ("self-heal-daemon off" is the default here, so
  // that nothing heals behind a test's back unless it asks).
  std::vector<std::pair<std::string, std::string>> afrOptions;
  // Non-empty: every brick gets features/index with index-base INDEX_ROOT/bI.
  std::string indexRoot;
  // The bricks' storage: "memory" (storage/memory), or "posix" or "bdb" (storage/posix or
  // storage/bdb on temp dirs).
  std::string leaf = "memory";
  // posix, bdb: keep the bricks here (BRICK_ROOT/bI) instead of a temporary directory, so that a
  // later rig finds them again (a restart).
  std::string brickRoot;
};

class ReplicaRig {
 public:
  // The client identity of client(): its locks are the ones dropClientLocks() releases.
  static constexpr uint64_t kClientId = 4242;

  explicit ReplicaRig(RigOptions options = {});
  // `brickRoot`: where posix bricks live (BRICK_ROOT/bI).
  static std::string volfile(const RigOptions& options, const std::string& brickRoot = "");

  ReplicateXlator& afr() const { return graph_.get<ReplicateXlator>("afr"); }
  Graph& graph() const { return graph_.graph(); }
  TestClient& client() { return client_; }
  // A client on copy i's memory leaf, with an inode table of its own.
  TestClient leaf(size_t i) const;
  ErrorGenXlator& faults(size_t i) const;
  size_t copies() const { return options_.copies; }
  std::string childName(size_t i) const { return "c" + std::to_string(i); }

  // The (skip+1)-th call of `fop` on copy i fails with `err`, and only that one.
  void failOnce(size_t i, std::string_view fop, int err, int64_t skip = 0);
  // Every call of the listed fops (comma list, "all") on copy i fails with `err`.
  void failAlways(size_t i, std::string_view fops, int err);
  void clearFaults(size_t i);
  void clearAllFaults();
  // Copy i's brick goes away: its calls fail with ENOTCONN, replicate hears it is down, and
  // its locks die with the connection. up() brings it back and tells replicate.
  void down(size_t i);
  void up(size_t i);
  // What a brick does when a client disconnects: drops every lock client() held there.
  void dropClientLocks(size_t i);

  // trusted.afr.cJ counters stored on copy i of `path`, one row entry per child j; nullopt
  // when the path does not exist on that copy.
  std::optional<std::vector<afr::Counts>> changelog(size_t i, std::string_view path) const;
  // True when every counter of every copy of `path` is zero (or absent).
  bool changelogClean(std::string_view path) const;
  // "" when every copy holds the same tree under `path` (names, types, gfids, mode, owner,
  // size, contents, symlink targets, link counts of files, xattrs other than trusted.afr.*);
  // otherwise one line describing the first difference.
  std::string compareCopies(std::string_view path = "/") const;

  // setxattr trusted.glusterfs.replicate.heal now on `path` (heals it; "/" runs a pass).
  Status healNow(std::string_view path);
  std::string healInfo();
  // Waits until no heal is running or queued (bounded; returns false if it never settles).
  bool waitIdle();

 private:
  RigOptions options_;
  std::unique_ptr<TempDir> bricks_;  // posix leaves only; outlives the graph
  TestGraph graph_;
  TestClient client_;
};

// Counts as a readable string "[d m e]" for assertion messages.
std::string countsText(const afr::Counts& c);

}  // namespace gf::test
