// SPDX-License-Identifier: GPL-3.0-or-later
// The libfuse3 low-level callback table: each callback wraps its fuse_req_t in an lfp::Request
// and calls the filesystem's Operations method.
#include <linux/fuse.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "libfuse-patched/common/caps.h"
#include "libfuse-patched/common/log.h"
#include "libfuse-patched/stock/stock_session.h"

namespace lfp::detail {
namespace {

Session::Impl* sessionOf(fuse_req_t req) {
  return static_cast<Session::Impl*>(fuse_req_userdata(req));
}
Operations& opsOf(fuse_req_t req) { return sessionOf(req)->ops; }

Request wrap(fuse_req_t req, uint32_t opcode, uint64_t size = 0) {
  auto st = std::make_unique<RequestState>();
  st->req = req;
  st->session = sessionOf(req);
  st->opcode = opcode;
  const fuse_ctx* c = fuse_req_ctx(req);
  st->ctx.uid = c->uid;
  st->ctx.gid = c->gid;
  st->ctx.pid = static_cast<uint32_t>(c->pid);
  st->ctx.umask = c->umask;
  st->session->count(opcode, size);
  return Request(std::move(st));
}

FileInfo fileInfo(const fuse_file_info* fi) {
  FileInfo out;
  toFileInfo(fi, out);
  return out;
}

// libfuse 3.14 capability bits <-> lfp::Cap bits.
struct CapMap {
  uint64_t lfp;
  unsigned fuse;
};
constexpr CapMap kCapMap[] = {
    {kCapAsyncRead, FUSE_CAP_ASYNC_READ},
    {kCapPosixLocks, FUSE_CAP_POSIX_LOCKS},
    {kCapFlockLocks, FUSE_CAP_FLOCK_LOCKS},
    {kCapAtomicOTrunc, FUSE_CAP_ATOMIC_O_TRUNC},
    {kCapExportSupport, FUSE_CAP_EXPORT_SUPPORT},
    {kCapDontMask, FUSE_CAP_DONT_MASK},
    {kCapSpliceWrite, FUSE_CAP_SPLICE_WRITE},
    {kCapSpliceMove, FUSE_CAP_SPLICE_MOVE},
    {kCapSpliceRead, FUSE_CAP_SPLICE_READ},
    {kCapAutoInvalData, FUSE_CAP_AUTO_INVAL_DATA},
    {kCapReaddirplus, FUSE_CAP_READDIRPLUS},
    {kCapReaddirplusAuto, FUSE_CAP_READDIRPLUS_AUTO},
    {kCapAsyncDio, FUSE_CAP_ASYNC_DIO},
    {kCapWritebackCache, FUSE_CAP_WRITEBACK_CACHE},
    {kCapNoOpenSupport, FUSE_CAP_NO_OPEN_SUPPORT},
    {kCapParallelDirops, FUSE_CAP_PARALLEL_DIROPS},
    {kCapPosixAcl, FUSE_CAP_POSIX_ACL},
    {kCapHandleKillpriv, FUSE_CAP_HANDLE_KILLPRIV},
    {kCapCacheSymlinks, FUSE_CAP_CACHE_SYMLINKS},
    {kCapNoOpendirSupport, FUSE_CAP_NO_OPENDIR_SUPPORT},
    {kCapExplicitInvalData, FUSE_CAP_EXPLICIT_INVAL_DATA},
};

uint64_t fromFuseCaps(unsigned caps) {
  uint64_t out = 0;
  for (const CapMap& m : kCapMap)
    if (caps & m.fuse) out |= m.lfp;
  return out;
}

unsigned toFuseCaps(uint64_t caps) {
  unsigned out = 0;
  for (const CapMap& m : kCapMap)
    if (caps & m.lfp) out |= m.fuse;
  return out;
}

void opInit(void* userdata, fuse_conn_info* conn) {
  auto* s = static_cast<Session::Impl*>(userdata);
  ConnectionInfo& ci = s->conn;
  ci.protoMajor = conn->proto_major;
  ci.protoMinor = conn->proto_minor;
  // libfuse 3 always uses big writes and (protocol 7.28+) max_pages sized from max_write.
  ci.capable = fromFuseCaps(conn->capable) | kCapBigWrites;
  if (conn->proto_minor >= 28) ci.capable |= kCapMaxPages;
  ci.want = defaultWant(ci.capable, s->opts);
  ci.maxWrite = conn->max_write;
  ci.maxRead = conn->max_read;
  ci.maxReadahead = conn->max_readahead;
  ci.maxBackground = conn->max_background;
  ci.congestionThreshold = conn->congestion_threshold;
  ci.timeGran = conn->time_gran ? conn->time_gran : 1;
  ci.maxPages = conn->max_write / static_cast<uint32_t>(getpagesize());
  ci.ioBlockSize = ioBlockSizeFor(ci.maxWrite);
  ci.backend = "libfuse3 3.14";
  s->ops.init(ci);
  ci.want &= ci.capable;
  conn->want = toFuseCaps(ci.want) & conn->capable;
  if (ci.maxWrite && ci.maxWrite < conn->max_write) conn->max_write = ci.maxWrite;
  ci.maxWrite = conn->max_write;
  ci.maxPages = (conn->max_write + getpagesize() - 1) / static_cast<uint32_t>(getpagesize());
  ci.ioBlockSize = ioBlockSizeFor(ci.maxWrite);
  conn->max_readahead = ci.maxReadahead;
  if (ci.maxBackground) conn->max_background = ci.maxBackground;
  if (ci.congestionThreshold) conn->congestion_threshold = ci.congestionThreshold;
  conn->time_gran = ci.timeGran;
  if (s->opts.debug)
    log(kLogDebug, "INIT %u.%u want=%s max_write=%u", ci.protoMajor, ci.protoMinor,
        capNames(ci.want).c_str(), ci.maxWrite);
}

void opDestroy(void* userdata) { static_cast<Session::Impl*>(userdata)->ops.destroy(); }

void opLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  opsOf(req).lookup(wrap(req, FUSE_LOOKUP), parent, name);
}

void opForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  sessionOf(req)->count(FUSE_FORGET, 0);
  opsOf(req).forget(ino, nlookup);
  fuse_reply_none(req);
}

void opForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  sessionOf(req)->count(FUSE_BATCH_FORGET, count);
  std::vector<ForgetOne> items(count);
  for (size_t i = 0; i < count; ++i) items[i] = {forgets[i].ino, forgets[i].nlookup};
  opsOf(req).forgetMulti(items);
  fuse_reply_none(req);
}

void opGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FileInfo f = fileInfo(fi);
  opsOf(req).getattr(wrap(req, FUSE_GETATTR), ino, fi ? &f : nullptr);
}

void opSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int toSet, fuse_file_info* fi) {
  // libfuse's FUSE_SET_ATTR_* bits are the kernel's FATTR_* bits for everything it passes on.
  uint32_t bits = 0;
  constexpr std::pair<int, uint32_t> kBits[] = {{FUSE_SET_ATTR_MODE, FATTR_MODE},
                                                {FUSE_SET_ATTR_UID, FATTR_UID},
                                                {FUSE_SET_ATTR_GID, FATTR_GID},
                                                {FUSE_SET_ATTR_SIZE, FATTR_SIZE},
                                                {FUSE_SET_ATTR_ATIME, FATTR_ATIME},
                                                {FUSE_SET_ATTR_MTIME, FATTR_MTIME},
                                                {FUSE_SET_ATTR_ATIME_NOW, FATTR_ATIME_NOW},
                                                {FUSE_SET_ATTR_MTIME_NOW, FATTR_MTIME_NOW},
                                                {FUSE_SET_ATTR_CTIME, FATTR_CTIME}};
  for (auto [f, k] : kBits)
    if (toSet & f) bits |= k;
  FileInfo f = fileInfo(fi);
  if (fi) bits |= FATTR_FH;
  opsOf(req).setattr(wrap(req, FUSE_SETATTR), ino, *attr, bits, fi ? &f : nullptr);
}

void opReadlink(fuse_req_t req, fuse_ino_t ino) {
  opsOf(req).readlink(wrap(req, FUSE_READLINK), ino);
}

void opMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  opsOf(req).mknod(wrap(req, FUSE_MKNOD), parent, name, mode, rdev);
}

void opMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  opsOf(req).mkdir(wrap(req, FUSE_MKDIR), parent, name, mode);
}

void opUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  opsOf(req).unlink(wrap(req, FUSE_UNLINK), parent, name);
}

void opRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  opsOf(req).rmdir(wrap(req, FUSE_RMDIR), parent, name);
}

void opSymlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  opsOf(req).symlink(wrap(req, FUSE_SYMLINK), link, parent, name);
}

void opRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned flags) {
  opsOf(req).rename(wrap(req, flags ? FUSE_RENAME2 : FUSE_RENAME), parent, name, newparent, newname,
                    flags);
}

void opLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  opsOf(req).link(wrap(req, FUSE_LINK), ino, newparent, newname);
}

void opOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FileInfo f = fileInfo(fi);
  opsOf(req).open(wrap(req, FUSE_OPEN), ino, f);
}

void opRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  opsOf(req).read(wrap(req, FUSE_READ, size), ino, size, off, fileInfo(fi));
}

void opWriteBuf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* bufv, off_t off, fuse_file_info* fi) {
  size_t size = fuse_buf_size(bufv);
  WriteData wd;
  wd.size = size;
  std::vector<char> flat;
  const fuse_buf& b0 = bufv->buf[bufv->idx];
  if (bufv->count == 1 && (b0.flags & FUSE_BUF_IS_FD)) {
    wd.pipeFd = b0.fd;
  } else if (bufv->count == 1 && bufv->off == 0) {
    wd.mem = static_cast<const char*>(b0.mem);
  } else {  // several fragments: flatten (libfuse never does this for kernel writes today)
    flat.resize(size);
    fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
    dst.buf[0].mem = flat.data();
    fuse_buf_copy(&dst, bufv, static_cast<fuse_buf_copy_flags>(0));
    wd.mem = flat.data();
  }
  opsOf(req).write(wrap(req, FUSE_WRITE, size), ino, wd, off, fileInfo(fi));
}

void opFlush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  opsOf(req).flush(wrap(req, FUSE_FLUSH), ino, fileInfo(fi));
}

void opRelease(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  opsOf(req).release(wrap(req, FUSE_RELEASE), ino, fileInfo(fi));
}

void opFsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  opsOf(req).fsync(wrap(req, FUSE_FSYNC), ino, datasync != 0, fileInfo(fi));
}

void opOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  FileInfo f = fileInfo(fi);
  opsOf(req).opendir(wrap(req, FUSE_OPENDIR), ino, f);
}

void opReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  opsOf(req).readdir(wrap(req, FUSE_READDIR, size), ino, size, off, fileInfo(fi));
}

void opReaddirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  opsOf(req).readdirplus(wrap(req, FUSE_READDIRPLUS, size), ino, size, off, fileInfo(fi));
}

void opReleasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  opsOf(req).releasedir(wrap(req, FUSE_RELEASEDIR), ino, fileInfo(fi));
}

void opFsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  opsOf(req).fsyncdir(wrap(req, FUSE_FSYNCDIR), ino, datasync != 0, fileInfo(fi));
}

void opStatfs(fuse_req_t req, fuse_ino_t ino) { opsOf(req).statfs(wrap(req, FUSE_STATFS), ino); }

void opSetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags) {
  opsOf(req).setxattr(wrap(req, FUSE_SETXATTR), ino, name, value, size, flags);
}

void opGetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  opsOf(req).getxattr(wrap(req, FUSE_GETXATTR), ino, name, size);
}

void opListxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  opsOf(req).listxattr(wrap(req, FUSE_LISTXATTR), ino, size);
}

void opRemovexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  opsOf(req).removexattr(wrap(req, FUSE_REMOVEXATTR), ino, name);
}

void opAccess(fuse_req_t req, fuse_ino_t ino, int mask) {
  opsOf(req).access(wrap(req, FUSE_ACCESS), ino, mask);
}

void opCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              fuse_file_info* fi) {
  FileInfo f = fileInfo(fi);
  opsOf(req).create(wrap(req, FUSE_CREATE), parent, name, mode, f);
}

void opGetlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  opsOf(req).getlk(wrap(req, FUSE_GETLK), ino, fileInfo(fi), *lock);
}

void opSetlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  opsOf(req).setlk(wrap(req, sleep ? FUSE_SETLKW : FUSE_SETLK), ino, fileInfo(fi), *lock,
                   sleep != 0);
}

void opBmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx) {
  opsOf(req).bmap(wrap(req, FUSE_BMAP), ino, blocksize, idx);
}

void opIoctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void* arg, fuse_file_info* fi,
             unsigned flags, const void* inBuf, size_t inSize, size_t outSize) {
  opsOf(req).ioctl(wrap(req, FUSE_IOCTL), ino, cmd, arg, fileInfo(fi), flags, inBuf, inSize,
                   outSize);
}

void opPoll(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, fuse_pollhandle* ph) {
  opsOf(req).poll(wrap(req, FUSE_POLL), ino, fileInfo(fi), reinterpret_cast<uint64_t>(ph),
                  fi->poll_events);
}

void opRetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset,
                     fuse_bufvec* bufv) {
  Session::Impl* s = sessionOf(req);
  s->count(FUSE_NOTIFY_REPLY, fuse_buf_size(bufv));
  size_t size = fuse_buf_size(bufv);
  std::vector<char> data(size);
  fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
  dst.buf[0].mem = data.data();
  ssize_t got = size ? fuse_buf_copy(&dst, bufv, static_cast<fuse_buf_copy_flags>(0)) : 0;
  s->ops.retrieveReply(reinterpret_cast<uint64_t>(cookie), ino, offset, data.data(),
                       got > 0 ? static_cast<size_t>(got) : 0);
  fuse_reply_none(req);
}

void opFlock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  opsOf(req).flock(wrap(req, FUSE_SETLK), ino, fileInfo(fi), op);
}

void opFallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info* fi) {
  opsOf(req).fallocate(wrap(req, FUSE_FALLOCATE), ino, mode, offset, length, fileInfo(fi));
}

void opCopyFileRange(fuse_req_t req, fuse_ino_t inIno, off_t inOff, fuse_file_info* inFi,
                     fuse_ino_t outIno, off_t outOff, fuse_file_info* outFi, size_t len,
                     int flags) {
  opsOf(req).copyFileRange(wrap(req, FUSE_COPY_FILE_RANGE), inIno, inOff, fileInfo(inFi), outIno,
                           outOff, fileInfo(outFi), len, flags);
}

void opLseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  opsOf(req).lseek(wrap(req, FUSE_LSEEK), ino, off, whence, fileInfo(fi));
}

fuse_lowlevel_ops makeOps() {
  fuse_lowlevel_ops o;
  std::memset(&o, 0, sizeof o);
  o.init = opInit;
  o.destroy = opDestroy;
  o.lookup = opLookup;
  o.forget = opForget;
  o.getattr = opGetattr;
  o.setattr = opSetattr;
  o.readlink = opReadlink;
  o.mknod = opMknod;
  o.mkdir = opMkdir;
  o.unlink = opUnlink;
  o.rmdir = opRmdir;
  o.symlink = opSymlink;
  o.rename = opRename;
  o.link = opLink;
  o.open = opOpen;
  o.read = opRead;
  o.flush = opFlush;
  o.release = opRelease;
  o.fsync = opFsync;
  o.opendir = opOpendir;
  o.readdir = opReaddir;
  o.releasedir = opReleasedir;
  o.fsyncdir = opFsyncdir;
  o.statfs = opStatfs;
  o.setxattr = opSetxattr;
  o.getxattr = opGetxattr;
  o.listxattr = opListxattr;
  o.removexattr = opRemovexattr;
  o.access = opAccess;
  o.create = opCreate;
  o.getlk = opGetlk;
  o.setlk = opSetlk;
  o.bmap = opBmap;
  o.ioctl = opIoctl;
  o.poll = opPoll;
  o.write_buf = opWriteBuf;
  o.retrieve_reply = opRetrieveReply;
  o.forget_multi = opForgetMulti;
  o.flock = opFlock;
  o.fallocate = opFallocate;
  o.readdirplus = opReaddirplus;
  o.copy_file_range = opCopyFileRange;
  o.lseek = opLseek;
  return o;
}

}  // namespace

const fuse_lowlevel_ops& stockOps() {
  static const fuse_lowlevel_ops ops = makeOps();
  return ops;
}

}  // namespace lfp::detail
