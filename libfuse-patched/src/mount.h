// SPDX-License-Identifier: GPL-3.0-or-later
// Mounting and unmounting a FUSE filesystem: mount(2) as root, fusermount3 otherwise.
#pragma once

#include <string>

#include "lfp/lfp.h"

namespace lfp::detail {

struct MountResult {
  int fd = -1;
  bool viaFusermount = false;
};

// Opens /dev/fuse and mounts it on opts.mountpoint. On failure fd stays -1 and *error says why.
MountResult mountFuse(const MountOptions& opts, std::string* error);
// Unmounts: lazily (MNT_DETACH / fusermount3 -z) or, when `lazy` is false, normally with a
// lazy retry if the mount is busy.
void unmountFuse(const std::string& mountpoint, bool viaFusermount, bool lazy);
// The mount(2) data string and flags for the options (exposed for tests).
std::string kernelMountData(const MountOptions& opts, int fd, unsigned rootmode,
                            unsigned long* flags);

}  // namespace lfp::detail
