// SPDX-License-Identifier: GPL-3.0-or-later
// fsops.c: the timed file-system workloads of scripts/bench.sh (small files, sequential I/O,
// maildir delivery) and a runner that measures another program's wall and CPU time.
//
//   fsops create DIR N SIZE          mkdir DIR; N x (open O_CREAT|O_EXCL, write SIZE, close)
//   fsops stat DIR N                 N x stat
//   fsops read DIR N SIZE            N x (open, read to EOF, close); checks size and contents
//   fsops unlink DIR N               N x unlink, then rmdir DIR
//   fsops seqwrite FILE MIB BS_KIB   write MIB MiB in BS_KIB blocks, fsync, close
//   fsops seqread FILE BS_KIB        read FILE to EOF in BS_KIB blocks
//   fsops maildir DIR N WRITERS      WRITERS processes deliver N messages into DIR/userK/:
//                                    write tmp/NAME, fsync, close, rename to new/NAME
//   fsops fetch DIR                  POP3-style: for each DIR/user*/new/ entry, read and unlink
//   fsops run OUT CMD [ARG...]       run CMD, write "wall=S user=S sys=S" to OUT, exit as CMD
//   fsops dropcaches                 sync; echo 3 >/proc/sys/vm/drop_caches (exit 1 if refused)
//
// Every workload prints one line on stdout: "ops=N wall=S user=S sys=S" (user/sys: CPU the
// workload's own processes spent, from getrusage). Any failing call stops the run with a
// message and exit status 2, so a broken file system never yields a fast, wrong number.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) {
  int e = errno;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fsops: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s\n", strerror(e));
  exit(2);
}

static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fsops: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static long num(const char *s, const char *what) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 0) fail("bad %s '%s'", what, s);
  return v;
}

static double tv(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

// Reports the phase: ops, wall time, and the CPU of this process plus reaped children.
static void report(long ops, double t0) {
  double wall = now() - t0;
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  printf("ops=%ld wall=%.6f user=%.6f sys=%.6f\n", ops, wall, tv(self.ru_utime) + tv(kids.ru_utime),
         tv(self.ru_stime) + tv(kids.ru_stime));
  fflush(stdout);
}

static void writeAll(int fd, const char *buf, size_t n, const char *path) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write %s", path);
    }
    buf += w;
    n -= (size_t)w;
  }
}

// The contents of small file i: a repeating pattern that depends on i, so reads can be checked.
static void fillPattern(char *buf, long size, long i) {
  for (long k = 0; k < size; k++) buf[k] = (char)('a' + (k + i) % 26);
}

static void fileName(char *out, size_t n, const char *dir, long i) {
  snprintf(out, n, "%s/f%06ld", dir, i);
}

static int cmdCreate(const char *dir, long n, long size) {
  char path[4096];
  char *buf = malloc((size_t)size + 1);
  if (!buf) die("malloc");
  double t0 = now();
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) die("mkdir %s", dir);
  for (long i = 0; i < n; i++) {
    fileName(path, sizeof path, dir, i);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) die("create %s", path);
    fillPattern(buf, size, i);
    writeAll(fd, buf, (size_t)size, path);
    if (close(fd) < 0) die("close %s", path);
  }
  report(n, t0);
  free(buf);
  return 0;
}

static int cmdStat(const char *dir, long n) {
  char path[4096];
  struct stat st;
  double t0 = now();
  for (long i = 0; i < n; i++) {
    fileName(path, sizeof path, dir, i);
    if (stat(path, &st) < 0) die("stat %s", path);
    if (!S_ISREG(st.st_mode)) fail("%s is not a regular file", path);
  }
  report(n, t0);
  return 0;
}

static int cmdRead(const char *dir, long n, long size) {
  char path[4096];
  char *want = malloc((size_t)size + 1);
  char *got = malloc((size_t)size + 65536);
  if (!want || !got) die("malloc");
  double t0 = now();
  for (long i = 0; i < n; i++) {
    fileName(path, sizeof path, dir, i);
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("open %s", path);
    long total = 0;
    for (;;) {
      ssize_t r = read(fd, got + total, (size_t)(size + 65536 - total));
      if (r < 0) {
        if (errno == EINTR) continue;
        die("read %s", path);
      }
      if (r == 0) break;
      total += r;
      if (total >= size + 65536) break;
    }
    if (close(fd) < 0) die("close %s", path);
    fillPattern(want, size, i);
    if (total != size || memcmp(want, got, (size_t)size) != 0)
      fail("%s: read %ld bytes that differ from the %ld written", path, total, size);
  }
  report(n, t0);
  return 0;
}

static int cmdUnlink(const char *dir, long n) {
  char path[4096];
  double t0 = now();
  for (long i = 0; i < n; i++) {
    fileName(path, sizeof path, dir, i);
    if (unlink(path) < 0) die("unlink %s", path);
  }
  if (rmdir(dir) < 0) die("rmdir %s", dir);
  report(n, t0);
  return 0;
}

static int cmdSeqwrite(const char *file, long mib, long bsKib) {
  size_t bs = (size_t)bsKib * 1024;
  char *buf = aligned_alloc(4096, bs);
  if (!buf) die("malloc");
  // Incompressible enough that no layer can cheat with zero detection.
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t k = 0; k < bs; k += 8) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    memcpy(buf + k, &x, 8);
  }
  long blocks = mib * 1024 / bsKib;
  double t0 = now();
  int fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) die("open %s", file);
  for (long b = 0; b < blocks; b++) {
    buf[0] = (char)b;  // every block differs
    writeAll(fd, buf, bs, file);
  }
  if (fsync(fd) < 0) die("fsync %s", file);
  if (close(fd) < 0) die("close %s", file);
  report(blocks, t0);
  free(buf);
  return 0;
}

static int cmdSeqread(const char *file, long bsKib) {
  size_t bs = (size_t)bsKib * 1024;
  char *buf = aligned_alloc(4096, bs);
  if (!buf) die("malloc");
  double t0 = now();
  int fd = open(file, O_RDONLY);
  if (fd < 0) die("open %s", file);
  long long total = 0;
  for (;;) {
    ssize_t r = read(fd, buf, bs);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("read %s", file);
    }
    if (r == 0) break;
    total += r;
  }
  struct stat st;
  if (fstat(fd, &st) < 0) die("fstat %s", file);
  if (total != st.st_size) fail("%s: read %lld bytes of %lld", file, total, (long long)st.st_size);
  close(fd);
  report((long)(total / (long long)bs), t0);
  free(buf);
  return 0;
}

// A message of 1 to 16 KiB (sizes spread like a mail spool's), headers first.
static size_t makeMessage(char *buf, size_t cap, long writer, long seq) {
  size_t size = 1024 + (size_t)((seq * 7919 + writer * 104729) % (15 * 1024));
  if (size > cap) size = cap;
  int h = snprintf(buf, cap,
                   "From: sender%ld@example.org\nTo: user%ld@example.org\n"
                   "Subject: message %ld from writer %ld\n\n",
                   seq, seq % 4, seq, writer);
  for (size_t k = (size_t)h; k < size; k++) buf[k] = (k % 73 == 72) ? '\n' : (char)('A' + (k + (size_t)seq) % 58);
  return size;
}

static void deliver(const char *dir, long writer, long first, long count, long boxes) {
  char buf[16 * 1024 + 256], tmp[4096], dst[4096];
  for (long i = first; i < first + count; i++) {
    long box = i % boxes;
    char name[128];
    snprintf(name, sizeof name, "%ld.M%ldP%ldW%ld.bench", (long)time(NULL), i, (long)getpid(),
             writer);
    snprintf(tmp, sizeof tmp, "%s/user%ld/tmp/%s", dir, box, name);
    snprintf(dst, sizeof dst, "%s/user%ld/new/%s", dir, box, name);
    size_t n = makeMessage(buf, sizeof buf, writer, i);
    int fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0) die("create %s", tmp);
    writeAll(fd, buf, n, tmp);
    if (fsync(fd) < 0) die("fsync %s", tmp);  // the MTA's promise: on disk before "250 OK"
    if (close(fd) < 0) die("close %s", tmp);
    if (rename(tmp, dst) < 0) die("rename %s", tmp);
  }
}

static const long kBoxes = 4;

static int cmdMaildir(const char *dir, long n, long writers) {
  char path[4096];
  if (writers < 1) writers = 1;
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) die("mkdir %s", dir);
  for (long b = 0; b < kBoxes; b++) {
    static const char *sub[] = {"", "/tmp", "/new", "/cur"};
    for (int s = 0; s < 4; s++) {
      snprintf(path, sizeof path, "%s/user%ld%s", dir, b, sub[s]);
      if (mkdir(path, 0700) < 0 && errno != EEXIST) die("mkdir %s", path);
    }
  }
  double t0 = now();
  long per = n / writers, extra = n % writers, first = 0;
  for (long w = 0; w < writers; w++) {
    long count = per + (w < extra ? 1 : 0);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      deliver(dir, w, first, count, kBoxes);
      _exit(0);
    }
    first += count;
  }
  int bad = 0, status;
  while (wait(&status) > 0)
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bad = 1;
  if (bad) fail("a delivering process failed");
  // Every message must have arrived in new/ and nothing may be left in tmp/.
  long found = 0;
  for (long b = 0; b < kBoxes; b++) {
    static const char *sub[] = {"new", "tmp"};
    for (int s = 0; s < 2; s++) {
      snprintf(path, sizeof path, "%s/user%ld/%s", dir, b, sub[s]);
      DIR *d = opendir(path);
      if (!d) die("opendir %s", path);
      struct dirent *e;
      while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (s == 1) fail("%s/%s left behind in tmp/", path, e->d_name);
        found++;
      }
      closedir(d);
    }
  }
  if (found != n) fail("%ld messages in new/, %ld delivered", found, n);
  report(n, t0);
  return 0;
}

static int cmdFetch(const char *dir) {
  char path[4096], file[4096 + 256];
  static char buf[64 * 1024];
  long ops = 0;
  double t0 = now();
  for (long b = 0; b < kBoxes; b++) {
    snprintf(path, sizeof path, "%s/user%ld/new", dir, b);
    DIR *d = opendir(path);
    if (!d) die("opendir %s", path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      snprintf(file, sizeof file, "%s/%s", path, e->d_name);
      int fd = open(file, O_RDONLY);
      if (fd < 0) die("open %s", file);
      ssize_t r, total = 0;
      while ((r = read(fd, buf + total, sizeof buf - (size_t)total)) > 0) total += r;
      if (r < 0) die("read %s", file);
      if (total < 1024 || memcmp(buf, "From: ", 6) != 0) fail("%s: not a delivered message", file);
      close(fd);
      if (unlink(file) < 0) die("unlink %s", file);
      ops++;
    }
    closedir(d);
  }
  report(ops, t0);
  return 0;
}

static int cmdRun(const char *out, char **argv) {
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "fsops: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) die("wait4");
  FILE *f = fopen(out, "w");
  if (!f) die("open %s", out);
  fprintf(f, "wall=%.6f user=%.6f sys=%.6f\n", now() - t0, tv(ru.ru_utime), tv(ru.ru_stime));
  fclose(f);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

static int cmdDropcaches(void) {
  sync();
  int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
  if (fd < 0) return 1;
  int ok = write(fd, "3\n", 2) == 2;
  close(fd);
  return ok ? 0 : 1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: fsops create DIR N SIZE | stat DIR N | read DIR N SIZE | unlink DIR N |\n"
          "             seqwrite FILE MIB BS_KIB | seqread FILE BS_KIB | maildir DIR N WRITERS |\n"
          "             fetch DIR | run OUT CMD [ARG...] | dropcaches\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  const char *c = argv[1];
  if (!strcmp(c, "create") && argc == 5)
    return cmdCreate(argv[2], num(argv[3], "count"), num(argv[4], "size"));
  if (!strcmp(c, "stat") && argc == 4) return cmdStat(argv[2], num(argv[3], "count"));
  if (!strcmp(c, "read") && argc == 5)
    return cmdRead(argv[2], num(argv[3], "count"), num(argv[4], "size"));
  if (!strcmp(c, "unlink") && argc == 4) return cmdUnlink(argv[2], num(argv[3], "count"));
  if (!strcmp(c, "seqwrite") && argc == 5)
    return cmdSeqwrite(argv[2], num(argv[3], "MiB"), num(argv[4], "block size"));
  if (!strcmp(c, "seqread") && argc == 4) return cmdSeqread(argv[2], num(argv[3], "block size"));
  if (!strcmp(c, "maildir") && argc == 5)
    return cmdMaildir(argv[2], num(argv[3], "count"), num(argv[4], "writers"));
  if (!strcmp(c, "fetch") && argc == 3) return cmdFetch(argv[2]);
  if (!strcmp(c, "run") && argc >= 4) return cmdRun(argv[2], argv + 3);
  if (!strcmp(c, "dropcaches") && argc == 2) return cmdDropcaches();
  usage();
  return 2;
}
