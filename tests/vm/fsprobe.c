// SPDX-License-Identifier: GPL-3.0-or-later
// fsprobe: the file-system workloads of the kernel-module tests and of scripts/kmod-compare, as
// one static binary for the QEMU guest (busybox has no O_DIRECT, mmap or timing tools).
//
// Every subcommand prints one line of key=value results ("secs=0.123 bytes=...") and exits 0 on
// success, 1 on a failed check (with a message on stderr), 2 on bad usage, 3 when an mmap that
// the caller may expect to be refused was refused.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fsprobe: FAIL: ");
  vfprintf(stderr, fmt, ap);
  if (errno) fprintf(stderr, " (%s)", strerror(errno));
  fprintf(stderr, "\n");
  va_end(ap);
  return 1;
}
#define CHECK(cond, ...)                    \
  do {                                      \
    errno = 0;                              \
    if (!(cond)) return fail(__VA_ARGS__);  \
  } while (0)

static size_t parse_size(const char* s) {
  char* end;
  double v = strtod(s, &end);
  switch (*end) {
    case 'k': case 'K': v *= 1024; break;
    case 'm': case 'M': v *= 1024 * 1024; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
  }
  return (size_t)v;
}

static void* xalloc(size_t n) {
  void* p = NULL;
  if (posix_memalign(&p, 4096, n ? n : 1)) {
    fprintf(stderr, "fsprobe: out of memory\n");
    exit(1);
  }
  return p;
}

static void pattern(char* buf, size_t n, uint64_t seed) {
  uint64_t x = seed * 6364136223846793005ull + 1442695040888963407ull;
  for (size_t i = 0; i < n; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    buf[i] = (char)(x >> 56);
  }
}

static void result(double secs, uint64_t bytes, uint64_t ops) {
  printf("secs=%.4f bytes=%" PRIu64 " ops=%" PRIu64 " MBps=%.1f\n", secs, bytes, ops,
         secs > 0 ? (double)bytes / secs / 1048576.0 : 0.0);
}

// ---- throughput workloads -----------------------------------------------------------------------
static int cmd_seqwrite(int argc, char** argv) {  // FILE SIZE BUF
  if (argc != 3) return 2;
  size_t size = parse_size(argv[1]), bs = parse_size(argv[2]);
  char* buf = xalloc(bs);
  pattern(buf, bs, 1);
  double t = now();
  int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "open %s", argv[0]);
  for (size_t done = 0; done < size;) {
    size_t n = size - done < bs ? size - done : bs;
    ssize_t w = write(fd, buf, n);
    CHECK(w > 0, "write %s at %zu", argv[0], done);
    done += (size_t)w;
  }
  CHECK(close(fd) == 0, "close %s", argv[0]);
  result(now() - t, size, 0);
  return 0;
}

static int read_all(const char* path, size_t bs, int flags, uint64_t* total, uint64_t* ops) {
  char* buf = xalloc(bs);
  int fd = open(path, O_RDONLY | flags);
  CHECK(fd >= 0, "open %s", path);
  for (;;) {
    ssize_t r = read(fd, buf, bs);
    CHECK(r >= 0, "read %s", path);
    if (!r) break;
    *total += (uint64_t)r;
    (*ops)++;
  }
  close(fd);
  free(buf);
  return 0;
}

static int cmd_seqread(int argc, char** argv) {  // FILE BUF
  if (argc != 2) return 2;
  uint64_t total = 0, ops = 0;
  double t = now();
  int rc = read_all(argv[0], parse_size(argv[1]), 0, &total, &ops);
  if (!rc) result(now() - t, total, ops);
  return rc;
}

static int cmd_dioread(int argc, char** argv) {  // FILE BLOCK
  if (argc != 2) return 2;
  uint64_t total = 0, ops = 0;
  double t = now();
  int rc = read_all(argv[0], parse_size(argv[1]), O_DIRECT, &total, &ops);
  if (!rc) result(now() - t, total, ops);
  return rc;
}

// cp as coreutils does it: buffer of max(st_blksize, 128 KiB).
static int cmd_cp(int argc, char** argv) {  // SRC DST
  if (argc != 2) return 2;
  double t = now();
  int in = open(argv[0], O_RDONLY);
  CHECK(in >= 0, "open %s", argv[0]);
  struct stat st;
  CHECK(fstat(in, &st) == 0, "stat %s", argv[0]);
  size_t bs = st.st_blksize > 131072 ? (size_t)st.st_blksize : 131072;
  int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(out >= 0, "open %s", argv[1]);
  char* buf = xalloc(bs);
  uint64_t total = 0;
  for (;;) {
    ssize_t r = read(in, buf, bs);
    CHECK(r >= 0, "read %s", argv[0]);
    if (!r) break;
    CHECK(write(out, buf, (size_t)r) == r, "write %s", argv[1]);
    total += (uint64_t)r;
  }
  CHECK(close(out) == 0, "close %s", argv[1]);
  close(in);
  printf("blksize=%zu ", bs);
  result(now() - t, total, 0);
  return 0;
}

// NPROC processes write disjoint parts of an existing file (no size change), each in BLOCK
// pieces, optionally with O_DIRECT. Run against a daemon that delays each WRITE, the elapsed time
// shows whether the kernel let the writers overlap.
static int cmd_parwrite(int argc, char** argv) {  // FILE NPROC PART BLOCK [direct]
  if (argc < 4) return 2;
  int nproc = atoi(argv[1]);
  size_t part = parse_size(argv[2]), bs = parse_size(argv[3]);
  bool direct = argc > 4 && !strcmp(argv[4], "direct");
  struct stat st;
  CHECK(stat(argv[0], &st) == 0, "stat %s", argv[0]);
  CHECK((size_t)st.st_size >= part * (size_t)nproc, "%s is smaller than %d parts", argv[0], nproc);
  double t = now();
  for (int p = 0; p < nproc; p++) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      char* buf = xalloc(bs);
      pattern(buf, bs, (uint64_t)p + 7);
      int fd = open(argv[0], O_WRONLY | (direct ? O_DIRECT : 0));
      if (fd < 0) _exit(10);
      for (size_t off = 0; off < part; off += bs)
        if (pwrite(fd, buf, bs, (off_t)(part * (size_t)p + off)) != (ssize_t)bs) _exit(11);
      _exit(close(fd) ? 12 : 0);
    }
  }
  int bad = 0, status;
  while (wait(&status) > 0)
    if (!WIFEXITED(status) || WEXITSTATUS(status)) bad++;
  CHECK(!bad, "%d writer(s) failed", bad);
  result(now() - t, part * (uint64_t)nproc, 0);
  return 0;
}

// ---- mmap -----------------------------------------------------------------------------------------
// Maps FILE shared, stores through the mapping, and checks that read(2) sees the stores (after
// msync); then writes with write(2) and checks that a new mapping sees that. Exit 3 when the
// kernel refuses the shared mapping (stock fuse does for FOPEN_DIRECT_IO files).
static int cmd_mmapshared(int argc, char** argv) {  // FILE
  if (argc != 1) return 2;
  const size_t len = 64 * 1024;
  int fd = open(argv[0], O_RDWR | O_CREAT, 0644);
  CHECK(fd >= 0, "open %s", argv[0]);
  CHECK(ftruncate(fd, (off_t)len) == 0, "ftruncate %s", argv[0]);
  char* m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) {
    int e = errno;
    printf("mmap_shared=refused errno=%d (%s)\n", e, strerror(e));
    close(fd);
    return 3;
  }
  char* want = xalloc(len);
  char* got = xalloc(len);
  pattern(want, len, 42);
  memcpy(m, want, len);
  CHECK(msync(m, len, MS_SYNC) == 0, "msync");
  int fd2 = open(argv[0], O_RDONLY);
  CHECK(fd2 >= 0, "reopen %s", argv[0]);
  CHECK(pread(fd2, got, len, 0) == (ssize_t)len, "pread after msync");
  CHECK(!memcmp(want, got, len), "read(2) does not see data stored through the shared mapping");
  CHECK(munmap(m, len) == 0, "munmap");
  pattern(want, len, 43);
  CHECK(pwrite(fd, want, len, 0) == (ssize_t)len, "pwrite");
  m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd2, 0);
  CHECK(m != MAP_FAILED, "second shared mapping");
  CHECK(!memcmp(want, m, len), "a new mapping does not see data written with write(2)");
  munmap(m, len);
  close(fd2);
  close(fd);
  printf("mmap_shared=ok\n");
  return 0;
}

// ---- metadata workloads ---------------------------------------------------------------------------
static int cmd_mkfiles(int argc, char** argv) {  // DIR N
  if (argc != 2) return 2;
  int n = atoi(argv[1]);
  mkdir(argv[0], 0755);
  int dfd = open(argv[0], O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0, "open %s", argv[0]);
  double t = now();
  for (int i = 0; i < n; i++) {
    char name[64];
    snprintf(name, sizeof name, "file-%06d", i);
    int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "create %s/%s", argv[0], name);
    close(fd);
  }
  close(dfd);
  result(now() - t, 0, (uint64_t)n);
  return 0;
}

// readdir(3) plus lstat of every entry, the work of `ls -l` without its formatting.
static int cmd_lsl(int argc, char** argv) {  // DIR [nostat]
  if (argc < 1) return 2;
  bool stat_each = !(argc > 1 && !strcmp(argv[1], "nostat"));
  double t = now();
  DIR* d = opendir(argv[0]);
  CHECK(d, "opendir %s", argv[0]);
  uint64_t n = 0;
  struct dirent* de;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    if (stat_each) {
      struct stat st;
      CHECK(fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0, "lstat %s", de->d_name);
    }
    n++;
  }
  closedir(d);
  printf("entries=%" PRIu64 " ", n);
  result(now() - t, 0, n);
  return 0;
}

// A maildir delivery agent and reader: N messages written to tmp/ (with fsync) and renamed into
// new/, then new/ listed and every message moved to cur/ with the seen flag, then cur/ listed.
static int cmd_maildir(int argc, char** argv) {  // DIR N
  if (argc != 2) return 2;
  int n = atoi(argv[1]);
  char path[4096], path2[4096];
  const char* sub[] = {"", "/tmp", "/new", "/cur"};
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s%s", argv[0], sub[i]);
    CHECK(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir %s", path);
  }
  char* msg = xalloc(16384);
  double t = now();
  for (int i = 0; i < n; i++) {
    size_t len = 2048 + (size_t)(i * 2654435761u % 6144);  // 2-8 KiB messages
    pattern(msg, len, (uint64_t)i);
    snprintf(path, sizeof path, "%s/tmp/%d.M%dP1.vm", argv[0], 1700000000 + i, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0, "deliver %s", path);
    CHECK(write(fd, msg, len) == (ssize_t)len, "write %s", path);
    CHECK(fsync(fd) == 0, "fsync %s", path);
    close(fd);
    snprintf(path2, sizeof path2, "%s/new/%d.M%dP1.vm", argv[0], 1700000000 + i, i);
    CHECK(rename(path, path2) == 0, "rename %s", path);
  }
  double t_deliver = now() - t;
  for (int pass = 0; pass < 2; pass++) {
    snprintf(path, sizeof path, "%s/%s", argv[0], pass ? "cur" : "new");
    DIR* d = opendir(path);
    CHECK(d, "opendir %s", path);
    int seen = 0;
    struct dirent* de;
    while ((de = readdir(d))) {
      if (de->d_name[0] == '.') continue;
      struct stat st;
      CHECK(fstatat(dirfd(d), de->d_name, &st, 0) == 0, "stat %s", de->d_name);
      if (!pass) {
        snprintf(path2, sizeof path2, "%s/cur/%s:2,S", argv[0], de->d_name);
        CHECK(renameat(dirfd(d), de->d_name, AT_FDCWD, path2) == 0, "rename %s", de->d_name);
      }
      seen++;
    }
    closedir(d);
    CHECK(seen == n, "%s lists %d of %d messages", path, seen, n);
  }
  printf("deliver=%.4f list=%.4f ", t_deliver, now() - t - t_deliver);
  result(now() - t, 0, (uint64_t)n);
  return 0;
}

// ---- smoke test -----------------------------------------------------------------------------------
// Counts the entries of PATH; with EXPECT > 0 also checks that entry-00000 .. entry-<EXPECT-1>
// each appear exactly once.
static int count_dir(const char* path, int* count, int expect) {
  DIR* d = opendir(path);
  CHECK(d, "opendir %s", path);
  unsigned char* seen = calloc((size_t)expect + 1, 1);
  *count = 0;
  struct dirent* de;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    (*count)++;
    int i;
    if (expect > 0) {
      CHECK(sscanf(de->d_name, "entry-%d", &i) == 1 && i >= 0 && i < expect && !seen[i],
            "unexpected or repeated entry %s", de->d_name);
      seen[i] = 1;
    }
  }
  closedir(d);
  free(seen);
  return 0;
}

// read, write, append, truncate, mmap (private and shared), rename, readdir of NFILES entries,
// O_DIRECT, unlink, rmdir: each checked against what was written.
// O_DIRECT writes and reads back 1 MiB and 4 MiB at aligned offsets of PATH.
static int odirect_check(const char* path, char* want, char* got) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
  CHECK(fd >= 0, "open O_DIRECT %s", path);
  for (size_t len = 1 << 20; len <= 4 << 20; len *= 4) {
    CHECK(pwrite(fd, want, len, (off_t)len) == (ssize_t)len, "O_DIRECT write of %zu", len);
    memset(got, 0, len);
    CHECK(pread(fd, got, len, (off_t)len) == (ssize_t)len && !memcmp(want, got, len),
          "O_DIRECT read of %zu", len);
  }
  close(fd);
  return 0;
}

static int cmd_odirect(int argc, char** argv) {  // FILE
  if (argc != 1) return 2;
  char* want = xalloc(4 << 20);
  char* got = xalloc(4 << 20);
  pattern(want, 4 << 20, 3);
  if (odirect_check(argv[0], want, got)) return 1;
  CHECK(unlink(argv[0]) == 0, "unlink %s", argv[0]);
  printf("odirect=ok sizes=1M,4M\n");
  return 0;
}

static int cmd_smoke(int argc, char** argv) {  // DIR [NFILES [BACKING [nodirect]]]
  if (argc < 1) return 2;
  const char* dir = argv[0];
  int nfiles = argc > 1 ? atoi(argv[1]) : 10000;
  const char* backing = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
  bool direct = !(argc > 3 && !strcmp(argv[3], "nodirect"));
  char p1[4096], p2[4096];
  int checks = 0;
  const size_t len = 4 * 1024 * 1024 + 12345;  // several requests, odd tail
  char* want = xalloc(len);
  char* got = xalloc(len);
  pattern(want, len, 1);

  snprintf(p1, sizeof p1, "%s/smoke-a", dir);
  int fd = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "create %s", p1);
  CHECK(write(fd, want, len) == (ssize_t)len, "write %s", p1);
  CHECK(pread(fd, got, len, 0) == (ssize_t)len && !memcmp(want, got, len), "read back %s", p1);
  checks += 2;
  CHECK(write(fd, "tail", 4) == 4, "append %s", p1);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(len + 4), "size after append");
  CHECK(ftruncate(fd, (off_t)len) == 0 && fstat(fd, &st) == 0 && st.st_size == (off_t)len,
        "truncate");
  checks += 2;
  close(fd);

  fd = open(p1, O_RDONLY);
  CHECK(fd >= 0, "reopen %s", p1);
  char* m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(m != MAP_FAILED, "mmap private %s", p1);
  CHECK(!memcmp(m, want, len), "private mapping content");
  munmap(m, len);
  close(fd);
  checks++;
  fd = open(p1, O_RDWR);
  m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(m != MAP_FAILED, "mmap shared %s", p1);
  memcpy(m + 100, "shared-mapping", 14);
  CHECK(msync(m, 8192, MS_SYNC) == 0, "msync");
  munmap(m, 8192);
  close(fd);
  fd = open(p1, O_RDONLY);
  CHECK(pread(fd, got, 14, 100) == 14 && !memcmp(got, "shared-mapping", 14),
        "read(2) after store through shared mapping");
  close(fd);
  memcpy(want + 100, "shared-mapping", 14);
  checks++;

  snprintf(p2, sizeof p2, "%s/smoke-b", dir);
  CHECK(rename(p1, p2) == 0, "rename %s -> %s", p1, p2);
  CHECK(access(p1, F_OK) != 0 && errno == ENOENT, "old name still there after rename");
  fd = open(p2, O_RDONLY);
  CHECK(fd >= 0 && pread(fd, got, len, 0) == (ssize_t)len && !memcmp(want, got, len),
        "content after rename");
  close(fd);
  checks += 2;

  if (direct) {
    snprintf(p1, sizeof p1, "%s/smoke-direct", dir);
    if (odirect_check(p1, want, got)) return 1;
    CHECK(unlink(p1) == 0, "unlink %s", p1);
    checks += 2;
  }

  // A directory of nfiles entries, listed through the mount. With BACKING (the directory the
  // daemon serves) the entries are made there directly, which takes seconds instead of the
  // minutes nfiles round trips take under emulation; the listing still goes through FUSE.
  // Then up to 1000 entries are removed through the mount and the listing checked again.
  snprintf(p1, sizeof p1, "%s/smoke-dir", dir);
  CHECK(mkdir(p1, 0755) == 0, "mkdir %s", p1);
  char mkdir_at[4096];
  snprintf(mkdir_at, sizeof mkdir_at, "%s/smoke-dir", backing ? backing : dir);
  int mfd = open(mkdir_at, O_RDONLY | O_DIRECTORY);
  CHECK(mfd >= 0, "open %s", mkdir_at);
  for (int i = 0; i < nfiles; i++) {
    char name[32];
    snprintf(name, sizeof name, "entry-%05d", i);
    // mknod: one round trip through FUSE where open+close would cost three more
    CHECK(mknodat(mfd, name, S_IFREG | 0644, 0) == 0, "mknod %s", name);
  }
  int count;
  if (count_dir(p1, &count, nfiles)) return 1;
  CHECK(count == nfiles, "readdir lists %d of %d entries", count, nfiles);
  int dfd = open(p1, O_RDONLY | O_DIRECTORY);
  int nunlink = backing && nfiles > 1000 ? 1000 : nfiles;
  for (int i = 0; i < nunlink; i++) {
    char name[32];
    snprintf(name, sizeof name, "entry-%05d", i);
    CHECK(unlinkat(dfd, name, 0) == 0, "unlink %s", name);
  }
  close(dfd);
  if (count_dir(p1, &count, 0)) return 1;
  CHECK(count == nfiles - nunlink, "%d entries listed after unlinking %d of %d", count, nunlink,
        nfiles);
  for (int i = nunlink; i < nfiles; i++) {
    char name[32];
    snprintf(name, sizeof name, "entry-%05d", i);
    CHECK(unlinkat(mfd, name, 0) == 0, "unlink %s", name);
  }
  close(mfd);
  CHECK(rmdir(p1) == 0, "rmdir %s", p1);
  checks += 3;

  CHECK(unlink(p2) == 0, "unlink %s", p2);
  checks++;
  printf("smoke=ok checks=%d readdir=%d unlinked=%d%s\n", checks, nfiles, nunlink,
         direct ? " odirect=ok" : "");
  return 0;
}

// ---- misc -----------------------------------------------------------------------------------------
static int cmd_time(int argc, char** argv) {  // CMD ARG...
  if (argc < 1) return 2;
  double t = now();
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    execvp(argv[0], argv);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("secs=%.4f rc=%d\n", now() - t, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char** argv) {
  static const struct {
    const char* name;
    int (*fn)(int, char**);
    const char* usage;
  } cmds[] = {
      {"seqwrite", cmd_seqwrite, "FILE SIZE BUF"},
      {"seqread", cmd_seqread, "FILE BUF"},
      {"dioread", cmd_dioread, "FILE BLOCK"},
      {"cp", cmd_cp, "SRC DST"},
      {"parwrite", cmd_parwrite, "FILE NPROC PART BLOCK [direct]"},
      {"mmapshared", cmd_mmapshared, "FILE"},
      {"mkfiles", cmd_mkfiles, "DIR N"},
      {"lsl", cmd_lsl, "DIR [nostat]"},
      {"maildir", cmd_maildir, "DIR N"},
      {"smoke", cmd_smoke, "DIR [NFILES [BACKING|- [nodirect]]]"},
      {"odirect", cmd_odirect, "FILE"},
      {"time", cmd_time, "CMD [ARG...]"},
  };
  for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++) {
    if (strcmp(argv[1], cmds[i].name)) continue;
    int rc = cmds[i].fn(argc - 2, argv + 2);
    if (rc == 2) fprintf(stderr, "usage: fsprobe %s %s\n", cmds[i].name, cmds[i].usage);
    return rc;
  }
  fprintf(stderr, "usage: fsprobe COMMAND ARGS; commands:");
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) fprintf(stderr, " %s", cmds[i].name);
  fprintf(stderr, "\n");
  return 2;
}
