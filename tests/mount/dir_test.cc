// SPDX-License-Identifier: GPL-3.0-or-later
// Directory listing: 10,000 entries seen exactly once by readdir, getdents with small buffers,
// seekdir/telldir and `ls -l`; stable entries listed once while others come and go; d_type.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <sstream>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

using namespace std::chrono_literals;

// Reads a directory with raw getdents64 calls of `buf_size` bytes; appends names (without
// "." and "..") in the order returned.
std::string getdentsAll(const std::string& dir, size_t buf_size, std::vector<std::string>* out,
                        std::map<std::string, unsigned char>* types = nullptr) {
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (!fd.ok()) return sysFail("open " + dir);
  std::vector<char> buf(buf_size);
  for (;;) {
    long n = syscall(SYS_getdents64, fd.get(), buf.data(), buf.size());
    if (n < 0) return sysFail("getdents64 with a " + std::to_string(buf_size) + "-byte buffer");
    if (n == 0) return "";
    for (long pos = 0; pos < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf.data() + pos);
      std::string name = d->d_name;
      if (name != "." && name != "..") {
        out->push_back(name);
        if (types != nullptr) (*types)[name] = d->d_type;
      }
      pos += d->d_reclen;
    }
  }
}

// "" when `names` holds each of `expected` exactly once and nothing else.
std::string exactlyOnce(const std::vector<std::string>& names,
                        const std::vector<std::string>& expected, const std::string& how) {
  std::map<std::string, int> seen;
  for (const auto& n : names) ++seen[n];
  for (const auto& e : expected) {
    auto it = seen.find(e);
    if (it == seen.end())
      return how + ": " + e + " missing (" + std::to_string(names.size()) + " names listed, " +
             std::to_string(expected.size()) + " expected)";
    if (it->second != 1) return how + ": " + e + " listed " + std::to_string(it->second) + " times";
    seen.erase(it);
  }
  if (!seen.empty()) return how + ": unexpected name " + seen.begin()->first;
  return "";
}

class DirTest : public MountTest {};

TEST_F(DirTest, TenThousandEntriesAreListedCompletely) {
  constexpr int kEntries = 10000;
  std::vector<std::string> expected;
  ASSERT_EQ(mkdir(path("big").c_str(), 0755), 0) << sysFail("mkdir");
  Fd d(open(path("big").c_str(), O_RDONLY | O_DIRECTORY));
  for (int i = 0; i < kEntries; ++i) {
    // Names of varying length so that entries straddle buffer boundaries differently.
    std::string name = "entry-" + std::to_string(i) + "-" + std::string(i % 40, 'x');
    int fd = openat(d.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    ASSERT_GE(fd, 0) << sysFail("create " + name);
    close(fd);
    expected.push_back(name);
  }
  // readdir(3).
  std::vector<std::string> names;
  DIR* dp = opendir(path("big").c_str());
  ASSERT_NE(dp, nullptr);
  errno = 0;
  while (dirent* de = readdir(dp)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  EXPECT_EQ(errno, 0) << sysFail("readdir");
  closedir(dp);
  MT_EXPECT_OK(exactlyOnce(names, expected, "readdir"));
  // Raw getdents64 with small and large buffers.
  for (size_t size : {size_t{512}, size_t{4096}, size_t{1 << 20}}) {
    names.clear();
    MT_ASSERT_OK(getdentsAll(path("big"), size, &names));
    MT_EXPECT_OK(exactlyOnce(names, expected, "getdents64 " + std::to_string(size)));
  }
  // ls -l: one line per entry plus "total".
  std::string cmd = "ls -ln --quoting-style=literal " + shellQuote(path("big"));
  CommandResult r = runShell(cmd);
  ASSERT_EQ(r.status, 0) << r.describe(cmd);
  std::istringstream lines(r.output);
  std::string line;
  names.clear();
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_TRUE(line.starts_with("total ")) << line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string mode, links, uid, gid, size, mon, day, time, name;
    fields >> mode >> links >> uid >> gid >> size >> mon >> day >> time >> name;
    EXPECT_EQ(mode.substr(0, 10), "-rw-r--r--") << line;
    EXPECT_EQ(size, "0") << line;
    names.push_back(name);
  }
  MT_EXPECT_OK(exactlyOnce(names, expected, "ls -l"));
}

TEST_F(DirTest, SeekdirReturnsToARememberedPosition) {
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  for (int i = 0; i < 600; ++i) {
    ASSERT_EQ(writeFile(path("d/n" + std::to_string(i) + std::string(i % 30, 'y')), ""), "");
  }
  DIR* dp = opendir(path("d").c_str());
  ASSERT_NE(dp, nullptr);
  for (int i = 0; i < 250; ++i) ASSERT_NE(readdir(dp), nullptr);
  long mark = telldir(dp);
  std::vector<std::string> first, second;
  while (dirent* de = readdir(dp)) first.push_back(de->d_name);
  seekdir(dp, mark);
  while (dirent* de = readdir(dp)) second.push_back(de->d_name);
  EXPECT_EQ(first, second) << "entries after seekdir(telldir()) must repeat exactly";
  EXPECT_EQ(first.size(), 602u - 250u);
  rewinddir(dp);
  size_t count = 0;
  while (readdir(dp) != nullptr) ++count;
  EXPECT_EQ(count, 602u) << "600 entries plus . and .. after rewinddir";
  closedir(dp);
}

TEST_F(DirTest, StableEntriesListedOnceWhileOthersChange) {
  constexpr int kStable = 2000;
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0) << sysFail("mkdir");
  std::vector<std::string> stable;
  for (int i = 0; i < kStable; ++i) {
    stable.push_back("stable-" + std::to_string(i));
    ASSERT_EQ(writeFile(path("d/" + stable.back()), ""), "");
  }
  Pipe stop;
  std::string d = path("d");
  Child churn([&]() -> std::string {
    long n = 0;
    while (!stop.receive(0ms)) {
      std::string name = d + "/churn-" + std::to_string(n);
      std::string e = writeFile(name, "");
      if (!e.empty()) return e;
      if (n >= 50 && unlink((d + "/churn-" + std::to_string(n - 50)).c_str()) != 0) {
        return sysFail("unlink churn");
      }
      ++n;
    }
    return n > 0 ? "" : "churn never ran";
  });
  for (int round = 0; round < 5; ++round) {
    std::vector<std::string> names;
    MT_ASSERT_OK(getdentsAll(d, 1024, &names));
    std::vector<std::string> stable_seen;
    for (const auto& n : names) {
      if (n.starts_with("stable-")) stable_seen.push_back(n);
    }
    MT_EXPECT_OK(exactlyOnce(stable_seen, stable, "listing " + std::to_string(round)));
  }
  ASSERT_EQ(stop.send(), "");
  EXPECT_EQ(churn.wait(30s), "");
}

TEST_F(DirTest, ReaddirReportsTypesAndEmptyDirectories) {
  ASSERT_EQ(writeFile(path("file"), "x"), "");
  ASSERT_EQ(mkdir(path("dir").c_str(), 0755), 0) << sysFail("mkdir");
  ASSERT_EQ(symlink("file", path("link").c_str()), 0) << sysFail("symlink");
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0) << sysFail("mkfifo");
  std::map<std::string, unsigned char> types;
  std::vector<std::string> names;
  MT_ASSERT_OK(getdentsAll(dir(), 4096, &names, &types));
  const std::map<std::string, unsigned char> want = {
      {"file", DT_REG}, {"dir", DT_DIR}, {"link", DT_LNK}, {"fifo", DT_FIFO}};
  MT_EXPECT_OK(exactlyOnce(names, {"dir", "fifo", "file", "link"}, "readdir"));
  for (const auto& [name, type] : want) {
    EXPECT_TRUE(types[name] == type || types[name] == DT_UNKNOWN)
        << name << ": d_type " << int{types[name]} << ", expected " << int{type};
  }
  names.clear();
  MT_ASSERT_OK(getdentsAll(path("dir"), 4096, &names));
  EXPECT_TRUE(names.empty()) << "an empty directory lists only . and ..";
  // "." and ".." are there and are directories.
  struct stat dot, self;
  ASSERT_EQ(stat(path("dir/.").c_str(), &dot), 0) << sysFail("stat");
  ASSERT_EQ(stat(path("dir").c_str(), &self), 0) << sysFail("stat");
  EXPECT_EQ(dot.st_ino, self.st_ino);
}

}  // namespace
}  // namespace mt
