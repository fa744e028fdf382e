// SPDX-License-Identifier: GPL-3.0-or-later
// fuseCall(): the one shape of a FUSE request handled by a fop: run it, answer an error, or
// hand the reply to a success callback. Used by every FuseBridge handler.
#pragma once

#include "glusterfs/core/task.h"
#include "lfp/lfp.h"

namespace gf {

// `start` returns the fop's Task (and owns whatever the fop's arguments refer to); `onOk`
// answers the request from the reply. Both live in this coroutine's frame until it ends.
template <class Start, class OnOk>
Task<void> fuseCallTask(lfp::Request r, Start start, OnOk onOk) {
  auto res = co_await start();
  if (!res) {
    r.replyErr(res.errnum());
    co_return;
  }
  onOk(r, *res);
}

template <class Start, class OnOk>
void fuseCall(lfp::Request r, Start start, OnOk onOk) {
  spawn(fuseCallTask(std::move(r), std::move(start), std::move(onOk)), "fuse");
}

}  // namespace gf
