// SPDX-License-Identifier: GPL-3.0-or-later
// PerfRig: the graph under test and its fault controls.
#include "tests/unit/performance/perf_rig.h"

#include <memory>

#include "glusterfs/core/inode.h"
#include "glusterfs/xlators/debug/common/fop_set.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {

namespace {
std::string volfile(std::string_view type,
                    const std::vector<std::pair<std::string, std::string>>& options) {
  std::string text =
      volume("m", "storage/memory") + volume("p", "test/probe", {}, {"m"}) +
      volume("e", "debug/error-gen", {{"failure", "0"}, {"random-seed", "1"}}, {"p"});
  text += "volume x\n  type " + std::string(type) + "\n";
  for (const auto& [k, v] : options) text += "  option " + k + " " + v + "\n";
  return text + "  subvolumes e\nend-volume\n";
}
}  // namespace

PerfRig::PerfRig(std::string_view type, std::vector<std::pair<std::string, std::string>> options)
    // Inodes stay known between opens, as under a mount where the kernel holds its lookups:
    // what a cache keeps on an inode should outlive each open of the file.
    : graph_(volfile(type, options)),
      client_(graph_.get("x"), std::make_shared<InodeTable>(1024), CallCtx::root()) {}

void PerfRig::failOnce(std::string_view fop, int err, int64_t skip) {
  ErrorGenXlator::Config c;
  c.failure = 100;
  c.errorNo = err;
  c.seed = 1;
  c.enabled = debug::parseFopList(fop);
  c.skip = skip;
  c.maxFailures = 1;
  faults().reconfigure(c);
}

void PerfRig::clearFaults() {
  ErrorGenXlator::Config c;
  c.failure = 0;
  c.seed = 1;
  faults().reconfigure(c);
}

}  // namespace gf::test
