#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""fault_workload.py: file workloads for the network fault tests, run on a mounted volume.

  writer DIR STOPFILE          until STOPFILE exists: create DIR/wN, write 8 KiB, fsync, close,
                               stat; one line per attempt on stdout:
                                 N ok START END SHA256        (wall-clock seconds)
                                 N err START END ERRNAME STEP
  verify LOG DIR               every "ok" file of a writer LOG is in DIR with its checksum
  fill DIR COUNT               COUNT files DIR/pN of 4..64 KiB, each fsync'ed; prints
                               "pN SHA256" lines (a manifest)
  check DIR MANIFEST           every manifest file has its checksum
  holder FILE                  opens FILE (created), takes an fcntl write lock on bytes 0..99
                               and answers commands on stdin, one line each on stdout:
                                 write TEXT   append TEXT + newline via the held fd, fsync
                                 read         the file's contents through the held fd (repr)
                                 unlock / quit
                               replies "ok ..." or "err ERRNAME"
  trylock FILE                 a non-blocking fcntl write lock on bytes 0..99 through a new
                               open file: prints "locked" or "busy" (EAGAIN/EACCES) or
                               "err ERRNAME"; exit 0 unless err
  probe PATH                   stat PATH: prints "ok" or "err ERRNAME" (exit 1)
"""
import errno
import fcntl
import hashlib
import os
import struct
import sys
import time


def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def pattern(seed, size):
    out = bytearray()
    x = (seed * 2654435761 + 12345) & 0xFFFFFFFFFFFFFFFF
    while len(out) < size:
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        out += struct.pack("<Q", x)
    return bytes(out[:size])


def sha(data):
    return hashlib.sha256(data).hexdigest()


def writer(d, stop):
    os.makedirs(d, exist_ok=True)
    i = 0
    while not os.path.exists(stop):
        path = os.path.join(d, "w%d" % i)
        data = pattern(i, 8192)
        start = time.time()
        step = "open"
        fd = -1
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            step = "write"
            if os.write(fd, data) != len(data):
                raise OSError(errno.EIO, "short write")
            step = "fsync"
            os.fsync(fd)
            step = "close"
            os.close(fd)
            fd = -1
            step = "stat"
            if os.stat(path).st_size != len(data):
                raise OSError(errno.EIO, "size differs")
            print("%d ok %.6f %.6f %s" % (i, start, time.time(), sha(data)), flush=True)
        except OSError as e:
            print("%d err %.6f %.6f %s %s" % (i, start, time.time(), ename(e), step), flush=True)
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        i += 1
        time.sleep(0.02)


def verify(log, d):
    bad = 0
    n = 0
    for line in open(log):
        f = line.split()
        if len(f) < 5 or f[1] != "ok":
            continue
        n += 1
        try:
            with open(os.path.join(d, "w" + f[0]), "rb") as fh:
                got = sha(fh.read())
        except OSError as e:
            got = "missing (%s)" % ename(e)
        if got != f[4]:
            bad += 1
            if bad <= 5:
                print("w%s: %s" % (f[0], got))
    print("verified %d files, %d bad" % (n, bad))
    return 1 if bad or n == 0 else 0


def fill(d, count):
    os.makedirs(d, exist_ok=True)
    for i in range(count):
        data = pattern(100000 + i, 4096 + (i * 7919) % (60 * 1024))
        path = os.path.join(d, "p%d" % i)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        print("p%d %s" % (i, sha(data)), flush=True)
    return 0


def check(d, manifest):
    bad = n = 0
    for line in open(manifest):
        name, want = line.split()
        n += 1
        try:
            with open(os.path.join(d, name), "rb") as fh:
                got = sha(fh.read())
        except OSError as e:
            got = "missing (%s)" % ename(e)
        if got != want:
            bad += 1
            print("%s: %s" % (name, got))
    print("checked %d files, %d bad" % (n, bad))
    return 1 if bad or n == 0 else 0


def lock_range(fd, kind):
    fcntl.lockf(fd, kind | (fcntl.LOCK_NB if kind != fcntl.LOCK_UN else 0), 100, 0, os.SEEK_SET)


def holder(path):
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    lock_range(fd, fcntl.LOCK_EX)
    print("ok locked", flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.rstrip("\n").partition(" ")
        try:
            if cmd == "write":
                end = os.fstat(fd).st_size
                os.pwrite(fd, (arg + "\n").encode(), end)
                os.fsync(fd)
                print("ok", flush=True)
            elif cmd == "read":
                size = os.fstat(fd).st_size
                print("ok %r" % os.pread(fd, size, 0).decode(), flush=True)
            elif cmd == "unlock":
                lock_range(fd, fcntl.LOCK_UN)
                print("ok", flush=True)
            elif cmd == "quit":
                os.close(fd)
                print("ok", flush=True)
                return 0
            else:
                print("err EINVAL", flush=True)
        except OSError as e:
            print("err %s" % ename(e), flush=True)
    return 0


def trylock(path):
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as e:
        print("err %s" % ename(e))
        return 1
    try:
        lock_range(fd, fcntl.LOCK_EX)
        print("locked")
        return 0
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES):
            print("busy")
            return 0
        print("err %s" % ename(e))
        return 1
    finally:
        os.close(fd)


def probe(path):
    try:
        os.stat(path)
        print("ok")
        return 0
    except OSError as e:
        print("err %s" % ename(e))
        return 1


def main(argv):
    cmds = {
        "writer": (writer, 2), "verify": (verify, 2), "fill": (fill, 2), "check": (check, 2),
        "holder": (holder, 1), "trylock": (trylock, 1), "probe": (probe, 1),
    }
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    fn = cmds[argv[1]][0]
    args = [int(a) if a.isdigit() else a for a in argv[2:]]
    return fn(*args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
