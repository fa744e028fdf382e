// SPDX-License-Identifier: GPL-3.0-or-later
// The capability policy shared by both backends, so both libraries ask the kernel for the same.
#pragma once

#include <string>

#include "lfp/lfp.h"

namespace lfp::detail {

// What to want by default out of `capable`: everything that is transparent to a filesystem,
// plus what SessionOptions opted in to. Locks, readdirplus, ACLs, export support, killpriv,
// cached symlinks, explicit invalidation and DONT_MASK change the filesystem's duties (the kernel
// does not fall back when they answer ENOSYS): it adds them to `want` in init().
uint64_t defaultWant(uint64_t capable, const SessionOptions& o);

// Largest power of two <= bytes (at least 4096): the st_blksize to suggest.
uint32_t ioBlockSizeFor(uint64_t bytes);

// Refuses a mountpoint that is a dead FUSE mount (ENOTCONN) or not a directory, with a message
// naming the cause and the fix. True if mounting may proceed.
bool checkMountpoint(const std::string& path, std::string* error);

// "a,b,c" list of Cap names, for debug logs.
std::string capNames(uint64_t caps);

}  // namespace lfp::detail
