// SPDX-License-Identifier: GPL-3.0-or-later
// fcntl record locks and flock contending between processes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

using namespace std::chrono_literals;

struct flock range(short type, off_t start, off_t len) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  return fl;
}

// Failure text unless F_SETLK of the range fails with EAGAIN in this process.
std::string expectBlocked(int fd, short type, off_t start, off_t len) {
  struct flock fl = range(type, start, len);
  if (fcntl(fd, F_SETLK, &fl) == 0) {
    return "F_SETLK " + std::to_string(start) + "+" + std::to_string(len) +
           " succeeded while another process holds a conflicting lock";
  }
  if (errno != EAGAIN) return sysFail("F_SETLK expected EAGAIN");
  return "";
}

std::string lockRange(int fd, short type, off_t start, off_t len, int cmd = F_SETLK) {
  struct flock fl = range(type, start, len);
  if (fcntl(fd, cmd, &fl) != 0) {
    return sysFail("fcntl lock " + std::to_string(start) + "+" + std::to_string(len));
  }
  return "";
}

class LockTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    file_ = path("locked");
    ASSERT_EQ(writeFile(file_, std::string(1000, 'x')), "");
  }

  // A child that opens the file, takes locks with `take`, reports "locked" on `ready` and keeps
  // them until `release` delivers a byte (or the parent goes away).
  Child holder(std::function<std::string(int fd)> take, Pipe& ready, Pipe& release) {
    std::string f = file_;
    return Child([=, &ready, &release]() -> std::string {
      Fd fd(open(f.c_str(), O_RDWR));
      if (!fd.ok()) return sysFail("holder open");
      std::string e = take(fd.get());
      if (!e.empty()) return "holder: " + e;
      ready.send('L');
      if (!release.receive(120s)) return "holder was never released";
      return "";
    });
  }

  Fd openFile() {
    Fd fd(open(file_.c_str(), O_RDWR));
    EXPECT_TRUE(fd.ok()) << sysFail("open " + file_);
    return fd;
  }

  std::string file_;
};

TEST_F(LockTest, FcntlWriteLockBlocksOthersAndGetlkNamesTheHolder) {
  Pipe ready, release;
  Child h = holder([](int fd) { return lockRange(fd, F_WRLCK, 0, 100); }, ready, release);
  ASSERT_TRUE(ready.receive(30s)) << h.wait(1s);
  Fd fd = openFile();
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 50, 10));
  MT_EXPECT_OK(expectBlocked(fd.get(), F_RDLCK, 0, 1));
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 99, 0));  // to EOF and beyond
  struct flock fl = range(F_WRLCK, 10, 5);
  ASSERT_EQ(fcntl(fd.get(), F_GETLK, &fl), 0) << sysFail("F_GETLK");
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_pid, h.pid()) << "F_GETLK must report the holder's pid";
  EXPECT_EQ(fl.l_start, 0);
  EXPECT_EQ(fl.l_len, 100);
  // Ranges that do not overlap are free.
  MT_EXPECT_OK(lockRange(fd.get(), F_WRLCK, 100, 50));
  fl = range(F_WRLCK, 200, 10);
  ASSERT_EQ(fcntl(fd.get(), F_GETLK, &fl), 0) << sysFail("fcntl");
  EXPECT_EQ(fl.l_type, F_UNLCK) << "F_GETLK of a free range";
  ASSERT_EQ(release.send(), "");
  ASSERT_EQ(h.wait(30s), "");
  MT_EXPECT_OK(lockRange(fd.get(), F_WRLCK, 0, 100));
}

TEST_F(LockTest, FcntlReadLocksShareAndExcludeWriters) {
  Pipe ready, release;
  auto read_lock = [](int fd) { return lockRange(fd, F_RDLCK, 0, 0); };
  Child a = holder(read_lock, ready, release);
  Child b = holder(read_lock, ready, release);
  ASSERT_TRUE(ready.receive(30s)) << a.wait(1s) << b.wait(1s);
  ASSERT_TRUE(ready.receive(30s)) << a.wait(1s) << b.wait(1s);
  Fd fd = openFile();
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 500, 1));
  struct flock fl = range(F_WRLCK, 0, 1);
  ASSERT_EQ(fcntl(fd.get(), F_GETLK, &fl), 0) << sysFail("fcntl");
  EXPECT_EQ(fl.l_type, F_RDLCK);
  EXPECT_TRUE(fl.l_pid == a.pid() || fl.l_pid == b.pid()) << "l_pid " << fl.l_pid;
  MT_EXPECT_OK(lockRange(fd.get(), F_RDLCK, 0, 10));
  ASSERT_EQ(release.send(), "");
  ASSERT_EQ(release.send(), "");
  EXPECT_EQ(a.wait(30s), "");
  EXPECT_EQ(b.wait(30s), "");
  MT_EXPECT_OK(lockRange(fd.get(), F_WRLCK, 0, 0));
}

TEST_F(LockTest, FcntlSetlkwWaitsUntilRelease) {
  Pipe ready, release, acquired;
  Child h = holder([](int fd) { return lockRange(fd, F_WRLCK, 0, 0); }, ready, release);
  ASSERT_TRUE(ready.receive(30s)) << h.wait(1s);
  std::string f = file_;
  Child waiter([&]() -> std::string {
    Fd fd(open(f.c_str(), O_RDWR));
    std::string e = lockRange(fd.get(), F_WRLCK, 10, 10, F_SETLKW);
    if (!e.empty()) return "waiter: " + e;
    acquired.send('A');
    return "";
  });
  EXPECT_FALSE(acquired.receive(500ms)) << "F_SETLKW returned while the lock was held";
  EXPECT_TRUE(waiter.running());
  ASSERT_EQ(release.send(), "");
  EXPECT_TRUE(acquired.receive(30s)) << "F_SETLKW never returned after the release";
  EXPECT_EQ(h.wait(30s), "");
  EXPECT_EQ(waiter.wait(30s), "");
}

TEST_F(LockTest, FcntlUnlockSplitsARange) {
  Pipe ready, release;
  Child h = holder(
      [](int fd) {
        std::string e = lockRange(fd, F_WRLCK, 0, 100);
        return e.empty() ? lockRange(fd, F_UNLCK, 40, 20) : e;
      },
      ready, release);
  ASSERT_TRUE(ready.receive(30s)) << h.wait(1s);
  Fd fd = openFile();
  MT_EXPECT_OK(lockRange(fd.get(), F_WRLCK, 40, 20));
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 39, 1));
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 60, 1));
  struct flock fl = range(F_WRLCK, 60, 100);
  ASSERT_EQ(fcntl(fd.get(), F_GETLK, &fl), 0) << sysFail("fcntl");
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 60) << "the holder keeps [60,100) after unlocking [40,60)";
  EXPECT_EQ(fl.l_len, 40);
  ASSERT_EQ(release.send(), "");
  EXPECT_EQ(h.wait(30s), "");
}

TEST_F(LockTest, FcntlLocksGoWhenTheHolderClosesAnyDescriptorOrDies) {
  // POSIX: closing any descriptor of the file drops all of the process's locks on it.
  Pipe ready, release, closed;
  std::string f = file_;
  Child h([&]() -> std::string {
    Fd fd(open(f.c_str(), O_RDWR));
    std::string e = lockRange(fd.get(), F_WRLCK, 0, 0);
    if (!e.empty()) return e;
    ready.send();
    if (!release.receive(60s)) return "never told to close";
    Fd other(open(f.c_str(), O_RDONLY));
    other.reset();
    closed.send();
    return release.receive(60s) ? "" : "never released";
  });
  ASSERT_TRUE(ready.receive(30s)) << h.wait(1s);
  Fd fd = openFile();
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 0, 1));
  ASSERT_EQ(release.send(), "");
  ASSERT_TRUE(closed.receive(30s));
  MT_EXPECT_OK(lockRange(fd.get(), F_WRLCK, 0, 1));
  MT_EXPECT_OK(lockRange(fd.get(), F_UNLCK, 0, 1));
  ASSERT_EQ(release.send(), "");
  EXPECT_EQ(h.wait(30s), "");

  // A holder killed by SIGKILL loses its locks too.
  Pipe ready2, never;
  Child killed = holder([](int fd) { return lockRange(fd, F_WRLCK, 0, 0); }, ready2, never);
  ASSERT_TRUE(ready2.receive(30s)) << killed.wait(1s);
  MT_EXPECT_OK(expectBlocked(fd.get(), F_WRLCK, 0, 1));
  kill(killed.pid(), SIGKILL);
  EXPECT_NE(killed.wait(30s), "");  // it did not exit cleanly
  MT_EXPECT_OK(lockRange(fd.get(), F_WRLCK, 0, 0, F_SETLKW));
}

// ---- flock --------------------------------------------------------------------------------

std::string flockAs(int fd, int op, const char* what) {
  return flock(fd, op) == 0 ? "" : sysFail(what);
}

// On FUSE a flock() is dropped by the RELEASE of the last descriptor, which the kernel sends
// asynchronously after close() returns; so a lock freed by a close is polled for, briefly.
std::string flockAfterClose(int fd, int op, const char* what) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (flock(fd, op | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() > deadline) return sysFail(what);
    usleep(10'000);
  }
  return "";
}

TEST_F(LockTest, FlockSharedLocksCoexistExclusiveWaits) {
  Pipe ready, release;
  auto shared = [](int fd) { return flockAs(fd, LOCK_SH | LOCK_NB, "flock LOCK_SH"); };
  Child a = holder(shared, ready, release);
  Child b = holder(shared, ready, release);
  ASSERT_TRUE(ready.receive(30s)) << a.wait(1s) << b.wait(1s);
  ASSERT_TRUE(ready.receive(30s)) << a.wait(1s) << b.wait(1s);
  Fd fd = openFile();
  EXPECT_EQ(flock(fd.get(), LOCK_EX | LOCK_NB), -1);
  EXPECT_EQ(errno, EWOULDBLOCK) << errnoName(errno);
  EXPECT_EQ(flock(fd.get(), LOCK_SH | LOCK_NB), 0) << sysFail("a third shared lock");
  ASSERT_EQ(flock(fd.get(), LOCK_UN), 0) << sysFail("flock");
  std::string f = file_;
  Pipe acquired;
  Child waiter([&]() -> std::string {
    Fd w(open(f.c_str(), O_RDWR));
    std::string e = flockAs(w.get(), LOCK_EX, "blocking LOCK_EX");
    if (e.empty()) acquired.send();
    return e;
  });
  EXPECT_FALSE(acquired.receive(500ms)) << "LOCK_EX returned while shared locks were held";
  ASSERT_EQ(release.send(), "");
  EXPECT_FALSE(acquired.receive(300ms)) << "LOCK_EX returned while one shared lock was held";
  ASSERT_EQ(release.send(), "");
  EXPECT_TRUE(acquired.receive(30s)) << "LOCK_EX never returned after both shared locks went";
  EXPECT_EQ(a.wait(30s), "");
  EXPECT_EQ(b.wait(30s), "");
  EXPECT_EQ(waiter.wait(30s), "");
}

TEST_F(LockTest, FlockBelongsToTheOpenFileDescription) {
  Fd first = openFile(), second = openFile();
  ASSERT_EQ(flock(first.get(), LOCK_EX | LOCK_NB), 0) << sysFail("flock");
  // Another open() of the same file, even in this process, conflicts.
  EXPECT_EQ(flock(second.get(), LOCK_EX | LOCK_NB), -1);
  EXPECT_EQ(errno, EWOULDBLOCK) << errnoName(errno);
  // A dup shares the lock; a forked child's copy closing does not drop it.
  Fd dup_fd(dup(first.get()));
  EXPECT_EQ(flock(dup_fd.get(), LOCK_EX | LOCK_NB), 0) << sysFail("flock through a dup");
  dup_fd.reset();
  int inherited = first.get();
  MT_EXPECT_OK(runChild([inherited]() -> std::string {
    close(inherited);
    return "";
  }));
  EXPECT_EQ(flock(second.get(), LOCK_EX | LOCK_NB), -1) << "lock lost when a copy was closed";
  // Closing the last descriptor releases it.
  first.reset();
  MT_EXPECT_OK(flockAfterClose(second.get(), LOCK_EX, "flock after the holder closed"));
}

TEST_F(LockTest, FlockReleasedWhenTheHolderCloses) {
  Pipe ready, release;
  std::string f = file_;
  Child h([&]() -> std::string {
    Fd fd(open(f.c_str(), O_RDWR));
    std::string e = flockAs(fd.get(), LOCK_EX | LOCK_NB, "holder LOCK_EX");
    if (!e.empty()) return e;
    ready.send();
    if (!release.receive(60s)) return "never released";
    fd.reset();  // the close, not an unlock, must release it
    ready.send();
    return release.receive(60s) ? "" : "never finished";
  });
  ASSERT_TRUE(ready.receive(30s)) << h.wait(1s);
  Fd fd = openFile();
  EXPECT_EQ(flock(fd.get(), LOCK_SH | LOCK_NB), -1);
  EXPECT_EQ(errno, EWOULDBLOCK);
  ASSERT_EQ(release.send(), "");
  ASSERT_TRUE(ready.receive(30s));
  MT_EXPECT_OK(flockAfterClose(fd.get(), LOCK_EX, "flock after the holder's close"));
  ASSERT_EQ(release.send(), "");
  EXPECT_EQ(h.wait(30s), "");
}

}  // namespace
}  // namespace mt
