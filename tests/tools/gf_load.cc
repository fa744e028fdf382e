// SPDX-License-Identifier: GPL-3.0-or-later
// gf_load: many protocol/client connections to one glusterfsd, each driven by worker threads
// doing metadata and data operations, with every fop call and answer counted.
//
// Builds one graph of N protocol/client volumes in this process (they share its network
// loop, each with its own TCP connection and handshake), waits until all are connected, then
// runs `--workers` threads per connection. A worker makes files of 0.5..64 KiB in a directory
// of its own (create, write, fsync, flush, stat, read back and compare, chmod, rename,
// setxattr/getxattr, unlink, listing checks) in rounds, until `--rounds` is reached or the
// `--stop-file` appears (at least one round either way).
//
// A counting layer above each connection records, per fop, the calls made and the answers
// received (successes and errors by errno). The run fails (exit 1) when a call stays
// unanswered (the watchdog, --deadline, reports which worker waits in which operation and
// then exits), an operation fails (the only errors allowed are the ENOENT of the lookup that
// checks each unlink), or a read, attribute or listing differs from what was written. It
// prints the counts and how many files it left in the volume ("files-left N"), which a test
// can compare with the brick.
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "glusterfs/core/graph.h"
#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "glusterfs/xlators/registry.h"
#include "tests/unit/support/fop_helpers.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kFops = gf::kFopCount;

// ---- counting ----------------------------------------------------------------------------
struct FopCounts {
  std::array<std::atomic<uint64_t>, kFops> calls{};
  std::array<std::atomic<uint64_t>, kFops> answers{};
  std::array<std::atomic<uint64_t>, kFops> errors{};
  std::mutex m;
  std::map<std::pair<int, int>, uint64_t> byErrno;  // (fop, errno) -> count
};

// Above one protocol/client: counts every call going down and every answer coming back.
class CountXlator : public gf::HookXlator {
 public:
  CountXlator(const gf::XlatorArgs& args, FopCounts& counts) : HookXlator(args), counts_(counts) {}

 protected:
  gf::Task<gf::Status> before(gf::CallCtx& ctx, const gf::FopCall& call) override {
    counts_.calls[static_cast<size_t>(call.id)]++;
    return gf::Task<gf::Status>::ready(gf::Status{});
  }
  void after(const gf::CallCtx& ctx, const gf::FopCall& call, gf::FopOutcome& out) override {
    auto i = static_cast<size_t>(call.id);
    counts_.answers[i]++;
    if (out.error) {
      counts_.errors[i]++;
      std::lock_guard lock(counts_.m);
      counts_.byErrno[{static_cast<int>(i), out.error.value()}]++;
    }
  }

 private:
  FopCounts& counts_;
};

// ---- options -----------------------------------------------------------------------------
struct Options {
  std::string host = "127.0.0.1";
  int port = 6996;
  std::string subvolume = "brick";
  std::string transport = "tcp";
  int clients = 200;
  int workers = 2;       // threads per connection
  int files = 20;        // per worker and round
  int rounds = 1000000;  // upper bound; --stop-file usually ends the run
  std::string stopFile;
  std::string readyFile;
  std::string top = "/load";
  double connectWait = 60;
  double deadline = 600;
  std::string logFile = "-";
  std::string logLevel = "ERROR";
};

void usage(FILE* out) {
  fprintf(out, R"(usage: gf_load [OPTION]...
  -H, --host=ADDR          server address [127.0.0.1]
  -P, --port=PORT          server port [6996]
  -S, --subvolume=NAME     exported volume [brick]
      --transport=tcp|unix (unix: --host is the socket path) [tcp]
  -c, --clients=N          connections (protocol/client volumes) [200]
  -w, --workers=N          worker threads per connection [2]
  -n, --files=N            files per worker and round [20]
  -r, --rounds=N           at most this many rounds [unbounded]
      --stop-file=FILE     finish the current round and stop once FILE exists
      --ready-file=FILE    written once every connection is up, before the load starts
      --dir=PATH           directory in the volume for the load [/load]; must not exist
      --connect-wait=SECS  how long to wait for every connection [60]
      --deadline=SECS      watchdog: a run still going after this fails and reports [600]
  -l, --log-file=FILE      client log ['-': stderr]
  -L, --log-level=LEVEL    [ERROR]
Exit: 0 every call answered, no error, everything read back as written; 1 otherwise; 2 usage.
)");
}

bool parse(int argc, char** argv, Options& o) {
  enum { kTransport = 1000, kStop, kReady, kDir, kConnectWait, kDeadline };
  static const option longOpts[] = {
      {"host", required_argument, nullptr, 'H'},
      {"port", required_argument, nullptr, 'P'},
      {"subvolume", required_argument, nullptr, 'S'},
      {"transport", required_argument, nullptr, kTransport},
      {"clients", required_argument, nullptr, 'c'},
      {"workers", required_argument, nullptr, 'w'},
      {"files", required_argument, nullptr, 'n'},
      {"rounds", required_argument, nullptr, 'r'},
      {"stop-file", required_argument, nullptr, kStop},
      {"ready-file", required_argument, nullptr, kReady},
      {"dir", required_argument, nullptr, kDir},
      {"connect-wait", required_argument, nullptr, kConnectWait},
      {"deadline", required_argument, nullptr, kDeadline},
      {"log-file", required_argument, nullptr, 'l'},
      {"log-level", required_argument, nullptr, 'L'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "H:P:S:c:w:n:r:l:L:h", longOpts, nullptr)) != -1) {
    switch (c) {
      case 'H': o.host = optarg; break;
      case 'P': o.port = atoi(optarg); break;
      case 'S': o.subvolume = optarg; break;
      case kTransport: o.transport = optarg; break;
      case 'c': o.clients = atoi(optarg); break;
      case 'w': o.workers = atoi(optarg); break;
      case 'n': o.files = atoi(optarg); break;
      case 'r': o.rounds = atoi(optarg); break;
      case kStop: o.stopFile = optarg; break;
      case kReady: o.readyFile = optarg; break;
      case kDir: o.top = optarg; break;
      case kConnectWait: o.connectWait = atof(optarg); break;
      case kDeadline: o.deadline = atof(optarg); break;
      case 'l': o.logFile = optarg; break;
      case 'L': o.logLevel = optarg; break;
      case 'h': usage(stdout); exit(0);
      default: return false;
    }
  }
  if (optind != argc || o.port < 1 || o.port > 65535 || o.clients < 1 || o.clients > 5000 ||
      o.workers < 1 || o.workers > 64 || o.files < 1 || o.rounds < 1 || o.top.size() < 2 ||
      o.top[0] != '/' || o.top.find('/', 1) != std::string::npos) {
    usage(stderr);
    return false;
  }
  return true;
}

// ---- the workload ------------------------------------------------------------------------
// Deterministic contents: a file's bytes depend on (connection, worker, round, index).
std::string contents(int conn, int worker, int round, int i) {
  uint64_t x = (uint64_t(conn) << 40) ^ (uint64_t(worker) << 32) ^ (uint64_t(round) << 16) ^
               uint64_t(i) ^ 0x9e3779b97f4a7c15ull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  size_t size = 512 + next() % (64 * 1024 - 512 + 1);
  std::string s(size, '\0');
  for (size_t k = 0; k < size; k += 8) {
    uint64_t v = next();
    memcpy(&s[k], &v, std::min<size_t>(8, size - k));
  }
  return s;
}

struct Worker {
  int conn = 0, index = 0;
  std::atomic<const char*> doing{"starting"};  // the operation in progress (watchdog)
  std::atomic<bool> done{false};
  std::vector<std::string> problems;
  uint64_t ops = 0;          // operations (TestClient calls) completed
  uint64_t expectedEnoent = 0;  // lookups of unlinked names, which must fail with ENOENT
  uint64_t filesLeft = 0;    // regular files this worker leaves in the volume
  int roundsDone = 0;
};

class Run {
 public:
  Run(const Options& o, gf::Xlator& top, Worker& w) : o_(o), fs_(top), w_(w) {}

  void operator()() {
    dir_ = o_.top + "/c" + std::to_string(w_.conn) + "w" + std::to_string(w_.index);
    if (!step("mkdir", fs_.mkdir(dir_, 0755))) return finish();
    for (int r = 0; r < o_.rounds; ++r) {
      if (!round(r)) return finish();
      w_.roundsDone = r + 1;
      if (!o_.stopFile.empty() && access(o_.stopFile.c_str(), F_OK) == 0) break;
    }
    finish();
  }

 private:
  template <class R>
  bool step(const char* what, const R& res) {
    ++w_.ops;
    if (res) return true;
    problem(std::string(what) + " failed: " + res.error().message());
    return false;
  }
  void problem(const std::string& what) {
    if (w_.problems.size() < 5) w_.problems.push_back(dir_ + ": " + what);
  }
  void finish() {
    w_.doing = "finished";
    w_.done = true;
  }
  void doing(const char* what) { w_.doing = what; }

  bool round(int r) {
    std::string rd = dir_ + "/r" + std::to_string(r);
    doing("mkdir");
    if (!step("mkdir", fs_.mkdir(rd, 0755))) return false;
    std::set<std::string> expect;
    for (int i = 0; i < o_.files; ++i) {
      std::string name = "f" + std::to_string(i), path = rd + "/" + name;
      std::string data = contents(w_.conn, w_.index, r, i);

      doing("create");
      auto fd = fs_.create(path, 0644, O_RDWR | O_EXCL);
      if (!step("create", fd)) return false;
      doing("write");
      auto n = fs_.write(*fd, 0, data);
      if (!step("write", n)) return false;
      if (*n != data.size()) return problem("short write of " + path), false;
      if (i % 4 == 0) {
        doing("fsync");
        if (!step("fsync", fs_.fsync(*fd))) return false;
      }
      doing("flush");
      if (!step("flush", fs_.flush(*fd))) return false;
      fd->reset();  // release

      doing("stat");
      auto st = fs_.stat(path);
      if (!step("stat", st)) return false;
      if (st->size != data.size()) return problem("stat size of " + path), false;

      doing("read");
      auto back = fs_.readFile(path);
      if (!step("read", back)) return false;
      if (*back != data) return problem("contents of " + path + " differ"), false;

      if (i % 3 == 1) {
        doing("chmod");
        if (!step("chmod", fs_.chmod(path, 0600))) return false;
        auto st2 = fs_.stat(path);
        if (!step("stat", st2)) return false;
        if ((st2->mode & 07777) != 0600) return problem("mode of " + path), false;
      }
      if (i % 7 == 0) {
        std::string v = "c" + std::to_string(w_.conn) + "." + std::to_string(i);
        doing("setxattr");
        if (!step("setxattr", fs_.setxattr(path, "user.load", v))) return false;
        doing("getxattr");
        auto got = fs_.getxattr(path, "user.load");
        if (!step("getxattr", got)) return false;
        if (*got != v) return problem("xattr of " + path), false;
      }
      if (i % 2 == 1) {
        std::string to = rd + "/g" + std::to_string(i);
        doing("rename");
        if (!step("rename", fs_.rename(path, to))) return false;
        name = "g" + std::to_string(i);
        path = to;
      }
      if (i % 5 == 4) {
        doing("unlink");
        if (!step("unlink", fs_.unlink(path))) return false;
        auto gone = fs_.lookup(path);
        ++w_.ops;
        if (gone || gone.errnum() != ENOENT)
          return problem(path + " still there after unlink"), false;
        ++w_.expectedEnoent;
      } else {
        expect.insert(name);
      }
      if (i % 10 == 9 || i + 1 == o_.files) {
        doing("readdir");
        auto names = fs_.listDir(rd);
        if (!step("readdir", names)) return false;
        if (std::set<std::string>(names->begin(), names->end()) != expect)
          return problem("listing of " + rd + " differs from what was made"), false;
      }
    }
    doing("statfs");
    if (!step("statfs", fs_.statfs(rd))) return false;
    w_.filesLeft += expect.size();
    return true;
  }

  const Options& o_;
  gf::test::TestClient fs_;
  Worker& w_;
  std::string dir_;
};

std::string clientVolfile(const Options& o) {
  std::string v;
  for (int i = 0; i < o.clients; ++i) {
    v += "volume c" + std::to_string(i) + "\n  type protocol/client\n";
    v += "  option transport-type " + o.transport + "\n";
    if (o.transport == "unix")
      v += "  option connect-path " + o.host + "\n";
    else
      v += "  option remote-host " + o.host + "\n  option remote-port " +
           std::to_string(o.port) + "\n";
    v += "  option remote-subvolume " + o.subvolume + "\n  option ping-timeout 30\nend-volume\n";
  }
  return v;
}

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) return 2;
  gf::log::Level lvl;
  if (!gf::log::parseLevel(o.logLevel, lvl)) return usage(stderr), 2;
  gf::log::setLevel(lvl);
  if (o.logFile != "-" && !gf::log::openFile(o.logFile)) {
    fprintf(stderr, "gf_load: cannot open %s\n", o.logFile.c_str());
    return 1;
  }

  std::unique_ptr<gf::Graph> graph;
  try {
    graph = gf::Graph::fromText(clientVolfile(o), gf::builtinXlators(), {}, "<gf_load>");
  } catch (const std::exception& e) {
    fprintf(stderr, "gf_load: %s\n", e.what());
    return 1;
  }
  std::string error;
  if (!graph->init(&error)) {
    fprintf(stderr, "gf_load: %s\n", error.c_str());
    return 1;
  }
  FopCounts counts;
  std::vector<gf::ClientXlator*> clients;
  std::vector<std::unique_ptr<CountXlator>> counters;
  for (int i = 0; i < o.clients; ++i) {
    auto* c = dynamic_cast<gf::ClientXlator*>(graph->find("c" + std::to_string(i)));
    clients.push_back(c);
    counters.push_back(std::make_unique<CountXlator>(
        gf::XlatorArgs{"count" + std::to_string(i), "debug/count", {c}, graph.get()}, counts));
  }
  auto t0 = Clock::now();
  graph->start();
  int up = 0;
  while (since(t0) < o.connectWait) {
    up = 0;
    for (auto* c : clients) up += c->connected();
    if (up == o.clients) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  printf("connected %d of %d in %.2fs\n", up, o.clients, since(t0));
  fflush(stdout);
  if (up != o.clients) {
    fprintf(stderr, "gf_load: only %d of %d connections came up within %gs\n", up, o.clients,
            o.connectWait);
    graph->stop();
    return 1;
  }

  // The top directory, made once through the first connection.
  {
    gf::test::TestClient fs(*counters[0]);
    auto r = fs.mkdir(o.top, 0755);
    if (!r) {
      fprintf(stderr, "gf_load: mkdir %s: %s\n", o.top.c_str(), r.error().message().c_str());
      graph->stop();
      return 1;
    }
  }
  if (!o.readyFile.empty()) {
    FILE* f = fopen(o.readyFile.c_str(), "w");
    if (f) fprintf(f, "%d\n", o.clients), fclose(f);
  }

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  auto tLoad = Clock::now();
  for (int c = 0; c < o.clients; ++c)
    for (int w = 0; w < o.workers; ++w) {
      auto wk = std::make_unique<Worker>();
      wk->conn = c;
      wk->index = w;
      Worker* p = wk.get();
      workers.push_back(std::move(wk));
      threads.emplace_back([&o, &counters, p, c] { Run(o, *counters[c], *p)(); });
    }

  // Watchdog: a worker that never finishes means a call that never came back.
  bool allDone = false;
  while (since(t0) < o.deadline) {
    allDone = true;
    for (auto& w : workers) allDone = allDone && w->done.load();
    if (allDone) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double loadSecs = since(tLoad);

  // ---- report ----
  uint64_t calls = 0, answers = 0, errors = 0;
  printf("%-14s %10s %10s %8s\n", "fop", "calls", "answers", "errors");
  for (size_t i = 0; i < kFops; ++i) {
    uint64_t c = counts.calls[i], a = counts.answers[i], e = counts.errors[i];
    calls += c, answers += a, errors += e;
    if (c) printf("%-14s %10llu %10llu %8llu\n", gf::fopName(static_cast<gf::FopId>(i)),
                  (unsigned long long)c, (unsigned long long)a, (unsigned long long)e);
  }
  printf("%-14s %10llu %10llu %8llu\n", "total", (unsigned long long)calls,
         (unsigned long long)answers, (unsigned long long)errors);
  {
    std::lock_guard lock(counts.m);
    for (auto& [k, n] : counts.byErrno)
      printf("error %s %s x%llu\n", gf::fopName(static_cast<gf::FopId>(k.first)),
             strerror(k.second), (unsigned long long)n);
  }
  uint64_t ops = 0, left = 0, expectedEnoent = 0;
  int minRounds = o.rounds, problems = 0;
  for (auto& w : workers) {
    if (!w->done) continue;
    ops += w->ops;
    left += w->filesLeft;
    expectedEnoent += w->expectedEnoent;
    minRounds = std::min(minRounds, w->roundsDone);
    for (auto& p : w->problems) {
      if (problems++ < 20) printf("problem: %s\n", p.c_str());
    }
  }
  // The only errors allowed are the lookups that checked an unlink (one each).
  uint64_t unexpected = errors;
  {
    std::lock_guard lock(counts.m);
    auto it = counts.byErrno.find({static_cast<int>(gf::FopId::lookup), ENOENT});
    uint64_t enoent = it == counts.byErrno.end() ? 0 : it->second;
    if (enoent == expectedEnoent) unexpected -= enoent;
  }
  printf("errors expected %llu (lookups after unlink), unexpected %llu\n",
         (unsigned long long)expectedEnoent, (unsigned long long)unexpected);
  bool ok = allDone && calls == answers && unexpected == 0 && problems == 0;
  if (!allDone) {
    int stuck = 0;
    for (auto& w : workers)
      if (!w->done && stuck++ < 20)
        printf("stuck: connection %d worker %d in %s\n", w->conn, w->index, w->doing.load());
    printf("calls unanswered: %llu (watchdog after %gs)\n",
           (unsigned long long)(calls - answers), o.deadline);
  }
  printf("workers %zu, rounds per worker >= %d, operations %llu, fop calls %llu in %.1fs "
         "(%.0f calls/s)\n",
         workers.size(), minRounds, (unsigned long long)ops, (unsigned long long)calls, loadSecs,
         calls / std::max(loadSecs, 1e-3));
  printf("files-left %llu\n", (unsigned long long)left);
  printf("result %s\n", ok ? "PASS" : "FAIL");
  fflush(stdout);
  if (!allDone) _exit(1);  // threads are blocked in calls that never returned
  for (auto& t : threads) t.join();
  counters.clear();
  graph->stop();
  graph.reset();
  return ok ? 0 : 1;
}
