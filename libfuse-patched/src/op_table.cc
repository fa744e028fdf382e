// SPDX-License-Identifier: GPL-3.0-or-later
// The one opcode table: for every request Linux sends (protocol 7.x up to 7.45), the size of
// its fixed argument, how many names follow, how its payload is sized, and its handler.
#include <linux/fuse.h>

#include <array>

#include "libfuse-patched/src/handlers.h"
#include "libfuse-patched/src/kernel_abi.h"

namespace lfp::detail {
namespace {

constexpr uint32_t kTableSize = 64;

template <class T>
constexpr uint16_t sz() {
  return static_cast<uint16_t>(sizeof(T));
}

constexpr OpSpec op(uint16_t arg, uint8_t names, Handler h, Payload p = Payload::kNone,
                    bool noReply = false, uint16_t minArg = 0) {
  OpSpec s;
  s.argSize = arg;
  s.minArgSize = minArg;
  s.names = names;
  s.payload = p;
  s.noReply = noReply;
  s.handler = h;
  return s;
}

constexpr std::array<OpSpec, kTableSize> makeTable() {
  std::array<OpSpec, kTableSize> t{};
  t[FUSE_LOOKUP] = op(0, 1, doLookup);
  t[FUSE_FORGET] = op(sz<fuse_forget_in>(), 0, doForget, Payload::kNone, true);
  t[FUSE_GETATTR] = op(sz<fuse_getattr_in>(), 0, doGetattr);
  t[FUSE_SETATTR] = op(sz<fuse_setattr_in>(), 0, doSetattr);
  t[FUSE_READLINK] = op(0, 0, doReadlink);
  t[FUSE_SYMLINK] = op(0, 2, doSymlink);
  t[FUSE_MKNOD] = op(sz<fuse_mknod_in>(), 1, doMknod);
  t[FUSE_MKDIR] = op(sz<fuse_mkdir_in>(), 1, doMkdir);
  t[FUSE_UNLINK] = op(0, 1, doUnlink);
  t[FUSE_RMDIR] = op(0, 1, doRmdir);
  t[FUSE_RENAME] = op(sz<fuse_rename_in>(), 2, doRename);
  t[FUSE_LINK] = op(sz<fuse_link_in>(), 1, doLink);
  t[FUSE_OPEN] = op(sz<fuse_open_in>(), 0, doOpen);
  t[FUSE_READ] = op(sz<fuse_read_in>(), 0, doRead);
  t[FUSE_WRITE] = op(sz<fuse_write_in>(), 0, doWrite, Payload::kWrite);
  t[FUSE_STATFS] = op(0, 0, doStatfs);
  t[FUSE_RELEASE] = op(sz<fuse_release_in>(), 0, doRelease);
  t[FUSE_FSYNC] = op(sz<fuse_fsync_in>(), 0, doFsync);
  // 8 bytes unless FUSE_SETXATTR_EXT was negotiated (argSizeFor knows).
  t[FUSE_SETXATTR] = op(sz<fuse_setxattr_in>(), 1, doSetxattr, Payload::kXattrValue);
  t[FUSE_GETXATTR] = op(sz<fuse_getxattr_in>(), 1, doGetxattr);
  t[FUSE_LISTXATTR] = op(sz<fuse_getxattr_in>(), 0, doListxattr);
  t[FUSE_REMOVEXATTR] = op(0, 1, doRemovexattr);
  t[FUSE_FLUSH] = op(sz<fuse_flush_in>(), 0, doFlush);
  // Kernels before 7.36 send only the first 16 bytes (no flags2).
  t[FUSE_INIT] = op(sz<fuse_init_in>(), 0, doInit, Payload::kNone, false, 16);
  t[FUSE_OPENDIR] = op(sz<fuse_open_in>(), 0, doOpendir);
  t[FUSE_READDIR] = op(sz<fuse_read_in>(), 0, doReaddir);
  t[FUSE_RELEASEDIR] = op(sz<fuse_release_in>(), 0, doReleasedir);
  t[FUSE_FSYNCDIR] = op(sz<fuse_fsync_in>(), 0, doFsyncdir);
  t[FUSE_GETLK] = op(sz<fuse_lk_in>(), 0, doGetlk);
  t[FUSE_SETLK] = op(sz<fuse_lk_in>(), 0, doSetlk);
  t[FUSE_SETLKW] = op(sz<fuse_lk_in>(), 0, doSetlk);
  t[FUSE_ACCESS] = op(sz<fuse_access_in>(), 0, doAccess);
  t[FUSE_CREATE] = op(sz<fuse_create_in>(), 1, doCreate);
  t[FUSE_INTERRUPT] = op(sz<fuse_interrupt_in>(), 0, doInterrupt, Payload::kNone, true);
  t[FUSE_BMAP] = op(sz<fuse_bmap_in>(), 0, doBmap);
  t[FUSE_DESTROY] = op(0, 0, doDestroy);
  t[FUSE_IOCTL] = op(sz<fuse_ioctl_in>(), 0, doIoctl, Payload::kIoctlIn);
  t[FUSE_POLL] = op(sz<fuse_poll_in>(), 0, doPoll);
  t[FUSE_NOTIFY_REPLY] =
      op(sz<fuse_notify_retrieve_in>(), 0, doNotifyReply, Payload::kNotifyReply, true);
  t[FUSE_BATCH_FORGET] = op(sz<fuse_batch_forget_in>(), 0, doBatchForget, Payload::kForgets, true);
  t[FUSE_FALLOCATE] = op(sz<fuse_fallocate_in>(), 0, doFallocate);
  t[FUSE_READDIRPLUS] = op(sz<fuse_read_in>(), 0, doReaddir);
  t[FUSE_RENAME2] = op(sz<fuse_rename2_in>(), 2, doRename2);
  t[FUSE_LSEEK] = op(sz<fuse_lseek_in>(), 0, doLseek);
  t[FUSE_COPY_FILE_RANGE] = op(sz<fuse_copy_file_range_in>(), 0, doCopyFileRange);
  t[abi::kOpSetupMapping] = op(sz<fuse_setupmapping_in>(), 0, doUnsupported);
  t[abi::kOpRemoveMapping] = op(sz<fuse_removemapping_in>(), 0, doUnsupported);
  t[abi::kOpSyncfs] = op(sz<fuse_syncfs_in>(), 0, doSyncfs);
  t[abi::kOpTmpfile] = op(sz<fuse_create_in>(), 1, doTmpfile);
  t[abi::kOpStatx] = op(sz<abi::StatxIn>(), 0, doUnsupported);
  t[abi::kOpCopyFileRange64] = op(sz<fuse_copy_file_range_in>(), 0, doCopyFileRange);
  return t;
}

constexpr std::array<OpSpec, kTableSize> kTable = makeTable();

}  // namespace

const OpSpec* opSpec(uint32_t opcode) {
  if (opcode >= kTableSize || !kTable[opcode].handler) return nullptr;
  return &kTable[opcode];
}

}  // namespace lfp::detail
