// SPDX-License-Identifier: GPL-3.0-or-later
// The file operations: one request and one reply struct each, and GF_FOP_LIST, the single list
// from which the translator interface, wire codec, FUSE mapping and trace names are generated.
//
// Adding a fop: add its structs here, a line in GF_FOP_LIST, its FUSE decode (mount/fuse), and
// the storage leaves. Nothing else has to change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glusterfs/core/fd.h"
#include "glusterfs/core/inode.h"
#include "glusterfs/core/payload.h"
#include "glusterfs/core/types.h"

namespace gf {

// ---- replies shared by several fops ----
struct Empty {};
GF_NO_FIELDS(Empty)

struct AttrReply {
  Iatt stat;
};
GF_FIELDS(AttrReply, stat)

// The attributes of a looked-up or created entry. `xdata` carries optional extras (for example
// small-file contents for quick-read, or a distribute linkfile's target).
struct EntryReply {
  Iatt stat;
  Dict xdata;
};
GF_FIELDS(EntryReply, stat, xdata)

struct ReadlinkReply {
  std::string target;
};
GF_FIELDS(ReadlinkReply, target)

struct ReadvReply {
  Payload data;  // shorter than asked at end of file; empty at or past it
};
GF_FIELDS(ReadvReply, data)

struct WriteReply {
  uint64_t size = 0;  // bytes written
};
GF_FIELDS(WriteReply, size)

struct ReaddirReply {
  std::vector<DirEntry> entries;  // empty = end of directory
};
GF_FIELDS(ReaddirReply, entries)

struct StatfsReply {
  Statvfs stat;
};
GF_FIELDS(StatfsReply, stat)

struct XattrReply {
  Dict xattrs;
};
GF_FIELDS(XattrReply, xattrs)

struct ListxattrReply {
  std::vector<std::string> names;
};
GF_FIELDS(ListxattrReply, names)

struct LkReply {
  Flock lock;  // for kGet: the conflicting lock, or type F_UNLCK
};
GF_FIELDS(LkReply, lock)

struct LseekReply {
  uint64_t offset = 0;
};
GF_FIELDS(LseekReply, offset)

struct RchecksumReply {
  uint32_t weak = 0;      // rolling (Adler-32 style) checksum
  std::string strong;     // 16-byte strong hash of the same range
};
GF_FIELDS(RchecksumReply, weak, strong)

// ---- requests ----
// `xattrs`: extended attributes to return with the entry (in EntryReply::xdata), by name or
// by prefix ("trusted.afr.*"); replicate asks for its changelogs this way on every lookup.
// A name "glusterfs.content:MAX" in `xattrs` asks storage for a regular file's whole contents
// (when at most MAX bytes) under that key: quick-read reads small files in one round trip.
inline constexpr const char* kLookupContentPrefix = "glusterfs.content:";
struct LookupReq { Loc loc; std::vector<std::string> xattrs; };
GF_FIELDS(LookupReq, loc, xattrs)
struct StatReq { Loc loc; };
GF_FIELDS(StatReq, loc)
struct FstatReq { FdPtr fd; };
GF_FIELDS(FstatReq, fd)
struct SetattrReq { Loc loc; Iatt attr; uint32_t valid = 0; };  // valid: SetattrValid bits
GF_FIELDS(SetattrReq, loc, attr, valid)
struct FsetattrReq { FdPtr fd; Iatt attr; uint32_t valid = 0; };
GF_FIELDS(FsetattrReq, fd, attr, valid)
struct TruncateReq { Loc loc; uint64_t size = 0; };
GF_FIELDS(TruncateReq, loc, size)
struct FtruncateReq { FdPtr fd; uint64_t size = 0; };
GF_FIELDS(FtruncateReq, fd, size)
struct AccessReq { Loc loc; int32_t mask = 0; };
GF_FIELDS(AccessReq, loc, mask)
struct ReadlinkReq { Loc loc; };
GF_FIELDS(ReadlinkReq, loc)
// Creating fops carry the gfid the new file must get (null: the leaf picks one), so that every
// replica of a file has the same identity.
struct MknodReq { Loc loc; uint32_t mode = 0; uint64_t rdev = 0; uint32_t umask = 0; Gfid gfid; };
GF_FIELDS(MknodReq, loc, mode, rdev, umask, gfid)
struct MkdirReq { Loc loc; uint32_t mode = 0; uint32_t umask = 0; Gfid gfid; };
GF_FIELDS(MkdirReq, loc, mode, umask, gfid)
struct UnlinkReq { Loc loc; };
GF_FIELDS(UnlinkReq, loc)
struct RmdirReq { Loc loc; };
GF_FIELDS(RmdirReq, loc)
struct SymlinkReq { std::string target; Loc loc; uint32_t umask = 0; Gfid gfid; };
GF_FIELDS(SymlinkReq, target, loc, umask, gfid)
struct RenameReq { Loc oldLoc; Loc newLoc; uint32_t flags = 0; };  // RENAME_NOREPLACE/EXCHANGE
GF_FIELDS(RenameReq, oldLoc, newLoc, flags)
struct LinkReq { Loc oldLoc; Loc newLoc; };
GF_FIELDS(LinkReq, oldLoc, newLoc)
struct CreateReq {
  Loc loc;
  int32_t flags = 0;
  uint32_t mode = 0;
  uint32_t umask = 0;
  FdPtr fd;  // made by the caller; layers attach their state to it
  Gfid gfid;
};
GF_FIELDS(CreateReq, loc, flags, mode, umask, fd, gfid)
struct OpenReq { Loc loc; int32_t flags = 0; FdPtr fd; };
GF_FIELDS(OpenReq, loc, flags, fd)
struct ReadvReq { FdPtr fd; uint64_t size = 0; uint64_t offset = 0; uint32_t flags = 0; };
GF_FIELDS(ReadvReq, fd, size, offset, flags)
struct WritevReq { FdPtr fd; Payload data; uint64_t offset = 0; uint32_t flags = 0; };
GF_FIELDS(WritevReq, fd, data, offset, flags)
struct FlushReq { FdPtr fd; };
GF_FIELDS(FlushReq, fd)
struct FsyncReq { FdPtr fd; bool datasync = false; };
GF_FIELDS(FsyncReq, fd, datasync)
struct OpendirReq { Loc loc; FdPtr fd; };
GF_FIELDS(OpendirReq, loc, fd)
// `size` is the reply budget in bytes as the kernel counts directory records; `offset` is 0 or
// the `offset` of the last entry already returned.
struct ReaddirReq { FdPtr fd; uint64_t size = 0; uint64_t offset = 0; };
GF_FIELDS(ReaddirReq, fd, size, offset)
// xattrs: names ("name" or "prefix*") to report with each entry, as LookupReq::xattrs.
struct ReaddirpReq { FdPtr fd; uint64_t size = 0; uint64_t offset = 0; std::vector<std::string> xattrs; };
GF_FIELDS(ReaddirpReq, fd, size, offset, xattrs)
struct FsyncdirReq { FdPtr fd; bool datasync = false; };
GF_FIELDS(FsyncdirReq, fd, datasync)
struct StatfsReq { Loc loc; };
GF_FIELDS(StatfsReq, loc)
struct SetxattrReq { Loc loc; Dict xattrs; int32_t flags = 0; };  // XATTR_CREATE/REPLACE
GF_FIELDS(SetxattrReq, loc, xattrs, flags)
struct FsetxattrReq { FdPtr fd; Dict xattrs; int32_t flags = 0; };
GF_FIELDS(FsetxattrReq, fd, xattrs, flags)
struct GetxattrReq { Loc loc; std::string name; };
GF_FIELDS(GetxattrReq, loc, name)
struct FgetxattrReq { FdPtr fd; std::string name; };
GF_FIELDS(FgetxattrReq, fd, name)
struct ListxattrReq { Loc loc; };
GF_FIELDS(ListxattrReq, loc)
struct RemovexattrReq { Loc loc; std::string name; };
GF_FIELDS(RemovexattrReq, loc, name)
struct FremovexattrReq { FdPtr fd; std::string name; };
GF_FIELDS(FremovexattrReq, fd, name)
struct XattropReq { Loc loc; XattropOp op = XattropOp::kAddArray; Dict xattrs; };
GF_FIELDS(XattropReq, loc, op, xattrs)
struct FxattropReq { FdPtr fd; XattropOp op = XattropOp::kAddArray; Dict xattrs; };
GF_FIELDS(FxattropReq, fd, op, xattrs)
struct LkReq { FdPtr fd; LockCmd cmd = LockCmd::kGet; LockKind kind = LockKind::kPosix; Flock lock; };
GF_FIELDS(LkReq, fd, cmd, kind, lock)
// Internal locks in named domains (replicate's data/metadata/entry locks live here).
struct InodelkReq { std::string domain; Loc loc; LockCmd cmd = LockCmd::kSet; Flock lock; };
GF_FIELDS(InodelkReq, domain, loc, cmd, lock)
struct FinodelkReq { std::string domain; FdPtr fd; LockCmd cmd = LockCmd::kSet; Flock lock; };
GF_FIELDS(FinodelkReq, domain, fd, cmd, lock)
// `basename` empty locks the whole directory.
struct EntrylkReq {
  std::string domain;
  Loc loc;
  std::string basename;
  EntrylkCmd cmd = EntrylkCmd::kLock;
  EntrylkType type = EntrylkType::kWrite;
};
GF_FIELDS(EntrylkReq, domain, loc, basename, cmd, type)
struct FentrylkReq {
  std::string domain;
  FdPtr fd;
  std::string basename;
  EntrylkCmd cmd = EntrylkCmd::kLock;
  EntrylkType type = EntrylkType::kWrite;
};
GF_FIELDS(FentrylkReq, domain, fd, basename, cmd, type)
// mode: FALLOC_FL_* bits (keep-size, punch-hole, zero-range, collapse-range, insert-range).
struct FallocateReq { FdPtr fd; int32_t mode = 0; uint64_t offset = 0; uint64_t len = 0; };
GF_FIELDS(FallocateReq, fd, mode, offset, len)
struct LseekReq { FdPtr fd; uint64_t offset = 0; int32_t whence = 0; };  // SEEK_DATA/SEEK_HOLE
GF_FIELDS(LseekReq, fd, offset, whence)
struct RchecksumReq { FdPtr fd; uint64_t offset = 0; uint32_t len = 0; };
GF_FIELDS(RchecksumReq, fd, offset, len)

// What a fop changes, for generic layers (read-only filter, replicate's transaction type).
enum FopFlags : uint32_t {
  kFopRead = 0,
  kFopData = 1u << 0,      // changes file contents
  kFopMetadata = 1u << 1,  // changes attributes or xattrs
  kFopEntry = 1u << 2,     // changes directory entries
  kFopLock = 1u << 3,      // lock traffic (allowed on read-only volumes)
};

// X(name, Request, Reply, flags)
#define GF_FOP_LIST(X)                                              \
  X(lookup, LookupReq, EntryReply, kFopRead)                        \
  X(stat, StatReq, AttrReply, kFopRead)                             \
  X(fstat, FstatReq, AttrReply, kFopRead)                           \
  X(setattr, SetattrReq, AttrReply, kFopMetadata)                   \
  X(fsetattr, FsetattrReq, AttrReply, kFopMetadata)                 \
  X(truncate, TruncateReq, AttrReply, kFopData)                     \
  X(ftruncate, FtruncateReq, AttrReply, kFopData)                   \
  X(access, AccessReq, Empty, kFopRead)                             \
  X(readlink, ReadlinkReq, ReadlinkReply, kFopRead)                 \
  X(mknod, MknodReq, EntryReply, kFopEntry)                         \
  X(mkdir, MkdirReq, EntryReply, kFopEntry)                         \
  X(unlink, UnlinkReq, Empty, kFopEntry)                            \
  X(rmdir, RmdirReq, Empty, kFopEntry)                              \
  X(symlink, SymlinkReq, EntryReply, kFopEntry)                     \
  X(rename, RenameReq, AttrReply, kFopEntry)                        \
  X(link, LinkReq, EntryReply, kFopEntry)                           \
  X(create, CreateReq, EntryReply, kFopEntry)                       \
  X(open, OpenReq, Empty, kFopRead)                                 \
  X(readv, ReadvReq, ReadvReply, kFopRead)                          \
  X(writev, WritevReq, WriteReply, kFopData)                        \
  X(flush, FlushReq, Empty, kFopRead)                               \
  X(fsync, FsyncReq, Empty, kFopRead)                               \
  X(opendir, OpendirReq, Empty, kFopRead)                           \
  X(readdir, ReaddirReq, ReaddirReply, kFopRead)                    \
  X(readdirp, ReaddirpReq, ReaddirReply, kFopRead)                  \
  X(fsyncdir, FsyncdirReq, Empty, kFopRead)                         \
  X(statfs, StatfsReq, StatfsReply, kFopRead)                       \
  X(setxattr, SetxattrReq, Empty, kFopMetadata)                     \
  X(fsetxattr, FsetxattrReq, Empty, kFopMetadata)                   \
  X(getxattr, GetxattrReq, XattrReply, kFopRead)                    \
  X(fgetxattr, FgetxattrReq, XattrReply, kFopRead)                  \
  X(listxattr, ListxattrReq, ListxattrReply, kFopRead)              \
  X(removexattr, RemovexattrReq, Empty, kFopMetadata)               \
  X(fremovexattr, FremovexattrReq, Empty, kFopMetadata)             \
  X(xattrop, XattropReq, XattrReply, kFopMetadata)                  \
  X(fxattrop, FxattropReq, XattrReply, kFopMetadata)                \
  X(lk, LkReq, LkReply, kFopLock)                                   \
  X(inodelk, InodelkReq, Empty, kFopLock)                           \
  X(finodelk, FinodelkReq, Empty, kFopLock)                         \
  X(entrylk, EntrylkReq, Empty, kFopLock)                           \
  X(fentrylk, FentrylkReq, Empty, kFopLock)                         \
  X(fallocate, FallocateReq, Empty, kFopData)                       \
  X(lseek, LseekReq, LseekReply, kFopRead)                          \
  X(rchecksum, RchecksumReq, RchecksumReply, kFopRead)

enum class FopId : uint16_t {
#define GF_FOP_ENUM_(name, Req, Rep, flags) name,
  GF_FOP_LIST(GF_FOP_ENUM_)
#undef GF_FOP_ENUM_
};
inline constexpr size_t kFopCount = 0
#define GF_FOP_COUNT_(name, Req, Rep, flags) +1
    GF_FOP_LIST(GF_FOP_COUNT_)
#undef GF_FOP_COUNT_
    ;

struct FopInfo {
  const char* name;
  uint32_t flags;
};
inline constexpr FopInfo kFopInfo[] = {
#define GF_FOP_INFO_(name, Req, Rep, flags) {#name, flags},
    GF_FOP_LIST(GF_FOP_INFO_)
#undef GF_FOP_INFO_
};
inline const FopInfo& fopInfo(FopId id) { return kFopInfo[static_cast<size_t>(id)]; }
inline const char* fopName(FopId id) { return fopInfo(id).name; }

// Maps a request type to its fop: FopOf<WritevReq>::id == FopId::writev.
template <class Req>
struct FopOf;
#define GF_FOP_OF_(name_, Req, Rep, flags_)        \
  template <>                                      \
  struct FopOf<Req> {                              \
    static constexpr FopId id = FopId::name_;      \
    using Reply = Rep;                             \
  };
GF_FOP_LIST(GF_FOP_OF_)
#undef GF_FOP_OF_

}  // namespace gf
