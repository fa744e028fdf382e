// SPDX-License-Identifier: GPL-3.0-or-later
// stockfs: a passthrough filesystem on Debian's stock libfuse3 (3.14, high-level API), linked
// statically for the QEMU guest. It shows that an unmodified libfuse3 daemon mounts and works on
// the patched module, and, through --stats, which READ/WRITE sizes reach it (libfuse3 echoes the
// kernel's max_readahead offer, so on the patched module its buffered reads grow to 1 MiB with no
// code change).
//
// usage: stockfs [--stats FILE] SOURCE MOUNTPOINT [libfuse3 options...]   (runs in the foreground)
#define FUSE_USE_VERSION 35
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int src = -1;  // the source directory; paths from libfuse are resolved beneath it

// "/a/b" from libfuse -> "a/b" relative to src ("." for the root).
static const char* rel(const char* path) { return path[1] ? path + 1 : "."; }

#define NBUCKETS 32
struct hist {
  _Atomic uint64_t count, bytes, max, bucket[NBUCKETS];
};
static struct hist reads, writes;

static void record(struct hist* h, size_t size) {
  int b = 0;
  while (b < NBUCKETS - 1 && ((uint64_t)1 << b) < size) b++;
  atomic_fetch_add(&h->count, 1);
  atomic_fetch_add(&h->bytes, size);
  atomic_fetch_add(&h->bucket[b], 1);
  uint64_t m = atomic_load(&h->max);
  while (size > m && !atomic_compare_exchange_weak(&h->max, &m, size)) {
  }
}

static void print_hist(FILE* f, const char* name, struct hist* h) {
  if (!atomic_load(&h->count)) return;
  fprintf(f, "%s count=%" PRIu64 " bytes=%" PRIu64 " max=%" PRIu64, name, atomic_load(&h->count),
          atomic_load(&h->bytes), atomic_load(&h->max));
  for (int b = 0; b < NBUCKETS; b++)
    if (atomic_load(&h->bucket[b]))
      fprintf(f, " %" PRIu64 ":%" PRIu64, (uint64_t)1 << b, atomic_load(&h->bucket[b]));
  fprintf(f, "\n");
}

static void* sf_init(struct fuse_conn_info* conn, struct fuse_config* cfg) {
  cfg->use_ino = 1;
  cfg->nullpath_ok = 1;
  fprintf(stderr, "stockfs: libfuse %s, max_write=%u max_readahead=%u max_read=%u\n",
          fuse_pkgversion(), conn->max_write, conn->max_readahead, conn->max_read);
  return NULL;
}

static int sf_getattr(const char* path, struct stat* st, struct fuse_file_info* fi) {
  int r = fi ? fstat((int)fi->fh, st) : fstatat(src, rel(path), st, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}

static int sf_readlink(const char* path, char* buf, size_t size) {
  ssize_t n = readlinkat(src, rel(path), buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = 0;
  return 0;
}

static int sf_mkdir(const char* path, mode_t mode) {
  return mkdirat(src, rel(path), mode) < 0 ? -errno : 0;
}
static int sf_unlink(const char* path) { return unlinkat(src, rel(path), 0) < 0 ? -errno : 0; }
static int sf_rmdir(const char* path) {
  return unlinkat(src, rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}
static int sf_symlink(const char* target, const char* path) {
  return symlinkat(target, src, rel(path)) < 0 ? -errno : 0;
}
static int sf_rename(const char* from, const char* to, unsigned int flags) {
  return renameat2(src, rel(from), src, rel(to), flags) < 0 ? -errno : 0;
}
static int sf_link(const char* from, const char* to) {
  return linkat(src, rel(from), src, rel(to), 0) < 0 ? -errno : 0;
}
static int sf_chmod(const char* path, mode_t mode, struct fuse_file_info* fi) {
  int r = fi ? fchmod((int)fi->fh, mode) : fchmodat(src, rel(path), mode, 0);
  return r < 0 ? -errno : 0;
}
static int sf_chown(const char* path, uid_t uid, gid_t gid, struct fuse_file_info* fi) {
  int r = fi ? fchown((int)fi->fh, uid, gid)
             : fchownat(src, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}
static int sf_truncate(const char* path, off_t size, struct fuse_file_info* fi) {
  if (fi) return ftruncate((int)fi->fh, size) < 0 ? -errno : 0;
  int fd = openat(src, rel(path), O_WRONLY);
  if (fd < 0) return -errno;
  int r = ftruncate(fd, size) < 0 ? -errno : 0;
  close(fd);
  return r;
}
static int sf_utimens(const char* path, const struct timespec tv[2], struct fuse_file_info* fi) {
  int r = fi ? futimens((int)fi->fh, tv) : utimensat(src, rel(path), tv, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}

// tmpfs in 6.1 has no O_DIRECT; the FUSE page cache is what O_DIRECT bypasses anyway.
static int sf_open(const char* path, struct fuse_file_info* fi) {
  int fd = openat(src, rel(path), fi->flags & ~(O_DIRECT | O_CREAT | O_EXCL));
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  return 0;
}
static int sf_create(const char* path, mode_t mode, struct fuse_file_info* fi) {
  int fd = openat(src, rel(path), (fi->flags & ~O_DIRECT) | O_CREAT, mode);
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  return 0;
}
static int sf_read(const char* path, char* buf, size_t size, off_t off, struct fuse_file_info* fi) {
  record(&reads, size);
  ssize_t n = pread((int)fi->fh, buf, size, off);
  return n < 0 ? -errno : (int)n;
}
static int sf_write(const char* path, const char* buf, size_t size, off_t off,
                    struct fuse_file_info* fi) {
  record(&writes, size);
  ssize_t n = pwrite((int)fi->fh, buf, size, off);
  return n < 0 ? -errno : (int)n;
}
static int sf_statfs(const char* path, struct statvfs* sv) {
  return fstatvfs(src, sv) < 0 ? -errno : 0;
}
static int sf_release(const char* path, struct fuse_file_info* fi) {
  close((int)fi->fh);
  return 0;
}
static int sf_fsync(const char* path, int datasync, struct fuse_file_info* fi) {
  int r = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);
  return r < 0 ? -errno : 0;
}

static int sf_opendir(const char* path, struct fuse_file_info* fi) {
  int fd = openat(src, rel(path), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -errno;
  DIR* d = fdopendir(fd);
  if (!d) {
    int e = -errno;
    close(fd);
    return e;
  }
  fi->fh = (uint64_t)(uintptr_t)d;
  return 0;
}
static int sf_readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info* fi, enum fuse_readdir_flags flags) {
  DIR* d = (DIR*)(uintptr_t)fi->fh;
  if (off != telldir(d)) seekdir(d, off);
  for (;;) {
    errno = 0;
    long pos = telldir(d);
    struct dirent* de = readdir(d);
    if (!de) return errno ? -errno : 0;
    struct stat st = {.st_ino = de->d_ino, .st_mode = (mode_t)de->d_type << 12};
    if (fill(buf, de->d_name, &st, de->d_off, 0)) {
      seekdir(d, pos);  // did not fit: hand it out next time
      return 0;
    }
  }
}
static int sf_releasedir(const char* path, struct fuse_file_info* fi) {
  closedir((DIR*)(uintptr_t)fi->fh);
  return 0;
}

static const struct fuse_operations ops = {
    .init = sf_init,         .getattr = sf_getattr,   .readlink = sf_readlink,
    .mkdir = sf_mkdir,       .unlink = sf_unlink,     .rmdir = sf_rmdir,
    .symlink = sf_symlink,   .rename = sf_rename,     .link = sf_link,
    .chmod = sf_chmod,       .chown = sf_chown,       .truncate = sf_truncate,
    .utimens = sf_utimens,   .open = sf_open,         .create = sf_create,
    .read = sf_read,         .write = sf_write,       .statfs = sf_statfs,
    .release = sf_release,   .fsync = sf_fsync,       .opendir = sf_opendir,
    .readdir = sf_readdir,   .releasedir = sf_releasedir,
};

int main(int argc, char** argv) {
  const char* stats = NULL;
  int i = 1;
  if (i + 1 < argc && !strcmp(argv[i], "--stats")) {
    stats = argv[i + 1];
    i += 2;
  }
  if (argc - i < 2) {
    fprintf(stderr, "usage: stockfs [--stats FILE] SOURCE MOUNTPOINT [libfuse3 options...]\n");
    return 2;
  }
  src = open(argv[i], O_PATH | O_DIRECTORY);
  if (src < 0) {
    perror(argv[i]);
    return 1;
  }
  // argv for libfuse: prog MOUNTPOINT -f -o allow_other,fsname=stockfs [extra...]
  char** fargv = calloc((size_t)argc + 6, sizeof *fargv);
  int fargc = 0;
  fargv[fargc++] = argv[0];
  fargv[fargc++] = argv[i + 1];
  fargv[fargc++] = "-f";
  fargv[fargc++] = "-o";
  fargv[fargc++] = "allow_other,fsname=stockfs,subtype=stockfs";
  for (int j = i + 2; j < argc; j++) fargv[fargc++] = argv[j];
  int rc = fuse_main(fargc, fargv, &ops, NULL);
  if (stats) {
    FILE* f = fopen(stats, "w");
    if (f) {
      fprintf(f, "# stockfs libfuse %s\n", fuse_pkgversion());
      print_hist(f, "READ", &reads);
      print_hist(f, "WRITE", &writes);
      fclose(f);
    }
  }
  return rc;
}
