// SPDX-License-Identifier: GPL-3.0-or-later
// TestGraph construction and the volfile text builder.
#include "tests/unit/support/test_graph.h"

#include "glusterfs/xlators/registry.h"

namespace gf::test {

TestGraph::TestGraph(std::string_view volfile, const GraphOptions& opts)
    : graph_(Graph::fromText(volfile, builtinXlators(), opts, "<test volfile>")) {
  std::string why;
  if (!graph_->init(&why)) throw std::runtime_error(why);
  graph_->start();
}

TestGraph::~TestGraph() { graph_->stop(); }

std::string volume(std::string_view name, std::string_view type,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> options,
                   std::initializer_list<std::string_view> subvolumes) {
  std::string out = "volume " + std::string(name) + "\n  type " + std::string(type) + "\n";
  for (const auto& [k, v] : options)
    out += "  option " + std::string(k) + " " + std::string(v) + "\n";
  if (subvolumes.size() > 0) {
    out += "  subvolumes";
    for (auto s : subvolumes) out += " " + std::string(s);
    out += "\n";
  }
  return out + "end-volume\n";
}

}  // namespace gf::test
