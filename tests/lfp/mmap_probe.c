// SPDX-License-Identifier: GPL-3.0-or-later
// mmap_probe FILE: writes through a shared mapping of a new FILE, msyncs, and checks that
// read() sees the bytes; a static helper for the old-kernel smoke test in QEMU.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, 8192) != 0) return perror("open/ftruncate"), 1;
  char* p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return perror("mmap"), 1;
  memcpy(p + 4096, "mapped-bytes", 12);
  if (msync(p, 8192, MS_SYNC) != 0) return perror("msync"), 1;
  munmap(p, 8192);
  close(fd);
  char buf[12] = {0};
  fd = open(argv[1], O_RDONLY);
  if (fd < 0 || pread(fd, buf, 12, 4096) != 12) return perror("pread"), 1;
  close(fd);
  if (memcmp(buf, "mapped-bytes", 12) != 0) return fprintf(stderr, "mismatch\n"), 1;
  return 0;
}
