// SPDX-License-Identifier: GPL-3.0-or-later
// fusetestd: a passthrough FUSE daemon that speaks the kernel protocol on /dev/fuse directly and
// records what arrives, for the kernel-module tests in QEMU.
//
// It exists so the VM tests control every knob the patched module reacts to, independently of
// any FUSE library: max_pages and max_readahead in the INIT reply, FUSE_DIRECT_IO_ALLOW_MMAP
// (INIT bit 36), FOPEN_DIRECT_IO and FOPEN_PARALLEL_DIRECT_WRITES on open. On exit (after
// umount) it writes a per-opcode histogram of request sizes plus the INIT exchange and the
// largest number of WRITE requests it had in flight at once. Built static (the guest has no
// libc). Files live under SOURCE, reached through O_PATH handles, never by joined path strings.
//
// usage: fusetestd [options] SOURCE MOUNTPOINT   (as root; runs in the foreground)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef FUSE_DIRECT_IO_ALLOW_MMAP
#define FUSE_DIRECT_IO_ALLOW_MMAP (1ULL << 36)  // protocol 7.39 (Linux 6.6); bit 4 of flags2
#endif

// ---- options ----------------------------------------------------------------------------------
static struct {
  unsigned max_pages;       // asked for in the INIT reply
  long max_readahead;       // -1: echo the kernel's offer
  bool direct_io;           // FOPEN_DIRECT_IO on every open
  bool parallel_dio;        // FOPEN_PARALLEL_DIRECT_WRITES on every open
  bool dio_mmap;            // ask for FUSE_DIRECT_IO_ALLOW_MMAP
  bool readdirplus;         // ask for FUSE_DO_READDIRPLUS (+AUTO)
  int threads;
  int write_delay_ms;       // sleep in each WRITE so overlapping writes are observable
  double timeout;           // entry and attribute validity, seconds
  const char* stats;        // histogram file written on exit
} opt = {256, -1, false, false, false, true, 2, 0, 1.0, NULL};

static int fuse_fd = -1;
static size_t bufsize;

static void die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fusetestd: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

// ---- statistics ---------------------------------------------------------------------------------
#define NOPS 64
#define NBUCKETS 32
struct opstat {
  _Atomic uint64_t count, bytes, max;
  _Atomic uint64_t bucket[NBUCKETS];  // bucket b: sizes in (2^(b-1), 2^b]; bucket 0: 0..1
};
static struct opstat stats[NOPS];
static _Atomic int writes_in_flight, writes_max_in_flight;
static struct {
  uint32_t minor, flags_lo, flags_hi, max_readahead;
  uint32_t reply_max_readahead, reply_max_pages, reply_max_write;
  uint64_t reply_flags;
} init_seen;

static int bucket_of(uint64_t size) {
  int b = 0;
  while (b < NBUCKETS - 1 && ((uint64_t)1 << b) < size) b++;
  return b;
}

static void record(uint32_t opcode, uint64_t size) {
  if (opcode >= NOPS) return;
  struct opstat* s = &stats[opcode];
  atomic_fetch_add(&s->count, 1);
  atomic_fetch_add(&s->bytes, size);
  atomic_fetch_add(&s->bucket[bucket_of(size)], 1);
  uint64_t m = atomic_load(&s->max);
  while (size > m && !atomic_compare_exchange_weak(&s->max, &m, size)) {
  }
}

static const char* opname(uint32_t op) {
  switch (op) {
    case FUSE_LOOKUP: return "LOOKUP";
    case FUSE_FORGET: return "FORGET";
    case FUSE_GETATTR: return "GETATTR";
    case FUSE_SETATTR: return "SETATTR";
    case FUSE_READLINK: return "READLINK";
    case FUSE_SYMLINK: return "SYMLINK";
    case FUSE_MKNOD: return "MKNOD";
    case FUSE_MKDIR: return "MKDIR";
    case FUSE_UNLINK: return "UNLINK";
    case FUSE_RMDIR: return "RMDIR";
    case FUSE_RENAME: return "RENAME";
    case FUSE_LINK: return "LINK";
    case FUSE_OPEN: return "OPEN";
    case FUSE_READ: return "READ";
    case FUSE_WRITE: return "WRITE";
    case FUSE_STATFS: return "STATFS";
    case FUSE_RELEASE: return "RELEASE";
    case FUSE_FSYNC: return "FSYNC";
    case FUSE_FLUSH: return "FLUSH";
    case FUSE_INIT: return "INIT";
    case FUSE_OPENDIR: return "OPENDIR";
    case FUSE_READDIR: return "READDIR";
    case FUSE_RELEASEDIR: return "RELEASEDIR";
    case FUSE_FSYNCDIR: return "FSYNCDIR";
    case FUSE_ACCESS: return "ACCESS";
    case FUSE_CREATE: return "CREATE";
    case FUSE_INTERRUPT: return "INTERRUPT";
    case FUSE_DESTROY: return "DESTROY";
    case FUSE_BATCH_FORGET: return "BATCH_FORGET";
    case FUSE_READDIRPLUS: return "READDIRPLUS";
    case FUSE_RENAME2: return "RENAME2";
    default: return NULL;
  }
}

// Lines in the format libfuse-patched's SizeHistogram::format() uses, so one parser reads both:
//   READ count=12 bytes=12582912 max=1048576 1048576:12
static void write_stats(void) {
  if (!opt.stats) return;
  FILE* f = fopen(opt.stats, "w");
  if (!f) {
    fprintf(stderr, "fusetestd: %s: %s\n", opt.stats, strerror(errno));
    return;
  }
  fprintf(f,
          "# fusetestd\nINIT_IN minor=%u max_readahead=%u flags=0x%x flags2=0x%x "
          "dio_mmap_offered=%d\n",
          init_seen.minor, init_seen.max_readahead, init_seen.flags_lo, init_seen.flags_hi,
          (init_seen.flags_hi & (FUSE_DIRECT_IO_ALLOW_MMAP >> 32)) ? 1 : 0);
  fprintf(f, "INIT_OUT max_readahead=%u max_pages=%u max_write=%u flags=0x%" PRIx64 "\n",
          init_seen.reply_max_readahead, init_seen.reply_max_pages, init_seen.reply_max_write,
          init_seen.reply_flags);
  for (uint32_t op = 0; op < NOPS; op++) {
    struct opstat* s = &stats[op];
    if (!atomic_load(&s->count)) continue;
    char name[32];
    if (opname(op))
      snprintf(name, sizeof name, "%s", opname(op));
    else
      snprintf(name, sizeof name, "OPCODE_%u", op);
    fprintf(f, "%s count=%" PRIu64 " bytes=%" PRIu64 " max=%" PRIu64, name,
            atomic_load(&s->count), atomic_load(&s->bytes), atomic_load(&s->max));
    for (int b = 0; b < NBUCKETS; b++)
      if (atomic_load(&s->bucket[b]))
        fprintf(f, " %" PRIu64 ":%" PRIu64, (uint64_t)1 << b, atomic_load(&s->bucket[b]));
    fprintf(f, "\n");
  }
  fprintf(f, "WRITES_IN_FLIGHT max=%d\n", atomic_load(&writes_max_in_flight));
  fclose(f);
}

// ---- node table -------------------------------------------------------------------------------
// Node ids are pointers to struct node (the root is id 1). One node per backing (dev, ino), so
// hard links share a node and the kernel's attribute cache stays right. Hashed by inode number:
// the tests list directories of 10,000 entries.
struct node {
  struct node* next;
  struct node** pprev;
  int fd;  // O_PATH
  dev_t dev;
  ino_t ino;
  uint64_t nlookup;
};
#define HASH_SIZE 16384
static struct node* hash_heads[HASH_SIZE];
static struct node root_node;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static struct node* node_of(uint64_t id) {
  return id == FUSE_ROOT_ID ? &root_node : (struct node*)(uintptr_t)id;
}
static uint64_t id_of(struct node* n) {
  return n == &root_node ? FUSE_ROOT_ID : (uint64_t)(uintptr_t)n;
}

static void forget_node(uint64_t id, uint64_t n) {
  struct node* nd = node_of(id);
  if (nd == &root_node) return;
  pthread_mutex_lock(&table_lock);
  nd->nlookup -= n < nd->nlookup ? n : nd->nlookup;
  if (!nd->nlookup) {
    *nd->pprev = nd->next;
    if (nd->next) nd->next->pprev = nd->pprev;
    close(nd->fd);
    free(nd);
  }
  pthread_mutex_unlock(&table_lock);
}

static void fill_attr(struct fuse_attr* a, const struct stat* st) {
  memset(a, 0, sizeof *a);
  a->ino = st->st_ino;
  a->size = st->st_size;
  a->blocks = st->st_blocks;
  a->atime = st->st_atim.tv_sec;
  a->mtime = st->st_mtim.tv_sec;
  a->ctime = st->st_ctim.tv_sec;
  a->atimensec = st->st_atim.tv_nsec;
  a->mtimensec = st->st_mtim.tv_nsec;
  a->ctimensec = st->st_ctim.tv_nsec;
  a->mode = st->st_mode;
  a->nlink = st->st_nlink;
  a->uid = st->st_uid;
  a->gid = st->st_gid;
  a->rdev = st->st_rdev;
  a->blksize = st->st_blksize;
}

static void set_valid(uint64_t* sec, uint32_t* nsec) {
  *sec = (uint64_t)opt.timeout;
  *nsec = (uint32_t)((opt.timeout - (double)*sec) * 1e9);
}

// Looks NAME up under PARENT, taking one lookup reference on success.
static int do_lookup(struct node* parent, const char* name, struct fuse_entry_out* e) {
  memset(e, 0, sizeof *e);
  int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW);
  if (fd < 0) return -errno;
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  pthread_mutex_lock(&table_lock);
  struct node* n = NULL;
  if (st.st_dev == root_node.dev && st.st_ino == root_node.ino) n = &root_node;
  struct node** head = &hash_heads[st.st_ino % HASH_SIZE];
  if (!n)
    for (n = *head; n; n = n->next)
      if (n->dev == st.st_dev && n->ino == st.st_ino) break;
  if (!n) {
    n = calloc(1, sizeof *n);
    if (!n) {
      pthread_mutex_unlock(&table_lock);
      close(fd);
      return -ENOMEM;
    }
    n->fd = fd;
    n->dev = st.st_dev;
    n->ino = st.st_ino;
    n->next = *head;
    n->pprev = head;
    if (*head) (*head)->pprev = &n->next;
    *head = n;
  } else {
    close(fd);
  }
  n->nlookup++;
  pthread_mutex_unlock(&table_lock);
  e->nodeid = id_of(n);
  fill_attr(&e->attr, &st);
  set_valid(&e->entry_valid, &e->entry_valid_nsec);
  set_valid(&e->attr_valid, &e->attr_valid_nsec);
  return 0;
}

// ---- replies ----------------------------------------------------------------------------------
static void reply(uint64_t unique, int error, const void* data, size_t len) {
  struct fuse_out_header oh = {.len = (uint32_t)(sizeof oh + (error ? 0 : len)),
                               .error = error,
                               .unique = unique};
  struct iovec iov[2] = {{&oh, sizeof oh}, {(void*)data, error ? 0 : len}};
  if (writev(fuse_fd, iov, error || !len ? 1 : 2) < 0 && errno != ENOENT)
    fprintf(stderr, "fusetestd: reply to %" PRIu64 ": %s\n", unique, strerror(errno));
}

static void reply_err(uint64_t unique, int error) { reply(unique, error, NULL, 0); }

static void reply_attr(uint64_t unique, const struct stat* st) {
  struct fuse_attr_out out;
  memset(&out, 0, sizeof out);
  fill_attr(&out.attr, st);
  set_valid(&out.attr_valid, &out.attr_valid_nsec);
  reply(unique, 0, &out, sizeof out);
}

static int proc_path(char* buf, size_t len, int fd) {
  return snprintf(buf, len, "/proc/self/fd/%d", fd);
}

// ---- handlers ---------------------------------------------------------------------------------
struct dirh {
  DIR* dp;
  off_t offset;  // position of dp as the kernel knows it
  struct dirent* entry;  // read ahead, not yet returned
};

static void op_init(const struct fuse_in_header* ih, const void* arg) {
  const struct fuse_init_in* in = arg;
  init_seen.minor = in->minor;
  init_seen.max_readahead = in->max_readahead;
  init_seen.flags_lo = in->flags;
  uint64_t kflags = in->flags;
  if (in->flags & FUSE_INIT_EXT) {
    init_seen.flags_hi = in->flags2;
    kflags |= (uint64_t)in->flags2 << 32;
  }
  struct fuse_init_out out;
  memset(&out, 0, sizeof out);
  out.major = FUSE_KERNEL_VERSION;
  out.minor = in->minor < FUSE_KERNEL_MINOR_VERSION ? in->minor : FUSE_KERNEL_MINOR_VERSION;
  uint64_t want = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES | FUSE_ASYNC_DIO |
                  FUSE_PARALLEL_DIROPS | FUSE_ATOMIC_O_TRUNC | FUSE_INIT_EXT;
  if (opt.readdirplus) want |= FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO;
  if (opt.dio_mmap) want |= FUSE_DIRECT_IO_ALLOW_MMAP;
  uint64_t flags = want & kflags;
  out.flags = (uint32_t)flags;
  out.flags2 = (uint32_t)(flags >> 32);
  out.max_readahead = opt.max_readahead < 0 ? in->max_readahead : (uint32_t)opt.max_readahead;
  out.max_background = 16;
  out.congestion_threshold = 12;
  out.max_pages = (uint16_t)opt.max_pages;
  out.max_write = opt.max_pages * 4096;
  out.time_gran = 1;
  init_seen.reply_max_readahead = out.max_readahead;
  init_seen.reply_max_pages = out.max_pages;
  init_seen.reply_max_write = out.max_write;
  init_seen.reply_flags = flags;
  reply(ih->unique, 0, &out, sizeof out);
}

static void op_lookup(const struct fuse_in_header* ih, const char* name) {
  struct fuse_entry_out e;
  int err = do_lookup(node_of(ih->nodeid), name, &e);
  if (err == -ENOENT) {  // negative entry, cached for the entry timeout
    memset(&e, 0, sizeof e);
    set_valid(&e.entry_valid, &e.entry_valid_nsec);
    err = 0;
  }
  if (err)
    reply_err(ih->unique, err);
  else
    reply(ih->unique, 0, &e, sizeof e);
}

static void op_getattr(const struct fuse_in_header* ih, const struct fuse_getattr_in* in) {
  struct stat st;
  int r;
  if (in->getattr_flags & FUSE_GETATTR_FH)
    r = fstat((int)in->fh, &st);
  else
    r = fstatat(node_of(ih->nodeid)->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  if (r < 0)
    reply_err(ih->unique, -errno);
  else
    reply_attr(ih->unique, &st);
}

static void op_setattr(const struct fuse_in_header* ih, const struct fuse_setattr_in* in) {
  struct node* n = node_of(ih->nodeid);
  char path[64];
  proc_path(path, sizeof path, n->fd);
  int r = 0;
  if (in->valid & FATTR_MODE) r = chmod(path, in->mode);
  if (!r && (in->valid & (FATTR_UID | FATTR_GID)))
    r = fchownat(n->fd, "", (in->valid & FATTR_UID) ? in->uid : (uid_t)-1,
                 (in->valid & FATTR_GID) ? in->gid : (gid_t)-1, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  if (!r && (in->valid & FATTR_SIZE))
    r = (in->valid & FATTR_FH) ? ftruncate((int)in->fh, (off_t)in->size)
                               : truncate(path, (off_t)in->size);
  if (!r && (in->valid & (FATTR_ATIME | FATTR_MTIME))) {
    struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (in->valid & FATTR_ATIME_NOW)
      ts[0].tv_nsec = UTIME_NOW;
    else if (in->valid & FATTR_ATIME)
      ts[0] = (struct timespec){(time_t)in->atime, in->atimensec};
    if (in->valid & FATTR_MTIME_NOW)
      ts[1].tv_nsec = UTIME_NOW;
    else if (in->valid & FATTR_MTIME)
      ts[1] = (struct timespec){(time_t)in->mtime, in->mtimensec};
    r = utimensat(AT_FDCWD, path, ts, 0);
  }
  if (r < 0) {
    reply_err(ih->unique, -errno);
    return;
  }
  struct stat st;
  if (fstatat(n->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
    reply_err(ih->unique, -errno);
  else
    reply_attr(ih->unique, &st);
}

static void reply_open(uint64_t unique, int fd) {
  struct fuse_open_out out;
  memset(&out, 0, sizeof out);
  out.fh = (uint64_t)fd;
  if (opt.direct_io) out.open_flags |= FOPEN_DIRECT_IO;
  if (opt.parallel_dio) out.open_flags |= FOPEN_PARALLEL_DIRECT_WRITES;
  reply(unique, 0, &out, sizeof out);
}

// The backing filesystem (tmpfs in the guest) may not support O_DIRECT; the page cache of the
// FUSE mount is what O_DIRECT bypasses, so the backing open never needs it.
static int backing_flags(uint32_t flags) {
  return (int)(flags & ~(uint32_t)(O_DIRECT | O_NOFOLLOW | O_CREAT | O_EXCL | O_NOCTTY));
}

static void op_open(const struct fuse_in_header* ih, const struct fuse_open_in* in) {
  char path[64];
  proc_path(path, sizeof path, node_of(ih->nodeid)->fd);
  int fd = open(path, backing_flags(in->flags));
  if (fd < 0)
    reply_err(ih->unique, -errno);
  else
    reply_open(ih->unique, fd);
}

static void op_create(const struct fuse_in_header* ih, const struct fuse_create_in* in,
                      const char* name) {
  struct node* parent = node_of(ih->nodeid);
  int fd = openat(parent->fd, name, backing_flags(in->flags) | O_CREAT | (in->flags & O_EXCL),
                  in->mode & ~in->umask);
  if (fd < 0) {
    reply_err(ih->unique, -errno);
    return;
  }
  struct {
    struct fuse_entry_out e;
    struct fuse_open_out o;
  } out;
  memset(&out, 0, sizeof out);
  int err = do_lookup(parent, name, &out.e);
  if (err) {
    close(fd);
    reply_err(ih->unique, err);
    return;
  }
  out.o.fh = (uint64_t)fd;
  if (opt.direct_io) out.o.open_flags |= FOPEN_DIRECT_IO;
  if (opt.parallel_dio) out.o.open_flags |= FOPEN_PARALLEL_DIRECT_WRITES;
  reply(ih->unique, 0, &out, sizeof out);
}

static void op_read(const struct fuse_in_header* ih, const struct fuse_read_in* in, char* buf) {
  record(FUSE_READ, in->size);
  size_t size = in->size < bufsize ? in->size : bufsize;
  ssize_t n = pread((int)in->fh, buf, size, (off_t)in->offset);
  if (n < 0)
    reply_err(ih->unique, -errno);
  else
    reply(ih->unique, 0, buf, (size_t)n);
}

static void op_write(const struct fuse_in_header* ih, const struct fuse_write_in* in,
                     const char* data) {
  record(FUSE_WRITE, in->size);
  int now = atomic_fetch_add(&writes_in_flight, 1) + 1;
  int m = atomic_load(&writes_max_in_flight);
  while (now > m && !atomic_compare_exchange_weak(&writes_max_in_flight, &m, now)) {
  }
  if (opt.write_delay_ms) {
    struct timespec ts = {opt.write_delay_ms / 1000, (opt.write_delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  ssize_t n = pwrite((int)in->fh, data, in->size, (off_t)in->offset);
  atomic_fetch_sub(&writes_in_flight, 1);
  if (n < 0) {
    reply_err(ih->unique, -errno);
    return;
  }
  struct fuse_write_out out = {.size = (uint32_t)n};
  reply(ih->unique, 0, &out, sizeof out);
}

static void op_opendir(const struct fuse_in_header* ih) {
  int fd = openat(node_of(ih->nodeid)->fd, ".", O_RDONLY | O_DIRECTORY);
  struct dirh* d = fd < 0 ? NULL : calloc(1, sizeof *d);
  if (d) d->dp = fdopendir(fd);
  if (!d || !d->dp) {
    int err = errno ? -errno : -ENOMEM;
    if (fd >= 0) close(fd);
    free(d);
    reply_err(ih->unique, err);
    return;
  }
  struct fuse_open_out out;
  memset(&out, 0, sizeof out);
  out.fh = (uint64_t)(uintptr_t)d;
  reply(ih->unique, 0, &out, sizeof out);
}

static void op_readdir(const struct fuse_in_header* ih, const struct fuse_read_in* in, char* buf,
                       bool plus) {
  record(ih->opcode, in->size);
  struct dirh* d = (struct dirh*)(uintptr_t)in->fh;
  struct node* dir = node_of(ih->nodeid);
  size_t size = in->size < bufsize ? in->size : bufsize, used = 0;
  if ((off_t)in->offset != d->offset) {
    seekdir(d->dp, (off_t)in->offset);
    d->entry = NULL;
    d->offset = (off_t)in->offset;
  }
  for (;;) {
    if (!d->entry) {
      errno = 0;
      d->entry = readdir(d->dp);
      if (!d->entry) {
        if (errno && !used) {
          reply_err(ih->unique, -errno);
          return;
        }
        break;
      }
    }
    struct dirent* de = d->entry;
    size_t namelen = strlen(de->d_name);
    size_t reclen = plus ? FUSE_DIRENTPLUS_SIZE(&(struct fuse_direntplus){.dirent.namelen =
                                                                              (uint32_t)namelen})
                         : FUSE_DIRENT_SIZE(&(struct fuse_dirent){.namelen = (uint32_t)namelen});
    if (used + reclen > size) break;
    struct fuse_dirent* fd;
    if (plus) {
      struct fuse_direntplus* dp = (struct fuse_direntplus*)(buf + used);
      memset(dp, 0, reclen);
      bool dot = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
      if (!dot && do_lookup(dir, de->d_name, &dp->entry_out) < 0)
        memset(&dp->entry_out, 0, sizeof dp->entry_out);  // vanished: entry without attributes
      fd = &dp->dirent;
    } else {
      fd = (struct fuse_dirent*)(buf + used);
      memset(fd, 0, reclen);
    }
    fd->ino = de->d_ino;
    fd->off = (uint64_t)de->d_off;
    fd->namelen = (uint32_t)namelen;
    fd->type = de->d_type;
    memcpy(fd->name, de->d_name, namelen);
    used += reclen;
    d->offset = de->d_off;
    d->entry = NULL;
  }
  reply(ih->unique, 0, buf, used);
}

static void op_releasedir(const struct fuse_in_header* ih, const struct fuse_release_in* in) {
  struct dirh* d = (struct dirh*)(uintptr_t)in->fh;
  closedir(d->dp);
  free(d);
  reply_err(ih->unique, 0);
}

static void reply_entry_after(uint64_t unique, struct node* parent, const char* name, int r) {
  if (r < 0) {
    reply_err(unique, -errno);
    return;
  }
  struct fuse_entry_out e;
  int err = do_lookup(parent, name, &e);
  if (err)
    reply_err(unique, err);
  else
    reply(unique, 0, &e, sizeof e);
}

static void dispatch(const struct fuse_in_header* ih, char* arg, char* out) {
  struct node* n = ih->opcode == FUSE_INIT ? NULL : node_of(ih->nodeid);
  switch (ih->opcode) {
    case FUSE_INIT: op_init(ih, arg); break;
    case FUSE_DESTROY: reply_err(ih->unique, 0); break;
    case FUSE_LOOKUP: op_lookup(ih, arg); break;
    case FUSE_FORGET: forget_node(ih->nodeid, ((struct fuse_forget_in*)arg)->nlookup); break;
    case FUSE_BATCH_FORGET: {
      struct fuse_batch_forget_in* b = (void*)arg;
      struct fuse_forget_one* one = (void*)(b + 1);
      for (uint32_t i = 0; i < b->count; i++) forget_node(one[i].nodeid, one[i].nlookup);
      break;
    }
    case FUSE_GETATTR: op_getattr(ih, (void*)arg); break;
    case FUSE_SETATTR: op_setattr(ih, (void*)arg); break;
    case FUSE_OPEN: op_open(ih, (void*)arg); break;
    case FUSE_CREATE: {
      struct fuse_create_in* in = (void*)arg;
      op_create(ih, in, arg + sizeof *in);
      break;
    }
    case FUSE_READ: op_read(ih, (void*)arg, out); break;
    case FUSE_WRITE: {
      struct fuse_write_in* in = (void*)arg;
      op_write(ih, in, arg + sizeof *in);
      break;
    }
    case FUSE_FLUSH: reply_err(ih->unique, 0); break;
    case FUSE_RELEASE: close((int)((struct fuse_release_in*)arg)->fh); reply_err(ih->unique, 0); break;
    case FUSE_FSYNC: {
      struct fuse_fsync_in* in = (void*)arg;
      int r = (in->fsync_flags & 1) ? fdatasync((int)in->fh) : fsync((int)in->fh);
      reply_err(ih->unique, r < 0 ? -errno : 0);
      break;
    }
    case FUSE_OPENDIR: op_opendir(ih); break;
    case FUSE_READDIR: op_readdir(ih, (void*)arg, out, false); break;
    case FUSE_READDIRPLUS: op_readdir(ih, (void*)arg, out, true); break;
    case FUSE_RELEASEDIR: op_releasedir(ih, (void*)arg); break;
    case FUSE_FSYNCDIR: reply_err(ih->unique, 0); break;
    case FUSE_MKDIR: {
      struct fuse_mkdir_in* in = (void*)arg;
      const char* name = arg + sizeof *in;
      reply_entry_after(ih->unique, n, name, mkdirat(n->fd, name, in->mode & ~in->umask));
      break;
    }
    case FUSE_MKNOD: {
      struct fuse_mknod_in* in = (void*)arg;
      const char* name = arg + sizeof *in;
      reply_entry_after(ih->unique, n, name,
                        mknodat(n->fd, name, in->mode & ~in->umask, in->rdev));
      break;
    }
    case FUSE_SYMLINK: {
      const char* name = arg;
      const char* target = name + strlen(name) + 1;
      reply_entry_after(ih->unique, n, name, symlinkat(target, n->fd, name));
      break;
    }
    case FUSE_LINK: {
      struct fuse_link_in* in = (void*)arg;
      const char* name = arg + sizeof *in;
      reply_entry_after(ih->unique, n, name,
                        linkat(node_of(in->oldnodeid)->fd, "", n->fd, name, AT_EMPTY_PATH));
      break;
    }
    case FUSE_READLINK: {
      ssize_t len = readlinkat(n->fd, "", out, 4096);
      if (len < 0)
        reply_err(ih->unique, -errno);
      else
        reply(ih->unique, 0, out, (size_t)len);
      break;
    }
    case FUSE_UNLINK: reply_err(ih->unique, unlinkat(n->fd, arg, 0) < 0 ? -errno : 0); break;
    case FUSE_RMDIR:
      reply_err(ih->unique, unlinkat(n->fd, arg, AT_REMOVEDIR) < 0 ? -errno : 0);
      break;
    case FUSE_RENAME: {
      struct fuse_rename_in* in = (void*)arg;
      const char* oldname = arg + sizeof *in;
      const char* newname = oldname + strlen(oldname) + 1;
      int r = renameat(n->fd, oldname, node_of(in->newdir)->fd, newname);
      reply_err(ih->unique, r < 0 ? -errno : 0);
      break;
    }
    case FUSE_RENAME2: {
      struct fuse_rename2_in* in = (void*)arg;
      const char* oldname = arg + sizeof *in;
      const char* newname = oldname + strlen(oldname) + 1;
      int r = renameat2(n->fd, oldname, node_of(in->newdir)->fd, newname, in->flags);
      reply_err(ih->unique, r < 0 ? -errno : 0);
      break;
    }
    case FUSE_STATFS: {
      struct statvfs sv;
      if (fstatvfs(n->fd, &sv) < 0) {
        reply_err(ih->unique, -errno);
        break;
      }
      struct fuse_statfs_out o;
      memset(&o, 0, sizeof o);
      o.st.blocks = sv.f_blocks;
      o.st.bfree = sv.f_bfree;
      o.st.bavail = sv.f_bavail;
      o.st.files = sv.f_files;
      o.st.ffree = sv.f_ffree;
      o.st.bsize = (uint32_t)sv.f_bsize;
      o.st.frsize = (uint32_t)sv.f_frsize;
      o.st.namelen = (uint32_t)sv.f_namemax;
      reply(ih->unique, 0, &o, sizeof o);
      break;
    }
    case FUSE_INTERRUPT: break;  // every request finishes quickly; no reply to INTERRUPT
    default: reply_err(ih->unique, -ENOSYS); break;
  }
}

static void* worker(void* unused) {
  (void)unused;
  char* in = aligned_alloc(4096, bufsize + 4096);
  char* out = aligned_alloc(4096, bufsize);
  if (!in || !out) die("out of memory");
  for (;;) {
    ssize_t n = read(fuse_fd, in, bufsize);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOENT) continue;
      if (errno == ENODEV) break;  // unmounted
      die("read /dev/fuse: %s", strerror(errno));
    }
    if ((size_t)n < sizeof(struct fuse_in_header)) die("short request (%zd bytes)", n);
    struct fuse_in_header* ih = (void*)in;
    if (ih->opcode != FUSE_READ && ih->opcode != FUSE_WRITE && ih->opcode != FUSE_READDIR &&
        ih->opcode != FUSE_READDIRPLUS)
      record(ih->opcode, ih->len);
    in[n] = 0;  // names are NUL-terminated by the kernel; this guards a truncated request
    dispatch(ih, in + sizeof *ih, out);
  }
  free(in);
  free(out);
  return NULL;
}

int main(int argc, char** argv) {
  static const struct option longopts[] = {
      {"max-pages", required_argument, 0, 'p'},   {"max-readahead", required_argument, 0, 'r'},
      {"direct-io", no_argument, 0, 'd'},         {"parallel-dio", no_argument, 0, 'P'},
      {"dio-mmap", no_argument, 0, 'm'},          {"no-readdirplus", no_argument, 0, 'n'},
      {"threads", required_argument, 0, 't'},     {"write-delay-ms", required_argument, 0, 'w'},
      {"timeout", required_argument, 0, 'T'},     {"stats", required_argument, 0, 's'},
      {"help", no_argument, 0, 'h'},              {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'p': opt.max_pages = (unsigned)strtoul(optarg, NULL, 0); break;
      case 'r': opt.max_readahead = strtol(optarg, NULL, 0); break;
      case 'd': opt.direct_io = true; break;
      case 'P': opt.parallel_dio = true; break;
      case 'm': opt.dio_mmap = true; break;
      case 'n': opt.readdirplus = false; break;
      case 't': opt.threads = atoi(optarg); break;
      case 'w': opt.write_delay_ms = atoi(optarg); break;
      case 'T': opt.timeout = atof(optarg); break;
      case 's': opt.stats = optarg; break;
      default:
        fprintf(stderr,
                "usage: fusetestd [--max-pages N] [--max-readahead BYTES] [--direct-io] "
                "[--parallel-dio] [--dio-mmap] [--no-readdirplus] [--threads N] "
                "[--write-delay-ms N] [--timeout SEC] [--stats FILE] SOURCE MOUNTPOINT\n");
        return c == 'h' ? 0 : 2;
    }
  }
  if (argc - optind != 2) die("need SOURCE and MOUNTPOINT (see --help)");
  if (opt.max_pages < 1 || opt.max_pages > 65535) die("--max-pages must be 1..65535");
  if (opt.threads < 1 || opt.threads > 64) die("--threads must be 1..64");
  const char* source = argv[optind];
  const char* mnt = argv[optind + 1];

  // One O_PATH descriptor per node the kernel knows: directories of 10,000 entries need far
  // more than the default 1024.
  struct rlimit rl = {1 << 20, 1 << 20};
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  root_node.fd = open(source, O_PATH | O_DIRECTORY);
  if (root_node.fd < 0) die("%s: %s", source, strerror(errno));
  struct stat rst;
  if (fstat(root_node.fd, &rst) < 0) die("%s: %s", source, strerror(errno));
  root_node.dev = rst.st_dev;
  root_node.ino = rst.st_ino;
  root_node.nlookup = 1;

  // The kernel wants a read buffer of at least max_write plus the request headers.
  bufsize = (size_t)opt.max_pages * 4096 + 8192;
  fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fuse_fd < 0) die("/dev/fuse: %s", strerror(errno));
  char mopts[256];
  snprintf(mopts, sizeof mopts, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other",
           fuse_fd);
  if (mount("fusetestd", mnt, "fuse.fusetestd", MS_NOSUID | MS_NODEV, mopts) < 0)
    die("mount %s: %s", mnt, strerror(errno));

  pthread_t tids[64];
  for (int i = 0; i < opt.threads; i++)
    if (pthread_create(&tids[i], NULL, worker, NULL)) die("pthread_create failed");
  for (int i = 0; i < opt.threads; i++) pthread_join(tids[i], NULL);
  write_stats();
  return 0;
}
