// SPDX-License-Identifier: GPL-3.0-or-later
// Conversions from lfp/POSIX types to the kernel's fuse_attr / fuse_entry_out records.
#pragma once

#include <linux/fuse.h>

#include "lfp/lfp.h"

namespace lfp::detail {

// Splits a timeout in seconds into the kernel's (sec, nsec) pair; negative means 0.
void splitTimeout(double seconds, uint64_t& sec, uint32_t& nsec);
void toFuseAttr(const struct stat& st, fuse_attr& out);
void toEntryOut(const Entry& e, fuse_entry_out& out);
void toKstatfs(const struct statvfs& st, fuse_kstatfs& out);

}  // namespace lfp::detail
