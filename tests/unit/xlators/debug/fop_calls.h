// SPDX-License-Identifier: GPL-3.0-or-later
// Calls any fop by id with a default-constructed request (no file named, no fd): enough to
// see whether a generic layer lets it through, and a robustness check of what lies below.
#pragma once

#include "glusterfs/core/xlator.h"

namespace gf::test {

// The errno the fop returned, or 0 on success.
inline int callWithEmptyRequest(Xlator& xl, FopId id) {
  CallCtx ctx = CallCtx::root();
  switch (id) {
#define GF_EMPTY_CALL_(name, Req, Rep, flags) \
  case FopId::name: {                         \
    Req req{};                                \
    auto r = syncWait(xl.name(ctx, req));     \
    return r.ok() ? 0 : r.errnum();           \
  }
    GF_FOP_LIST(GF_EMPTY_CALL_)
#undef GF_EMPTY_CALL_
  }
  return -1;
}

}  // namespace gf::test
