// SPDX-License-Identifier: GPL-3.0-or-later
// The per-test mount directory and the file helpers every mount test uses.
#include "tests/mount/mount_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

namespace mt {

void Fd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

Pipe::Pipe() {
  if (pipe(fds_) != 0) fds_[0] = fds_[1] = -1;
}

Pipe::~Pipe() {
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
}

std::string Pipe::send(char c) {
  for (;;) {
    ssize_t n = write(fds_[1], &c, 1);
    if (n == 1) return "";
    if (n < 0 && errno == EINTR) continue;
    return sysFail("write(pipe)");
  }
}

bool Pipe::receive(std::chrono::milliseconds timeout, char* c) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fds_[0], POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    char byte;
    ssize_t got = read(fds_[0], &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got != 1) return false;
    if (c != nullptr) *c = byte;
    return true;
  }
}

void Pipe::closeWriteEnd() {
  if (fds_[1] >= 0) close(fds_[1]);
  fds_[1] = -1;
}

std::string patternBytes(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x1234567ull;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

std::string writeFile(const std::string& path, std::string_view data, mode_t mode) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.ok()) return sysFail("open(" + path + ")");
  std::string err = pwriteAll(fd.get(), data, 0);
  if (!err.empty()) return path + ": " + err;
  if (close(fd.release()) != 0) return sysFail("close(" + path + ")");
  return "";
}

std::string readFile(const std::string& path, std::string* out) {
  out->clear();
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return sysFail("open(" + path + ")");
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sysFail("read(" + path + ")");
    if (n == 0) return "";
    out->append(buf, static_cast<size_t>(n));
  }
}

std::string pwriteAll(int fd, std::string_view data, off_t off) {
  while (!data.empty()) {
    ssize_t n = pwrite(fd, data.data(), data.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sysFail("pwrite at " + std::to_string(off));
    if (n == 0) return "pwrite at " + std::to_string(off) + " wrote nothing";
    data.remove_prefix(static_cast<size_t>(n));
    off += n;
  }
  return "";
}

std::string preadExact(int fd, size_t len, off_t off, std::string* out) {
  out->assign(len, '\0');
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, out->data() + done, len - done, off + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sysFail("pread at " + std::to_string(off + static_cast<off_t>(done)));
    if (n == 0) {
      return "short read: " + std::to_string(done) + " of " + std::to_string(len) +
             " bytes at offset " + std::to_string(off);
    }
    done += static_cast<size_t>(n);
  }
  return "";
}

namespace {

// Removes `name` in `parent` and everything below it, by descriptors, so that depth is unlimited.
std::string removeAt(int parent, const std::string& name, const std::string& shown) {
  struct stat st;
  if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? "" : sysFail("fstatat(" + shown + ")");
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlinkat(parent, name.c_str(), 0) != 0) return sysFail("unlink(" + shown + ")");
    return "";
  }
  int fd = openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return sysFail("open(" + shown + ")");
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return sysFail("fdopendir(" + shown + ")");
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* de = readdir(d)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) {
      names.emplace_back(de->d_name);
    }
    errno = 0;
  }
  std::string err = errno != 0 ? sysFail("readdir(" + shown + ")") : "";
  for (const auto& n : names) {
    if (!err.empty()) break;
    err = removeAt(dirfd(d), n, shown + "/" + n);
  }
  closedir(d);
  if (err.empty() && unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0) {
    err = sysFail("rmdir(" + shown + ")");
  }
  return err;
}

}  // namespace

std::string removeTree(const std::string& path) { return removeAt(AT_FDCWD, path, path); }

std::string lstatPath(const std::string& path, struct stat* st) {
  if (lstat(path.c_str(), st) != 0) return sysFail("lstat(" + path + ")");
  return "";
}

std::string firstDifference(std::string_view expected, std::string_view actual) {
  size_t n = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < n; ++i) {
    if (expected[i] != actual[i]) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "offset %zu: expected 0x%02x, got 0x%02x", i,
                    static_cast<unsigned char>(expected[i]), static_cast<unsigned char>(actual[i]));
      return buf;
    }
  }
  if (expected.size() != actual.size()) {
    return "length: expected " + std::to_string(expected.size()) + " bytes, got " +
           std::to_string(actual.size());
  }
  return "";
}

namespace {

std::string probeXattrOn(const std::string& path, const std::string& name) {
  const std::string value = "probe-value";
  if (lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
    return sysFail("lsetxattr(" + name + ")");
  }
  char buf[64];
  ssize_t n = lgetxattr(path.c_str(), name.c_str(), buf, sizeof buf);
  if (n < 0) return sysFail("lgetxattr(" + name + ") after a successful lsetxattr");
  if (std::string_view(buf, static_cast<size_t>(n)) != value) {
    return "lgetxattr(" + name + ") returned a different value than was set";
  }
  if (lremovexattr(path.c_str(), name.c_str()) != 0) return sysFail("lremovexattr(" + name + ")");
  return "";
}

}  // namespace

std::string probeFileXattr(const std::string& dir, const std::string& name) {
  std::string path = dir + "/.probe-file-xattr";
  std::string err = writeFile(path, "probe");
  if (err.empty()) err = probeXattrOn(path, name);
  unlink(path.c_str());
  return err;
}

std::string probeSymlinkXattr(const std::string& dir) {
  std::string path = dir + "/.probe-symlink-xattr";
  if (symlink("probe-target", path.c_str()) != 0) return sysFail("symlink");
  std::string err = probeXattrOn(path, "trusted.probe");
  unlink(path.c_str());
  return err;
}

std::string probeHardLinkCounts(const std::string& dir) {
  const std::string names[] = {dir + "/.probe-link-a", dir + "/.probe-link-b",
                               dir + "/.probe-link-c"};
  std::string err = writeFile(names[0], "probe");
  if (err.empty() && link(names[0].c_str(), names[1].c_str()) != 0) err = sysFail("link");
  if (err.empty() && link(names[0].c_str(), names[2].c_str()) != 0) err = sysFail("link");
  for (const auto& n : names) {
    struct stat st;
    if (!err.empty()) break;
    if (lstat(n.c_str(), &st) != 0) {
      err = sysFail("lstat");
    } else if (st.st_nlink != 3) {
      err = "after creating a file and two hard links to it, " + n.substr(dir.size() + 1) +
            " reports st_nlink " + std::to_string(st.st_nlink) + " instead of 3";
    }
  }
  for (const auto& n : names) unlink(n.c_str());
  return err;
}

std::string probeMtimeOnly(const std::string& dir) {
  std::string path = dir + "/.probe-mtime-only";
  std::string err = writeFile(path, "probe");
  const timespec ts[2] = {{0, UTIME_OMIT}, {1000000000, 123456789}};
  struct stat st;
  if (err.empty() && utimensat(AT_FDCWD, path.c_str(), ts, 0) != 0) {
    err = sysFail("utimensat(atime UTIME_OMIT)");
  }
  if (err.empty() && lstat(path.c_str(), &st) != 0) err = sysFail("lstat");
  if (err.empty() && (st.st_mtim.tv_sec != ts[1].tv_sec || st.st_mtim.tv_nsec != ts[1].tv_nsec)) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "utimensat(atime UTIME_OMIT, mtime 1000000000.123456789) succeeded but the "
                  "mtime is %lld.%09ld",
                  static_cast<long long>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec);
    err = buf;
  }
  unlink(path.c_str());
  return err;
}

std::string probeUnlinkOpen(const std::string& dir) {
  std::string sub = dir + "/.probe-unlink-open";
  if (mkdir(sub.c_str(), 0755) != 0) return sysFail("mkdir");
  std::string err;
  Fd fd(open((sub + "/f").c_str(), O_RDWR | O_CREAT, 0644));
  if (!fd.ok()) err = sysFail("open");
  if (err.empty() && unlink((sub + "/f").c_str()) != 0) err = sysFail("unlink");
  if (err.empty()) {
    DIR* d = opendir(sub.c_str());
    while (dirent* de = d ? readdir(d) : nullptr) {
      std::string n = de->d_name;
      if (n != "." && n != ".." && err.empty()) {
        err = "unlink of an open file left the name \"" + n + "\" in its directory";
      }
    }
    if (d != nullptr) closedir(d);
  }
  fd.reset();
  removeTree(sub);
  return err;
}

namespace {

// Undoes mountinfo's octal escapes (\040 for a space).
std::string unescapeMountField(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string mountIdentity(const std::string& path, std::string* err) {
  char real[PATH_MAX];
  if (realpath(path.c_str(), real) == nullptr) {
    *err = sysFail("realpath(" + path + ")");
    return "";
  }
  std::string target = real;
  std::string info;
  *err = readFile("/proc/self/mountinfo", &info);
  if (!err->empty()) return "";
  std::string best, best_point;
  size_t pos = 0;
  while (pos < info.size()) {
    size_t end = info.find('\n', pos);
    if (end == std::string::npos) end = info.size();
    std::istringstream line(info.substr(pos, end - pos));
    pos = end + 1;
    std::string id, parent, devno, root, point, field, fstype, source;
    line >> id >> parent >> devno >> root >> point;
    while (line >> field && field != "-") {
    }
    line >> fstype >> source;
    point = unescapeMountField(point);
    bool covers = point == "/" || target == point || target.starts_with(point + "/");
    // Longest mount point wins; among equal ones the later (topmost) entry.
    if (covers && point.size() >= best_point.size()) {
      best_point = point;
      best = point + " " + fstype + " " + unescapeMountField(source);
    }
  }
  if (best.empty()) *err = "no mount holds " + target;
  return best;
}

void MountTest::SetUp() {
  if (env().mount_dir.empty()) {
    FAIL() << "MOUNT_DIR is not set: point it at the mounted directory to test "
              "(tests/mount/run-on-dir.sh --dir DIR)";
  }
  if (geteuid() != 0) {
    GTEST_SKIP() << "the mount tier runs as root (chown, trusted.* xattrs, other uids)";
  }
  struct stat st;
  ASSERT_EQ(stat(env().mount_dir.c_str(), &st), 0) << sysFail("stat(MOUNT_DIR)");
  ASSERT_TRUE(S_ISDIR(st.st_mode)) << env().mount_dir << " is not a directory";
  // A filesystem that died and was lazily unmounted would leave the tests running, and passing,
  // on the directory underneath: every test checks that MOUNT_DIR is still the mount it was.
  static const std::string first_identity = [] {
    std::string e;
    return mountIdentity(env().mount_dir, &e);
  }();
  std::string err;
  std::string identity = mountIdentity(env().mount_dir, &err);
  ASSERT_EQ(err, "");
  ASSERT_EQ(identity, first_identity)
      << "MOUNT_DIR is no longer on the filesystem the run started on (did the mount go away?)";
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  name_ = "mt." + std::to_string(getpid()) + "." + info->test_suite_name() + "." + info->name();
  for (char& c : name_) {
    if (c == '/') c = '_';
  }
  dir_ = env().mount_dir + "/" + name_;
  // A leftover from a killed earlier run with a recycled pid would change what tests see.
  ASSERT_EQ(removeTree(dir_), "");
  umask(022);  // modes the tests create are the modes they check
  ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0) << sysFail("mkdir(" + dir_ + ")");
}

void MountTest::TearDown() {
  if (!dir_.empty()) {
    EXPECT_EQ(removeTree(dir_), "") << "cleaning up " << dir_;
  }
  if (!scratch_.empty()) {
    EXPECT_EQ(removeTree(scratch_), "") << "cleaning up " << scratch_;
  }
}

std::string MountTest::path(std::string_view rel) const { return dir_ + "/" + std::string(rel); }

std::string MountTest::brickPath(std::string_view rel) const {
  return env().brick_dir + "/" + name_ + (rel.empty() ? "" : "/" + std::string(rel));
}

std::string MountTest::scratch() {
  if (scratch_.empty()) {
    std::string s = env().scratch + "/" + name_;
    if (removeTree(s).empty() && mkdir(s.c_str(), 0755) == 0) scratch_ = s;
  }
  return scratch_;
}

}  // namespace mt
