// SPDX-License-Identifier: GPL-3.0-or-later
// Notification encoders behind Session::notify*, on a session's state (so tests can aim them at
// a pipe instead of /dev/fuse). Each returns 0 or -errno.
#pragma once

#include <string_view>

#include "libfuse-patched/src/session_impl.h"

namespace lfp::detail {

int notifyInvalInode(Session::Impl& s, Ino ino, off_t off, off_t len);
int notifyInvalEntry(Session::Impl& s, Ino parent, std::string_view name);
int notifyDelete(Session::Impl& s, Ino parent, Ino child, std::string_view name);
int notifyStore(Session::Impl& s, Ino ino, off_t offset, const void* data, size_t size);
int notifyRetrieve(Session::Impl& s, Ino ino, off_t offset, size_t size, uint64_t cookie);
int notifyPoll(Session::Impl& s, uint64_t pollHandle);

}  // namespace lfp::detail
