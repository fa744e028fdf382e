// SPDX-License-Identifier: GPL-3.0-or-later
// Graph: translators built from a parsed volfile through a registry of translator types.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/options.h"
#include "glusterfs/core/volfile.h"
#include "glusterfs/core/xlator.h"

namespace gf {

// One translator type: its volfile name, how to build it, its option table, how many
// subvolumes it takes.
struct XlatorType {
  std::string type;                    // "storage/posix"
  std::vector<std::string> aliases;    // "cluster/afr" for cluster/replicate
  std::string summary;
  size_t minChildren = 0;
  size_t maxChildren = 0;              // SIZE_MAX: unbounded
  const OptionTableBase& (*options)();
  // Parses `decl.options` (throwing VolfileError) and constructs the translator.
  std::unique_ptr<Xlator> (*make)(const XlatorArgs& args, const VolumeDecl& decl,
                                  const std::string& volfile);
};

class XlatorRegistry {
 public:
  explicit XlatorRegistry(std::vector<XlatorType> types) : types_(std::move(types)) {}
  const XlatorType* find(std::string_view type) const;
  const std::vector<XlatorType>& types() const { return types_; }

 private:
  std::vector<XlatorType> types_;
};

// The usual factory: parse the Config from the option table, then construct.
template <class X>
std::unique_ptr<Xlator> makeXlator(const XlatorArgs& args, const VolumeDecl& decl,
                                   const std::string& volfile) {
  auto config = X::optionTable().parse(decl.options, decl.name, volfile, decl.line);
  return std::make_unique<X>(args, std::move(config));
}
template <class X>
const OptionTableBase& optionsOf() {
  return X::optionTable();
}

struct GraphOptions {
  std::string volumeName;                  // root volume; default: the last one defined
  std::vector<std::string> xlatorOptions;  // "VOLUME.KEY=VALUE", override volfile options
};

class EventLoop;

class Graph {
 public:
  // Throws VolfileError for an unknown type, bad options, wrong subvolume count, a bad
  // --volume-name or --xlator-option.
  static std::unique_ptr<Graph> build(const Volfile& vf, const XlatorRegistry& registry,
                                      const GraphOptions& opts = {});
  static std::unique_ptr<Graph> fromText(std::string_view text, const XlatorRegistry& registry,
                                         const GraphOptions& opts = {},
                                         const std::string& name = "<volfile>");
  static std::unique_ptr<Graph> fromFile(const std::string& path, const XlatorRegistry& registry,
                                         const GraphOptions& opts = {});
  ~Graph();

  Xlator& top() const { return *top_; }
  bool isTop(const Xlator* x) const { return top_ == x; }  // false while the graph is built
  Xlator* find(std::string_view name) const;
  const std::vector<std::unique_ptr<Xlator>>& xlators() const { return xlators_; }
  const Volfile& volfile() const { return volfile_; }

  // init() every translator bottom-up; the first failure names its volume and stops.
  Status init(std::string* error = nullptr);
  // Receives the events the top translator sends upward (it has no parent to take them):
  // the consumer of the graph (FUSE bridge, server) learns when the volume is up or down.
  void setTopListener(std::function<void(const Event&)> fn) { topListener_ = std::move(fn); }
  void topEvent(const Event& ev) const {
    if (topListener_) topListener_(ev);
  }
  // The network event loop shared by this graph's protocol translators (made on first use).
  EventLoop& netLoop();
  void start();  // bottom-up, after init
  void stop();   // top-down; idempotent

 private:
  Graph() = default;
  std::vector<std::unique_ptr<Xlator>> xlators_;  // in volfile order (children first)
  Xlator* top_ = nullptr;
  Volfile volfile_;
  std::function<void(const Event&)> topListener_;
  std::unique_ptr<EventLoop> netLoop_;
  std::mutex netLoopMutex_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace gf
