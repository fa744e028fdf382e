// SPDX-License-Identifier: GPL-3.0-or-later
// TestGraph: a translator graph built from volfile text through the real parser and registry,
// initialised and started, stopped on destruction.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "glusterfs/core/graph.h"

namespace gf::test {

class TestGraph {
 public:
  // Throws VolfileError for a bad volfile and std::runtime_error when init() fails.
  explicit TestGraph(std::string_view volfile, const GraphOptions& opts = {});
  ~TestGraph();
  TestGraph(const TestGraph&) = delete;
  TestGraph& operator=(const TestGraph&) = delete;

  Xlator& top() const { return graph_->top(); }
  Graph& graph() const { return *graph_; }
  // The translator named `name`, as its class; throws if missing or of another class.
  template <class X = Xlator>
  X& get(std::string_view name) const {
    Xlator* x = graph_->find(name);
    auto* typed = dynamic_cast<X*>(x);
    if (!typed) throw std::logic_error("no translator '" + std::string(name) + "' of that type");
    return *typed;
  }

 private:
  std::unique_ptr<Graph> graph_;
};

// "volume NAME\n  type TYPE\n  option K V...\n  subvolumes ...\nend-volume\n", for short
// volfiles in tests: volume("mem", "storage/memory") + volume("locks", "features/locks",
// {{"mandatory-locks", "off"}}, {"mem"}).
std::string volume(
    std::string_view name, std::string_view type,
    std::initializer_list<std::pair<std::string_view, std::string_view>> options = {},
    std::initializer_list<std::string_view> subvolumes = {});

}  // namespace gf::test
