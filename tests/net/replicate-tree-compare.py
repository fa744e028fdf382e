#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-tree-compare.py: proves that the bricks of a replicated volume hold identical trees
# by walking their directories: names, types, mode, owner, size, contents (SHA-256), symlink
# targets, link counts of files, and every xattr except replicate's changelogs (trusted.afr.*),
# so trusted.gfid must match too.
#
#   replicate-tree-compare.py [--clean] [--max N] BRICK_A BRICK_B [BRICK_C...]
#
# --clean also requires every trusted.afr.* counter on every brick to be zero (nothing pending).
# Exit status: 0 identical, 1 different (the differences are printed, up to --max), 2 usage.
import argparse
import hashlib
import os
import stat
import sys

AFR_PREFIX = "trusted.afr."


def xattrs(path):
    out = {}
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for n in names:
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            pass
    return out


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe(root, rel):
    """Everything compared about one entry, as a dict; None if it does not exist."""
    p = os.path.join(root, rel) if rel else root
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return None
    x = xattrs(p)
    d = {
        "type": stat.S_IFMT(st.st_mode),
        "mode": oct(stat.S_IMODE(st.st_mode)),
        "owner": (st.st_uid, st.st_gid),
        "xattrs": {k: v.hex() for k, v in x.items() if not k.startswith(AFR_PREFIX)},
    }
    if stat.S_ISREG(st.st_mode):
        d["size"] = st.st_size
        d["nlink"] = st.st_nlink
        d["sha256"] = digest(p)
    elif stat.S_ISLNK(st.st_mode):
        d["target"] = os.readlink(p)
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        d["rdev"] = st.st_rdev
    d["_pending"] = [k for k, v in x.items() if k.startswith(AFR_PREFIX) and any(v)]
    return d


def walk(root):
    """Relative paths of every entry below root (root itself is '')."""
    out = [""]
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel
        for n in dirnames + filenames:
            out.append(os.path.join(rel, n) if rel else n)
    return out


def main():
    ap = argparse.ArgumentParser(description="compare replicated brick directories")
    ap.add_argument("--clean", action="store_true", help="no trusted.afr.* counter may be non-zero")
    ap.add_argument("--max", type=int, default=20, help="differences to print")
    ap.add_argument("bricks", nargs="+")
    a = ap.parse_args()
    if len(a.bricks) < 2:
        ap.error("give at least two bricks")
    for b in a.bricks:
        if not os.path.isdir(b):
            ap.error(f"{b} is not a directory")
    diffs = []
    paths = sorted(set().union(*(walk(b) for b in a.bricks)))
    for rel in paths:
        views = [describe(b, rel) for b in a.bricks]
        shown = rel or "/"
        ref = views[0]
        for b, v in zip(a.bricks[1:], views[1:]):
            if ref is None or v is None:
                where = a.bricks[0] if ref is None else b
                diffs.append(f"{shown}: missing in {where}")
                continue
            for key in ref:
                if key.startswith("_"):
                    continue
                if ref[key] != v.get(key):
                    diffs.append(f"{shown}: {key} differs: {a.bricks[0]}={ref[key]} {b}={v.get(key)}")
        if a.clean:
            for b, v in zip(a.bricks, views):
                if v is not None and v["_pending"]:
                    diffs.append(f"{shown}: pending changelog on {b}: {', '.join(v['_pending'])}")
    for d in diffs[: a.max]:
        print(d)
    if len(diffs) > a.max:
        print(f"... and {len(diffs) - a.max} more")
    print(f"compared {len(paths)} entries on {len(a.bricks)} bricks: "
          f"{'identical' if not diffs else str(len(diffs)) + ' differences'}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
