// SPDX-License-Identifier: GPL-3.0-or-later
// RecordingOps: records each Operations call with its decoded arguments and answers it with a
// fixed, recognisable reply (or holds the Request for tests of late and missing replies).
#include "tests/unit/lfp/lfp_test_util.h"

#include <cerrno>

namespace lfp::test {

Entry cannedEntry(Ino ino) {
  Entry e;
  e.ino = ino + 100;
  e.generation = 7;
  e.attr.st_ino = ino + 100;
  e.attr.st_mode = S_IFREG | 0640;
  e.attr.st_nlink = 1;
  e.attr.st_size = 1234;
  e.attr.st_uid = 11;
  e.attr.st_gid = 22;
  e.attr.st_blksize = 1 << 20;
  e.attr.st_mtim = {1700000000, 123456789};
  e.attrTimeout = 1.5;
  e.entryTimeout = 2.25;
  return e;
}

Call& RecordingOps::rec(const char* op, const Request* r) {
  calls.emplace_back();
  calls.back().op = op;
  if (r) calls.back().ctx = r->ctx();
  return calls.back();
}

void RecordingOps::init(ConnectionInfo& c) {
  initCalled = true;
  c.want |= addWant;
  seenConn = c;
}

void RecordingOps::lookup(Request r, Ino parent, const char* name) {
  Call& c = rec("lookup", &r);
  c.ino = parent;
  c.name = name;
  finish(r, [&](Request& q) { q.replyEntry(cannedEntry(parent)); });
}

void RecordingOps::forget(Ino ino, uint64_t nlookup) {
  Call& c = rec("forget", nullptr);
  c.ino = ino;
  c.a = nlookup;
}

void RecordingOps::forgetMulti(std::span<const ForgetOne> items) {
  Call& c = rec("forgetMulti", nullptr);
  c.a = items.size();
  for (const ForgetOne& f : items)
    c.data += std::to_string(f.ino) + ":" + std::to_string(f.nlookup) + ";";
}

void RecordingOps::getattr(Request r, Ino ino, const FileInfo* fi) {
  Call& c = rec("getattr", &r);
  c.ino = ino;
  c.hasFi = fi != nullptr;
  if (fi) c.fi = *fi;
  finish(r, [&](Request& q) { q.replyAttr(cannedEntry(ino).attr, 3.5); });
}

void RecordingOps::setattr(Request r, Ino ino, const struct stat& attr, uint32_t toSet,
                           const FileInfo* fi) {
  Call& c = rec("setattr", &r);
  c.ino = ino;
  c.st = attr;
  c.a = toSet;
  c.hasFi = fi != nullptr;
  if (fi) c.fi = *fi;
  finish(r, [&](Request& q) { q.replyAttr(attr, 0.0); });
}

void RecordingOps::readlink(Request r, Ino ino) {
  rec("readlink", &r).ino = ino;
  finish(r, [](Request& q) { q.replyReadlink("target/of/link"); });
}

void RecordingOps::mknod(Request r, Ino parent, const char* name, mode_t mode, dev_t rdev) {
  Call& c = rec("mknod", &r);
  c.ino = parent;
  c.name = name;
  c.a = mode;
  c.b = rdev;
  finish(r, [&](Request& q) { q.replyEntry(cannedEntry(parent)); });
}

void RecordingOps::mkdir(Request r, Ino parent, const char* name, mode_t mode) {
  Call& c = rec("mkdir", &r);
  c.ino = parent;
  c.name = name;
  c.a = mode;
  finish(r, [&](Request& q) { q.replyEntry(cannedEntry(parent)); });
}

void RecordingOps::symlink(Request r, const char* target, Ino parent, const char* name) {
  Call& c = rec("symlink", &r);
  c.ino = parent;
  c.name = name;
  c.name2 = target;
  finish(r, [&](Request& q) { q.replyEntry(cannedEntry(parent)); });
}

void RecordingOps::link(Request r, Ino ino, Ino newParent, const char* newName) {
  Call& c = rec("link", &r);
  c.ino = ino;
  c.ino2 = newParent;
  c.name = newName;
  finish(r, [&](Request& q) { q.replyEntry(cannedEntry(ino)); });
}

void RecordingOps::unlink(Request r, Ino parent, const char* name) {
  Call& c = rec("unlink", &r);
  c.ino = parent;
  c.name = name;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::rmdir(Request r, Ino parent, const char* name) {
  Call& c = rec("rmdir", &r);
  c.ino = parent;
  c.name = name;
  finish(r, [](Request& q) { q.replyErr(ENOTEMPTY); });
}

void RecordingOps::rename(Request r, Ino parent, const char* name, Ino newParent,
                          const char* newName, uint32_t flags) {
  Call& c = rec("rename", &r);
  c.ino = parent;
  c.ino2 = newParent;
  c.name = name;
  c.name2 = newName;
  c.a = flags;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::open(Request r, Ino ino, FileInfo& fi) {
  Call& c = rec("open", &r);
  c.ino = ino;
  c.fi = fi;
  fi.fh = 0xabc;
  fi.keepCache = true;
  fi.parallelDirectWrites = true;
  finish(r, [&](Request& q) { q.replyOpen(fi); });
}

void RecordingOps::read(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi) {
  Call& c = rec("read", &r);
  c.ino = ino;
  c.a = size;
  c.b = static_cast<uint64_t>(off);
  c.fi = fi;
  finish(r, [&](Request& q) {
    std::string data(size < 16 ? size : 16, 'r');
    q.replyBuf(data.data(), data.size());
  });
}

void RecordingOps::write(Request r, Ino ino, const WriteData& data, off_t off, const FileInfo& fi) {
  Call& c = rec("write", &r);
  c.ino = ino;
  c.b = static_cast<uint64_t>(off);
  c.fi = fi;
  c.data.resize(data.size);
  ssize_t n = data.copyTo(c.data.data());
  c.a = static_cast<uint64_t>(n);
  finish(r, [&](Request& q) { q.replyWrite(data.size); });
}

void RecordingOps::flush(Request r, Ino ino, const FileInfo& fi) {
  Call& c = rec("flush", &r);
  c.ino = ino;
  c.fi = fi;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::release(Request r, Ino ino, const FileInfo& fi) {
  Call& c = rec("release", &r);
  c.ino = ino;
  c.fi = fi;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::fsync(Request r, Ino ino, bool datasync, const FileInfo& fi) {
  Call& c = rec("fsync", &r);
  c.ino = ino;
  c.a = datasync;
  c.fi = fi;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::opendir(Request r, Ino ino, FileInfo& fi) {
  Call& c = rec("opendir", &r);
  c.ino = ino;
  c.fi = fi;
  fi.fh = 0xd1;
  fi.cacheDir = true;
  finish(r, [&](Request& q) { q.replyOpen(fi); });
}

void RecordingOps::readdir(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi) {
  Call& c = rec("readdir", &r);
  c.ino = ino;
  c.a = size;
  c.b = static_cast<uint64_t>(off);
  c.fi = fi;
  finish(r, [&](Request& q) {
    DirBuffer b(size);
    b.add("one", 5, S_IFREG, 1);
    b.add("two", 6, S_IFDIR, 2);
    q.replyBuf(b.data(), b.size());
  });
}

void RecordingOps::readdirplus(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi) {
  Call& c = rec("readdirplus", &r);
  c.ino = ino;
  c.a = size;
  c.b = static_cast<uint64_t>(off);
  c.fi = fi;
  finish(r, [&](Request& q) {
    DirBuffer b(size);
    b.addPlus("plus", cannedEntry(ino), 1);
    q.replyBuf(b.data(), b.size());
  });
}

void RecordingOps::releasedir(Request r, Ino ino, const FileInfo& fi) {
  Call& c = rec("releasedir", &r);
  c.ino = ino;
  c.fi = fi;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::fsyncdir(Request r, Ino ino, bool datasync, const FileInfo& fi) {
  Call& c = rec("fsyncdir", &r);
  c.ino = ino;
  c.a = datasync;
  c.fi = fi;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::statfs(Request r, Ino ino) {
  rec("statfs", &r).ino = ino;
  finish(r, [](Request& q) {
    struct statvfs st {};
    st.f_bsize = 4096;
    st.f_frsize = 4096;
    st.f_blocks = 1000;
    st.f_bfree = 500;
    st.f_bavail = 400;
    st.f_files = 77;
    st.f_ffree = 33;
    st.f_namemax = 255;
    q.replyStatfs(st);
  });
}

void RecordingOps::setxattr(Request r, Ino ino, const char* name, const char* value, size_t size,
                            int flags) {
  Call& c = rec("setxattr", &r);
  c.ino = ino;
  c.name = name;
  c.data.assign(value, size);
  c.a = static_cast<uint64_t>(flags);
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::getxattr(Request r, Ino ino, const char* name, size_t size) {
  Call& c = rec("getxattr", &r);
  c.ino = ino;
  c.name = name;
  c.a = size;
  finish(r, [&](Request& q) { size ? q.replyBuf("value", 5) : q.replyXattrSize(5); });
}

void RecordingOps::listxattr(Request r, Ino ino, size_t size) {
  Call& c = rec("listxattr", &r);
  c.ino = ino;
  c.a = size;
  finish(r, [&](Request& q) { size ? q.replyBuf("user.a\0", 7) : q.replyXattrSize(7); });
}

void RecordingOps::removexattr(Request r, Ino ino, const char* name) {
  Call& c = rec("removexattr", &r);
  c.ino = ino;
  c.name = name;
  finish(r, [](Request& q) { q.replyErr(ENODATA); });
}

void RecordingOps::access(Request r, Ino ino, int mask) {
  Call& c = rec("access", &r);
  c.ino = ino;
  c.a = static_cast<uint64_t>(mask);
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::create(Request r, Ino parent, const char* name, mode_t mode, FileInfo& fi) {
  Call& c = rec("create", &r);
  c.ino = parent;
  c.name = name;
  c.a = mode;
  c.fi = fi;
  fi.fh = 0xc4;
  fi.directIo = true;
  finish(r, [&](Request& q) { q.replyCreate(cannedEntry(parent), fi); });
}

void RecordingOps::getlk(Request r, Ino ino, const FileInfo& fi, const struct flock& lock) {
  Call& c = rec("getlk", &r);
  c.ino = ino;
  c.fi = fi;
  c.lk = lock;
  finish(r, [&](Request& q) {
    struct flock l = lock;
    l.l_type = F_WRLCK;
    l.l_pid = 99;
    q.replyLock(l);
  });
}

void RecordingOps::setlk(Request r, Ino ino, const FileInfo& fi, const struct flock& lock,
                         bool sleep) {
  Call& c = rec("setlk", &r);
  c.ino = ino;
  c.fi = fi;
  c.lk = lock;
  c.a = sleep;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::flock(Request r, Ino ino, const FileInfo& fi, int op) {
  Call& c = rec("flock", &r);
  c.ino = ino;
  c.fi = fi;
  c.a = static_cast<uint64_t>(op);
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::bmap(Request r, Ino ino, size_t blocksize, uint64_t idx) {
  Call& c = rec("bmap", &r);
  c.ino = ino;
  c.a = blocksize;
  c.b = idx;
  finish(r, [&](Request& q) { q.replyBmap(idx * 2); });
}

void RecordingOps::ioctl(Request r, Ino ino, unsigned int cmd, void* arg, const FileInfo& fi,
                         unsigned flags, const void* inBuf, size_t inSize, size_t outSize) {
  Call& c = rec("ioctl", &r);
  c.ino = ino;
  c.a = cmd;
  c.b = reinterpret_cast<uint64_t>(arg);
  c.c = flags;
  c.d = outSize;
  c.fi = fi;
  c.data.assign(static_cast<const char*>(inBuf), inSize);
  finish(r, [](Request& q) { q.replyIoctl(3, "out", 3); });
}

void RecordingOps::poll(Request r, Ino ino, const FileInfo& fi, uint64_t pollHandle,
                        uint32_t events) {
  Call& c = rec("poll", &r);
  c.ino = ino;
  c.fi = fi;
  c.a = pollHandle;
  c.b = events;
  finish(r, [](Request& q) { q.replyPoll(0x5); });
}

void RecordingOps::fallocate(Request r, Ino ino, int mode, off_t offset, off_t length,
                             const FileInfo& fi) {
  Call& c = rec("fallocate", &r);
  c.ino = ino;
  c.a = static_cast<uint64_t>(mode);
  c.b = static_cast<uint64_t>(offset);
  c.c = static_cast<uint64_t>(length);
  c.fi = fi;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::copyFileRange(Request r, Ino inIno, off_t inOff, const FileInfo& inFi,
                                 Ino outIno, off_t outOff, const FileInfo& outFi, size_t len,
                                 int flags) {
  Call& c = rec("copyFileRange", &r);
  c.ino = inIno;
  c.ino2 = outIno;
  c.a = static_cast<uint64_t>(inOff);
  c.b = static_cast<uint64_t>(outOff);
  c.c = len;
  c.d = static_cast<uint64_t>(flags);
  c.fi = inFi;
  c.fi2 = outFi;
  finish(r, [&](Request& q) { q.replyWrite(len); });
}

void RecordingOps::lseek(Request r, Ino ino, off_t off, int whence, const FileInfo& fi) {
  Call& c = rec("lseek", &r);
  c.ino = ino;
  c.a = static_cast<uint64_t>(off);
  c.b = static_cast<uint64_t>(whence);
  c.fi = fi;
  finish(r, [&](Request& q) { q.replyLseek(off + 1); });
}

void RecordingOps::syncfs(Request r, Ino ino) {
  rec("syncfs", &r).ino = ino;
  finish(r, [](Request& q) { q.replyOk(); });
}

void RecordingOps::tmpfile(Request r, Ino parent, mode_t mode, FileInfo& fi) {
  Call& c = rec("tmpfile", &r);
  c.ino = parent;
  c.a = mode;
  c.fi = fi;
  fi.fh = 0x7e;
  finish(r, [&](Request& q) { q.replyCreate(cannedEntry(parent), fi); });
}

void RecordingOps::retrieveReply(uint64_t cookie, Ino ino, off_t offset, const char* data,
                                 size_t size) {
  Call& c = rec("retrieveReply", nullptr);
  c.a = cookie;
  c.ino = ino;
  c.b = static_cast<uint64_t>(offset);
  c.data.assign(data, size);
}

}  // namespace lfp::test
