// SPDX-License-Identifier: GPL-3.0-or-later
// The FUSE kernel ABI beyond Debian 12's <linux/fuse.h> (protocol 7.38), written from the
// protocol's documented layout: passthrough (7.40), io_uring (7.42), STATX (7.39) and the
// 64-bit COPY_FILE_RANGE (7.45). The only place that knows which header lacks what.
#pragma once

#include <linux/fuse.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace lfp::abi {

// The protocol version this library speaks; the kernel uses min(its, ours).
inline constexpr uint32_t kMajor = 7;
inline constexpr uint32_t kMinor = 45;
// Oldest kernel protocol accepted (Linux 4.18); every struct then has its full size.
inline constexpr uint32_t kMinMinor = 26;

// INIT flags (64-bit: bits 32..63 travel in flags2 when FUSE_INIT_EXT is set).
inline constexpr uint64_t kCreateSuppGroup = 1ull << 34;
inline constexpr uint64_t kHasExpireOnly = 1ull << 35;
inline constexpr uint64_t kDirectIoAllowMmap = 1ull << 36;  // 6.6; our patched 6.1 module too
inline constexpr uint64_t kPassthrough = 1ull << 37;        // 6.9
inline constexpr uint64_t kNoExportSupport = 1ull << 38;
inline constexpr uint64_t kHasResend = 1ull << 39;
inline constexpr uint64_t kAllowIdmap = 1ull << 40;
inline constexpr uint64_t kOverIoUring = 1ull << 41;  // 6.14
inline constexpr uint64_t kRequestTimeout = 1ull << 42;

// open_out.open_flags
inline constexpr uint32_t kFopenParallelDirectWrites = 1u << 6;
inline constexpr uint32_t kFopenPassthrough = 1u << 7;

// Opcodes newer than 7.38.
inline constexpr uint32_t kOpStatx = 52;
inline constexpr uint32_t kOpCopyFileRange64 = 53;
// FUSE_SYNCFS/FUSE_TMPFILE are in 7.38 already but are named here for older headers.
inline constexpr uint32_t kOpSyncfs = 50;
inline constexpr uint32_t kOpTmpfile = 51;
inline constexpr uint32_t kOpSetupMapping = 48;
inline constexpr uint32_t kOpRemoveMapping = 49;

// Bit set in the unique of an INTERRUPT request (and its reply).
inline constexpr uint64_t kIntReqBit = 1ull << 0;

// fuse_init_out as of 7.40+ (max_stack_depth and request_timeout replace padding).
struct InitOut {
  uint32_t major;
  uint32_t minor;
  uint32_t max_readahead;
  uint32_t flags;
  uint16_t max_background;
  uint16_t congestion_threshold;
  uint32_t max_write;
  uint32_t time_gran;
  uint16_t max_pages;
  uint16_t map_alignment;
  uint32_t flags2;
  uint32_t max_stack_depth;
  uint16_t request_timeout;
  uint16_t unused[11];
};
static_assert(sizeof(InitOut) == sizeof(fuse_init_out));

// fuse_open_out as of 7.40 (backing_id replaces padding).
struct OpenOut {
  uint64_t fh;
  uint32_t open_flags;
  int32_t backing_id;
};
static_assert(sizeof(OpenOut) == sizeof(fuse_open_out));

struct StatxIn {
  uint32_t getattr_flags;
  uint32_t reserved;
  uint64_t fh;
  uint32_t sx_flags;
  uint32_t sx_mask;
};

struct CopyFileRangeOut {
  uint64_t bytes_copied;
};

// Passthrough backing files (FUSE_DEV_IOC_BACKING_OPEN/CLOSE on the /dev/fuse fd).
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
inline constexpr unsigned long kIocBackingOpen = _IOW(FUSE_DEV_IOC_MAGIC, 1, BackingMap);
inline constexpr unsigned long kIocBackingClose = _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t);
inline constexpr unsigned long kIocClone = FUSE_DEV_IOC_CLONE;

// FUSE-over-io_uring: each ring entry registers two buffers (iov[0] headers, iov[1] payload).
inline constexpr uint32_t kUringCmdRegister = 1;
inline constexpr uint32_t kUringCmdCommitAndFetch = 2;
inline constexpr size_t kUringInOutHeaderSize = 128;  // fuse_in_header / fuse_out_header area
inline constexpr size_t kUringOpInOutSize = 128;      // the opcode's first argument struct

struct UringEntInOut {
  uint64_t flags;
  uint64_t commit_id;   // the request's unique, to be echoed in COMMIT_AND_FETCH
  uint32_t payload_sz;  // bytes used in the payload buffer (in: request, out: reply)
  uint32_t padding;
  uint64_t reserved;
};

struct UringReqHeader {
  char in_out[kUringInOutHeaderSize];
  char op_in[kUringOpInOutSize];
  UringEntInOut ring_ent_in_out;
};
static_assert(sizeof(UringReqHeader) == 288);

// Lives in the 80-byte command area of a 128-byte SQE.
struct UringCmdReq {
  uint64_t flags;
  uint64_t commit_id;
  uint16_t qid;
  uint8_t padding[6];
};

// Version of the running kernel, e.g. 6.18 -> 618; 0 if unknown.
unsigned kernelVersion();
// /sys/module/fuse/parameters/patch_level of our patched module; 0 for a stock module.
unsigned patchedModuleLevel();
// The kernel's per-request page limit (fs.fuse.max_pages_limit sysctl, or our module's
// max_pages_limit parameter), 256 where neither exists.
unsigned maxPagesLimit();
// Raises that limit to `pages` (root only). Returns the limit in force afterwards.
unsigned raiseMaxPagesLimit(unsigned pages);

}  // namespace lfp::abi
