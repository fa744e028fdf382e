// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target over lfp's request decoding and dispatch: arbitrary bytes as a /dev/fuse
// request or as an io_uring entry (header, op area, payload), checking that each request gets
// at most one reply, a valid one exactly one, and that nothing stays in flight.
#include <linux/fuse.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "libfuse-patched/src/session_impl.h"

namespace {

using namespace lfp;

// Answers with real payloads so the reply encoders and WriteData run too.
class FuzzOps : public Operations {
 public:
  void lookup(Request r, Ino parent, const char* name) override {
    Entry e;
    e.ino = parent + std::strlen(name);
    e.attr.st_mode = S_IFREG | 0644;
    r.replyEntry(e);
  }
  void read(Request r, Ino, size_t size, off_t, const FileInfo&) override {
    static const char kData[8192] = {};
    r.replyBuf(kData, size < sizeof kData ? size : sizeof kData);
  }
  void write(Request r, Ino, const WriteData& d, off_t, const FileInfo&) override {
    std::vector<char> copy(d.size);
    ssize_t n = d.copyTo(copy.data());
    r.replyWrite(n < 0 ? 0 : static_cast<size_t>(n));
  }
  void readdir(Request r, Ino ino, size_t size, off_t off, const FileInfo&) override {
    DirBuffer b(size < 65536 ? size : 65536);
    b.add("entry", ino, S_IFREG, static_cast<uint64_t>(off) + 1);
    r.replyBuf(b.data(), b.size());
  }
  void readdirplus(Request r, Ino ino, size_t size, off_t off, const FileInfo&) override {
    DirBuffer b(size < 65536 ? size : 65536);
    Entry e;
    e.ino = ino;
    b.addPlus("entry", e, static_cast<uint64_t>(off) + 1);
    r.replyBuf(b.data(), b.size());
  }
  void setxattr(Request r, Ino, const char* name, const char* value, size_t size, int) override {
    volatile size_t sum = std::strlen(name);
    for (size_t i = 0; i < size; ++i) sum += static_cast<unsigned char>(value[i]);
    r.replyOk();
  }
  void getxattr(Request r, Ino, const char* name, size_t size) override {
    size ? r.replyBuf(name, std::strlen(name) < size ? std::strlen(name) : size)
         : r.replyXattrSize(std::strlen(name));
  }
  void ioctl(Request r, Ino, unsigned, void*, const FileInfo&, unsigned, const void* in,
             size_t inSize, size_t outSize) override {
    r.replyIoctl(0, in, inSize < outSize ? inSize : outSize);
  }
  void getlk(Request r, Ino, const FileInfo&, const struct flock& l) override { r.replyLock(l); }
  // Dropped on purpose: the library must answer EIO itself.
  void bmap(Request r, Ino, size_t, uint64_t) override {}
  void retrieveReply(uint64_t, Ino, off_t, const char* data, size_t size) override {
    volatile size_t sum = 0;
    for (size_t i = 0; i < size; ++i) sum += static_cast<unsigned char>(data[i]);
  }
};

class CountingSink : public detail::ReplySink {
 public:
  int send(uint64_t, int error, const struct iovec* iov, int count) override {
    if (error > 0 || error <= -512) __builtin_trap();  // the kernel would refuse it
    for (int i = 0; i < count; ++i) {
      volatile char c = iov[i].iov_len ? static_cast<const char*>(iov[i].iov_base)[0] : 0;
      (void)c;
    }
    ++replies;
    return 0;
  }
  int sendFd(uint64_t unique, int, off_t, size_t) override { return send(unique, 0, nullptr, 0); }
  int replies = 0;
};

void writeSeed(const char* dir, const std::string& name, const std::string& bytes) {
  std::string path = std::string(dir) + "/seed-" + name;
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
}

std::string request(uint8_t mode, uint32_t opcode, const std::string& body) {
  fuse_in_header h{};
  h.len = static_cast<uint32_t>(sizeof h + body.size());
  h.opcode = opcode;
  h.unique = 2;
  h.nodeid = 1;
  return std::string(1, static_cast<char>(mode)) +
         std::string(reinterpret_cast<char*>(&h), sizeof h) + body;
}

template <class T>
std::string raw(const T& t) {
  return std::string(reinterpret_cast<const char*>(&t), sizeof t);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setLogSink([](int, const char*) {});
  const char* dir = std::getenv("GF_FUZZ_SEED_DIR");
  if (!dir) return 0;
  writeSeed(dir, "lookup", request(1, FUSE_LOOKUP, std::string("name\0", 5)));
  fuse_write_in w{};
  w.size = 4;
  writeSeed(dir, "write", request(1, FUSE_WRITE, raw(w) + "data"));
  writeSeed(dir, "write-uring", request(5, FUSE_WRITE, raw(w) + "data"));
  fuse_setxattr_in s{};
  s.size = 3;
  writeSeed(
      dir, "setxattr",
      request(1, FUSE_SETXATTR, raw(s).substr(0, 8) + "user.a" + std::string(1, '\0') + "val"));
  fuse_batch_forget_in b{2, 0};
  fuse_forget_one f[2] = {{1, 1}, {2, 2}};
  writeSeed(dir, "forgets", request(1, FUSE_BATCH_FORGET, raw(b) + raw(f)));
  fuse_rename2_in rn{3, 0, 0};
  writeSeed(dir, "rename2", request(1, FUSE_RENAME2, raw(rn) + std::string("a\0b\0", 4)));
  fuse_init_in in{};
  in.major = 7;
  in.minor = 45;
  in.flags = FUSE_INIT_EXT | FUSE_MAX_PAGES;
  writeSeed(dir, "init", request(0, FUSE_INIT, raw(in)));
  fuse_read_in rd{};
  rd.size = 4096;
  writeSeed(dir, "readdirplus", request(1, FUSE_READDIRPLUS, raw(rd)));
  fuse_ioctl_in io{};
  io.in_size = 2;
  io.out_size = 8;
  writeSeed(dir, "ioctl", request(1, FUSE_IOCTL, raw(io) + "io"));
  return 0;
}

// Byte 0 picks the mode: bit 0 INIT already done, bit 1 FUSE_SETXATTR_EXT, bit 2 io_uring
// layout (the op area is the first min(128, n) bytes after the header, then the payload).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static FuzzOps ops;
  uint8_t mode = data[0];
  ++data;
  --size;
  Session::Impl s(ops, SessionOptions{});
  s.bufSize = 1 << 20;
  s.requestedPages = 256;
  if (mode & 1) {
    s.initialized = true;
    s.dctx.minor = 45;
  }
  s.dctx.setxattrExt = (mode & 2) != 0;
  CountingSink sink;
  // An exactly sized copy, so any read past the end is caught.
  std::vector<char> buf(data, data + size);
  detail::Decoded d;
  detail::DecodeStatus st;
  if ((mode & 4) && size >= sizeof(fuse_in_header)) {
    fuse_in_header h;
    std::memcpy(&h, buf.data(), sizeof h);
    size_t rest = size - sizeof h;
    size_t op = rest < 128 ? rest : 128;
    std::vector<char> opArea(buf.begin() + sizeof h, buf.begin() + sizeof h + op);
    std::vector<char> tail(buf.begin() + sizeof h + op, buf.end());
    st = detail::decodeParts(s.dctx, h, opArea.data(), opArea.size(), tail.data(), tail.size(), d);
    detail::processDecoded(s, sink, st, d, nullptr);
  } else {
    st = detail::decodeBuffer(s.dctx, buf.data(), buf.size(), d);
    detail::processDecoded(s, sink, st, d, nullptr);
  }
  if (sink.replies > 1) __builtin_trap();
  bool mustReply = st == detail::DecodeStatus::kOk && !d.spec->noReply && d.h.unique != 0;
  if (mustReply && sink.replies != 1) __builtin_trap();
  if (s.inflight.size() != 0) __builtin_trap();
  return 0;
}
