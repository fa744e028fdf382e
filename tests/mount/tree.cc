// SPDX-License-Identifier: GPL-3.0-or-later
// The sample tree builder and the tree comparer used by the copy round-trip tests.
#include "tests/mount/tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

// ---- building -------------------------------------------------------------------------------

struct Builder {
  std::string root;
  std::string err;

  std::string p(const std::string& rel) const { return root + "/" + rel; }
  bool ok() const { return err.empty(); }
  void fail(const std::string& what) {
    if (err.empty()) err = sysFail(what);
  }

  void dir(const std::string& rel, mode_t mode, uid_t uid = 0, gid_t gid = 0) {
    if (!ok()) return;
    if (mkdir(p(rel).c_str(), 0700) != 0) return fail("mkdir " + rel);
    own(rel, uid, gid);
    if (chmod(p(rel).c_str(), mode) != 0) fail("chmod " + rel);
  }
  void file(const std::string& rel, std::string_view data, mode_t mode, uid_t uid = 0,
            gid_t gid = 0) {
    if (!ok()) return;
    std::string e = writeFile(p(rel), data, 0600);
    if (!e.empty()) {
      err = e;
      return;
    }
    own(rel, uid, gid);
    // chmod after chown: chown clears set-id bits.
    if (chmod(p(rel).c_str(), mode) != 0) fail("chmod " + rel);
  }
  // A sparse file: data extents at the given offsets, then the size set by ftruncate.
  void sparse(const std::string& rel, std::vector<std::pair<off_t, size_t>> extents, off_t size) {
    if (!ok()) return;
    Fd fd(open(p(rel).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.ok()) return fail("open " + rel);
    uint64_t seed = 77;
    for (auto [off, len] : extents) {
      std::string e = pwriteAll(fd.get(), patternBytes(len, seed++), off);
      if (!e.empty()) err = rel + ": " + e;
    }
    if (ftruncate(fd.get(), size) != 0) fail("ftruncate " + rel);
  }
  void symlink(const std::string& target, const std::string& rel, uid_t uid = 0, gid_t gid = 0) {
    if (!ok()) return;
    if (::symlink(target.c_str(), p(rel).c_str()) != 0) return fail("symlink " + rel);
    own(rel, uid, gid);
  }
  void hardlink(const std::string& from, const std::string& rel) {
    if (ok() && link(p(from).c_str(), p(rel).c_str()) != 0) fail("link " + rel);
  }
  void fifo(const std::string& rel, mode_t mode, uid_t uid = 0, gid_t gid = 0) {
    if (!ok()) return;
    if (mkfifo(p(rel).c_str(), 0600) != 0) return fail("mkfifo " + rel);
    own(rel, uid, gid);
    if (chmod(p(rel).c_str(), mode) != 0) fail("chmod " + rel);
  }
  void xattr(const std::string& rel, const std::string& name, std::string_view value) {
    if (ok() && lsetxattr(p(rel).c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
      fail("lsetxattr " + name + " on " + rel);
    }
  }
  void own(const std::string& rel, uid_t uid, gid_t gid) {
    if (ok() && (uid != 0 || gid != 0) && lchown(p(rel).c_str(), uid, gid) != 0) {
      fail("lchown " + rel);
    }
  }
};

// Distinct nanosecond mtimes on every entry, children before their directory.
std::string stampTimes(const std::string& root) {
  static thread_local long counter;
  static thread_local std::string error;
  counter = 0;
  error.clear();
  auto fn = [](const char* path, const struct stat*, int, FTW*) -> int {
    ++counter;
    timespec ts[2];
    ts[0] = {1500000000 + counter * 3600, 111111111};
    ts[1] = {1200000000 + counter * 86400 + 7, (counter * 123456789) % 1000000000};
    if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0 && error.empty()) {
      error = sysFail(std::string("utimensat ") + path);
    }
    return 0;
  };
  if (nftw(root.c_str(), fn, 16, FTW_DEPTH | FTW_PHYS) != 0 && error.empty()) {
    error = sysFail("nftw " + root);
  }
  return error;
}

// ---- scanning -------------------------------------------------------------------------------

struct Entry {
  struct stat st {};
  std::string target;
  std::map<std::string, std::string> xattrs;
};
using Tree = std::map<std::string, Entry>;

std::string readXattrs(const std::string& path, const TreeCompareOptions& o,
                       std::map<std::string, std::string>* out) {
  std::string names;
  for (;;) {
    ssize_t n = llistxattr(path.c_str(), nullptr, 0);
    if (n < 0 && (errno == ENOTSUP || errno == ENOSYS)) return "";
    if (n < 0) return sysFail("llistxattr " + path);
    names.assign(static_cast<size_t>(n), '\0');
    n = llistxattr(path.c_str(), names.data(), names.size());
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0) return sysFail("llistxattr " + path);
    names.resize(static_cast<size_t>(n));
    break;
  }
  for (size_t pos = 0; pos < names.size();) {
    std::string name = names.c_str() + pos;
    pos += name.size() + 1;
    bool wanted = std::any_of(o.xattr_prefixes.begin(), o.xattr_prefixes.end(),
                              [&](const std::string& pre) { return name.starts_with(pre); });
    if (!wanted) continue;
    std::string value(65536, '\0');
    ssize_t n = lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (n < 0) return sysFail("lgetxattr " + name + " on " + path);
    value.resize(static_cast<size_t>(n));
    (*out)[name] = value;
  }
  return "";
}

std::string scan(const std::string& root, const std::string& rel, const TreeCompareOptions& o,
                 Tree* tree) {
  std::string path = rel.empty() ? root : root + "/" + rel;
  Entry e;
  if (lstat(path.c_str(), &e.st) != 0) return sysFail("lstat " + path);
  if (S_ISLNK(e.st.st_mode)) {
    char buf[PATH_MAX + 1];
    ssize_t n = readlink(path.c_str(), buf, sizeof buf);
    if (n < 0) return sysFail("readlink " + path);
    e.target.assign(buf, static_cast<size_t>(n));
  }
  std::string err = readXattrs(path, o, &e.xattrs);
  if (!err.empty()) return err;
  bool is_dir = S_ISDIR(e.st.st_mode);
  (*tree)[rel.empty() ? "." : rel] = std::move(e);
  if (!is_dir) return "";
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return sysFail("opendir " + path);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* de = readdir(d)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) {
      names.emplace_back(de->d_name);
    }
    errno = 0;
  }
  int read_errno = errno;
  closedir(d);
  if (read_errno != 0) {
    errno = read_errno;
    return sysFail("readdir " + path);
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    err = scan(root, rel.empty() ? n : rel + "/" + n, o, tree);
    if (!err.empty()) return err;
  }
  return "";
}

// ---- comparing ------------------------------------------------------------------------------

std::string typeName(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFREG:
      return "regular file";
    case S_IFDIR:
      return "directory";
    case S_IFLNK:
      return "symlink";
    case S_IFIFO:
      return "fifo";
    case S_IFSOCK:
      return "socket";
    case S_IFCHR:
      return "char device";
    case S_IFBLK:
      return "block device";
  }
  return "unknown type";
}

std::string octal(mode_t m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0%o", static_cast<unsigned>(m & 07777));
  return buf;
}

std::string printable(const std::string& v) {
  std::string out;
  for (unsigned char c : v.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (v.size() > 64) out += "...(" + std::to_string(v.size()) + " bytes)";
  return "\"" + out + "\"";
}

std::string timeText(const timespec& t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09ld", static_cast<long long>(t.tv_sec), t.tv_nsec);
  return buf;
}

uint64_t fnv(uint64_t h, const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
  return h;
}

// Reads up to `len` bytes (fewer only at end of file); -1 on error.
ssize_t readChunk(int fd, char* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// Compares file contents chunk by chunk; names the first differing offset and both checksums.
std::string compareContent(const std::string& pa, const std::string& pb) {
  Fd a(open(pa.c_str(), O_RDONLY | O_CLOEXEC));
  if (!a.ok()) return sysFail("open " + pa);
  Fd b(open(pb.c_str(), O_RDONLY | O_CLOEXEC));
  if (!b.ok()) return sysFail("open " + pb);
  constexpr size_t kChunk = 1 << 20;
  std::string ba(kChunk, '\0'), bb(kChunk, '\0');
  uint64_t ha = 0xcbf29ce484222325ull, hb = ha;
  off_t off = 0;
  std::string diff;
  for (;;) {
    ssize_t na = readChunk(a.get(), ba.data(), kChunk);
    if (na < 0) return sysFail("read " + pa);
    ssize_t nb = readChunk(b.get(), bb.data(), kChunk);
    if (nb < 0) return sysFail("read " + pb);
    ha = fnv(ha, ba.data(), static_cast<size_t>(na));
    hb = fnv(hb, bb.data(), static_cast<size_t>(nb));
    if (diff.empty()) {
      std::string d = firstDifference(std::string_view(ba.data(), static_cast<size_t>(na)),
                                      std::string_view(bb.data(), static_cast<size_t>(nb)));
      if (d.starts_with("offset ")) {
        size_t rel = std::strtoull(d.c_str() + 7, nullptr, 10);
        diff = "content differs at offset " + std::to_string(off + static_cast<off_t>(rel)) +
               d.substr(d.find(':'));
      } else if (!d.empty()) {
        diff = "content length differs after offset " + std::to_string(off) + " (" + d + ")";
      }
    }
    if (static_cast<size_t>(na) < kChunk && static_cast<size_t>(nb) < kChunk) break;
    off += static_cast<off_t>(kChunk);
  }
  if (diff.empty()) return "";
  char sums[80];
  std::snprintf(sums, sizeof sums, " (fnv64 A=%016" PRIx64 " B=%016" PRIx64 ")", ha, hb);
  return diff + sums;
}

std::map<ino_t, std::vector<std::string>> linkGroups(const Tree& t) {
  std::map<ino_t, std::vector<std::string>> groups;
  for (const auto& [path, e] : t) {
    if (!S_ISDIR(e.st.st_mode)) groups[e.st.st_ino].push_back(path);
  }
  return groups;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "}";
}

std::string compareEntry(const std::string& path, const Entry& a, const Entry& b,
                         const std::string& pa, const std::string& pb,
                         const TreeCompareOptions& o) {
  mode_t ta = a.st.st_mode & S_IFMT, tb = b.st.st_mode & S_IFMT;
  if (ta != tb) return "type: A is a " + typeName(ta) + ", B is a " + typeName(tb);
  if ((a.st.st_mode & 07777) != (b.st.st_mode & 07777)) {
    return "mode: A " + octal(a.st.st_mode) + ", B " + octal(b.st.st_mode);
  }
  if (o.owner && (a.st.st_uid != b.st.st_uid || a.st.st_gid != b.st.st_gid)) {
    return "owner: A " + std::to_string(a.st.st_uid) + ":" + std::to_string(a.st.st_gid) + ", B " +
           std::to_string(b.st.st_uid) + ":" + std::to_string(b.st.st_gid);
  }
  if (ta == S_IFLNK && a.target != b.target) {
    return "symlink target: A " + printable(a.target) + ", B " + printable(b.target);
  }
  if (ta != S_IFDIR && a.st.st_size != b.st.st_size) {
    return "size: A " + std::to_string(a.st.st_size) + ", B " + std::to_string(b.st.st_size);
  }
  if (ta == S_IFREG) {
    std::string d = compareContent(pa, pb);
    if (!d.empty()) return d;
  }
  if ((ta == S_IFDIR ? o.dir_nlink : o.nlink) && a.st.st_nlink != b.st.st_nlink) {
    return "link count: A " + std::to_string(a.st.st_nlink) + ", B " +
           std::to_string(b.st.st_nlink);
  }
  for (const auto& [name, value] : a.xattrs) {
    auto it = b.xattrs.find(name);
    if (it == b.xattrs.end()) return "xattr " + name + " missing in B";
    if (it->second != value) {
      return "xattr " + name + ": A " + printable(value) + ", B " + printable(it->second);
    }
  }
  for (const auto& [name, value] : b.xattrs) {
    if (!a.xattrs.contains(name)) return "xattr " + name + " only in B";
  }
  if (o.sparse && ta == S_IFREG) {
    auto holes = [](const struct stat& s) { return s.st_blocks * 512 < s.st_size; };
    if (holes(a.st) && !holes(b.st)) {
      return "sparseness: A has holes (" + std::to_string(a.st.st_blocks) + " blocks for " +
             std::to_string(a.st.st_size) + " bytes), B is fully allocated (" +
             std::to_string(b.st.st_blocks) + " blocks)";
    }
  }
  if (o.mtime && (a.st.st_mtim.tv_sec != b.st.st_mtim.tv_sec ||
                  a.st.st_mtim.tv_nsec != b.st.st_mtim.tv_nsec)) {
    return "mtime: A " + timeText(a.st.st_mtim) + ", B " + timeText(b.st.st_mtim);
  }
  (void)path;
  return "";
}

}  // namespace

std::string buildSampleTree(const std::string& root) {
  Builder b{root, ""};
  if (mkdir(root.c_str(), 0755) != 0) return sysFail("mkdir " + root);
  b.dir("regular", 0755);
  b.file("regular/small.txt", "hello, mount\n", 0644, 1001, 1002);
  b.file("regular/empty", "", 0600);
  b.file("regular/exec.sh", "#!/bin/sh\necho hi\n", 0755);
  b.file("regular/setuid", "suid\n", 04755);
  b.file("regular/odd-mode", "x", 0421, 1003, 0);
  b.file("regular/random.bin", patternBytes((1 << 20) + 17, 5), 0644);
  b.file("regular/big-xattr", "big\n", 0640, 0, 1004);
  b.xattr("regular/small.txt", "user.mime", "text/plain");
  b.xattr("regular/small.txt", "trusted.tag", std::string("\0\1\2\xff", 4));
  b.xattr("regular/small.txt", "user.empty", "");
  b.xattr("regular/big-xattr", "user.big", patternBytes(3000, 9));
  b.dir("sparse", 0755);
  b.sparse("sparse/head-hole", {{1 << 20, 4096}}, (1 << 20) + 4096);
  b.sparse("sparse/middle-hole", {{0, 65536}, {8 << 20, 65536}}, (8 << 20) + 65536);
  b.sparse("sparse/tail-hole", {{0, 4096}}, 16 << 20);
  b.sparse("sparse/all-hole", {}, 32 << 20);
  b.sparse("sparse/unaligned", {{12345, 1000}, {3 << 20, 777}}, (5 << 20) + 3);
  b.xattr("sparse/middle-hole", "user.note", "holes");
  b.dir("links", 0755);
  b.dir("links/other", 0750, 1001, 1001);
  b.file("links/a", "hard-linked content\n", 0640, 1005, 1006);
  b.hardlink("links/a", "links/b");
  b.hardlink("links/a", "links/other/c");
  b.file("links/solo", "one link\n", 0644);
  b.xattr("links/a", "trusted.linked", "yes");
  b.symlink("../regular/small.txt", "links/sym-rel");
  b.symlink("/nonexistent/absolute/target", "links/sym-dangling", 1007, 1008);
  b.symlink("../regular", "links/sym-dir");
  b.symlink("solo", "links/sym-xattr");
  b.xattr("links/sym-xattr", "trusted.on-link", "link-only");
  b.dir("fifo", 0755);
  b.fifo("fifo/pipe", 0640, 1009, 1010);
  b.fifo("fifo/pipe-private", 0600);
  b.dir("dirs", 0755);
  b.dir("dirs/a", 0755);
  b.dir("dirs/a/b", 0711);
  b.dir("dirs/a/b/c", 0755);
  b.dir("dirs/a/b/c/d", 0700, 1011, 1012);
  b.file("dirs/a/b/c/d/deep", "deep\n", 0644);
  b.dir("dirs/empty", 0700);
  b.dir("dirs/sticky", 01777);
  b.dir("dirs/setgid", 02775, 0, 1013);
  b.xattr("dirs", "user.dirattr", "on a directory");
  b.xattr("dirs/a", "trusted.dirattr", std::string("\0bin\0", 5));
  b.dir("names", 0755);
  b.file("names/with space", "space\n", 0644);
  b.file(
      "names/\xc3\xbcnic\xc3\xb6"
      "de",
      "utf8\n", 0644);
  b.file("names/-leading-dash", "dash\n", 0644);
  b.file("names/new\nline", "newline\n", 0644);
  b.file("names/" + std::string(255, 'n'), "255 bytes\n", 0644);
  if (!b.ok()) return b.err;
  return stampTimes(root);
}

std::string compareTrees(const std::string& a, const std::string& b, const TreeCompareOptions& o) {
  Tree ta, tb;
  std::string err = scan(a, "", o, &ta);
  if (!err.empty()) return "scanning A: " + err;
  err = scan(b, "", o, &tb);
  if (!err.empty()) return "scanning B: " + err;
  std::string where = " (A=" + a + ", B=" + b + ")";
  std::set<std::string> all;
  for (const auto& kv : ta) all.insert(kv.first);
  for (const auto& kv : tb) all.insert(kv.first);
  for (const auto& p : all) {
    if (!tb.contains(p)) return printable(p) + ": missing in B" + where;
    if (!ta.contains(p)) return printable(p) + ": only in B" + where;
  }
  auto ga = linkGroups(ta), gb = linkGroups(tb);
  for (const auto& [p, ea] : ta) {
    const Entry& eb = tb.at(p);
    std::string d =
        compareEntry(p, ea, eb, p == "." ? a : a + "/" + p, p == "." ? b : b + "/" + p, o);
    if (d.empty() && !S_ISDIR(ea.st.st_mode)) {
      const auto& group_a = ga.at(ea.st.st_ino);
      const auto& group_b = gb.at(eb.st.st_ino);
      if (group_a != group_b) {
        d = "hard-link group: A " + joined(group_a) + ", B " + joined(group_b);
      }
    }
    if (!d.empty()) return printable(p) + ": " + d + where;
  }
  return "";
}

}  // namespace mt
