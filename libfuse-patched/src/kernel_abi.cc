// SPDX-License-Identifier: GPL-3.0-or-later
// Facts about the running FUSE kernel module: version, our patch level, request page limit.
#include "libfuse-patched/src/kernel_abi.h"

#include <sys/utsname.h>

#include <cstdio>
#include <string>

#include "libfuse-patched/common/log.h"

namespace lfp::abi {
namespace {

constexpr const char* kSysctlLimit = "/proc/sys/fs/fuse/max_pages_limit";
constexpr const char* kModuleLimit = "/sys/module/fuse/parameters/max_pages_limit";
constexpr const char* kPatchLevel = "/sys/module/fuse/parameters/patch_level";

bool readUnsigned(const char* path, unsigned& out) {
  FILE* f = std::fopen(path, "re");
  if (!f) return false;
  unsigned v = 0;
  bool ok = std::fscanf(f, "%u", &v) == 1;
  std::fclose(f);
  if (ok) out = v;
  return ok;
}

bool writeUnsigned(const char* path, unsigned v) {
  FILE* f = std::fopen(path, "we");
  if (!f) return false;
  bool ok = std::fprintf(f, "%u\n", v) > 0;
  ok = (std::fclose(f) == 0) && ok;
  return ok;
}

}  // namespace

unsigned kernelVersion() {
  struct utsname u;
  if (uname(&u) != 0) return 0;
  unsigned major = 0, minor = 0;
  if (std::sscanf(u.release, "%u.%u", &major, &minor) != 2) return 0;
  return major * 100 + minor;
}

unsigned patchedModuleLevel() {
  unsigned v = 0;
  return readUnsigned(kPatchLevel, v) ? v : 0;
}

unsigned maxPagesLimit() {
  unsigned v = 0;
  if (readUnsigned(kSysctlLimit, v) && v) return v;
  if (readUnsigned(kModuleLimit, v) && v) return v;
  return 256;  // FUSE_MAX_MAX_PAGES of kernels without the tunable
}

unsigned raiseMaxPagesLimit(unsigned pages) {
  unsigned cur = maxPagesLimit();
  if (pages <= cur) return cur;
  if (!writeUnsigned(kSysctlLimit, pages) && !writeUnsigned(kModuleLimit, pages))
    detail::log(kLogWarning, "cannot raise the FUSE max_pages_limit to %u (stays %u)", pages, cur);
  return maxPagesLimit();
}

}  // namespace lfp::abi
