// SPDX-License-Identifier: GPL-3.0-or-later
// libfuse-patched (lfp): a C++20 userspace FUSE library speaking the kernel protocol directly.
//
// A filesystem derives from lfp::Operations and overrides the operations it supports; every
// operation receives an lfp::Request that must be answered exactly once, from any thread, at
// any later time (asynchronous replies are normal). An lfp::Session mounts and serves.
//
// The same API has two implementations, chosen at link time:
//   liblfp.a        ours: /dev/fuse, INIT negotiation of everything the kernel offers, cloned
//                   fds per worker thread, splice, io_uring, passthrough, notifications.
//   liblfp-stock.a  the same API over Debian's stock libfuse3 (for comparisons).
// Capabilities the running kernel or the stock library lacks are reported as absent.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lfp {

using Ino = uint64_t;  // FUSE node id; 1 is the root
inline constexpr Ino kRootIno = 1;

// Credentials of the process that made the request.
struct Context {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t pid = 0;
  uint32_t umask = 0;  // for mknod/mkdir/create (when the kernel sends it)
};

// Capabilities negotiated in INIT. The library asks for the ones in Session options and the
// filesystem's init(); the kernel grants a subset. Values are library bits, not kernel bits.
enum Cap : uint64_t {
  kCapAsyncRead = 1ull << 0,
  kCapPosixLocks = 1ull << 1,
  kCapFlockLocks = 1ull << 2,
  kCapAtomicOTrunc = 1ull << 3,
  kCapExportSupport = 1ull << 4,
  kCapBigWrites = 1ull << 5,
  kCapDontMask = 1ull << 6,
  kCapSpliceWrite = 1ull << 7,
  kCapSpliceMove = 1ull << 8,
  kCapSpliceRead = 1ull << 9,
  kCapAutoInvalData = 1ull << 10,
  kCapReaddirplus = 1ull << 11,
  kCapReaddirplusAuto = 1ull << 12,
  kCapAsyncDio = 1ull << 13,
  kCapWritebackCache = 1ull << 14,
  kCapNoOpenSupport = 1ull << 15,
  kCapParallelDirops = 1ull << 16,
  kCapPosixAcl = 1ull << 17,
  kCapHandleKillpriv = 1ull << 18,
  kCapHandleKillprivV2 = 1ull << 19,
  kCapCacheSymlinks = 1ull << 20,
  kCapNoOpendirSupport = 1ull << 21,
  kCapExplicitInvalData = 1ull << 22,
  kCapMaxPages = 1ull << 23,
  kCapDirectIoAllowMmap = 1ull << 24,  // 6.6+, or our patched module on 6.1
  kCapPassthrough = 1ull << 25,        // 6.9+
  kCapIoUring = 1ull << 26,            // 6.14+ with enable_uring
  kCapSetxattrExt = 1ull << 27,
  kCapParallelDirectWrites = 1ull << 28,  // FOPEN_PARALLEL_DIRECT_WRITES honoured (6.2+, patched)
  kCapLargeReaddir = 1ull << 29,          // readdir requests larger than one page (patched/6.x)
};

// What the connection ended up with; filled before Operations::init and adjustable there
// (`want`, sizes) before the INIT reply is sent.
struct ConnectionInfo {
  uint32_t protoMajor = 0;
  uint32_t protoMinor = 0;
  uint64_t capable = 0;  // Cap bits the kernel (and library) offer
  // Cap bits to enable; init() may add or remove. Before init() it holds what is transparent to
  // the filesystem (async read, big writes, max_pages, atomic O_TRUNC, auto invalidation, async
  // DIO, parallel dirops, no-open(dir) support, direct-IO mmap) plus what SessionOptions opted in
  // to (splice, writeback cache, passthrough, io_uring). Capabilities that give the filesystem
  // duties are added by init() when it implements them: kCapPosixLocks (getlk/setlk),
  // kCapFlockLocks (flock), kCapReaddirplus[Auto] (readdirplus), kCapExportSupport,
  // kCapPosixAcl, kCapHandleKillpriv[V2], kCapCacheSymlinks, kCapExplicitInvalData,
  // kCapDontMask, kCapSetxattrExt. Bits the kernel lacks are dropped after init().
  uint64_t want = 0;
  uint32_t maxWrite = 0;  // bytes per WRITE request
  uint32_t maxRead = 0;   // bytes per READ request (from the mount option max_read)
  uint32_t maxReadahead = 0;
  uint32_t maxPages = 0;  // pages per request (negotiated)
  uint32_t maxBackground = 0;
  uint32_t congestionThreshold = 0;
  uint32_t timeGran = 1;
  uint32_t maxStackDepth = 0;  // passthrough: stacking depth of backing files
  // Set by our library when the kernel module carries our patch series (0: stock).
  uint32_t patchLevel = 0;
  // Suggested st_blksize: the negotiated request size rounded down to a power of two (the 2009
  // patch set reported 1 MiB), so cp and friends issue I/O as large as one request. Filesystems
  // copy it into stat::st_blksize (see ioBlockSize() below); 0 before INIT.
  uint32_t ioBlockSize = 0;
  std::string backend;  // "lfp" or "libfuse3 3.14"
};

// Per-open state, as in and out of open/create/opendir and on every later request for the
// same file handle.
struct FileInfo {
  int32_t flags = 0;  // O_* of the open
  uint64_t fh = 0;    // the filesystem's handle, returned by open/create/opendir
  uint64_t lockOwner = 0;
  bool directIo = false;   // out: bypass the page cache for this open file
  bool keepCache = false;  // out: keep cached pages from previous opens
  bool nonSeekable = false;
  bool cacheDir = false;  // out (opendir): the kernel may cache directory contents
  bool noFlush = false;
  bool parallelDirectWrites = false;  // out: direct writes to this file may run concurrently
  bool flush = false;                 // in (release): also flush
  bool flockRelease = false;          // in (release): release flock locks held by lockOwner
  int32_t backingId = 0;              // out: passthrough to a registered backing file (> 0)
  // in (write, open, create; with kCapHandleKillprivV2): the writer lacks CAP_FSETID, so clear
  // S_ISUID, and S_ISGID if group-executable, as a local write/truncate would.
  bool killSuidgid = false;
};

// An entry reply: the node id the kernel will use and its attributes.
struct Entry {
  Ino ino = 0;  // 0 with entryTimeout > 0: a cached negative entry
  uint64_t generation = 0;
  struct stat attr {};
  double attrTimeout = 1.0;
  double entryTimeout = 1.0;
};

// Bits of Operations::setattr's `toSet`: the kernel protocol's FATTR_* values.
enum SetattrBit : uint32_t {
  kSetMode = 1u << 0,
  kSetUid = 1u << 1,
  kSetGid = 1u << 2,
  kSetSize = 1u << 3,
  kSetAtime = 1u << 4,
  kSetMtime = 1u << 5,
  kSetFh = 1u << 6,
  kSetAtimeNow = 1u << 7,
  kSetMtimeNow = 1u << 8,
  kSetLockOwner = 1u << 9,
  kSetCtime = 1u << 10,
  kSetKillSuidgid = 1u << 11,
};

struct ForgetOne {
  Ino ino;
  uint64_t nlookup;
};

// Write payload: in memory, or (splice) waiting in a pipe.
struct WriteData {
  const char* mem = nullptr;  // valid until the request is answered, or longer with `owner`
  size_t size = 0;
  int pipeFd = -1;  // >= 0: the data is in this pipe; read or splice exactly `size`
  // If set, `mem` stays valid as long as this is held (zero-copy hand-off); otherwise the
  // bytes must be copied before replying or returning from the handler. Set by our library for
  // requests read from /dev/fuse (the data is page-aligned there); null with splice (pipeFd),
  // io_uring and the stock backend (libfuse reuses its buffers).
  std::shared_ptr<const void> owner;
  // Copies the data into `out` (size bytes); reads the pipe if needed. Returns bytes or -errno.
  ssize_t copyTo(char* out) const;
  // Writes the data to `fd` at `offset` (splicing from the pipe if possible). Bytes or -errno.
  ssize_t writeTo(int fd, off_t offset) const;
};

class Session;
namespace detail {
struct RequestState;
}

// One kernel request. Move-only. Exactly one reply*() must be called (forget-type requests
// need none). A Request destroyed without a reply is a bug: the library logs it and answers
// EIO so the calling process is never left hanging.
class Request {
 public:
  Request() = default;
  explicit Request(std::unique_ptr<detail::RequestState> s);
  Request(Request&&) noexcept;
  Request& operator=(Request&&) noexcept;
  ~Request();

  const Context& ctx() const;
  uint64_t unique() const;   // the kernel's request id (0 on the stock backend, which hides it)
  uint32_t opcode() const;   // FUSE_* opcode of the kernel protocol
  bool interrupted() const;  // the kernel sent INTERRUPT for this request
  bool valid() const { return state_ != nullptr; }

  // Valid replies per operation are listed on each Operations method.
  void replyErr(int err);  // err > 0 is an errno; 0 is success without data
  void replyOk() { replyErr(0); }
  void replyEntry(const Entry& e);
  void replyCreate(const Entry& e, const FileInfo& fi);
  void replyAttr(const struct stat& attr, double timeout);
  void replyReadlink(std::string_view target);
  void replyOpen(const FileInfo& fi);
  void replyWrite(size_t count);
  void replyBuf(const void* data, size_t size);
  // Gather reply: the iovecs are written to the kernel in one call (zero copy).
  void replyIov(const struct iovec* iov, int count);
  // Data straight from a file descriptor (splice where possible; used by passthrough-style
  // filesystems and io_uring mode).
  void replyFd(int fd, off_t offset, size_t size);
  void replyStatfs(const struct statvfs& st);
  void replyXattrSize(size_t size);
  void replyLock(const struct flock& lock);
  void replyBmap(uint64_t block);
  void replyLseek(off_t off);
  void replyPoll(uint32_t revents);
  void replyIoctl(int result, const void* data, size_t size);
  void replyNone();  // forget / batch_forget only

 private:
  std::unique_ptr<detail::RequestState> state_;
};

// Builds READDIR / READDIRPLUS reply buffers in the kernel's record format.
class DirBuffer {
 public:
  explicit DirBuffer(size_t limit) : limit_(limit) { buf_.reserve(limit < 65536 ? limit : 65536); }
  // Appends one record; false (nothing appended) when it would not fit in `limit`.
  // `off` is the offset of the *next* entry (the cookie the kernel passes back).
  bool add(std::string_view name, Ino ino, uint32_t type /* S_IFMT bits */, uint64_t off);
  // READDIRPLUS: the entry counts as a lookup (nlookup + 1) when e.ino != 0.
  bool addPlus(std::string_view name, const Entry& e, uint64_t off);
  const char* data() const { return buf_.data(); }
  size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }

 private:
  size_t limit_;
  std::vector<char> buf_;
};

// The filesystem. Default implementations answer ENOSYS (the kernel then stops sending most
// of those requests), except forget (no reply) and the open/release family (success), as the
// kernel protocol expects.
class Operations {
 public:
  virtual ~Operations() = default;

  // Before the INIT reply: inspect conn.capable, adjust conn.want and sizes.
  virtual void init(ConnectionInfo& conn) {}
  virtual void destroy() {}

  // replyEntry, replyErr
  virtual void lookup(Request r, Ino parent, const char* name);
  // no reply (call replyNone or let it go)
  virtual void forget(Ino ino, uint64_t nlookup) {}
  virtual void forgetMulti(std::span<const ForgetOne> items);
  // replyAttr, replyErr
  virtual void getattr(Request r, Ino ino, const FileInfo* fi);
  // replyAttr, replyErr. `toSet` holds FATTR_* bits of the kernel protocol (lfp::kSet*).
  virtual void setattr(Request r, Ino ino, const struct stat& attr, uint32_t toSet,
                       const FileInfo* fi);
  // replyReadlink, replyErr
  virtual void readlink(Request r, Ino ino);
  // replyEntry, replyErr
  virtual void mknod(Request r, Ino parent, const char* name, mode_t mode, dev_t rdev);
  virtual void mkdir(Request r, Ino parent, const char* name, mode_t mode);
  virtual void symlink(Request r, const char* target, Ino parent, const char* name);
  virtual void link(Request r, Ino ino, Ino newParent, const char* newName);
  // replyErr
  virtual void unlink(Request r, Ino parent, const char* name);
  virtual void rmdir(Request r, Ino parent, const char* name);
  virtual void rename(Request r, Ino parent, const char* name, Ino newParent, const char* newName,
                      uint32_t flags);
  // replyOpen, replyErr
  virtual void open(Request r, Ino ino, FileInfo& fi);
  // replyBuf, replyIov, replyFd, replyErr
  virtual void read(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi);
  // replyWrite, replyErr
  virtual void write(Request r, Ino ino, const WriteData& data, off_t off, const FileInfo& fi);
  // replyErr
  virtual void flush(Request r, Ino ino, const FileInfo& fi);
  virtual void release(Request r, Ino ino, const FileInfo& fi);
  virtual void fsync(Request r, Ino ino, bool datasync, const FileInfo& fi);
  // replyOpen, replyErr
  virtual void opendir(Request r, Ino ino, FileInfo& fi);
  // replyBuf (a DirBuffer), replyErr
  virtual void readdir(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi);
  virtual void readdirplus(Request r, Ino ino, size_t size, off_t off, const FileInfo& fi);
  // replyErr
  virtual void releasedir(Request r, Ino ino, const FileInfo& fi);
  virtual void fsyncdir(Request r, Ino ino, bool datasync, const FileInfo& fi);
  // replyStatfs, replyErr
  virtual void statfs(Request r, Ino ino);
  // replyErr
  virtual void setxattr(Request r, Ino ino, const char* name, const char* value, size_t size,
                        int flags);
  // replyBuf (size > 0), replyXattrSize (size == 0), replyErr
  virtual void getxattr(Request r, Ino ino, const char* name, size_t size);
  virtual void listxattr(Request r, Ino ino, size_t size);
  // replyErr
  virtual void removexattr(Request r, Ino ino, const char* name);
  virtual void access(Request r, Ino ino, int mask);
  // replyCreate, replyErr
  virtual void create(Request r, Ino parent, const char* name, mode_t mode, FileInfo& fi);
  // replyLock, replyErr
  virtual void getlk(Request r, Ino ino, const FileInfo& fi, const struct flock& lock);
  // replyErr. `sleep`: wait for the lock (F_SETLKW); the wait may be interrupted.
  virtual void setlk(Request r, Ino ino, const FileInfo& fi, const struct flock& lock, bool sleep);
  // replyErr. op: LOCK_SH, LOCK_EX, LOCK_UN, optionally | LOCK_NB
  virtual void flock(Request r, Ino ino, const FileInfo& fi, int op);
  // replyBmap, replyErr
  virtual void bmap(Request r, Ino ino, size_t blocksize, uint64_t idx);
  // replyIoctl, replyErr
  virtual void ioctl(Request r, Ino ino, unsigned int cmd, void* arg, const FileInfo& fi,
                     unsigned flags, const void* inBuf, size_t inSize, size_t outSize);
  // replyPoll, replyErr. `pollHandle` != 0: notify it later with Session::notifyPoll.
  virtual void poll(Request r, Ino ino, const FileInfo& fi, uint64_t pollHandle, uint32_t events);
  // replyErr
  virtual void fallocate(Request r, Ino ino, int mode, off_t offset, off_t length,
                         const FileInfo& fi);
  // replyWrite, replyErr
  virtual void copyFileRange(Request r, Ino inIno, off_t inOff, const FileInfo& inFi, Ino outIno,
                             off_t outOff, const FileInfo& outFi, size_t len, int flags);
  // replyLseek, replyErr
  virtual void lseek(Request r, Ino ino, off_t off, int whence, const FileInfo& fi);
  // replyErr
  virtual void syncfs(Request r, Ino ino);
  // replyCreate, replyErr
  virtual void tmpfile(Request r, Ino parent, mode_t mode, FileInfo& fi);
  // The kernel's answer to Session::notifyRetrieve (no reply).
  virtual void retrieveReply(uint64_t cookie, Ino ino, off_t offset, const char* data,
                             size_t size) {}
};

// Log levels passed to a LogSink.
enum LogLevel : int { kLogError = 0, kLogWarning = 1, kLogInfo = 2, kLogDebug = 3 };

// The FUSE_* opcode's name ("READ", "LOOKUP"; "OPCODE_<n>" for unknown ones).
const char* opcodeName(uint32_t opcode);

// Request sizes per opcode, in power-of-two buckets. The size of a READ, READDIR or READDIRPLUS
// request is the byte count it asks for; of a WRITE the bytes it carries; of any other request
// its length on the wire. Used to show that large requests really arrive.
struct SizeHistogram {
  static constexpr int kBuckets = 32;  // bucket b: sizes in (2^(b-1), 2^b]; bucket 0: size 0-1
  struct Row {
    uint32_t opcode = 0;
    uint64_t count = 0;
    uint64_t bytes = 0;
    uint64_t maxSize = 0;
    uint64_t buckets[kBuckets] = {};
  };
  std::vector<Row> rows;  // opcodes seen at least once, ascending
  const Row* find(uint32_t opcode) const;
  // One line per opcode: "READ count=12 bytes=12582912 max=1048576 1048576:12" (each non-empty
  // bucket as upper-bound:count).
  std::string format() const;
};

struct MountOptions {
  std::string mountpoint;
  std::string fsname = "lfp";  // shown as the source in /proc/mounts
  std::string subtype;         // type "fuse.<subtype>"
  bool allowOther = false;
  bool defaultPermissions = false;
  bool readOnly = false;
  uint32_t maxRead = 0;            // 0: no limit
  std::vector<std::string> extra;  // further -o options passed to the kernel as given
};

struct SessionOptions {
  unsigned maxThreads = 0;          // worker threads (0: 2 x CPUs, at least 4)
  bool cloneFd = true;              // one /dev/fuse fd per worker (FUSE_DEV_IOC_CLONE)
  bool ioUring = false;             // use FUSE-over-io_uring if the kernel offers it
  unsigned uringQueueDepth = 0;     // io_uring: requests in flight per CPU queue (0: 8)
  unsigned maxPages = 0;            // pages per request to ask for (0: the most the kernel allows)
  bool raiseMaxPagesLimit = false;  // as root: raise fs.fuse.max_pages_limit to `maxPages`
  // Read-ahead of the mount in bytes, so buffered reads arrive as large requests (the kernel
  // starts every FUSE mount at 128 KiB). As root our library sets it through the mount's
  // backing device (/sys/class/bdi/.../read_ahead_kb) after INIT. 0: leave the kernel's;
  // kReadaheadRequestSize: the negotiated request size. (Not done by liblfp-stock.)
  uint32_t readahead = 0;
  static constexpr uint32_t kReadaheadRequestSize = ~0u;
  bool splice = false;          // splice read/write/move
  bool writebackCache = false;  // opt-in
  bool passthrough = false;     // allow passthrough opens (backingId) if the kernel has it
  bool debug = false;           // log every request and reply to stderr
};

class Session {
 public:
  Session(Operations& ops, SessionOptions opts);
  ~Session();  // unmounts (lazily) if still mounted
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Mounts (as root directly, otherwise through fusermount3). On failure returns false and a
  // message naming the cause, e.g. a stale mount ("Transport endpoint is not connected").
  bool mount(const MountOptions& opts, std::string* error);
  // Serves requests until unmounted or exit(); returns 0, or an errno on failure.
  int loop();
  // Makes loop() return; async-signal-safe.
  void exit();
  void unmount();
  const ConnectionInfo& conn() const;
  const std::string& mountpoint() const;

  // Notifications (return 0 or -errno; -ENOSYS if the kernel lacks them).
  int notifyInvalInode(Ino ino, off_t off, off_t len);
  int notifyInvalEntry(Ino parent, std::string_view name);
  int notifyDelete(Ino parent, Ino child, std::string_view name);
  int notifyStore(Ino ino, off_t offset, const void* data, size_t size);
  int notifyRetrieve(Ino ino, off_t offset, size_t size, uint64_t cookie);
  int notifyPoll(uint64_t pollHandle);

  // Passthrough (kCapPassthrough): registers an open fd as a backing file and returns its id
  // (> 0) for FileInfo::backingId, or -errno.
  int registerBacking(int fd);
  int unregisterBacking(int backingId);

  // Counters: request sizes seen (for tests and benchmarks).
  struct Stats {
    uint64_t requests = 0;
    uint64_t readRequests = 0, writeRequests = 0, readdirRequests = 0;
    uint64_t maxReadSize = 0, maxWriteSize = 0, maxReaddirSize = 0;
    uint64_t droppedWithoutReply = 0;
    uint64_t malformed = 0;
    uint64_t uringRequests = 0;  // requests that arrived through io_uring queues
    unsigned uringQueues = 0;    // io_uring queues serving (0: /dev/fuse only)
  };
  Stats stats() const;
  SizeHistogram histogram() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Errors in use of the library (a request dropped without reply, a malformed request) go here;
// default: standard error.
using LogSink = void (*)(int level, const char* message);
void setLogSink(LogSink sink);

// The st_blksize to report for the connection (ConnectionInfo::ioBlockSize, or 4096 before INIT).
inline uint32_t ioBlockSize(const ConnectionInfo& conn) {
  return conn.ioBlockSize ? conn.ioBlockSize : 4096;
}

}  // namespace lfp
