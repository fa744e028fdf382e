// SPDX-License-Identifier: GPL-3.0-or-later
// FUSE-over-io_uring queues: per-CPU rings of registered header/payload buffers. A reply is
// written into the entry's buffers and committed with COMMIT_AND_FETCH, which also re-arms the
// entry for the next request.
#include "libfuse-patched/src/uring.h"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/kernel_abi.h"

#if LFP_HAVE_URING
#include <liburing.h>
#endif

namespace lfp::detail {

unsigned possibleCpus() {
  FILE* f = std::fopen("/sys/devices/system/cpu/possible", "re");
  unsigned count = 0;
  if (f) {
    unsigned a, b;
    char sep;
    while (std::fscanf(f, "%u", &a) == 1) {
      b = a;
      int c = std::fgetc(f);
      if (c == '-' && std::fscanf(f, "%u", &b) == 1) c = std::fgetc(f);
      count += b - a + 1;
      sep = static_cast<char>(c);
      if (sep != ',') break;
    }
    std::fclose(f);
  }
  if (!count) {
    long n = sysconf(_SC_NPROCESSORS_CONF);
    count = n > 0 ? static_cast<unsigned>(n) : 1;
  }
  return count;
}

#if LFP_HAVE_URING

namespace {
constexpr uint64_t kWakeTag = 1;  // user_data of the multishot poll on the queue's eventfd
}

struct Entry : ReplySink {
  UringEngine::Queue* q = nullptr;
  abi::UringReqHeader* hdr = nullptr;
  char* payload = nullptr;
  size_t payloadSize = 0;
  iovec iov[2];

  int send(uint64_t unique, int error, const iovec* v, int count) override;
  int sendFd(uint64_t unique, int fd, off_t offset, size_t size) override;
  int commit(uint64_t unique, int error, size_t payloadBytes);
};

// One queue: its ring is created, submitted to and reaped by its own thread only
// (IORING_SETUP_SINGLE_ISSUER|DEFER_TASKRUN), so the kernel's completion work for a fetched
// request always runs on that thread. Replies made on other threads are handed over through
// `pending` and the queue's eventfd.
struct UringEngine::Queue {
  Session::Impl* s = nullptr;
  unsigned qid = 0;
  unsigned depth = 0;
  io_uring ring{};
  bool ringUp = false;
  int wakeFd = -1;
  pthread_t self{};
  std::vector<std::unique_ptr<Entry>> entries;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::vector<std::pair<Entry*, uint64_t>> pending;  // commits from other threads

  ~Queue() {
    for (auto& e : entries) {
      std::free(e->hdr);
      std::free(e->payload);
    }
    if (ringUp) io_uring_queue_exit(&ring);
    if (wakeFd >= 0) ::close(wakeFd);
  }

  io_uring_sqe* sqe() {
    io_uring_sqe* q = io_uring_get_sqe(&ring);
    if (!q) {
      io_uring_submit(&ring);
      q = io_uring_get_sqe(&ring);
    }
    if (q) std::memset(q, 0, 128);
    return q;
  }

  // Queues (without submitting) one FUSE command for `e`. Queue thread only.
  bool prepCmd(Entry* e, uint32_t cmd, uint64_t commitId) {
    io_uring_sqe* q = sqe();
    if (!q) return false;
    q->opcode = IORING_OP_URING_CMD;
    q->fd = s->fd;
    q->cmd_op = cmd;
    q->addr = reinterpret_cast<uint64_t>(e->iov);
    q->len = 2;
    q->user_data = reinterpret_cast<uint64_t>(e);
    abi::UringCmdReq req{};
    req.qid = static_cast<uint16_t>(qid);
    req.commit_id = commitId;
    std::memcpy(q->cmd, &req, sizeof req);
    return true;
  }

  void armWake() {
    io_uring_sqe* q = sqe();
    if (!q) return;
    io_uring_prep_poll_multishot(q, wakeFd, POLLIN);
    q->user_data = kWakeTag;
  }

  void commitFromAnyThread(Entry* e, uint64_t unique) {
    if (pthread_equal(pthread_self(), self)) {
      prepCmd(e, abi::kUringCmdCommitAndFetch, unique);  // submitted when the loop waits next
      return;
    }
    {
      std::lock_guard<std::mutex> g(mu);
      pending.emplace_back(e, unique);
    }
    uint64_t one = 1;
    (void)!::write(wakeFd, &one, sizeof one);
  }

  void drainWake() {
    uint64_t v;
    (void)!::read(wakeFd, &v, sizeof v);
    std::vector<std::pair<Entry*, uint64_t>> todo;
    {
      std::lock_guard<std::mutex> g(mu);
      todo.swap(pending);
    }
    for (auto& [e, unique] : todo) prepCmd(e, abi::kUringCmdCommitAndFetch, unique);
  }

  void handle(Entry* e) {
    s->uringRequests.fetch_add(1, std::memory_order_relaxed);
    fuse_in_header h;
    std::memcpy(&h, e->hdr->in_out, sizeof h);
    const abi::UringEntInOut& io = e->hdr->ring_ent_in_out;
    size_t len = io.payload_sz <= e->payloadSize ? io.payload_sz : e->payloadSize;
    Decoded d;
    DecodeStatus st =
        decodeParts(s->dctx, h, e->hdr->op_in, sizeof e->hdr->op_in, e->payload, len, d);
    if (io.payload_sz > e->payloadSize) st = DecodeStatus::kLengthMismatch;
    processDecoded(*s, *e, st, d, nullptr);
    // Requests without a reply still have to give their entry back to the kernel.
    if (st == DecodeStatus::kOk && d.spec->noReply) e->commit(h.unique, 0, 0);
  }

  // Creates the ring and registers every entry; "" on success, else the reason.
  std::string setUp() {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(qid, &set);
    sched_setaffinity(0, sizeof set, &set);  // best effort: requests of this CPU land here
    self = pthread_self();
    io_uring_params p{};
    p.flags = IORING_SETUP_SQE128 | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    unsigned size = depth * 2 + 8;
    int rc = io_uring_queue_init_params(size, &ring, &p);
    if (rc == -EINVAL) {  // kernels before 6.1
      p = io_uring_params{};
      p.flags = IORING_SETUP_SQE128;
      rc = io_uring_queue_init_params(size, &ring, &p);
    }
    if (rc < 0) return std::string("io_uring_queue_init: ") + std::strerror(-rc);
    ringUp = true;
    armWake();
    for (auto& e : entries)
      if (!prepCmd(e.get(), abi::kUringCmdRegister, 0)) return "io_uring submission queue full";
    rc = io_uring_submit(&ring);
    if (rc < 0) return std::string("io_uring_submit: ") + std::strerror(-rc);
    // A REGISTER the kernel refuses completes at once with an error.
    io_uring_cqe* cqe = nullptr;
    if (io_uring_peek_cqe(&ring, &cqe) == 0 && cqe && cqe->user_data != kWakeTag && cqe->res < 0)
      return std::string("FUSE_IO_URING_CMD_REGISTER: ") + std::strerror(-cqe->res);
    return "";
  }

  void run(std::promise<std::string>* ready) {
    std::string err = setUp();
    ready->set_value(err);
    if (!err.empty()) return;
    while (!stopping.load()) {
      int rc = io_uring_submit_and_wait(&ring, 1);  // replies queued so far go out here
      if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
        log(kLogError, "io_uring queue %u: %s", qid, std::strerror(-rc));
        break;
      }
      unsigned head;
      unsigned seen = 0;
      bool stop = false;
      io_uring_cqe* cqe;
      io_uring_for_each_cqe(&ring, head, cqe) {
        ++seen;
        int res = cqe->res;
        if (cqe->user_data == kWakeTag) {
          drainWake();
          if (!(cqe->flags & IORING_CQE_F_MORE)) armWake();
          continue;
        }
        auto* e = reinterpret_cast<Entry*>(cqe->user_data);
        if (res == 0) {
          handle(e);
        } else if (res == -ENOTCONN || res == -ECANCELED || res == -ENODEV) {
          stop = true;  // the connection is gone
        } else {
          // A failed commit (e.g. the request was aborted) leaves the entry unarmed.
          log(kLogWarning, "io_uring queue %u: command failed (%s); re-registering", qid,
              std::strerror(-res));
          prepCmd(e, abi::kUringCmdRegister, 0);
        }
      }
      io_uring_cq_advance(&ring, seen);
      if (stop) break;
    }
    s->wake();
  }
};

int Entry::send(uint64_t unique, int error, const iovec* v, int count) {
  size_t total = 0;
  for (int i = 0; i < count; ++i) total += v[i].iov_len;
  if (total > payloadSize) return commit(unique, -EIO, 0);
  size_t at = 0;
  for (int i = 0; i < count; ++i) {
    if (v[i].iov_len) std::memmove(payload + at, v[i].iov_base, v[i].iov_len);
    at += v[i].iov_len;
  }
  return commit(unique, error, total);
}

int Entry::sendFd(uint64_t unique, int fd, off_t offset, size_t size) {
  if (size > payloadSize) size = payloadSize;
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, payload + got, size - got, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return commit(unique, -errno, 0);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return commit(unique, 0, got);
}

int Entry::commit(uint64_t unique, int error, size_t payloadBytes) {
  fuse_out_header oh{};
  oh.unique = unique;
  oh.error = error;
  oh.len = static_cast<uint32_t>(sizeof oh + payloadBytes);
  std::memcpy(hdr->in_out, &oh, sizeof oh);
  hdr->ring_ent_in_out.payload_sz = static_cast<uint32_t>(payloadBytes);
  q->commitFromAnyThread(this, unique);
  return 0;
}

UringEngine::UringEngine(Session::Impl& s) : s_(s) {}
UringEngine::~UringEngine() { stop(); }

unsigned UringEngine::queues() const { return static_cast<unsigned>(queues_.size()); }

bool UringEngine::start(std::string* error) {
  unsigned depth = s_.opts.uringQueueDepth ? s_.opts.uringQueueDepth : 8;
  size_t payloadSize = s_.bufSize;  // >= max(max_write, max_pages * page size)
  unsigned n = possibleCpus();
  for (unsigned qid = 0; qid < n; ++qid) {
    auto q = std::make_unique<Queue>();
    q->s = &s_;
    q->qid = qid;
    q->depth = depth;
    q->wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    for (unsigned i = 0; i < depth; ++i) {
      auto e = std::make_unique<Entry>();
      e->q = q.get();
      e->hdr = static_cast<abi::UringReqHeader*>(std::aligned_alloc(64, 320));
      e->payloadSize = payloadSize;
      e->payload = static_cast<char*>(std::aligned_alloc(4096, (payloadSize + 4095) & ~4095ul));
      if (!e->hdr || !e->payload || q->wakeFd < 0) {
        if (error) *error = "out of memory for io_uring buffers";
        queues_.clear();
        return false;
      }
      std::memset(e->hdr, 0, sizeof *e->hdr);
      e->iov[0] = {e->hdr, sizeof(abi::UringReqHeader)};
      e->iov[1] = {e->payload, payloadSize};
      q->entries.push_back(std::move(e));
    }
    queues_.push_back(std::move(q));
  }
  // Each thread registers its own queue; the kernel switches to the ring only when every queue
  // has an entry, so a failure here still leaves /dev/fuse serving.
  std::vector<std::promise<std::string>> ready(queues_.size());
  for (size_t i = 0; i < queues_.size(); ++i) {
    Queue* qp = queues_[i].get();
    std::promise<std::string>* rp = &ready[i];
    qp->thread = std::thread([qp, rp] { qp->run(rp); });
  }
  std::string err;
  for (auto& r : ready) {
    std::string e = r.get_future().get();
    if (err.empty()) err = e;
  }
  if (!err.empty()) {
    if (error) *error = err;
    stop();
    return false;
  }
  return true;
}

void UringEngine::stop() {
  for (auto& q : queues_) {
    q->stopping = true;
    uint64_t one = 1;
    if (q->wakeFd >= 0) (void)!::write(q->wakeFd, &one, sizeof one);
  }
  for (auto& q : queues_)
    if (q->thread.joinable()) q->thread.join();
  queues_.clear();
}

#else  // !LFP_HAVE_URING

struct UringEngine::Queue {};
UringEngine::UringEngine(Session::Impl& s) : s_(s) {}
UringEngine::~UringEngine() = default;
unsigned UringEngine::queues() const { return 0; }
bool UringEngine::start(std::string* error) {
  if (error) *error = "built without liburing";
  return false;
}
void UringEngine::stop() {}

#endif

}  // namespace lfp::detail
