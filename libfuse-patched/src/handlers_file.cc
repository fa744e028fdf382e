// SPDX-License-Identifier: GPL-3.0-or-later
// Handlers for open files and directories: open/create, read/write, flush/release/fsync,
// directory listing, fallocate, lseek and copy_file_range.
#include <cerrno>

#include "libfuse-patched/src/handlers.h"
#include "libfuse-patched/src/kernel_abi.h"

namespace lfp::detail {

void doOpen(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_open_in>();
  FileInfo fi = fileInfo(0, a.flags);
  fi.killSuidgid = (a.open_flags & FUSE_OPEN_KILL_SUIDGID) != 0;
  d.ops().open(d.request(in), in.h.nodeid, fi);
}

void doCreate(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_create_in>();
  FileInfo fi = fileInfo(0, a.flags);
  fi.killSuidgid = (a.open_flags & FUSE_OPEN_KILL_SUIDGID) != 0;
  d.ops().create(d.request(in), in.h.nodeid, in.name, a.mode, fi);
}

// TMPFILE carries a create_in and a placeholder name, which the filesystem does not need.
void doTmpfile(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_create_in>();
  FileInfo fi = fileInfo(0, a.flags);
  d.ops().tmpfile(d.request(in), in.h.nodeid, a.mode, fi);
}

void doRead(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_read_in>();
  FileInfo fi = fileInfo(a.fh, a.flags, (a.read_flags & FUSE_READ_LOCKOWNER) ? a.lock_owner : 0);
  d.ops().read(d.request(in), in.h.nodeid, a.size, static_cast<off_t>(a.offset), fi);
}

void doWrite(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_write_in>();
  FileInfo fi = fileInfo(a.fh, a.flags, (a.write_flags & FUSE_WRITE_LOCKOWNER) ? a.lock_owner : 0);
  fi.killSuidgid = (a.write_flags & FUSE_WRITE_KILL_SUIDGID) != 0;
  WriteData wd;
  wd.size = in.payloadSize;
  wd.mem = in.payload;
  wd.pipeFd = in.payloadPipe;
  if (in.payload && d.owner) wd.owner = std::shared_ptr<const void>(d.owner, in.payload);
  d.ops().write(d.request(in), in.h.nodeid, wd, static_cast<off_t>(a.offset), fi);
}

void doFlush(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_flush_in>();
  d.ops().flush(d.request(in), in.h.nodeid, fileInfo(a.fh, 0, a.lock_owner));
}

void doRelease(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_release_in>();
  FileInfo fi = fileInfo(a.fh, a.flags, a.lock_owner);
  fi.flush = (a.release_flags & FUSE_RELEASE_FLUSH) != 0;
  fi.flockRelease = (a.release_flags & FUSE_RELEASE_FLOCK_UNLOCK) != 0;
  d.ops().release(d.request(in), in.h.nodeid, fi);
}

void doFsync(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_fsync_in>();
  d.ops().fsync(d.request(in), in.h.nodeid, (a.fsync_flags & FUSE_FSYNC_FDATASYNC) != 0,
                fileInfo(a.fh));
}

void doOpendir(Dispatch& d, const Decoded& in) {
  FileInfo fi = fileInfo(0, in.as<fuse_open_in>().flags);
  d.ops().opendir(d.request(in), in.h.nodeid, fi);
}

void doReaddir(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_read_in>();
  FileInfo fi = fileInfo(a.fh, a.flags);
  if (in.h.opcode == FUSE_READDIRPLUS)
    d.ops().readdirplus(d.request(in), in.h.nodeid, a.size, static_cast<off_t>(a.offset), fi);
  else
    d.ops().readdir(d.request(in), in.h.nodeid, a.size, static_cast<off_t>(a.offset), fi);
}

void doReleasedir(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_release_in>();
  d.ops().releasedir(d.request(in), in.h.nodeid, fileInfo(a.fh, a.flags, a.lock_owner));
}

void doFsyncdir(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_fsync_in>();
  d.ops().fsyncdir(d.request(in), in.h.nodeid, (a.fsync_flags & FUSE_FSYNC_FDATASYNC) != 0,
                   fileInfo(a.fh));
}

void doFallocate(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_fallocate_in>();
  d.ops().fallocate(d.request(in), in.h.nodeid, static_cast<int>(a.mode),
                    static_cast<off_t>(a.offset), static_cast<off_t>(a.length), fileInfo(a.fh));
}

void doLseek(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_lseek_in>();
  d.ops().lseek(d.request(in), in.h.nodeid, static_cast<off_t>(a.offset),
                static_cast<int>(a.whence), fileInfo(a.fh));
}

// COPY_FILE_RANGE and COPY_FILE_RANGE_64 share the argument; replyWrite encodes the answer
// each one expects.
void doCopyFileRange(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_copy_file_range_in>();
  d.ops().copyFileRange(d.request(in), in.h.nodeid, static_cast<off_t>(a.off_in), fileInfo(a.fh_in),
                        a.nodeid_out, static_cast<off_t>(a.off_out), fileInfo(a.fh_out), a.len,
                        static_cast<int>(a.flags));
}

}  // namespace lfp::detail
