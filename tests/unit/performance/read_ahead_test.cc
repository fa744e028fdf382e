// SPDX-License-Identifier: GPL-3.0-or-later
// performance/read-ahead: a sequential reader is served from pages fetched ahead, a random
// one is not; writes and truncates through this client make fetched pages worthless, also
// when the pages were fetched while the write was still on its way down.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>

#include "tests/unit/performance/perf_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

constexpr uint64_t kPage = 4096;

std::string pattern(size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + (i / 7) % 26);
  return s;
}

class ReadAheadTest : public ::testing::Test {
 protected:
  ReadAheadTest() : rig_("performance/read-ahead", {{"page-size", "4KB"}, {"page-count", "4"}}) {
    TestClient s = rig_.storage();
    EXPECT_OK(s.writeFile("/f", data_));
  }
  size_t readsBelowAt(uint64_t off) {
    auto log = rig_.probe().log();
    std::string prefix = "readv@" + std::to_string(off) + "+";
    return std::count_if(log.begin(), log.end(),
                         [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
  }

  PerfRig rig_;
  std::string data_ = pattern(64 * kPage);
};

TEST_F(ReadAheadTest, ASequentialReaderIsServedFromPagesFetchedAhead) {
  auto fd = rig_.client().open("/f", O_RDONLY);
  ASSERT_OK(fd);
  rig_.probe().clearLog();
  for (uint64_t p = 0; p < 20; ++p)
    ASSERT_EQ(*rig_.client().read(*fd, p * kPage, kPage), data_.substr(p * kPage, kPage)) << p;
  // Each page went below once, fetched ahead; only the first was asked for directly.
  for (uint64_t p = 0; p < 20; ++p) EXPECT_EQ(readsBelowAt(p * kPage), 1u) << "page " << p;
  EXPECT_EQ(rig_.probe().count("readv"), 24u) << "20 pages read plus 4 ahead";
  // A read across the end comes back short.
  EXPECT_EQ(*rig_.client().read(*fd, 64 * kPage - 10, 100), data_.substr(64 * kPage - 10));
}

TEST_F(ReadAheadTest, ARandomReaderGetsNoPrefetch) {
  auto fd = rig_.client().open("/f", O_RDONLY);
  ASSERT_OK(fd);
  rig_.probe().clearLog();
  for (uint64_t p : {40u, 3u, 17u, 60u, 9u})
    ASSERT_EQ(*rig_.client().read(*fd, p * kPage, kPage), data_.substr(p * kPage, kPage));
  EXPECT_EQ(rig_.probe().count("readv"), 5u);
}

TEST_F(ReadAheadTest, AWriteThroughThisClientIsSeenByAReader) {
  auto rd = rig_.client().open("/f", O_RDONLY);
  auto wr = rig_.client().open("/f", O_WRONLY);
  ASSERT_OK(rd);
  ASSERT_OK(wr);
  ASSERT_OK(rig_.client().read(*rd, 0, kPage));  // pages 1-4 fetched
  ASSERT_OK(rig_.client().write(*wr, 2 * kPage, "NEW"));
  ASSERT_OK(rig_.client().read(*rd, kPage, kPage));
  EXPECT_EQ(*rig_.client().read(*rd, 2 * kPage, 5), "NEW" + data_.substr(2 * kPage + 3, 2));
  ASSERT_OK(rig_.client().truncate("/f", 3 * kPage));
  EXPECT_EQ(*rig_.client().read(*rd, 3 * kPage, kPage), "") << "data past a truncate";
}

// The write is on its way down (held below) when the reader fetches ahead: those pages hold
// the old data and must not be served once the write has finished.
TEST_F(ReadAheadTest, PagesFetchedDuringAWriteAreNotServedAfterIt) {
  auto rd = rig_.client().open("/f", O_RDONLY);
  auto wr = rig_.client().open("/f", O_WRONLY);
  ASSERT_OK(rd);
  ASSERT_OK(wr);
  ASSERT_OK(rig_.client().read(*rd, 0, kPage));
  rig_.probe().hold("writev");
  auto write = std::async(std::launch::async,
                          [&] { return rig_.client().write(*wr, 2 * kPage, "NEW"); });
  ASSERT_TRUE(rig_.probe().waitForHeld("writev", 1));
  ASSERT_OK(rig_.client().read(*rd, kPage, kPage));  // fetches pages 2-5: old data
  rig_.probe().release("writev");
  ASSERT_OK(write.get());
  EXPECT_EQ(*rig_.client().read(*rd, 2 * kPage, 3), "NEW") << "stale page after the write";
}

}  // namespace
}  // namespace gf::test
