// SPDX-License-Identifier: GPL-3.0-or-later
// notify_check: mounts a one-file filesystem through lfp on a real /dev/fuse and checks every
// notification against the kernel: store, retrieve (NOTIFY_REPLY), inval_inode, inval_entry,
// delete and poll. Built on both libraries.
// Usage: notify_check [--io-uring] MOUNTPOINT; exit 0 pass, 1 fail.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "lfp/lfp.h"

namespace {

constexpr lfp::Ino kFile = 2;

class OneFile : public lfp::Operations {
 public:
  std::mutex mu;
  std::string data = "first";
  bool present = true;
  std::atomic<uint64_t> pollHandle{0};
  std::atomic<bool> readable{false};
  std::condition_variable retrieved;
  std::string retrievedData;
  uint64_t retrievedCookie = 0;
  std::atomic<int> lookups{0};

  void init(lfp::ConnectionInfo& c) override { c.want |= lfp::kCapAsyncRead; }
  struct stat attr(lfp::Ino ino) {
    struct stat st {};
    st.st_ino = ino;
    st.st_nlink = 1;
    if (ino == lfp::kRootIno) {
      st.st_mode = S_IFDIR | 0755;
    } else {
      st.st_mode = S_IFREG | 0644;
      std::lock_guard<std::mutex> g(mu);
      st.st_size = static_cast<off_t>(data.size());
    }
    return st;
  }
  void lookup(lfp::Request r, lfp::Ino parent, const char* name) override {
    ++lookups;
    bool ok;
    {
      std::lock_guard<std::mutex> g(mu);
      ok = parent == lfp::kRootIno && std::strcmp(name, "f") == 0 && present;
    }
    if (!ok) return r.replyErr(ENOENT);
    lfp::Entry e;
    e.ino = kFile;
    e.attr = attr(kFile);
    e.attrTimeout = e.entryTimeout = 3600;  // only notifications may refresh the caches
    r.replyEntry(e);
  }
  void getattr(lfp::Request r, lfp::Ino ino, const lfp::FileInfo*) override {
    r.replyAttr(attr(ino), 3600);
  }
  void open(lfp::Request r, lfp::Ino, lfp::FileInfo& fi) override {
    fi.keepCache = true;  // cached pages survive reopening: only notifications change them
    r.replyOpen(fi);
  }
  void read(lfp::Request r, lfp::Ino, size_t size, off_t off, const lfp::FileInfo&) override {
    std::lock_guard<std::mutex> g(mu);
    size_t o = static_cast<size_t>(off);
    if (o >= data.size()) return r.replyBuf(nullptr, 0);
    r.replyBuf(data.data() + o, std::min(size, data.size() - o));
  }
  void poll(lfp::Request r, lfp::Ino, const lfp::FileInfo&, uint64_t ph, uint32_t) override {
    if (ph) pollHandle = ph;
    r.replyPoll(readable ? POLLIN : 0);
  }
  void retrieveReply(uint64_t cookie, lfp::Ino, off_t, const char* d, size_t n) override {
    std::lock_guard<std::mutex> g(mu);
    retrievedData.assign(d, n);
    retrievedCookie = cookie;
    retrieved.notify_all();
  }
};

int failures = 0;
void check(bool ok, const char* what, const std::string& detail = "") {
  std::printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, detail.empty() ? "" : ": ",
              detail.c_str());
  if (!ok) ++failures;
}

std::string readFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<open: " + std::string(std::strerror(errno)) + ">";
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n < 0 ? "<read error>" : std::string(buf, static_cast<size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
  lfp::SessionOptions so;
  if (argc == 3 && std::string(argv[1]) == "--io-uring") {
    so.ioUring = true;
    --argc;
    ++argv;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: notify_check [--io-uring] MOUNTPOINT\n");
    return 2;
  }
  std::string mnt = argv[1];
  std::string file = mnt + "/f";
  OneFile fs;
  lfp::Session s(fs, so);
  lfp::MountOptions mo;
  mo.mountpoint = mnt;
  mo.fsname = "notify_check";
  std::string err;
  if (!s.mount(mo, &err)) {
    std::fprintf(stderr, "notify_check: %s\n", err.c_str());
    return 1;
  }
  std::thread loop([&] { s.loop(); });
  check(readFile(file) == "first", "the file reads through the mount");
  std::printf("backend %s, protocol %u.%u\n", s.conn().backend.c_str(), s.conn().protoMajor,
              s.conn().protoMinor);

  // store: new bytes pushed into the page cache are what the next read sees.
  {
    std::lock_guard<std::mutex> g(fs.mu);
    fs.data = "FIRST";
  }
  int rc = s.notifyStore(kFile, 0, "FIRST", 5);
  check(rc == 0 && readFile(file) == "FIRST", "notify store updates cached data",
        "rc " + std::to_string(rc) + ", read '" + readFile(file) + "'");

  // retrieve: the kernel sends back what it caches.
  rc = s.notifyRetrieve(kFile, 0, 5, 0xfeed);
  bool got;
  {
    std::unique_lock<std::mutex> g(fs.mu);
    got = fs.retrieved.wait_for(g, std::chrono::seconds(5), [&] { return fs.retrievedCookie; });
  }
  check(rc == 0 && got && fs.retrievedData == "FIRST" && fs.retrievedCookie == 0xfeed,
        "notify retrieve returns the cached bytes",
        "rc " + std::to_string(rc) + ", got '" + fs.retrievedData + "'");

  // inval_inode: cached data is dropped, the next read comes to us.
  {
    std::lock_guard<std::mutex> g(fs.mu);
    fs.data = "second";
  }
  check(readFile(file) == "FIRST", "without a notification the cache still answers");
  rc = s.notifyInvalInode(kFile, 0, 0);
  check(rc == 0 && readFile(file) == "second", "notify inval_inode drops cached data",
        "rc " + std::to_string(rc) + ", read '" + readFile(file) + "'");

  // inval_entry: the cached name is forgotten, the next access looks it up again.
  int before = fs.lookups;
  rc = s.notifyInvalEntry(lfp::kRootIno, "f");
  struct stat st;
  ::stat(file.c_str(), &st);
  check(rc == 0 && fs.lookups == before + 1, "notify inval_entry forces a new lookup",
        "rc " + std::to_string(rc) + ", lookups " + std::to_string(fs.lookups - before));

  // poll: a reader waiting in poll() wakes when we notify.
  int fd = ::open(file.c_str(), O_RDONLY);
  std::atomic<int> revents{-1};
  std::thread poller([&] {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, 5000);
    revents = n > 0 ? p.revents : 0;
  });
  for (int i = 0; i < 100 && !fs.pollHandle; ++i) usleep(20000);
  fs.readable = true;
  rc = fs.pollHandle ? s.notifyPoll(fs.pollHandle) : -ENOSYS;
  poller.join();
  ::close(fd);
  check(rc == 0 && (revents & POLLIN), "notify poll wakes a waiting poll()",
        "rc " + std::to_string(rc) + ", revents " + std::to_string(revents));

  // delete: the name disappears from the kernel's caches at once.
  {
    std::lock_guard<std::mutex> g(fs.mu);
    fs.present = false;
  }
  rc = s.notifyDelete(lfp::kRootIno, kFile, "f");
  check(rc == 0 && ::access(file.c_str(), F_OK) != 0, "notify delete removes the entry",
        "rc " + std::to_string(rc));

  s.unmount();
  loop.join();
  lfp::Session::Stats stats = s.stats();
  check(stats.droppedWithoutReply == 0 && stats.malformed == 0, "no dropped or malformed request");
  if (so.ioUring)
    check(stats.uringRequests > 0, "requests came through io_uring",
          std::to_string(stats.uringRequests) + " of " + std::to_string(stats.requests));
  return failures ? 1 : 0;
}
