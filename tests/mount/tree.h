// SPDX-License-Identifier: GPL-3.0-or-later
// A sample tree for copy round trips and a comparer that reports the first difference.
//
// The sample tree holds regular files of several sizes and modes (setuid, setgid dir, sticky
// dir), sparse files (leading, middle, trailing and whole-file holes), a hard-link group spanning
// two directories, relative, absolute, dangling and directory symlinks, fifos, user.* and
// trusted.* xattrs (binary, empty and 3000-byte values; trusted.* on a symlink), several
// owners, awkward names and nanosecond mtimes on every entry.
#pragma once

#include <string>
#include <vector>

namespace mt {

// Builds the sample tree at `root` (which must not exist). Returns "" or the failure.
std::string buildSampleTree(const std::string& root);

struct TreeCompareOptions {
  bool owner = true;       // uid and gid
  bool mtime = true;       // st_mtim, nanoseconds, every type
  bool nlink = true;       // link counts of non-directories
  bool dir_nlink = false;  // directories' link counts (1 is legal on some filesystems)
  bool sparse = false;     // a file with holes in A must have holes in B (by st_blocks)
  // Only xattrs whose names start with one of these are compared.
  std::vector<std::string> xattr_prefixes = {"user.", "trusted."};
};

// Compares two trees entry by entry (type, mode, owner, size, content, symlink target, hard-link
// grouping and link count, xattrs, mtime; `a` is the reference). Returns "" when they match,
// otherwise one line naming the first differing path and what differs.
std::string compareTrees(const std::string& a, const std::string& b,
                         const TreeCompareOptions& options = {});

}  // namespace mt
