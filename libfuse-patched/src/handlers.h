// SPDX-License-Identifier: GPL-3.0-or-later
// Request handlers named in the opcode table: each turns a decoded request into one call of the
// filesystem's Operations (or, for protocol housekeeping, answers it itself).
#pragma once

#include "libfuse-patched/src/session_impl.h"

namespace lfp::detail {

// handlers_entry.cc: names and attributes
void doLookup(Dispatch& d, const Decoded& in);
void doForget(Dispatch& d, const Decoded& in);
void doBatchForget(Dispatch& d, const Decoded& in);
void doGetattr(Dispatch& d, const Decoded& in);
void doSetattr(Dispatch& d, const Decoded& in);
void doReadlink(Dispatch& d, const Decoded& in);
void doSymlink(Dispatch& d, const Decoded& in);
void doMknod(Dispatch& d, const Decoded& in);
void doMkdir(Dispatch& d, const Decoded& in);
void doUnlink(Dispatch& d, const Decoded& in);
void doRmdir(Dispatch& d, const Decoded& in);
void doRename(Dispatch& d, const Decoded& in);
void doRename2(Dispatch& d, const Decoded& in);
void doLink(Dispatch& d, const Decoded& in);
void doStatfs(Dispatch& d, const Decoded& in);
void doAccess(Dispatch& d, const Decoded& in);
void doSetxattr(Dispatch& d, const Decoded& in);
void doGetxattr(Dispatch& d, const Decoded& in);
void doListxattr(Dispatch& d, const Decoded& in);
void doRemovexattr(Dispatch& d, const Decoded& in);

// handlers_file.cc: open files and directories
void doOpen(Dispatch& d, const Decoded& in);
void doCreate(Dispatch& d, const Decoded& in);
void doTmpfile(Dispatch& d, const Decoded& in);
void doRead(Dispatch& d, const Decoded& in);
void doWrite(Dispatch& d, const Decoded& in);
void doFlush(Dispatch& d, const Decoded& in);
void doRelease(Dispatch& d, const Decoded& in);
void doFsync(Dispatch& d, const Decoded& in);
void doOpendir(Dispatch& d, const Decoded& in);
void doReaddir(Dispatch& d, const Decoded& in);
void doReleasedir(Dispatch& d, const Decoded& in);
void doFsyncdir(Dispatch& d, const Decoded& in);
void doFallocate(Dispatch& d, const Decoded& in);
void doLseek(Dispatch& d, const Decoded& in);
void doCopyFileRange(Dispatch& d, const Decoded& in);

// handlers_misc.cc: locks, ioctl, poll, and protocol housekeeping
void doGetlk(Dispatch& d, const Decoded& in);
void doSetlk(Dispatch& d, const Decoded& in);
void doBmap(Dispatch& d, const Decoded& in);
void doIoctl(Dispatch& d, const Decoded& in);
void doPoll(Dispatch& d, const Decoded& in);
void doInterrupt(Dispatch& d, const Decoded& in);
void doNotifyReply(Dispatch& d, const Decoded& in);
void doDestroy(Dispatch& d, const Decoded& in);
void doSyncfs(Dispatch& d, const Decoded& in);
void doUnsupported(Dispatch& d, const Decoded& in);  // ENOSYS: DAX mappings, STATX

// init.cc
void doInit(Dispatch& d, const Decoded& in);

// FileInfo from the fh/flags/lock_owner fields the kernel sends.
FileInfo fileInfo(uint64_t fh, uint32_t flags = 0, uint64_t lockOwner = 0);

}  // namespace lfp::detail
