// SPDX-License-Identifier: GPL-3.0-or-later
// performance/io-cache: pages shared by every open of a file, dropped by changes through this
// client (also pages read while such a change was on its way down), revalidated by mtime and
// size after cache-timeout, and evicted lowest priority first when the cache is full.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "tests/unit/performance/perf_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using namespace std::chrono_literals;

std::string pattern(size_t len, char base = 'a') {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>(base + (i / 11) % 26);
  return s;
}

std::string readAll(TestClient& fs, const std::string& path) {
  auto fd = fs.open(path, O_RDONLY);
  if (!fd) return "<open failed>";
  std::string out;
  for (;;) {
    auto part = fs.read(*fd, out.size(), 65536);
    if (!part || part->empty()) break;
    out += *part;
  }
  return out;
}

TEST(IoCacheTest, PagesAreSharedByEveryOpenOfAFile) {
  PerfRig rig("performance/io-cache");
  std::string data = pattern(300 * 1024);
  ASSERT_OK(rig.storage().writeFile("/f", data));
  EXPECT_EQ(readAll(rig.client(), "/f"), data);
  size_t below = rig.probe().count("readv");
  EXPECT_EQ(below, 3u) << "three 128 KB pages";
  EXPECT_EQ(readAll(rig.client(), "/f"), data);
  EXPECT_EQ(rig.probe().count("readv"), below) << "the second open read below again";
  // An unaligned read across two cached pages.
  auto fd = rig.client().open("/f", O_RDONLY);
  EXPECT_EQ(*rig.client().read(*fd, 128 * 1024 - 3, 10), data.substr(128 * 1024 - 3, 10));
  EXPECT_EQ(rig.probe().count("readv"), below);
}

TEST(IoCacheTest, AWriteThroughThisClientDropsThePages) {
  PerfRig rig("performance/io-cache");
  ASSERT_OK(rig.storage().writeFile("/f", pattern(10000)));
  EXPECT_EQ(readAll(rig.client(), "/f"), pattern(10000));
  auto wr = rig.client().open("/f", O_WRONLY);
  ASSERT_OK(rig.client().write(*wr, 100, "CHANGED"));
  std::string want = pattern(10000);
  want.replace(100, 7, "CHANGED");
  EXPECT_EQ(readAll(rig.client(), "/f"), want);
  ASSERT_OK(rig.client().truncate("/f", 50));
  EXPECT_EQ(readAll(rig.client(), "/f"), want.substr(0, 50));
}

TEST(IoCacheTest, ChangesMadeElsewhereAreSeenAfterTheCacheTimeout) {
  PerfRig rig("performance/io-cache", {{"cache-timeout", "1"}});
  ASSERT_OK(rig.storage().writeFile("/f", "version one"));
  EXPECT_EQ(readAll(rig.client(), "/f"), "version one");
  TestClient other = rig.storage();
  ASSERT_OK(other.writeFile("/f", "version two, longer"));
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(readAll(rig.client(), "/f"), "version two, longer");
}

// The write is on its way down when a reader fills the cache with the old data: once the
// write has finished, those pages must not be served.
TEST(IoCacheTest, PagesReadDuringAWriteAreNotServedAfterIt) {
  PerfRig rig("performance/io-cache", {{"cache-timeout", "60"}});
  ASSERT_OK(rig.storage().writeFile("/f", "old old old"));
  auto rd = rig.client().open("/f", O_RDONLY);
  auto wr = rig.client().open("/f", O_WRONLY);
  ASSERT_OK(rd);
  ASSERT_OK(wr);
  rig.probe().hold("writev");
  auto write = std::async(std::launch::async, [&] { return rig.client().write(*wr, 0, "NEW"); });
  ASSERT_TRUE(rig.probe().waitForHeld("writev", 1));
  EXPECT_EQ(*rig.client().read(*rd, 0, 100), "old old old");  // may be either; it is old
  rig.probe().release("writev");
  ASSERT_OK(write.get());
  EXPECT_EQ(*rig.client().read(*rd, 0, 100), "NEW old old") << "stale page after the write";
}

// cache-size 1 MB: a 768 KB file of priority 3 stays when a 512 KB file of priority 1 is read
// after it; the low-priority file gives way.
TEST(IoCacheTest, TheLowestPriorityGoesFirstWhenTheCacheIsFull) {
  PerfRig rig("performance/io-cache",
              {{"cache-size", "1MB"}, {"cache-timeout", "60"}, {"priority", "*.html:3,*.log:1"}});
  std::string html = pattern(768 * 1024, 'A'), log = pattern(512 * 1024, 'a');
  ASSERT_OK(rig.storage().writeFile("/index.html", html));
  ASSERT_OK(rig.storage().writeFile("/mail.log", log));
  EXPECT_EQ(readAll(rig.client(), "/index.html"), html);
  EXPECT_EQ(readAll(rig.client(), "/mail.log"), log);
  rig.probe().clearLog();
  EXPECT_EQ(readAll(rig.client(), "/index.html"), html);
  EXPECT_EQ(rig.probe().count("readv"), 0u) << "the high-priority file was evicted";
  EXPECT_EQ(readAll(rig.client(), "/mail.log"), log);
  EXPECT_GT(rig.probe().count("readv"), 0u) << "more than 1 MB stayed cached";
}

TEST(IoCacheTest, ReadErrorsAreReturned) {
  PerfRig rig("performance/io-cache");
  ASSERT_OK(rig.storage().writeFile("/f", "x"));
  auto fd = rig.client().open("/f", O_RDONLY);
  ASSERT_OK(fd);
  rig.failOnce("readv", EIO);
  EXPECT_ERRNO(rig.client().read(*fd, 0, 10), EIO);
  EXPECT_EQ(*rig.client().read(*fd, 0, 10), "x") << "a failed read was cached";
}

}  // namespace
}  // namespace gf::test
