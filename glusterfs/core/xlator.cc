// SPDX-License-Identifier: GPL-3.0-or-later
// Pass-through defaults for every fop and default event routing.
#include "glusterfs/core/xlator.h"

#include "glusterfs/core/graph.h"
#include "glusterfs/core/log.h"

namespace gf {

const char* eventName(EventType t) {
  switch (t) {
    case EventType::kChildUp: return "CHILD_UP";
    case EventType::kChildDown: return "CHILD_DOWN";
    case EventType::kClientDisconnect: return "CLIENT_DISCONNECT";
  }
  return "?";
}

Xlator::Xlator(const XlatorArgs& args)
    : name_(args.name), type_(args.type), children_(args.children), graph_(args.graph) {}

Xlator::~Xlator() = default;

void Xlator::notify(const Event& ev) {
  switch (ev.type) {
    case EventType::kChildUp:
    case EventType::kChildDown:
      notifyParents(ev.type, ev.reason);
      break;
    case EventType::kClientDisconnect:
      notifyChildren(ev);
      break;
  }
}

void Xlator::notifyParents(EventType type, const std::string& reason) {
  Event ev{type, this, 0, reason};
  for (auto* p : parents_) p->notify(ev);
  // The top reports even when it has parents: with --volume-name the volumes above it are
  // built but unused, and the graph's consumer must still hear that its volume is up.
  if (graph_ && graph_->isTop(this)) graph_->topEvent(ev);
}

void Xlator::notifyChildren(const Event& ev) {
  Event fwd = ev;
  fwd.from = this;
  for (auto* c : children_) c->notify(fwd);
}

// A translator without children that does not implement a fop has nowhere to send it; that is
// a missing implementation in a leaf, reported loudly rather than hidden.
#define GF_DEFAULT_FOP_(name_, Req, Rep, flags)                                          \
  Task<Result<Rep>> Xlator::name_(const CallCtx& ctx, const Req& req) {                  \
    if (children_.empty()) {                                                             \
      GF_LOG_ERROR(name(), "%s: fop %s reached a translator with no subvolume",          \
                   type().c_str(), #name_);                                              \
      return fail(ENOTCONN);                                                             \
    }                                                                                    \
    return children_.front()->name_(ctx, req);                                           \
  }
GF_FOP_LIST(GF_DEFAULT_FOP_)
#undef GF_DEFAULT_FOP_

}  // namespace gf
