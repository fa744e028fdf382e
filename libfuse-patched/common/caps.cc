// SPDX-License-Identifier: GPL-3.0-or-later
// The capability policy shared by both backends, and the dead-mountpoint check.
#include "libfuse-patched/common/caps.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace lfp::detail {

uint64_t defaultWant(uint64_t capable, const SessionOptions& o) {
  uint64_t want = kCapAsyncRead | kCapAtomicOTrunc | kCapBigWrites | kCapAutoInvalData |
                  kCapAsyncDio | kCapParallelDirops | kCapNoOpenSupport | kCapNoOpendirSupport |
                  kCapMaxPages | kCapDirectIoAllowMmap | kCapParallelDirectWrites |
                  kCapLargeReaddir;
  if (o.splice) want |= kCapSpliceRead | kCapSpliceWrite | kCapSpliceMove;
  if (o.writebackCache) want |= kCapWritebackCache;
  if (o.passthrough) want |= kCapPassthrough;
  if (o.ioUring) want |= kCapIoUring;
  return want & capable;
}

uint32_t ioBlockSizeFor(uint64_t bytes) {
  uint64_t b = 4096;
  while (b * 2 <= bytes && b < (1u << 30)) b *= 2;
  return static_cast<uint32_t>(b);
}

bool checkMountpoint(const std::string& path, std::string* error) {
  struct stat st;
  if (path.empty()) {
    if (error) *error = "no mountpoint given";
    return false;
  }
  if (::stat(path.c_str(), &st) != 0) {
    int e = errno;
    if (error) {
      *error = "mountpoint " + path + ": " + std::strerror(e);
      if (e == ENOTCONN)
        *error += " (a dead FUSE mount whose daemon is gone; clean it up with 'fusermount3 -u -z " +
                  path + "' or 'umount -l " + path + "')";
    }
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (error) *error = "mountpoint " + path + ": not a directory";
    return false;
  }
  return true;
}

std::string capNames(uint64_t caps) {
  static const char* const kNames[] = {"async_read",
                                       "posix_locks",
                                       "flock_locks",
                                       "atomic_o_trunc",
                                       "export_support",
                                       "big_writes",
                                       "dont_mask",
                                       "splice_write",
                                       "splice_move",
                                       "splice_read",
                                       "auto_inval_data",
                                       "readdirplus",
                                       "readdirplus_auto",
                                       "async_dio",
                                       "writeback_cache",
                                       "no_open_support",
                                       "parallel_dirops",
                                       "posix_acl",
                                       "handle_killpriv",
                                       "handle_killpriv_v2",
                                       "cache_symlinks",
                                       "no_opendir_support",
                                       "explicit_inval_data",
                                       "max_pages",
                                       "direct_io_allow_mmap",
                                       "passthrough",
                                       "io_uring",
                                       "setxattr_ext",
                                       "parallel_direct_writes",
                                       "large_readdir"};
  std::string out;
  for (unsigned i = 0; i < sizeof kNames / sizeof kNames[0]; ++i) {
    if (!(caps & (1ull << i))) continue;
    if (!out.empty()) out += ',';
    out += kNames[i];
  }
  return out;
}

}  // namespace lfp::detail
