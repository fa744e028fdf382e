// SPDX-License-Identifier: GPL-3.0-or-later
// A passthrough filesystem over lfp: every operation maps to the same operation on a source
// directory, reached only through O_PATH handles and *at() calls that never follow the source
// tree's symlinks. Node ids are Node pointers; the root is node 1.
#pragma once

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "lfp/lfp.h"

namespace passthrough {

struct Options {
  double attrTimeout = 1.0;
  double entryTimeout = 1.0;
  bool kernelPassthrough = false;  // --passthrough: FOPEN_PASSTHROUGH with a backing file
  bool directIo = false;           // -o direct_io: every open bypasses the page cache
  bool keepCache = false;          // -o keep_cache
  bool locks = false;              // -o locks: POSIX and flock locks held in the source tree
  bool readdirplus = true;         // -o noreaddirplus turns it off
};

// Acts as the calling user for the lifetime of the object (per-thread fsuid/fsgid), so files
// created through the mount belong to their creator. A no-op when not running as root.
class AsCaller {
 public:
  explicit AsCaller(const lfp::Context& c) : active_(geteuid() == 0) {
    if (!active_) return;
    syscall(SYS_setfsgid, c.gid);
    syscall(SYS_setfsuid, c.uid);
  }
  ~AsCaller() {
    if (!active_) return;
    syscall(SYS_setfsuid, 0);
    syscall(SYS_setfsgid, 0);
  }

 private:
  bool active_;
};

// Clears S_ISUID (and S_ISGID when group-executable) as a local unprivileged write would; the
// kernel asks for it with kCapHandleKillprivV2 instead of probing security.capability on every
// write.
void killSuidgid(int fd);

struct Node {
  int fd = -1;  // O_PATH|O_NOFOLLOW
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t nlookup = 0;
};

class Fs : public lfp::Operations {
 public:
  Fs(int rootFd, Options opts);
  ~Fs() override;
  void setSession(lfp::Session* s) { session_ = s; }

  void init(lfp::ConnectionInfo& conn) override;
  void lookup(lfp::Request r, lfp::Ino parent, const char* name) override;
  void forget(lfp::Ino ino, uint64_t nlookup) override;
  void getattr(lfp::Request r, lfp::Ino ino, const lfp::FileInfo* fi) override;
  void setattr(lfp::Request r, lfp::Ino ino, const struct stat& attr, uint32_t toSet,
               const lfp::FileInfo* fi) override;
  void readlink(lfp::Request r, lfp::Ino ino) override;
  void mknod(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode, dev_t rdev) override;
  void mkdir(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode) override;
  void symlink(lfp::Request r, const char* target, lfp::Ino parent, const char* name) override;
  void link(lfp::Request r, lfp::Ino ino, lfp::Ino newParent, const char* newName) override;
  void unlink(lfp::Request r, lfp::Ino parent, const char* name) override;
  void rmdir(lfp::Request r, lfp::Ino parent, const char* name) override;
  void rename(lfp::Request r, lfp::Ino parent, const char* name, lfp::Ino newParent,
              const char* newName, uint32_t flags) override;
  void open(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) override;
  void create(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode,
              lfp::FileInfo& fi) override;
  void tmpfile(lfp::Request r, lfp::Ino parent, mode_t mode, lfp::FileInfo& fi) override;
  void read(lfp::Request r, lfp::Ino ino, size_t size, off_t off, const lfp::FileInfo& fi) override;
  void write(lfp::Request r, lfp::Ino ino, const lfp::WriteData& data, off_t off,
             const lfp::FileInfo& fi) override;
  void flush(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) override;
  void release(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) override;
  void fsync(lfp::Request r, lfp::Ino ino, bool datasync, const lfp::FileInfo& fi) override;
  void opendir(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) override;
  void readdir(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
               const lfp::FileInfo& fi) override;
  void readdirplus(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
                   const lfp::FileInfo& fi) override;
  void releasedir(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) override;
  void fsyncdir(lfp::Request r, lfp::Ino ino, bool datasync, const lfp::FileInfo& fi) override;
  void statfs(lfp::Request r, lfp::Ino ino) override;
  void setxattr(lfp::Request r, lfp::Ino ino, const char* name, const char* value, size_t size,
                int flags) override;
  void getxattr(lfp::Request r, lfp::Ino ino, const char* name, size_t size) override;
  void listxattr(lfp::Request r, lfp::Ino ino, size_t size) override;
  void removexattr(lfp::Request r, lfp::Ino ino, const char* name) override;
  void access(lfp::Request r, lfp::Ino ino, int mask) override;
  void getlk(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi,
             const struct flock& lock) override;
  void setlk(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, const struct flock& lock,
             bool sleep) override;
  void flock(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, int op) override;
  void ioctl(lfp::Request r, lfp::Ino ino, unsigned int cmd, void* arg, const lfp::FileInfo& fi,
             unsigned flags, const void* inBuf, size_t inSize, size_t outSize) override;
  void poll(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, uint64_t pollHandle,
            uint32_t events) override;
  void fallocate(lfp::Request r, lfp::Ino ino, int mode, off_t offset, off_t length,
                 const lfp::FileInfo& fi) override;
  void copyFileRange(lfp::Request r, lfp::Ino inIno, off_t inOff, const lfp::FileInfo& inFi,
                     lfp::Ino outIno, off_t outOff, const lfp::FileInfo& outFi, size_t len,
                     int flags) override;
  void lseek(lfp::Request r, lfp::Ino ino, off_t off, int whence, const lfp::FileInfo& fi) override;
  void syncfs(lfp::Request r, lfp::Ino ino) override;

  // Node of a kernel node id (the root for kRootIno).
  Node* node(lfp::Ino ino) { return ino == lfp::kRootIno ? &root_ : reinterpret_cast<Node*>(ino); }
  // "/proc/self/fd/N" for a node's O_PATH handle, to reach calls without an *at() form.
  static std::string procPath(int fd);

 private:
  // Looks `name` up under `parent` and counts the lookup; errno on failure.
  int doLookup(lfp::Ino parent, const char* name, lfp::Entry& e);
  // Registers an already opened O_PATH handle (consumed) as a looked-up node.
  int entryForFd(int fd, lfp::Entry& e);
  void unref(Node* n, uint64_t count);
  void fillEntry(Node* n, const struct stat& st, lfp::Entry& e) const;
  void finishOpen(Node* n, int fd, lfp::FileInfo& fi);
  int acquireBacking(Node* n, int fd);  // backing id, or 0 when passthrough is not possible
  void releaseBacking(Node* n, int fd);
  void dirList(lfp::Request r, lfp::Ino ino, size_t size, off_t off, const lfp::FileInfo& fi,
               bool plus);
  int ownerFd(lfp::Ino ino, const lfp::FileInfo& fi);
  // st_blksize: the negotiated request size, so cp and friends move data in whole requests.
  blksize_t blksize() const { return session_ ? lfp::ioBlockSize(session_->conn()) : 4096; }

  Options opts_;
  lfp::Session* session_ = nullptr;
  bool writeback_ = false;
  Node root_;
  std::mutex mu_;
  std::map<std::pair<dev_t, ino_t>, Node*> nodes_;
  struct Backing {
    int id;
    int fd;
    unsigned opens;
  };
  std::mutex backingMu_;
  std::unordered_map<Node*, Backing> backing_;  // one registered backing file per open inode
  std::unordered_set<int> backingFds_;          // open handles that share a backing file
  std::mutex lockMu_;
  std::map<std::pair<lfp::Ino, uint64_t>, int> ownerFds_;  // (node, lock owner) -> OFD fd
};

}  // namespace passthrough
