// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers for lock tests: lock requests in one line, and lock calls left running in the
// background (a blocked F_SETLKW) whose completion the test observes.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "glusterfs/core/xlator.h"
#include "tests/unit/support/fop_helpers.h"

namespace gf::test {

inline Flock range(int type, int64_t start, int64_t len) {
  Flock f;
  f.type = type;
  f.whence = SEEK_SET;
  f.start = start;
  f.len = len;
  return f;
}

inline LkReq posixReq(const FdPtr& fd, LockCmd cmd, int type, int64_t start, int64_t len) {
  return LkReq{fd, cmd, LockKind::kPosix, range(type, start, len)};
}

inline LkReq flockReq(const FdPtr& fd, LockCmd cmd, int type) {
  return LkReq{fd, cmd, LockKind::kFlock, range(type, 0, 0)};
}

// A fop started and not awaited: `done` turns true when it completes (on whatever thread
// completed it), and its name is appended to `order` if one is given.
template <class Rep>
struct Pending {
  bool done = false;
  Result<Rep> result;
};

template <class Req>
auto start(Xlator& xl, CallCtx ctx, Req req, std::vector<std::string>* order = nullptr,
           std::string label = "") {
  using Rep = typename FopOf<Req>::Reply;
  auto p = std::make_shared<Pending<Rep>>();
  spawn([](Xlator& x, CallCtx c, Req r, std::shared_ptr<Pending<Rep>> out,
           std::vector<std::string>* ord, std::string name) -> Task<void> {
    out->result = co_await callFop<Req>(x, c, r);
    out->done = true;
    if (ord) ord->push_back(name);
  }(xl, std::move(ctx), std::move(req), p, order, std::move(label)));
  return p;
}

}  // namespace gf::test
