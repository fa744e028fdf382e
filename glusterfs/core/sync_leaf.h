// SPDX-License-Identifier: GPL-3.0-or-later
// GF_SYNC_LEAF_FOPS: for leaves whose fops are plain system calls. Declares, for every fop,
// the Task-returning override and a synchronous `NAMESync` member that the leaf defines; the
// override wraps the result in a ready Task, so no coroutine frame is ever allocated.
#pragma once

#include "glusterfs/core/xlator.h"

#define GF_SYNC_LEAF_FOP_(name, Req, Rep, flags)                                       \
  ::gf::Task<::gf::Result<Rep>> name(const ::gf::CallCtx& c, const Req& r) override {  \
    return ::gf::Task<::gf::Result<Rep>>::ready(name##Sync(c, r));                     \
  }                                                                                    \
  ::gf::Result<Rep> name##Sync(const ::gf::CallCtx& c, const Req& r);

#define GF_SYNC_LEAF_FOPS GF_FOP_LIST(GF_SYNC_LEAF_FOP_)
