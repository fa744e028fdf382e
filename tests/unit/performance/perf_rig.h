// SPDX-License-Identifier: GPL-3.0-or-later
// PerfRig: one performance translator ("x", of the given type and options) over debug/error-gen
// "e" over test/probe "p" over storage/memory "m", built from volfile text. Tests drive "x"
// through a TestClient (whose inodes, as under a mount, outlive each open), fail or hold
// calls below it, and look at the storage directly.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/distribute/probe_xlator.h"
#include "tests/unit/support/fop_helpers.h"

namespace gf::test {

class PerfRig {
 public:
  PerfRig(std::string_view type, std::vector<std::pair<std::string, std::string>> options = {});

  Xlator& top() const { return graph_.get("x"); }
  TestClient& client() { return client_; }
  // A client straight on the storage: changes "made elsewhere".
  TestClient storage() const { return TestClient(graph_.get("m")); }
  ProbeXlator& probe() const { return graph_.get<ProbeXlator>("p"); }
  ErrorGenXlator& faults() const { return graph_.get<ErrorGenXlator>("e"); }

  // The (skip+1)-th call of `fop` below the translator fails with `err`.
  void failOnce(std::string_view fop, int err, int64_t skip = 0);
  void clearFaults();

 private:
  ProbeGraph graph_;
  TestClient client_;
};

}  // namespace gf::test
