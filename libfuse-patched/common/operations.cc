// SPDX-License-Identifier: GPL-3.0-or-later
// Default Operations: ENOSYS for what a filesystem did not implement, success where the kernel
// protocol treats the operation as optional bookkeeping (open/release/flush/fsync families).
#include <cerrno>
#include <cstring>

#include "lfp/lfp.h"

namespace lfp {

void Operations::lookup(Request r, Ino, const char*) { r.replyErr(ENOSYS); }
void Operations::forgetMulti(std::span<const ForgetOne> items) {
  for (const ForgetOne& f : items) forget(f.ino, f.nlookup);
}
void Operations::getattr(Request r, Ino, const FileInfo*) { r.replyErr(ENOSYS); }
void Operations::setattr(Request r, Ino, const struct stat&, uint32_t, const FileInfo*) {
  r.replyErr(ENOSYS);
}
void Operations::readlink(Request r, Ino) { r.replyErr(ENOSYS); }
void Operations::mknod(Request r, Ino, const char*, mode_t, dev_t) { r.replyErr(ENOSYS); }
void Operations::mkdir(Request r, Ino, const char*, mode_t) { r.replyErr(ENOSYS); }
void Operations::symlink(Request r, const char*, Ino, const char*) { r.replyErr(ENOSYS); }
void Operations::link(Request r, Ino, Ino, const char*) { r.replyErr(ENOSYS); }
void Operations::unlink(Request r, Ino, const char*) { r.replyErr(ENOSYS); }
void Operations::rmdir(Request r, Ino, const char*) { r.replyErr(ENOSYS); }
void Operations::rename(Request r, Ino, const char*, Ino, const char*, uint32_t) {
  r.replyErr(ENOSYS);
}
void Operations::open(Request r, Ino, FileInfo& fi) { r.replyOpen(fi); }
void Operations::read(Request r, Ino, size_t, off_t, const FileInfo&) { r.replyErr(ENOSYS); }
void Operations::write(Request r, Ino, const WriteData&, off_t, const FileInfo&) {
  r.replyErr(ENOSYS);
}
void Operations::flush(Request r, Ino, const FileInfo&) { r.replyOk(); }
void Operations::release(Request r, Ino, const FileInfo&) { r.replyOk(); }
void Operations::fsync(Request r, Ino, bool, const FileInfo&) { r.replyOk(); }
void Operations::opendir(Request r, Ino, FileInfo& fi) { r.replyOpen(fi); }
void Operations::readdir(Request r, Ino, size_t, off_t, const FileInfo&) { r.replyErr(ENOSYS); }
void Operations::readdirplus(Request r, Ino, size_t, off_t, const FileInfo&) { r.replyErr(ENOSYS); }
void Operations::releasedir(Request r, Ino, const FileInfo&) { r.replyOk(); }
void Operations::fsyncdir(Request r, Ino, bool, const FileInfo&) { r.replyOk(); }
// statfs answers like an empty filesystem so df and statvfs keep working.
void Operations::statfs(Request r, Ino) {
  struct statvfs st;
  std::memset(&st, 0, sizeof st);
  st.f_bsize = 512;
  st.f_frsize = 512;
  st.f_namemax = 255;
  r.replyStatfs(st);
}
void Operations::setxattr(Request r, Ino, const char*, const char*, size_t, int) {
  r.replyErr(ENOSYS);
}
void Operations::getxattr(Request r, Ino, const char*, size_t) { r.replyErr(ENOSYS); }
void Operations::listxattr(Request r, Ino, size_t) { r.replyErr(ENOSYS); }
void Operations::removexattr(Request r, Ino, const char*) { r.replyErr(ENOSYS); }
void Operations::access(Request r, Ino, int) { r.replyErr(ENOSYS); }
void Operations::create(Request r, Ino, const char*, mode_t, FileInfo&) { r.replyErr(ENOSYS); }
void Operations::getlk(Request r, Ino, const FileInfo&, const struct flock&) { r.replyErr(ENOSYS); }
void Operations::setlk(Request r, Ino, const FileInfo&, const struct flock&, bool) {
  r.replyErr(ENOSYS);
}
void Operations::flock(Request r, Ino, const FileInfo&, int) { r.replyErr(ENOSYS); }
void Operations::bmap(Request r, Ino, size_t, uint64_t) { r.replyErr(ENOSYS); }
void Operations::ioctl(Request r, Ino, unsigned int, void*, const FileInfo&, unsigned, const void*,
                       size_t, size_t) {
  r.replyErr(ENOSYS);
}
void Operations::poll(Request r, Ino, const FileInfo&, uint64_t, uint32_t) { r.replyErr(ENOSYS); }
void Operations::fallocate(Request r, Ino, int, off_t, off_t, const FileInfo&) {
  r.replyErr(ENOSYS);
}
void Operations::copyFileRange(Request r, Ino, off_t, const FileInfo&, Ino, off_t, const FileInfo&,
                               size_t, int) {
  r.replyErr(ENOSYS);
}
void Operations::lseek(Request r, Ino, off_t, int, const FileInfo&) { r.replyErr(ENOSYS); }
void Operations::syncfs(Request r, Ino) { r.replyErr(ENOSYS); }
void Operations::tmpfile(Request r, Ino, mode_t, FileInfo&) { r.replyErr(ENOSYS); }

}  // namespace lfp
