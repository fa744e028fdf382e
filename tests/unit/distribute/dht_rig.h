// SPDX-License-Identifier: GPL-3.0-or-later
// DhtRig: cluster/distribute (or nufa) over N storage/memory leaves built from volfile text.
// Each child is debug/error-gen (c0, c1, ...: distribute's children) over test/probe (p0, ...)
// over storage/memory (m0, ...). With `spare` > 0, extra leaves exist beyond distribute's
// children and a second distribute "wide" spans all of them: the same bricks before and after
// adding children, for rebalance. Tests read every leaf directly to see where data, linkfiles
// and layouts are.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glusterfs/xlators/cluster/distribute/dht_layout.h"
#include "glusterfs/xlators/cluster/distribute/distribute_xlator.h"
#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/distribute/probe_xlator.h"
#include "tests/unit/support/fop_helpers.h"

namespace gf::test {

struct DhtRigOptions {
  size_t children = 2;
  size_t spare = 0;  // leaves beyond distribute's children (only "wide" uses them)
  std::string type = "cluster/distribute";
  std::vector<std::pair<std::string, std::string>> options;  // of the distribute volume
  std::map<size_t, std::string> maxSize;                     // leaf -> storage/memory max-size
};

class DhtRig {
 public:
  explicit DhtRig(DhtRigOptions options = {});
  static std::string volfile(const DhtRigOptions& options);

  DistributeXlator& dht() const { return graph_.get<DistributeXlator>("dht"); }
  // Distribute over every leaf (spare > 0 only).
  DistributeXlator& wide() const { return graph_.get<DistributeXlator>("wide"); }
  TestClient& client() { return client_; }
  // A fresh client (own inode table) on `x`.
  TestClient clientOn(Xlator& x) const { return TestClient(x); }
  // A client on leaf i's storage, below every cluster layer.
  TestClient leaf(size_t i) const;
  ProbeXlator& probe(size_t i) const;
  ErrorGenXlator& faults(size_t i) const;
  size_t leaves() const { return options_.children + options_.spare; }

  // The (skip+1)-th call of `fop` on child i fails with `err`, and only that one.
  void failOnce(size_t i, std::string_view fop, int err, int64_t skip = 0);
  // Every call of the listed fops (comma list, "all") on child i fails with `err`.
  void failAlways(size_t i, std::string_view fops, int err);
  // Every call of `fops` on child i after the first `skip` fails with `err`.
  void failAfter(size_t i, std::string_view fops, int err, int64_t skip);
  void clearFaults(size_t i);
  // Child i goes away (calls fail with ENOTCONN, distribute is told) and comes back.
  void down(size_t i);
  void up(size_t i);

  // The leaves holding `path` as a regular file with data (not a linkfile), as a linkfile,
  // and as anything at all.
  std::vector<size_t> dataOn(std::string_view path) const;
  std::vector<size_t> linkfilesOn(std::string_view path) const;
  std::vector<size_t> presentOn(std::string_view path) const;
  // The linkto target stored with `path` on leaf i ("" if none).
  std::string linktoOn(size_t i, std::string_view path) const;
  // The layout slice a directory copy carries on leaf i.
  std::optional<dht::Range> rangeOn(size_t i, std::string_view dir) const;
  // The child `name` hashes to under the uniform layout of `n` children.
  static size_t hashedOf(std::string_view name, size_t n);

 private:
  DhtRigOptions options_;
  ProbeGraph graph_;
  TestClient client_;
};

// A name in [prefix] that hashes to child `want` of `n`, the k-th such name.
std::string nameHashingTo(size_t want, size_t n, std::string_view prefix = "f", size_t k = 0);
// "/" + name for the root directory, or dir + "/" + name.
std::string joinPath(std::string_view dir, std::string_view name);

}  // namespace gf::test
