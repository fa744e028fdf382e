// SPDX-License-Identifier: GPL-3.0-or-later
// Names and special files: readlink, 255-byte names, paths deeper than PATH_MAX, fifos, sockets.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

using namespace std::chrono_literals;

class PathsTest : public MountTest {};

TEST_F(PathsTest, ReadlinkReturnsTheExactTarget) {
  std::string long_target;
  while (long_target.size() < PATH_MAX) {
    long_target += "component-" + std::to_string(long_target.size()) + "/";
  }
  long_target.resize(PATH_MAX - 1);  // the longest target symlink() accepts
  const std::string targets[] = {"x",
                                 "../relative/target",
                                 "/absolute/elsewhere",
                                 "with space and \xc3\xbc",
                                 std::string(255, 't'),
                                 long_target};
  int i = 0;
  for (const auto& t : targets) {
    std::string link = path("l" + std::to_string(i++));
    ASSERT_EQ(symlink(t.c_str(), link.c_str()), 0)
        << sysFail("symlink of " + std::to_string(t.size()) + " bytes");
    std::string buf(PATH_MAX + 16, '\0');
    ssize_t n = readlink(link.c_str(), buf.data(), buf.size());
    ASSERT_GE(n, 0) << sysFail("readlink");
    EXPECT_EQ(firstDifference(t, buf.substr(0, static_cast<size_t>(n))), "")
        << "readlink of a " << t.size() << "-byte target";
    struct stat st;
    ASSERT_EQ(lstat(link.c_str(), &st), 0) << sysFail("lstat");
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(st.st_size, static_cast<off_t>(t.size())) << "a symlink's size is its target length";
    // A short buffer receives a truncated target, without a terminating NUL.
    char small[4] = {'#', '#', '#', '#'};
    n = readlink(link.c_str(), small, 3);
    EXPECT_EQ(n, static_cast<ssize_t>(std::min<size_t>(3, t.size())));
    EXPECT_EQ(std::string(small, static_cast<size_t>(n)), t.substr(0, static_cast<size_t>(n)));
    EXPECT_EQ(small[3], '#');
  }
  EXPECT_EQ(symlink(std::string(PATH_MAX, 'y').c_str(), path("too-long").c_str()), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
  ASSERT_EQ(writeFile(path("plain"), "x"), "");
  char buf[16];
  EXPECT_EQ(readlink(path("plain").c_str(), buf, sizeof buf), -1);
  EXPECT_EQ(errno, EINVAL) << "readlink of a regular file";
}

TEST_F(PathsTest, NamesUpTo255BytesWork) {
  std::string name(255, 'n');
  ASSERT_EQ(writeFile(path(name), "longest name"), "");
  std::string got;
  ASSERT_EQ(readFile(path(name), &got), "");
  EXPECT_EQ(got, "longest name");
  ASSERT_EQ(mkdir(path(std::string(255, 'd')).c_str(), 0755), 0) << sysFail("mkdir 255");
  ASSERT_EQ(rename(path(name).c_str(), path(std::string(255, 'd') + "/" + name).c_str()), 0)
      << sysFail("rename");
  EXPECT_EQ(open(path(std::string(256, 'n')).c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
  EXPECT_EQ(mkdir(path(std::string(256, 'd')).c_str(), 0755), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
}

TEST_F(PathsTest, PathsLongerThanPathMaxWorkThroughDirectoryDescriptors) {
  // 24 levels of 200-byte names: about 4,800 bytes below the test directory, more on the brick.
  const std::string level(200, 'L');
  constexpr int kDepth = 24;
  std::vector<Fd> fds;
  fds.emplace_back(open(dir().c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fds.back().ok());
  size_t full_length = dir().size();
  for (int i = 0; i < kDepth; ++i) {
    std::string name = level + std::to_string(i);
    full_length += 1 + name.size();
    int rc = mkdirat(fds.back().get(), name.c_str(), 0755);
    std::string why;
    if (rc != 0 && errno == ENAMETOOLONG && full_length >= PATH_MAX) {
      why = "mkdirat at depth " + std::to_string(i) + " (full path " + std::to_string(full_length) +
            " bytes) fails with ENAMETOOLONG: the filesystem "
            "resolves whole paths instead of directory handles";
    }
    MT_REQUIRE_CAPABILITY("long_paths", why.empty(), why);
    ASSERT_EQ(rc, 0) << sysFail("mkdirat level " + std::to_string(i));
    Fd next(openat(fds.back().get(), name.c_str(), O_RDONLY | O_DIRECTORY));
    ASSERT_TRUE(next.ok()) << sysFail("openat level " + std::to_string(i));
    fds.push_back(std::move(next));
  }
  int bottom = fds.back().get();
  std::string data = patternBytes(100000, 11);
  Fd f(openat(bottom, "file", O_RDWR | O_CREAT | O_EXCL, 0640));
  ASSERT_TRUE(f.ok()) << sysFail("openat file at the bottom");
  ASSERT_EQ(pwriteAll(f.get(), data, 0), "");
  f.reset();
  ASSERT_EQ(renameat(bottom, "file", bottom, "renamed"), 0) << sysFail("renameat");
  ASSERT_EQ(symlinkat("renamed", bottom, "link"), 0) << sysFail("symlinkat");
  ASSERT_EQ(linkat(bottom, "renamed", bottom, "hard", 0), 0) << sysFail("linkat");
  struct stat st;
  ASSERT_EQ(fstatat(bottom, "link", &st, 0), 0) << sysFail("fstatat through the symlink");
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
  Fd r(openat(bottom, "hard", O_RDONLY));
  ASSERT_TRUE(r.ok()) << sysFail("openat hard link");
  std::string got;
  ASSERT_EQ(preadExact(r.get(), data.size(), 0, &got), "");
  EXPECT_EQ(firstDifference(data, got), "");
  r.reset();
  // The full path really is beyond PATH_MAX.
  std::string full = dir();
  for (int i = 0; i < kDepth; ++i) full += "/" + level + std::to_string(i);
  ASSERT_GT(full.size(), static_cast<size_t>(PATH_MAX));
  EXPECT_EQ(stat((full + "/renamed").c_str(), &st), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
  for (const char* n : {"renamed", "link", "hard"}) {
    EXPECT_EQ(unlinkat(bottom, n, 0), 0) << sysFail(std::string("unlinkat ") + n);
  }
  for (int i = kDepth - 1; i >= 0; --i) {
    fds.pop_back();
    std::string name = level + std::to_string(i);
    ASSERT_EQ(unlinkat(fds.back().get(), name.c_str(), AT_REMOVEDIR), 0)
        << sysFail("rmdir level " + std::to_string(i));
  }
}

TEST_F(PathsTest, MkfifoCreatesAWorkingFifo) {
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0620), 0) << sysFail("mkfifo");
  ASSERT_EQ(mknod(path("node").c_str(), S_IFIFO | 0600, 0), 0) << sysFail("mknod S_IFIFO");
  for (const char* name : {"fifo", "node"}) {
    struct stat st;
    ASSERT_EQ(lstat(path(name).c_str(), &st), 0) << sysFail("lstat");
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << name;
    EXPECT_EQ(st.st_size, 0);
    std::string p = path(name);
    const std::string message = std::string("through the fifo ") + name;
    Child writer([&]() -> std::string {
      int fd = open(p.c_str(), O_WRONLY);  // blocks until the reader opens
      if (fd < 0) return sysFail("open fifo for writing");
      ssize_t n = write(fd, message.data(), message.size());
      close(fd);
      return n == static_cast<ssize_t>(message.size()) ? "" : sysFail("write to fifo");
    });
    Fd rd(open(p.c_str(), O_RDONLY));
    ASSERT_TRUE(rd.ok()) << sysFail("open fifo for reading");
    std::string got;
    char buf[256];
    ssize_t n;
    while ((n = read(rd.get(), buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
    EXPECT_EQ(got, message);
    EXPECT_EQ(writer.wait(10s), "");
    ASSERT_EQ(lstat(path(name).c_str(), &st), 0) << sysFail("lstat");
    EXPECT_EQ(st.st_size, 0) << "fifo data never reaches the filesystem";
  }
  // O_NONBLOCK write-open of a fifo without a reader fails with ENXIO, as on any filesystem.
  EXPECT_EQ(open(path("fifo").c_str(), O_WRONLY | O_NONBLOCK), -1);
  EXPECT_EQ(errno, ENXIO);
}

TEST_F(PathsTest, UnixSocketCanBeBoundAndConnected) {
  // Bound by a name relative to the test directory, since sun_path holds only 108 bytes.
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, "sock", 5);
  Fd cwd(open(".", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(cwd.ok());
  ASSERT_EQ(chdir(dir().c_str()), 0) << sysFail("chdir");
  Fd srv(socket(AF_UNIX, SOCK_STREAM, 0));
  int rc = bind(srv.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  ASSERT_EQ(fchdir(cwd.get()), 0) << sysFail("fchdir");
  errno = bind_errno;
  ASSERT_EQ(rc, 0) << sysFail("bind");
  ASSERT_EQ(listen(srv.get(), 1), 0) << sysFail("listen");
  struct stat st;
  ASSERT_EQ(lstat(path("sock").c_str(), &st), 0) << sysFail("lstat");
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  std::string d = dir();
  Child client([&]() -> std::string {
    if (chdir(d.c_str()) != 0) return sysFail("chdir");
    Fd c(socket(AF_UNIX, SOCK_STREAM, 0));
    if (connect(c.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      return sysFail("connect");
    }
    return write(c.get(), "ping", 4) == 4 ? "" : sysFail("write");
  });
  Fd conn(accept(srv.get(), nullptr, nullptr));
  ASSERT_TRUE(conn.ok()) << sysFail("accept");
  char buf[8] = {};
  EXPECT_EQ(read(conn.get(), buf, sizeof buf), 4);
  EXPECT_STREQ(buf, "ping");
  EXPECT_EQ(client.wait(10s), "");
}

}  // namespace
}  // namespace mt
