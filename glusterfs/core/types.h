// SPDX-License-Identifier: GPL-3.0-or-later
// Plain value types carried by file operations: attributes, directory entries, locks, xattrs.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "glusterfs/core/gfid.h"
#include "glusterfs/core/payload.h"
#include "glusterfs/core/reflect.h"

namespace gf {

struct Timespec {
  int64_t sec = 0;
  uint32_t nsec = 0;
  friend bool operator==(const Timespec&, const Timespec&) = default;
  friend auto operator<=>(const Timespec&, const Timespec&) = default;
};
GF_FIELDS(Timespec, sec, nsec)

// File attributes as every layer sees them (struct stat plus the gfid).
struct Iatt {
  Gfid gfid;
  uint64_t ino = 0;  // gfid.ino(); the kernel-visible inode number
  uint32_t mode = 0;  // type and permission bits, as st_mode
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // 512-byte units
  uint32_t blksize = 0;
  Timespec atime, mtime, ctime;

  bool isDir() const { return S_ISDIR(mode); }
  bool isReg() const { return S_ISREG(mode); }
  bool isLink() const { return S_ISLNK(mode); }
  uint32_t type() const { return mode & S_IFMT; }
  friend bool operator==(const Iatt&, const Iatt&) = default;
};
GF_FIELDS(Iatt, gfid, ino, mode, nlink, uid, gid, rdev, size, blocks, blksize, atime, mtime, ctime)

Iatt iattFromStat(const struct stat& st, const Gfid& gfid);
struct stat statFromIatt(const Iatt& ia);

// Which attributes setattr changes.
enum SetattrValid : uint32_t {
  kSetMode = 1u << 0,
  kSetUid = 1u << 1,
  kSetGid = 1u << 2,
  kSetAtime = 1u << 3,
  kSetMtime = 1u << 4,
  kSetAtimeNow = 1u << 5,
  kSetMtimeNow = 1u << 6,
  kSetCtime = 1u << 7,
};

// Extended attributes and other named binary values; values are raw bytes.
using Dict = std::map<std::string, std::string>;

// Adds to `out` the entries of `have` that `wanted` names ("name" or "prefix*"): what lookup and
// readdirp report for the xattr names a caller asks for.
void pickXattrs(const Dict& have, const std::vector<std::string>& wanted, Dict& out);

// Bytes a directory entry costs in a READDIR (or READDIRPLUS) reply, as the kernel counts
// them; leaves fill a readdir reply up to ReaddirReq::size with this measure.
inline size_t dirEntryCost(size_t nameLen, bool plus) {
  size_t base = plus ? 152 : 24;  // fuse_entry_out + fuse_dirent header, or the header alone
  return (base + nameLen + 7) & ~size_t{7};
}

struct DirEntry {
  std::string name;
  uint64_t offset = 0;  // cookie to continue reading after this entry
  Iatt stat;            // readdir fills ino and the type bits of mode; readdirp fills all
  // readdirp only: the values of the names in ReaddirpReq::xattrs that the entry has. With
  // `xattrsRead` every name asked for was looked at, so one absent here does not exist (`ls -l`
  // then needs no getxattr per entry); without it nothing is known.
  Dict xattrs;
  bool xattrsRead = false;
  friend bool operator==(const DirEntry&, const DirEntry&) = default;
};
GF_FIELDS(DirEntry, name, offset, stat, xattrs, xattrsRead)

struct Statvfs {
  uint64_t bsize = 0, frsize = 0, blocks = 0, bfree = 0, bavail = 0;
  uint64_t files = 0, ffree = 0, favail = 0, fsid = 0, flag = 0, namemax = 0;
};
GF_FIELDS(Statvfs, bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax)

// A byte-range lock (fcntl) or whole-file lock (flock); `owner` identifies the lock holder
// together with the client that sent it.
struct Flock {
  int32_t type = 0;  // F_RDLCK, F_WRLCK, F_UNLCK
  int32_t whence = 0;
  int64_t start = 0;
  int64_t len = 0;  // 0 = to end of file
  int32_t pid = 0;
  uint64_t owner = 0;
  friend bool operator==(const Flock&, const Flock&) = default;
};
GF_FIELDS(Flock, type, whence, start, len, pid, owner)

enum class LockCmd : int32_t { kGet = 0, kSet = 1, kSetWait = 2 };
enum class LockKind : int32_t { kPosix = 0, kFlock = 1 };
enum class EntrylkCmd : int32_t { kLock = 0, kLockNonBlocking = 1, kUnlock = 2 };
enum class EntrylkType : int32_t { kRead = 0, kWrite = 1 };
// xattrop: values are arrays of big-endian integers added element-wise to the stored value.
enum class XattropOp : int32_t { kAddArray = 0, kAddArray64 = 1 };

}  // namespace gf
