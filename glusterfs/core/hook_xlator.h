// SPDX-License-Identifier: GPL-3.0-or-later
// HookXlator: base of generic layers (trace, error injection, read-only, thread offload) that
// treat every fop alike through two hooks instead of ~45 overrides.
//
// For each fop: before() runs first and may fail the fop (it is then not passed down), adjust
// the caller context, or suspend (to hop threads); then the fop goes to the first child; then
// after() sees the outcome and may edit the reply in place (e.g. translate owners) or set or
// replace its error.
#pragma once

#include "glusterfs/core/xlator.h"

namespace gf {

// A fop as a generic layer sees it: which one, and its request behind a type-erased pointer.
struct FopCall {
  FopId id;
  const void* req;
  template <class Req>
  const Req& as() const {
    return *static_cast<const Req*>(req);
  }
  const FopInfo& info() const { return fopInfo(id); }
};

struct FopOutcome {
  FopId id;
  std::error_code error;
  void* reply;  // the fop's reply struct, or null when it failed
};

class HookXlator : public Xlator {
 public:
  using Xlator::Xlator;

#define GF_HOOK_FOP_(name_, Req, Rep, flags)                                  \
  Task<Result<Rep>> name_(const CallCtx& ctx, const Req& req) override {      \
    return hooked<Rep, Req>(FopId::name_, ctx, req);                          \
  }
  GF_FOP_LIST(GF_HOOK_FOP_)
#undef GF_HOOK_FOP_

 protected:
  virtual Task<Status> before(CallCtx& ctx, const FopCall& call) {
    (void)ctx, (void)call;
    return Task<Status>::ready(Status{});
  }
  virtual void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) {
    (void)ctx, (void)call, (void)outcome;
  }

 private:
  template <class Rep, class Req>
  Task<Result<Rep>> hooked(FopId id, const CallCtx& callerCtx, const Req& req) {
    CallCtx ctx = callerCtx;
    FopCall call{id, &req};
    Status admitted = co_await before(ctx, call);
    if (!admitted) {
      FopOutcome out{id, admitted.error(), nullptr};
      after(ctx, call, out);
      co_return fail(out.error);
    }
    Result<Rep> res = co_await callFop<Req>(child(), ctx, req);
    FopOutcome out{id, res.error(), res.ok() ? static_cast<void*>(&*res) : nullptr};
    after(ctx, call, out);
    // after() may fail a success or replace an error; clearing an error cannot invent a reply.
    if (out.error && out.error != res.error()) co_return fail(out.error);
    co_return res;
  }
};

}  // namespace gf
