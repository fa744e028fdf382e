// SPDX-License-Identifier: GPL-3.0-or-later
// storage/bdb: attributes, contents and extended attributes of database files; everything
// else goes to the embedded posix brick.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cstring>

#include "glusterfs/core/checksum.h"
#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/bdb/bdb_data.h"
#include "glusterfs/xlators/storage/bdb/bdb_xlator.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {

namespace {

bool readable(const FdPtr& fd) { return (fd->flags() & O_ACCMODE) != O_WRONLY; }
bool writable(const FdPtr& fd) { return (fd->flags() & O_ACCMODE) != O_RDONLY; }

// Plain and zero-range fallocate store zeros; this many blocks per transaction keeps a large
// range within the lock table (a failure part-way leaves what was allocated, as on ext4).
constexpr uint64_t kAllocateChunk = 1024 * kBdbBlockSize;

Timespec now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return {ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

void applyAttr(BdbRecord& rec, const Iatt& a, uint32_t valid) {
  if (valid & kSetMode) rec.attr.mode = S_IFREG | (a.mode & 07777);
  if (valid & kSetUid) rec.attr.uid = a.uid;
  if (valid & kSetGid) rec.attr.gid = a.gid;
  if (valid & kSetAtimeNow)
    rec.attr.atime = now();
  else if (valid & kSetAtime)
    rec.attr.atime = a.atime;
  if (valid & kSetMtimeNow)
    rec.attr.mtime = now();
  else if (valid & kSetMtime)
    rec.attr.mtime = a.mtime;
  rec.attr.ctime = (valid & kSetCtime) ? a.ctime : now();
}

// system.posix_acl_access as the kernel hands it over: a version word, then (tag, perm, id)
// entries. Its owner, mask (or group) and other entries are the file's mode bits.
constexpr const char* kAclAccess = "system.posix_acl_access";
enum : uint16_t {
  kAclUserObj = 1,
  kAclUser = 2,
  kAclGroupObj = 4,
  kAclGroup = 8,
  kAclMask = 16,
  kAclOther = 32
};

Status applyAcl(BdbRecord& rec, const std::string& acl, bool* minimal) {
  if (acl.size() < 4 || (acl.size() - 4) % 8) return fail(EINVAL);
  auto u16 = [&](size_t at) {
    return static_cast<uint16_t>(static_cast<unsigned char>(acl[at]) |
                                 static_cast<unsigned char>(acl[at + 1]) << 8);
  };
  int owner = -1, group = -1, mask = -1, other = -1;
  *minimal = true;
  for (size_t at = 4; at < acl.size(); at += 8) {
    uint16_t tag = u16(at), perm = u16(at + 2) & 7;
    switch (tag) {
      case kAclUserObj:
        owner = perm;
        break;
      case kAclGroupObj:
        group = perm;
        break;
      case kAclMask:
        mask = perm;
        *minimal = false;
        break;
      case kAclOther:
        other = perm;
        break;
      case kAclUser:
      case kAclGroup:
        *minimal = false;
        break;
      default:
        return fail(EINVAL);
    }
  }
  if (owner < 0 || group < 0 || other < 0) return fail(EINVAL);
  uint32_t g = static_cast<uint32_t>(mask >= 0 ? mask : group);
  rec.attr.mode = (rec.attr.mode & ~0777u) | static_cast<uint32_t>(owner) << 6 | g << 3 |
                  static_cast<uint32_t>(other);
  return {};
}

// Extended attributes with the semantics of setxattr(2) flags.
Status setXattrs(BdbRecord& rec, const Dict& xattrs, int flags) {
  for (const auto& [k, v] : xattrs) {
    bool exists = rec.xattrs.count(k);
    if ((flags & XATTR_CREATE) && exists) return fail(EEXIST);
    if ((flags & XATTR_REPLACE) && !exists) return fail(ENODATA);
    if (k == kAclAccess) {
      bool minimal = true;
      GF_CHECK(applyAcl(rec, v, &minimal));
      if (minimal) {
        rec.xattrs.erase(k);  // nothing beyond the mode bits, which now hold it
        continue;
      }
    }
    rec.xattrs[k] = v;
  }
  rec.attr.ctime = now();
  return {};
}

Result<XattrReply> getXattrs(const BdbRecord& rec, const std::string& name) {
  XattrReply out;
  if (name.empty()) {
    out.xattrs = rec.xattrs;
    return out;
  }
  auto it = rec.xattrs.find(name);
  if (it == rec.xattrs.end()) return fail(ENODATA);
  out.xattrs[name] = it->second;
  return out;
}

Status removeXattr(BdbRecord& rec, const std::string& name) {
  if (!rec.xattrs.erase(name)) return fail(ENODATA);
  rec.attr.ctime = now();
  return {};
}

// Element-wise addition of big-endian integers (replicate's changelog counters).
Result<XattrReply> addCounters(BdbRecord& rec, XattropOp op, const Dict& in) {
  size_t width = op == XattropOp::kAddArray64 ? 8 : 4;
  XattrReply out;
  for (const auto& [k, delta] : in) {
    if (delta.size() % width) return fail(EINVAL);
    std::string cur = rec.xattrs.count(k) ? rec.xattrs[k] : std::string();
    std::string sum(std::max(cur.size(), delta.size()), '\0');
    for (size_t i = 0; i + width <= sum.size(); i += width) {
      uint64_t a = 0, b = 0;
      for (size_t j = 0; j < width; ++j) {
        a = (a << 8) | (i + j < cur.size() ? static_cast<unsigned char>(cur[i + j]) : 0);
        b = (b << 8) | (i + j < delta.size() ? static_cast<unsigned char>(delta[i + j]) : 0);
      }
      uint64_t s = a + b;
      for (size_t j = 0; j < width; ++j)
        sum[i + j] = static_cast<char>((s >> (8 * (width - 1 - j))) & 0xff);
    }
    rec.xattrs[k] = sum;
    out.xattrs[k] = sum;
  }
  return out;
}

}  // namespace

Result<AttrReply> BdbXlator::statSync(const CallCtx& c, const StatReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(BdbRecord rec, record(*g));
    return AttrReply{rec.attr};
  }
  return posix_->statSync(c, r);
}

Result<AttrReply> BdbXlator::fstatSync(const CallCtx& c, const FstatReq& r) {
  if (auto g = dbFile(r.fd)) {
    GF_TRY(BdbRecord rec, record(*g));
    return AttrReply{rec.attr};
  }
  return posix_->fstatSync(c, r);
}

Result<AttrReply> BdbXlator::setattrSync(const CallCtx& c, const SetattrReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn*, BdbRecord& rec) {
             applyAttr(rec, r.attr, r.valid);
             return Status{};
           }));
    return AttrReply{a};
  }
  return posix_->setattrSync(c, r);
}

Result<AttrReply> BdbXlator::fsetattrSync(const CallCtx& c, const FsetattrReq& r) {
  if (auto g = dbFile(r.fd)) {
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn*, BdbRecord& rec) {
             applyAttr(rec, r.attr, r.valid);
             return Status{};
           }));
    return AttrReply{a};
  }
  return posix_->fsetattrSync(c, r);
}

Result<AttrReply> BdbXlator::truncateSync(const CallCtx& c, const TruncateReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn* t, BdbRecord& rec) {
             rec.attr.mtime = rec.attr.ctime = now();
             return BdbData(store_, t, rec).truncate(r.size);
           }));
    return AttrReply{a};
  }
  return posix_->truncateSync(c, r);
}

Result<AttrReply> BdbXlator::ftruncateSync(const CallCtx& c, const FtruncateReq& r) {
  if (auto g = dbFile(r.fd)) {
    if (!writable(r.fd)) return fail(EINVAL);
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn* t, BdbRecord& rec) {
             rec.attr.mtime = rec.attr.ctime = now();
             return BdbData(store_, t, rec).truncate(r.size);
           }));
    return AttrReply{a};
  }
  return posix_->ftruncateSync(c, r);
}

Result<Empty> BdbXlator::accessSync(const CallCtx& c, const AccessReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(BdbRecord rec, record(*g));
    GF_CHECK(checkAccess(rec.attr, c, r.mask));
    return Empty{};
  }
  return posix_->accessSync(c, r);
}

Result<Empty> BdbXlator::openSync(const CallCtx& c, const OpenReq& r) {
  if (auto g = dbFile(r.loc)) {
    if (r.flags & O_DIRECTORY) return fail(ENOTDIR);
    if (r.flags & O_TRUNC) {
      GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn* t, BdbRecord& rec) -> Status {
               if (rec.attr.size == 0) return {};
               rec.attr.mtime = rec.attr.ctime = now();
               return BdbData(store_, t, rec).truncate(0);
             }));
      (void)a;
    }
    attachFd(r.fd, *g);
    return Empty{};
  }
  return posix_->openSync(c, r);
}

Result<ReadvReply> BdbXlator::readvSync(const CallCtx& c, const ReadvReq& r) {
  if (auto g = dbFile(r.fd)) {
    if (!readable(r.fd)) return fail(EBADF);
    ReadvReply out;
    GF_CHECK(withTxn(
        [&](BdbTxn* t) -> Result<Empty> {
          GF_TRY(BdbRecord rec, store_.file(t, *g));
          GF_TRY(std::string bytes, BdbData(store_, t, rec).read(r.offset, r.size));
          out.data = Payload::copyOf(bytes);
          return Empty{};
        },
        false));
    return out;
  }
  return posix_->readvSync(c, r);
}

Result<WriteReply> BdbXlator::writevSync(const CallCtx& c, const WritevReq& r) {
  if (auto g = dbFile(r.fd)) {
    if (!writable(r.fd)) return fail(EBADF);
    bool append = r.fd->flags() & O_APPEND;
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn* t, BdbRecord& rec) -> Status {
             GF_CHECK(BdbData(store_, t, rec).write(append ? rec.attr.size : r.offset, r.data));
             rec.attr.mtime = rec.attr.ctime = now();
             // Writing by someone other than root clears setuid (and setgid with group exec).
             if (c.uid != 0 && (rec.attr.mode & (S_ISUID | S_ISGID))) {
               rec.attr.mode &= ~S_ISUID;
               if (rec.attr.mode & S_IXGRP) rec.attr.mode &= ~S_ISGID;
             }
             return {};
           }));
    (void)a;
    return WriteReply{r.data.size()};
  }
  return posix_->writevSync(c, r);
}

Result<Empty> BdbXlator::flushSync(const CallCtx& c, const FlushReq& r) {
  if (dbFile(r.fd)) return Empty{};
  return posix_->flushSync(c, r);
}

Result<Empty> BdbXlator::fsyncSync(const CallCtx& c, const FsyncReq& r) {
  if (dbFile(r.fd)) {
    GF_CHECK(store_.flushLog());
    return Empty{};
  }
  return posix_->fsyncSync(c, r);
}

Result<Empty> BdbXlator::opendirSync(const CallCtx& c, const OpendirReq& r) {
  if (dbFile(r.loc)) return fail(ENOTDIR);
  return posix_->opendirSync(c, r);
}

Result<Empty> BdbXlator::fsyncdirSync(const CallCtx& c, const FsyncdirReq& r) {
  GF_CHECK(store_.flushLog());
  return posix_->fsyncdirSync(c, r);
}

Result<Empty> BdbXlator::setxattrSync(const CallCtx& c, const SetxattrReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn*, BdbRecord& rec) {
             return setXattrs(rec, r.xattrs, r.flags);
           }));
    (void)a;
    return Empty{};
  }
  return posix_->setxattrSync(c, r);
}

Result<Empty> BdbXlator::fsetxattrSync(const CallCtx& c, const FsetxattrReq& r) {
  if (auto g = dbFile(r.fd)) {
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn*, BdbRecord& rec) {
             return setXattrs(rec, r.xattrs, r.flags);
           }));
    (void)a;
    return Empty{};
  }
  return posix_->fsetxattrSync(c, r);
}

Result<XattrReply> BdbXlator::getxattrSync(const CallCtx& c, const GetxattrReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(BdbRecord rec, record(*g));
    return getXattrs(rec, r.name);
  }
  return posix_->getxattrSync(c, r);
}

Result<XattrReply> BdbXlator::fgetxattrSync(const CallCtx& c, const FgetxattrReq& r) {
  if (auto g = dbFile(r.fd)) {
    GF_TRY(BdbRecord rec, record(*g));
    return getXattrs(rec, r.name);
  }
  return posix_->fgetxattrSync(c, r);
}

Result<ListxattrReply> BdbXlator::listxattrSync(const CallCtx& c, const ListxattrReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(BdbRecord rec, record(*g));
    ListxattrReply out;
    for (const auto& [k, v] : rec.xattrs) out.names.push_back(k);
    return out;
  }
  return posix_->listxattrSync(c, r);
}

Result<Empty> BdbXlator::removexattrSync(const CallCtx& c, const RemovexattrReq& r) {
  if (auto g = dbFile(r.loc)) {
    GF_TRY(Iatt a,
           updateFile(*g, [&](BdbTxn*, BdbRecord& rec) { return removeXattr(rec, r.name); }));
    (void)a;
    return Empty{};
  }
  return posix_->removexattrSync(c, r);
}

Result<Empty> BdbXlator::fremovexattrSync(const CallCtx& c, const FremovexattrReq& r) {
  if (auto g = dbFile(r.fd)) {
    GF_TRY(Iatt a,
           updateFile(*g, [&](BdbTxn*, BdbRecord& rec) { return removeXattr(rec, r.name); }));
    (void)a;
    return Empty{};
  }
  return posix_->fremovexattrSync(c, r);
}

Result<XattrReply> BdbXlator::xattropSync(const CallCtx& c, const XattropReq& r) {
  if (auto g = dbFile(r.loc)) {
    XattrReply out;
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn*, BdbRecord& rec) -> Status {
             GF_TRY(out, addCounters(rec, r.op, r.xattrs));
             return {};
           }));
    (void)a;
    return out;
  }
  return posix_->xattropSync(c, r);
}

Result<XattrReply> BdbXlator::fxattropSync(const CallCtx& c, const FxattropReq& r) {
  if (auto g = dbFile(r.fd)) {
    XattrReply out;
    GF_TRY(Iatt a, updateFile(*g, [&](BdbTxn*, BdbRecord& rec) -> Status {
             GF_TRY(out, addCounters(rec, r.op, r.xattrs));
             return {};
           }));
    (void)a;
    return out;
  }
  return posix_->fxattropSync(c, r);
}

// Hole punching frees blocks; plain fallocate and zero range store zeros in the holes of the
// range, so the space is really taken (st_blocks counts it) and later writes there need none.
// Collapse and insert ranges are not offered.
Result<Empty> BdbXlator::fallocateSync(const CallCtx& c, const FallocateReq& r) {
  auto g = dbFile(r.fd);
  if (!g) return posix_->fallocateSync(c, r);
  int m = r.mode;
  bool keep = m & FALLOC_FL_KEEP_SIZE;
  bool punch = m == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
  bool zero = (m & ~FALLOC_FL_KEEP_SIZE) == FALLOC_FL_ZERO_RANGE;
  if (!(punch || zero || (m & ~FALLOC_FL_KEEP_SIZE) == 0)) return fail(EOPNOTSUPP);
  if (r.len == 0) return fail(EINVAL);
  if (!writable(r.fd)) return fail(EBADF);
  uint64_t end = r.offset + r.len;
  if (end < r.offset || end > kBdbMaxFileSize) return fail(EFBIG);
  if (punch) {
    GF_CHECK(updateFile(*g, [&](BdbTxn* t, BdbRecord& rec) -> Status {
      GF_CHECK(BdbData(store_, t, rec).zero(r.offset, r.len, true));
      rec.attr.mtime = rec.attr.ctime = now();
      return {};
    }));
    return Empty{};
  }
  for (uint64_t at = r.offset, next; at < end; at = next) {
    next = std::min(end, (at / kAllocateChunk + 1) * kAllocateChunk);
    GF_CHECK(updateFile(*g, [&](BdbTxn* t, BdbRecord& rec) -> Status {
      BdbData data(store_, t, rec);
      if (zero) GF_CHECK(data.zero(at, next - at, false));
      GF_CHECK(data.allocate(at, next - at));
      if (!keep && rec.attr.size < next) GF_CHECK(data.truncate(next));
      rec.attr.mtime = rec.attr.ctime = now();
      return {};
    }));
  }
  return Empty{};
}

Result<LseekReply> BdbXlator::lseekSync(const CallCtx& c, const LseekReq& r) {
  auto g = dbFile(r.fd);
  if (!g) return posix_->lseekSync(c, r);
  if (r.whence != SEEK_DATA && r.whence != SEEK_HOLE) return fail(EINVAL);
  LseekReply out;
  GF_CHECK(withTxn(
      [&](BdbTxn* t) -> Result<Empty> {
        GF_TRY(BdbRecord rec, store_.file(t, *g));
        GF_TRY(out.offset, BdbData(store_, t, rec).seek(r.offset, r.whence == SEEK_DATA));
        return Empty{};
      },
      false));
  return out;
}

Result<RchecksumReply> BdbXlator::rchecksumSync(const CallCtx& c, const RchecksumReq& r) {
  auto g = dbFile(r.fd);
  if (!g) return posix_->rchecksumSync(c, r);
  std::string part;
  GF_CHECK(withTxn(
      [&](BdbTxn* t) -> Result<Empty> {
        GF_TRY(BdbRecord rec, store_.file(t, *g));
        GF_TRY(part, BdbData(store_, t, rec).read(r.offset, r.len));
        return Empty{};
      },
      false));
  return RchecksumReply{adler32(part.data(), part.size()), strongHash128(part.data(), part.size())};
}

}  // namespace gf
