// SPDX-License-Identifier: GPL-3.0-or-later
// Whether a lock fop failed only because nothing below keeps locks.
#pragma once

#include <cerrno>

namespace gf {

// A child without a lock manager (no features/locks between it and its storage) answers lock
// fops with ENOSYS or ENOLCK. The cluster translators then carry on without that lock, as
// GlusterFS 2.0 did over such bricks; any other error is a real refusal.
inline bool noLockManager(int errnum) { return errnum == ENOSYS || errnum == ENOLCK; }

}  // namespace gf
