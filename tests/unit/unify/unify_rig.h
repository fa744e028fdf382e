// SPDX-License-Identifier: GPL-3.0-or-later
// UnifyRig: cluster/unify over N storage/memory children (c0, c1, ...: debug/error-gen over
// test/probe p_i over storage/memory m_i) with a namespace volume "ns" (error-gen over
// storage/memory nsm), built from volfile text. Tests read each leaf and the namespace
// directly to see where files are.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glusterfs/xlators/cluster/unify/unify_xlator.h"
#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/distribute/probe_xlator.h"
#include "tests/unit/support/fop_helpers.h"

namespace gf::test {

struct UnifyRigOptions {
  size_t children = 3;
  std::vector<std::pair<std::string, std::string>> options;  // of the unify volume
  std::map<size_t, std::string> maxSize;                     // child -> memory max-size
};

class UnifyRig {
 public:
  explicit UnifyRig(UnifyRigOptions options = {});
  static std::string volfile(const UnifyRigOptions& options);

  UnifyXlator& unify() const { return graph_.get<UnifyXlator>("unify"); }
  TestClient& client() { return client_; }
  TestClient leaf(size_t i) const;
  TestClient nsLeaf() const;
  ProbeXlator& probe(size_t i) const;
  ErrorGenXlator& faults(size_t i) const;  // child i
  ErrorGenXlator& nsFaults() const;
  size_t children() const { return options_.children; }

  void failOnce(ErrorGenXlator& x, std::string_view fop, int err, int64_t skip = 0);
  void failAlways(ErrorGenXlator& x, std::string_view fops, int err);
  void clear(ErrorGenXlator& x);
  void down(size_t i);
  void up(size_t i);

  // The children holding `path` (any type).
  std::vector<size_t> on(std::string_view path) const;
  bool inNamespace(std::string_view path) const;

 private:
  UnifyRigOptions options_;
  ProbeGraph graph_;
  TestClient client_;
};

}  // namespace gf::test
