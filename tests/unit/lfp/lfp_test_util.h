// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers for in-process lfp tests: a request builder laying out kernel structs byte by byte, a
// sink capturing replies, and an Operations that records every call.
#pragma once

#include <linux/fuse.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lfp/lfp.h"
#include "libfuse-patched/src/session_impl.h"

namespace lfp::test {

// Builds one request as the kernel lays it out on /dev/fuse.
class Req {
 public:
  Req(uint32_t opcode, uint64_t nodeid, uint64_t unique = 0) {
    static uint64_t next = 2;
    h_.opcode = opcode;
    h_.nodeid = nodeid;
    h_.unique = unique ? unique : (next += 2);
    h_.uid = 1000;
    h_.gid = 100;
    h_.pid = 4242;
  }
  template <class T>
  Req& arg(const T& t) {
    body_.append(reinterpret_cast<const char*>(&t), sizeof t);
    return *this;
  }
  Req& name(std::string_view s) {
    body_.append(s);
    body_.push_back('\0');
    return *this;
  }
  Req& bytes(std::string_view s) {
    body_.append(s);
    return *this;
  }
  uint64_t unique() const { return h_.unique; }
  // The wire bytes; `lenDelta` corrupts header.len relative to the real length.
  std::string build(int64_t lenDelta = 0) const {
    fuse_in_header h = h_;
    h.len = static_cast<uint32_t>(static_cast<int64_t>(sizeof h + body_.size()) + lenDelta);
    std::string out(reinterpret_cast<const char*>(&h), sizeof h);
    return out + body_;
  }
  const std::string& body() const { return body_; }
  const fuse_in_header& header() const { return h_; }

 private:
  fuse_in_header h_{};
  std::string body_;
};

struct Reply {
  uint64_t unique = 0;
  int error = 0;
  std::string data;
  template <class T>
  T as() const {
    T t{};
    std::memcpy(&t, data.data(), data.size() < sizeof t ? data.size() : sizeof t);
    return t;
  }
};

class CaptureSink : public detail::ReplySink {
 public:
  int send(uint64_t unique, int error, const struct iovec* iov, int count) override {
    Reply r{unique, error, {}};
    for (int i = 0; i < count; ++i)
      r.data.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    replies.push_back(std::move(r));
    return 0;
  }
  int sendFd(uint64_t unique, int fd, off_t offset, size_t size) override {
    std::string buf(size, '\0');
    ssize_t n = pread(fd, buf.data(), size, offset);
    if (n < 0) return send(unique, -errno, nullptr, 0);
    buf.resize(static_cast<size_t>(n));
    iovec v{buf.data(), buf.size()};
    return send(unique, 0, &v, 1);
  }
  std::vector<Reply> replies;
};

struct Call {
  std::string op;
  Ino ino = 0, ino2 = 0;
  std::string name, name2, data;
  uint64_t a = 0, b = 0, c = 0, d = 0;
  FileInfo fi, fi2;
  bool hasFi = false;
  struct stat st {};
  struct flock lk {};
  Context ctx;
};

// Records each call; replies with a canned answer unless `hold` keeps the Request.
class RecordingOps : public Operations {
 public:
  std::vector<Call> calls;
  std::vector<Request> held;
  bool hold = false;
  bool initCalled = false;
  bool destroyCalled = false;
  ConnectionInfo seenConn;
  uint64_t addWant = 0;

  const Call& last() const { return calls.back(); }

  void init(ConnectionInfo& c) override;
  void destroy() override { destroyCalled = true; }
  void lookup(Request r, Ino parent, const char* name) override;
  void forget(Ino ino, uint64_t nlookup) override;
  void forgetMulti(std::span<const ForgetOne> items) override;
  void getattr(Request r, Ino ino, const FileInfo* fi) override;
  void setattr(Request r, Ino ino, const struct stat& attr, uint32_t toSet,
               const FileInfo* fi) override;
  void readlink(Request r, Ino ino) override;
  void mknod(Request r, Ino parent, const char* name, mode_t mode, dev_t rdev) override;
  void mkdir(Request r, Ino parent, const char* name, mode_t mode) override;
  void symlink(Request r, const char* target, Ino parent, const char* name) override;
  void link(Request r, Ino ino, Ino newParent, const char* newName) override;
  void unlink(Request r, Ino parent, const char* name) override;
  void rmdir(Request r, Ino parent, const char* name) override;
  void rename(Request r, Ino parent, const char* name, Ino newParent, const char* newName,
              uint32_t flags) override;
  void open(Request r, Ino ino, FileInfo& fi) override;
  void read(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi) override;
  void write(Request r, Ino ino, const WriteData& data, off_t off, const FileInfo& fi) override;
  void flush(Request r, Ino ino, const FileInfo& fi) override;
  void release(Request r, Ino ino, const FileInfo& fi) override;
  void fsync(Request r, Ino ino, bool datasync, const FileInfo& fi) override;
  void opendir(Request r, Ino ino, FileInfo& fi) override;
  void readdir(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi) override;
  void readdirplus(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi) override;
  void releasedir(Request r, Ino ino, const FileInfo& fi) override;
  void fsyncdir(Request r, Ino ino, bool datasync, const FileInfo& fi) override;
  void statfs(Request r, Ino ino) override;
  void setxattr(Request r, Ino ino, const char* name, const char* value, size_t size,
                int flags) override;
  void getxattr(Request r, Ino ino, const char* name, size_t size) override;
  void listxattr(Request r, Ino ino, size_t size) override;
  void removexattr(Request r, Ino ino, const char* name) override;
  void access(Request r, Ino ino, int mask) override;
  void create(Request r, Ino parent, const char* name, mode_t mode, FileInfo& fi) override;
  void getlk(Request r, Ino ino, const FileInfo& fi, const struct flock& lock) override;
  void setlk(Request r, Ino ino, const FileInfo& fi, const struct flock& lock, bool sleep) override;
  void flock(Request r, Ino ino, const FileInfo& fi, int op) override;
  void bmap(Request r, Ino ino, size_t blocksize, uint64_t idx) override;
  void ioctl(Request r, Ino ino, unsigned int cmd, void* arg, const FileInfo& fi, unsigned flags,
             const void* inBuf, size_t inSize, size_t outSize) override;
  void poll(Request r, Ino ino, const FileInfo& fi, uint64_t pollHandle, uint32_t events) override;
  void fallocate(Request r, Ino ino, int mode, off_t offset, off_t length,
                 const FileInfo& fi) override;
  void copyFileRange(Request r, Ino inIno, off_t inOff, const FileInfo& inFi, Ino outIno,
                     off_t outOff, const FileInfo& outFi, size_t len, int flags) override;
  void lseek(Request r, Ino ino, off_t off, int whence, const FileInfo& fi) override;
  void syncfs(Request r, Ino ino) override;
  void tmpfile(Request r, Ino parent, mode_t mode, FileInfo& fi) override;
  void retrieveReply(uint64_t cookie, Ino ino, off_t offset, const char* data,
                     size_t size) override;

 private:
  Call& rec(const char* op, const Request* r);
  // Holds or answers with `answer`.
  template <class F>
  void finish(Request& r, F answer) {
    if (hold)
      held.push_back(std::move(r));
    else
      answer(r);
  }
};

// A session state ready for dispatch (INIT done, protocol 7.45) with a capturing sink.
struct Harness {
  RecordingOps ops;
  std::unique_ptr<Session::Impl> s;
  CaptureSink sink;
  explicit Harness(bool initialized = true) {
    s = std::make_unique<Session::Impl>(ops, SessionOptions{});
    s->bufSize = 1 << 20;
    if (initialized) {
      s->dctx.minor = 45;
      s->initialized = true;
    }
  }
  void feed(const std::string& wire) {
    detail::processBuffer(*s, sink, wire.data(), wire.size(), nullptr);
  }
  void feed(const Req& r) { feed(r.build()); }
  const Reply& reply() const { return sink.replies.back(); }
};

// The canned entry every entry-returning RecordingOps call answers with.
Entry cannedEntry(Ino ino);

}  // namespace lfp::test
