// SPDX-License-Identifier: GPL-3.0-or-later
// Graph construction, --xlator-option overrides, and lifecycle ordering.
#include "glusterfs/core/graph.h"

#include <cstdint>
#include <map>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/log.h"

namespace gf {

const XlatorType* XlatorRegistry::find(std::string_view type) const {
  for (const auto& t : types_) {
    if (t.type == type) return &t;
    for (const auto& a : t.aliases)
      if (a == type) return &t;
  }
  return nullptr;
}

namespace {

// Applies "VOL.KEY=VALUE" overrides onto the declarations (replacing a volfile option of the
// same key, else adding one).
void applyOverrides(Volfile& vf, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    size_t dot = o.find('.'), eq = o.find('=');
    if (dot == std::string::npos || eq == std::string::npos || eq < dot || dot == 0 ||
        eq == dot + 1)
      throw VolfileError("--xlator-option", 0, "'" + o + "' is not of the form VOLUME.KEY=VALUE");
    // Volume names may contain dots ("brick.1"): the longest declared name before a dot wins.
    VolumeDecl* target = nullptr;
    for (size_t p = dot; p != std::string::npos && p + 1 < eq; p = o.find('.', p + 1))
      for (auto& d : vf.volumes)
        if (o.compare(0, p, d.name) == 0 && d.name.size() == p) target = &d, dot = p;
    if (!target)
      throw VolfileError("--xlator-option", 0,
                         "'" + o + "': no volume named '" + o.substr(0, dot) + "'");
    std::string key = o.substr(dot + 1, eq - dot - 1), value = o.substr(eq + 1);
    bool replaced = false;
    for (auto& r : target->options)
      if (r.key == key) {
        r = RawOption{key, value, "--xlator-option", 0};
        replaced = true;
      }
    if (!replaced) target->options.push_back(RawOption{key, value, "--xlator-option", 0});
  }
}

}  // namespace

std::unique_ptr<Graph> Graph::build(const Volfile& vfIn, const XlatorRegistry& registry,
                                    const GraphOptions& opts) {
  std::unique_ptr<Graph> g(new Graph());
  g->volfile_ = vfIn;
  Volfile& vf = g->volfile_;
  applyOverrides(vf, opts.xlatorOptions);

  std::map<std::string, Xlator*> byName;
  for (const auto& decl : vf.volumes) {
    const XlatorType* type = registry.find(decl.type);
    if (!type) {
      std::string known;
      for (const auto& t : registry.types()) known += " " + t.type;
      throw VolfileError(vf.file, decl.typeLine,
                         "volume '" + decl.name + "': unknown type '" + decl.type +
                             "' (known types:" + known + ")");
    }
    size_t n = decl.subvolumes.size();
    if (n < type->minChildren || n > type->maxChildren) {
      std::string min = std::to_string(type->minChildren), max = std::to_string(type->maxChildren);
      std::string want = type->maxChildren == 0                   ? "no subvolumes"
                         : type->minChildren == type->maxChildren ? min + " subvolume(s)"
                         : type->maxChildren == SIZE_MAX ? "at least " + min + " subvolume(s)"
                         : type->minChildren == 0        ? "at most " + max + " subvolume(s)"
                                                         : min + " to " + max + " subvolumes";
      int line = decl.subvolumes.empty() ? decl.line : decl.subvolumes.front().second;
      throw VolfileError(vf.file, line,
                         "volume '" + decl.name + "': " + type->type + " takes " + want + ", got " +
                             std::to_string(n));
    }
    XlatorArgs args;
    args.name = decl.name;
    args.type = type->type;
    args.graph = g.get();
    for (const auto& [sub, line] : decl.subvolumes) args.children.push_back(byName.at(sub));
    std::unique_ptr<Xlator> xl = type->make(args, decl, vf.file);
    for (auto* c : args.children) c->addParent(xl.get());
    byName[decl.name] = xl.get();
    g->xlators_.push_back(std::move(xl));
  }

  if (!opts.volumeName.empty()) {
    auto it = byName.find(opts.volumeName);
    if (it == byName.end())
      throw VolfileError(vf.file, 0, "--volume-name: no volume named '" + opts.volumeName + "'");
    g->top_ = it->second;
  } else {
    g->top_ = g->xlators_.back().get();
  }
  return g;
}

std::unique_ptr<Graph> Graph::fromText(std::string_view text, const XlatorRegistry& registry,
                                       const GraphOptions& opts, const std::string& name) {
  return build(parseVolfile(text, name), registry, opts);
}

std::unique_ptr<Graph> Graph::fromFile(const std::string& path, const XlatorRegistry& registry,
                                       const GraphOptions& opts) {
  return build(loadVolfile(path), registry, opts);
}

EventLoop& Graph::netLoop() {
  std::lock_guard lock(netLoopMutex_);
  if (!netLoop_) netLoop_ = std::make_unique<EventLoop>(2, "gf-net");
  return *netLoop_;
}

Graph::~Graph() {
  stop();
  // No network handler may run once translators start going away.
  if (netLoop_) netLoop_->stop();
  // Parents go first: they may hold references into their children.
  while (!xlators_.empty()) xlators_.pop_back();
}

Xlator* Graph::find(std::string_view name) const {
  for (const auto& x : xlators_)
    if (x->name() == name) return x.get();
  return nullptr;
}

Status Graph::init(std::string* error) {
  for (const auto& x : xlators_) {
    Status st = x->init();
    if (!st) {
      std::string msg = "volume '" + x->name() + "' (" + x->type() +
                        ") failed to initialise: " + st.error().message();
      GF_LOG_ERROR("graph", "%s", msg.c_str());
      if (error) *error = msg;
      return st;
    }
  }
  return {};
}

void Graph::start() {
  if (started_) return;
  started_ = true;
  for (const auto& x : xlators_) x->start();
}

void Graph::stop() {
  if (stopped_ || !started_) return;
  stopped_ = true;
  for (auto it = xlators_.rbegin(); it != xlators_.rend(); ++it) (*it)->stop();
}

}  // namespace gf
