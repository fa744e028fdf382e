// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: open files and their data (open, read, write, allocate, seek, checksum).
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>

#include "glusterfs/core/checksum.h"
#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/memory/memory_rules.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

namespace gf {

using namespace memrules;

namespace {

constexpr uint64_t kMaxRw = 0x7ffff000;  // Linux's MAX_RW_COUNT: the most one read returns

bool readable(int32_t flags) { return (flags & O_ACCMODE) != O_WRONLY; }
bool writable(int32_t flags) { return (flags & O_ACCMODE) != O_RDONLY; }

// relatime: a read moves atime only if it is not newer than mtime/ctime, or a day old.
void touchAccessed(MemNode& n) {
  Timespec now = nowTimespec();
  if (n.atime <= n.mtime || n.atime <= n.ctime || now.sec - n.atime.sec >= 24 * 3600) n.atime = now;
}

}  // namespace

Result<EntryReply> MemoryXlator::openExisting(const CallCtx& c, const NodePtr& node,
                                              const FdPtr& fd, int32_t flags) {
  if (node->isLink()) return fail(ELOOP);  // never followed here
  if ((flags & O_DIRECTORY) && !node->isDir()) return fail(ENOTDIR);
  int acc = flags & O_ACCMODE;
  if (node->isDir() && (acc != O_RDONLY || (flags & O_TRUNC))) return fail(EISDIR);
  int mask = acc == O_RDONLY ? R_OK : acc == O_WRONLY ? W_OK : R_OK | W_OK;
  if (flags & O_TRUNC) mask |= W_OK;
  GF_CHECK(checkAccess(node->iatt(), c, mask));
  if ((flags & O_TRUNC) && node->isReg()) {
    uint64_t before = node->data.blockCount();
    node->data.truncate(0);
    node->accountBlocks(before);
    node->touchModified(nowTimespec());
    killSetIdBits(c, *node);
  }
  if (fd) attach(fd, node, flags);
  return EntryReply{node->iatt(), {}};
}

Result<Empty> MemoryXlator::openSync(const CallCtx& c, const OpenReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  GF_CHECK(openExisting(c, n, r.fd, r.flags));
  return Empty{};
}

Result<ReadvReply> MemoryXlator::readvSync(const CallCtx&, const ReadvReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  if (!readable(on.flags)) return fail(EBADF);
  MemNode& n = *on.node;
  if (n.isDir()) return fail(EISDIR);
  if (!n.isReg()) return fail(EINVAL);
  uint64_t size = n.data.size();
  ReadvReply out;
  if (r.offset < size && r.size > 0) {
    uint64_t len = std::min({r.size, size - r.offset, kMaxRw});
    out.data = Payload::allocate(len);
    n.data.read(r.offset, len, out.data.mutableData());
  }
  if (!(on.flags & O_NOATIME)) touchAccessed(n);
  return out;
}

Result<WriteReply> MemoryXlator::writevSync(const CallCtx& c, const WritevReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  if (!writable(on.flags)) return fail(EBADF);
  MemNode& n = *on.node;
  if (n.isDir()) return fail(EISDIR);
  if (!n.isReg()) return fail(EINVAL);
  uint64_t off = ((on.flags | r.flags) & O_APPEND) ? n.data.size() : r.offset;
  uint64_t len = r.data.size();
  if (len == 0) return WriteReply{0};
  if (off > SparseData::kMaxSize || len > SparseData::kMaxSize - off) return fail(EFBIG);
  // Like a full disk: write what fits, fail only when nothing does.
  uint64_t fit = n.data.fitWithin(off, len, freeBlocks());
  if (fit == 0) return fail(ENOSPC);
  uint64_t before = n.data.blockCount();
  n.data.write(off, fit < len ? r.data.sub(0, fit) : r.data);
  n.accountBlocks(before);
  n.touchModified(nowTimespec());
  killSetIdBits(c, n);
  return WriteReply{fit};
}

Result<Empty> MemoryXlator::flushSync(const CallCtx& c, const FlushReq& r) {
  Gfid gfid;
  {
    std::lock_guard guard(mutex_);
    GF_TRY(OpenNode on, openNode(r.fd));
    gfid = on.node->gfid;
  }
  // Outside our mutex: releasing locks may resume waiters that call back into this leaf.
  locks_.flush(c, gfid);
  return Empty{};
}

Result<Empty> MemoryXlator::fsyncSync(const CallCtx&, const FsyncReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  return Empty{};  // memory is as durable as it gets
}

Result<Empty> MemoryXlator::fallocateSync(const CallCtx& c, const FallocateReq& r) {
  constexpr int32_t kKnown = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
                             FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
                             FALLOC_FL_UNSHARE_RANGE;
  int32_t mode = r.mode;
  if (mode & ~kKnown) return fail(EOPNOTSUPP);
  // The combinations vfs_fallocate refuses, with its error codes.
  bool punch = mode & FALLOC_FL_PUNCH_HOLE, zero = mode & FALLOC_FL_ZERO_RANGE;
  if (punch && zero) return fail(EOPNOTSUPP);
  if (punch && !(mode & FALLOC_FL_KEEP_SIZE)) return fail(EOPNOTSUPP);
  if ((mode & FALLOC_FL_COLLAPSE_RANGE) && mode != FALLOC_FL_COLLAPSE_RANGE) return fail(EINVAL);
  if ((mode & FALLOC_FL_INSERT_RANGE) && mode != FALLOC_FL_INSERT_RANGE) return fail(EINVAL);
  if ((mode & FALLOC_FL_UNSHARE_RANGE) && (mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE)))
    return fail(EINVAL);
  if (r.len == 0) return fail(EINVAL);
  if (r.offset > SparseData::kMaxSize || r.len > SparseData::kMaxSize - r.offset)
    return fail(EFBIG);

  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  if (!writable(on.flags)) return fail(EBADF);
  MemNode& n = *on.node;
  if (n.isDir()) return fail(EISDIR);
  if (!n.isReg()) return fail(ENODEV);
  bool keep = mode & FALLOC_FL_KEEP_SIZE;
  uint64_t before = n.data.blockCount();
  Timespec now = nowTimespec();
  if (punch) {
    n.data.punchHole(r.offset, r.len);
  } else if (mode & FALLOC_FL_COLLAPSE_RANGE) {
    GF_CHECK(n.data.collapseRange(r.offset, r.len));
  } else if (mode & FALLOC_FL_INSERT_RANGE) {
    GF_CHECK(n.data.insertRange(r.offset, r.len));
  } else {
    if (n.data.newBlocks(r.offset, r.len) > freeBlocks()) return fail(ENOSPC);
    uint64_t sizeBefore = n.data.size();
    if (zero)
      n.data.zeroRange(r.offset, r.len, keep);
    else
      n.data.allocate(r.offset, r.len, keep);
    // Plain preallocation changes no contents; only a size change is a modification.
    if (!zero) {
      n.accountBlocks(before);
      if (n.data.size() != sizeBefore)
        n.touchModified(now);
      else
        n.ctime = now;
      return Empty{};
    }
  }
  n.accountBlocks(before);
  n.touchModified(now);
  killSetIdBits(c, n);
  return Empty{};
}

Result<LseekReply> MemoryXlator::lseekSync(const CallCtx&, const LseekReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  const MemNode& n = *on.node;
  auto off = static_cast<int64_t>(r.offset);
  switch (r.whence) {
    case SEEK_SET:
      if (off < 0) return fail(EINVAL);
      return LseekReply{r.offset};
    case SEEK_END: {
      if (!n.isReg()) return fail(EINVAL);
      int64_t pos;
      if (__builtin_add_overflow(static_cast<int64_t>(n.data.size()), off, &pos))
        return fail(EOVERFLOW);
      if (pos < 0) return fail(EINVAL);
      return LseekReply{static_cast<uint64_t>(pos)};
    }
    case SEEK_DATA:
    case SEEK_HOLE: {
      if (n.isDir()) return fail(EISDIR);
      if (!n.isReg() || off < 0) return fail(EINVAL);
      GF_TRY(uint64_t pos,
             r.whence == SEEK_DATA ? n.data.seekData(r.offset) : n.data.seekHole(r.offset));
      return LseekReply{pos};
    }
    default:
      return fail(EINVAL);  // SEEK_CUR: the position lives above us
  }
}

Result<RchecksumReply> MemoryXlator::rchecksumSync(const CallCtx&, const RchecksumReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  if (!readable(on.flags)) return fail(EBADF);
  const MemNode& n = *on.node;
  if (n.isDir()) return fail(EISDIR);
  if (!n.isReg()) return fail(EINVAL);
  uint64_t size = n.data.size();
  uint64_t len = r.offset < size ? std::min<uint64_t>(r.len, size - r.offset) : 0;
  std::string bytes(len, '\0');
  n.data.read(r.offset, len, bytes.data());
  return RchecksumReply{adler32(bytes.data(), bytes.size()),
                        strongHash128(bytes.data(), bytes.size())};
}

}  // namespace gf
