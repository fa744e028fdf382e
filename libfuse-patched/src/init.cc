// SPDX-License-Identifier: GPL-3.0-or-later
// INIT negotiation: map what the kernel offers (flags and flags2) to lfp::Cap bits, let the
// filesystem choose, and answer with the most the kernel allows (max_pages, max_write, ...).
#include <unistd.h>

#include <cerrno>

#include "libfuse-patched/common/caps.h"
#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/channel.h"
#include "libfuse-patched/src/handlers.h"
#include "libfuse-patched/src/kernel_abi.h"

namespace lfp::detail {
namespace {

struct CapBit {
  uint64_t cap;
  uint64_t kernel;
};
constexpr CapBit kCapBits[] = {
    {kCapAsyncRead, FUSE_ASYNC_READ},
    {kCapPosixLocks, FUSE_POSIX_LOCKS},
    {kCapFlockLocks, FUSE_FLOCK_LOCKS},
    {kCapAtomicOTrunc, FUSE_ATOMIC_O_TRUNC},
    {kCapExportSupport, FUSE_EXPORT_SUPPORT},
    {kCapBigWrites, FUSE_BIG_WRITES},
    {kCapDontMask, FUSE_DONT_MASK},
    {kCapSpliceWrite, FUSE_SPLICE_WRITE},
    {kCapSpliceMove, FUSE_SPLICE_MOVE},
    {kCapSpliceRead, FUSE_SPLICE_READ},
    {kCapAutoInvalData, FUSE_AUTO_INVAL_DATA},
    {kCapReaddirplus, FUSE_DO_READDIRPLUS},
    {kCapReaddirplusAuto, FUSE_READDIRPLUS_AUTO},
    {kCapAsyncDio, FUSE_ASYNC_DIO},
    {kCapWritebackCache, FUSE_WRITEBACK_CACHE},
    {kCapNoOpenSupport, FUSE_NO_OPEN_SUPPORT},
    {kCapParallelDirops, FUSE_PARALLEL_DIROPS},
    {kCapPosixAcl, FUSE_POSIX_ACL},
    {kCapHandleKillpriv, FUSE_HANDLE_KILLPRIV},
    {kCapHandleKillprivV2, FUSE_HANDLE_KILLPRIV_V2},
    {kCapCacheSymlinks, FUSE_CACHE_SYMLINKS},
    {kCapNoOpendirSupport, FUSE_NO_OPENDIR_SUPPORT},
    {kCapExplicitInvalData, FUSE_EXPLICIT_INVAL_DATA},
    {kCapMaxPages, FUSE_MAX_PAGES},
    {kCapDirectIoAllowMmap, abi::kDirectIoAllowMmap},
    {kCapPassthrough, abi::kPassthrough},
    {kCapIoUring, abi::kOverIoUring},
    {kCapSetxattrExt, FUSE_SETXATTR_EXT},
};

// Flags asked for whenever the kernel offers them: they only tell the kernel what we handle.
constexpr uint64_t kAlwaysFlags = FUSE_HAS_IOCTL_DIR | FUSE_ABORT_ERROR | abi::kHasExpireOnly;

uint64_t capsFromKernel(uint64_t flags) {
  uint64_t caps = 0;
  for (const CapBit& b : kCapBits)
    if (flags & b.kernel) caps |= b.cap;
  return caps;
}

uint64_t kernelFromCaps(uint64_t caps) {
  uint64_t flags = 0;
  for (const CapBit& b : kCapBits)
    if (caps & b.cap) flags |= b.kernel;
  return flags;
}

int sendInitOut(ReplySink& sink, uint64_t unique, const abi::InitOut& out, size_t size) {
  iovec iov{const_cast<abi::InitOut*>(&out), size};
  return sink.send(unique, 0, &iov, 1);
}

}  // namespace

void doInit(Dispatch& d, const Decoded& in) {
  Session::Impl& s = d.session;
  const auto& a = in.as<fuse_init_in>();
  s.inflight.remove(in.h.unique);  // INIT is answered here directly, not through a Request
  if (a.major > abi::kMajor) {
    // Protocol: answer with our major only; the kernel then sends INIT again.
    abi::InitOut out{};
    out.major = abi::kMajor;
    out.minor = abi::kMinor;
    sendInitOut(d.sink, in.h.unique, out, FUSE_COMPAT_INIT_OUT_SIZE);
    return;
  }
  if (a.major < abi::kMajor || a.minor < abi::kMinMinor) {
    log(kLogError, "kernel FUSE protocol %u.%u is older than the %u.%u this library needs", a.major,
        a.minor, abi::kMajor, abi::kMinMinor);
    d.sink.send(in.h.unique, -EPROTO, nullptr, 0);
    return;
  }
  uint64_t offered = a.flags;
  if (a.flags & FUSE_INIT_EXT) offered |= uint64_t{a.flags2} << 32;

  ConnectionInfo& c = s.conn;
  c.protoMajor = abi::kMajor;
  c.protoMinor = a.minor < abi::kMinor ? a.minor : abi::kMinor;
  c.patchLevel = abi::patchedModuleLevel();
  unsigned kver = abi::kernelVersion();
  c.capable = capsFromKernel(offered);
  // Behaviour (not flags) of newer kernels, or of our patched 6.1 module.
  if (kver >= 602 || c.patchLevel) c.capable |= kCapParallelDirectWrites;
  if (kver >= 616 || c.patchLevel) c.capable |= kCapLargeReaddir;
  c.want = defaultWant(c.capable, s.opts);
  unsigned pageSize = static_cast<unsigned>(getpagesize());
  unsigned pages = s.requestedPages ? s.requestedPages : 256;
  if (!(offered & FUSE_MAX_PAGES)) pages = 32;  // pre-4.20 kernels: 128 KiB requests
  c.maxPages = pages;
  c.maxWrite = pages * pageSize;
  c.maxRead = s.mountOpts.maxRead;
  c.maxReadahead = a.max_readahead;
  c.maxBackground = 0;  // kernel default
  c.congestionThreshold = 0;
  c.timeGran = 1;
  c.maxStackDepth = 0;
  c.backend = "lfp";
  c.ioBlockSize = ioBlockSizeFor(c.maxWrite);  // provisional; final after init() below

  s.ops.init(c);

  c.want &= c.capable;
  if ((c.want & kCapPassthrough) && (c.want & kCapWritebackCache)) {
    log(kLogInfo, "passthrough excludes the writeback cache: writeback cache disabled");
    c.want &= ~uint64_t{kCapWritebackCache};
  }
  if (c.want & kCapPassthrough) {
    if (c.maxStackDepth == 0 || c.maxStackDepth > 2) c.maxStackDepth = 1;
  } else {
    c.maxStackDepth = 0;
  }
  if (c.maxPages == 0 || c.maxPages > pages) c.maxPages = pages;
  size_t bufLimit = s.bufSize > 4096 ? s.bufSize - 4096 : 4096;
  if (c.maxWrite == 0 || c.maxWrite > c.maxPages * pageSize) c.maxWrite = c.maxPages * pageSize;
  if (c.maxWrite > bufLimit) c.maxWrite = static_cast<uint32_t>(bufLimit);
  if (c.maxWrite < 4096) c.maxWrite = 4096;
  if (c.maxReadahead > a.max_readahead) c.maxReadahead = a.max_readahead;
  if (c.timeGran == 0) c.timeGran = 1;
  c.ioBlockSize = ioBlockSizeFor(c.maxWrite);

  uint64_t flags = kernelFromCaps(c.want) | (offered & kAlwaysFlags);
  if (offered & FUSE_INIT_EXT) flags |= FUSE_INIT_EXT;
  abi::InitOut out{};
  out.major = abi::kMajor;
  out.minor = abi::kMinor;
  out.max_readahead = c.maxReadahead;
  out.flags = static_cast<uint32_t>(flags);
  out.flags2 = static_cast<uint32_t>(flags >> 32);
  out.max_background = static_cast<uint16_t>(c.maxBackground > 65535 ? 65535 : c.maxBackground);
  out.congestion_threshold =
      static_cast<uint16_t>(c.congestionThreshold > 65535 ? 65535 : c.congestionThreshold);
  out.max_write = c.maxWrite;
  out.time_gran = c.timeGran;
  out.max_pages = static_cast<uint16_t>(c.maxPages > 65535 ? 65535 : c.maxPages);
  out.max_stack_depth = c.maxStackDepth;

  s.kernelFlags = flags;
  s.dctx.minor = c.protoMinor;
  s.dctx.setxattrExt = (c.want & kCapSetxattrExt) != 0;
  if (s.opts.debug)
    log(kLogDebug, "INIT %u.%u max_pages=%u max_write=%u want=%s", c.protoMajor, c.protoMinor,
        c.maxPages, c.maxWrite, capNames(c.want).c_str());
  s.initialized.store(true, std::memory_order_release);
  int rc = sendInitOut(d.sink, in.h.unique, out, sizeof out);
  if (rc < 0) log(kLogError, "INIT reply refused by the kernel: %s", std::strerror(-rc));
}

}  // namespace lfp::detail
