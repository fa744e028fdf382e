// SPDX-License-Identifier: GPL-3.0-or-later
// Xlator: the one interface every translator implements, generated from GF_FOP_LIST.
//
// Every fop has a pass-through default that forwards to the first child without a coroutine
// frame, so a layer overrides only the fops it changes. Fops never throw: errors travel as
// Result errors (errno values). Fops may be called from any thread and must be thread-safe.
//
// Lifecycle: the graph constructs translators bottom-up, calls init() bottom-up, start()
// bottom-up once the whole graph is built (leaves announce kChildUp there), and stop() top-down
// before destruction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/fops.h"
#include "glusterfs/core/result.h"
#include "glusterfs/core/task.h"

namespace gf {

class Graph;
class Xlator;

enum class EventType {
  kChildUp,          // upward: the sender can serve fops
  kChildDown,        // upward: the sender cannot serve fops
  kClientDisconnect, // downward: a client went away; release what it held (locks, fds)
};
const char* eventName(EventType t);

struct Event {
  EventType type;
  Xlator* from = nullptr;  // the translator that sent it to us
  uint64_t clientId = 0;   // for kClientDisconnect
  std::string reason;      // for kChildDown: why (e.g. "authentication failed: ...")
};

struct XlatorArgs {
  std::string name;
  std::string type;
  std::vector<Xlator*> children;
  Graph* graph = nullptr;
};

class Xlator {
 public:
  explicit Xlator(const XlatorArgs& args);
  virtual ~Xlator();
  Xlator(const Xlator&) = delete;
  Xlator& operator=(const Xlator&) = delete;

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  const std::vector<Xlator*>& children() const { return children_; }
  const std::vector<Xlator*>& parents() const { return parents_; }
  Xlator& child(size_t i = 0) const { return *children_.at(i); }
  Graph* graph() const { return graph_; }
  void addParent(Xlator* p) { parents_.push_back(p); }

  virtual Status init() { return {}; }
  virtual void start() {}
  virtual void stop() {}
  // Default: child up/down events go to the parents, client events to the children.
  virtual void notify(const Event& ev);
  void notifyParents(EventType type, const std::string& reason = {});
  void notifyChildren(const Event& ev);

#define GF_XLATOR_FOP_(name, Req, Rep, flags) \
  virtual Task<Result<Rep>> name(const CallCtx& ctx, const Req& req);
  GF_FOP_LIST(GF_XLATOR_FOP_)
#undef GF_XLATOR_FOP_

 private:
  std::string name_;
  std::string type_;
  std::vector<Xlator*> children_;
  std::vector<Xlator*> parents_;
  Graph* graph_;
};

// Calls fop `id` on `xl` with a type-erased request; used by generic layers and the codecs.
// `req` must point to the fop's request type.
template <class Req>
Task<Result<typename FopOf<Req>::Reply>> callFop(Xlator& xl, const CallCtx& ctx, const Req& req);

#define GF_CALL_FOP_(name_, Req, Rep, flags)                                              \
  template <>                                                                             \
  inline Task<Result<Rep>> callFop<Req>(Xlator & xl, const CallCtx& ctx, const Req& req) { \
    return xl.name_(ctx, req);                                                            \
  }
GF_FOP_LIST(GF_CALL_FOP_)
#undef GF_CALL_FOP_

}  // namespace gf
