// SPDX-License-Identifier: GPL-3.0-or-later
// Mounting and unmounting a FUSE filesystem: mount(2) as root, fusermount3 otherwise.
#pragma once

#include <string>

#include "lfp/lfp.h"

namespace lfp::detail {

struct MountResult {
  int fd = -1;
  bool viaFusermount = false;
  std::string device;  // "major:minor" of the new mount (from /proc/self/mountinfo)
};

// Opens /dev/fuse and mounts it on opts.mountpoint. On failure fd stays -1 and *error says why.
MountResult mountFuse(const MountOptions& opts, std::string* error);
// Unmounts: lazily (MNT_DETACH / fusermount3 -z) or, when `lazy` is false, normally with a
// lazy retry if the mount is busy. Only if the mount is still ours: the connection on `fd` is
// alive and the top mount on the path is still `device` (after an unmount, another daemon may
// already have mounted the same directory).
void unmountFuse(const std::string& mountpoint, bool viaFusermount, bool lazy, int fd,
                 const std::string& device);
// "major:minor" of the top mount on `mountpoint`, read from /proc/self/mountinfo ("" if none).
std::string mountDevice(const std::string& mountpoint);
// The mount(2) data string and flags for the options (exposed for tests).
std::string kernelMountData(const MountOptions& opts, int fd, unsigned rootmode,
                            unsigned long* flags);

}  // namespace lfp::detail
