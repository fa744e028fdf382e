// SPDX-License-Identifier: GPL-3.0-or-later
// performance/write-behind: writes acknowledged before they are down, sent in order, joined
// when contiguous; every other fop on the file waits for them; an error of a write sent behind
// is returned by the next write, flush or fsync (and is not lost to a stat in between);
// flush-behind; cache-size; O_SYNC passes straight through.
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

std::string onStorage(const PerfRig& rig, const std::string& path) {
  TestClient s = rig.storage();
  auto r = s.readFile(path);
  return r ? *r : "<" + std::string(strerror(r.errnum())) + ">";
}

TEST(WriteBehindTest, AWriteIsAcknowledgedBeforeItIsDown) {
  PerfRig rig("performance/write-behind");
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.probe().hold("writev");
  auto n = rig.client().write(*fd, 0, "behind");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 6u);
  EXPECT_EQ(rig.probe().waiting("writev"), 1u);
  EXPECT_EQ(onStorage(rig, "/f"), "") << "the write is not down yet";
  rig.probe().release("writev");
  EXPECT_EQ(onStorage(rig, "/f"), "behind");
  ASSERT_OK(rig.client().flush(*fd));
}

TEST(WriteBehindTest, WritesGoDownInTheOrderTheyWereMade) {
  PerfRig rig("performance/write-behind");
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.probe().clearLog();  // the create went below too; the writes are what is compared
  rig.probe().hold("writev");
  ASSERT_OK(rig.client().write(*fd, 0, "AAAA"));
  ASSERT_OK(rig.client().write(*fd, 2, "BB"));
  ASSERT_OK(rig.client().write(*fd, 0, "C"));
  rig.probe().release("writev");
  EXPECT_EQ(onStorage(rig, "/f"), "CABB");
  EXPECT_EQ(rig.probe().log(),
            (std::vector<std::string>{"writev@0+4", "writev@2+2", "writev@0+1"}));
}

TEST(WriteBehindTest, ContiguousWritesAreJoinedUpToTheAggregateSize) {
  PerfRig rig("performance/write-behind", {{"aggregate-size", "64KB"}});
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.probe().clearLog();  // the create went below too; the writes are what is compared
  rig.probe().hold("writev");
  std::string all;
  for (int i = 0; i < 33; ++i) {  // the first goes at once; 32 more wait and are joined
    std::string block(4096, static_cast<char>('a' + i % 26));
    ASSERT_OK(rig.client().write(*fd, all.size(), block));
    all += block;
  }
  rig.probe().release("writev");
  EXPECT_EQ(onStorage(rig, "/f"), all);
  EXPECT_EQ(rig.probe().log(),
            (std::vector<std::string>{"writev@0+4096", "writev@4096+65536", "writev@69632+65536"}));
}

// A read (and any other fop on the file) waits until the writes before it are down.
TEST(WriteBehindTest, OtherFopsOnTheFileWaitForItsWrites) {
  PerfRig rig("performance/write-behind");
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.probe().hold("writev");
  ASSERT_OK(rig.client().write(*fd, 0, "hello world"));
  auto read = std::async(std::launch::async, [&] { return rig.client().read(*fd, 0, 100); });
  auto cut = std::async(std::launch::async, [&] {
    return rig.client().call(FtruncateReq{*fd, 5});
  });
  EXPECT_EQ(read.wait_for(100ms), std::future_status::timeout) << "the read did not wait";
  EXPECT_EQ(cut.wait_for(10ms), std::future_status::timeout) << "the truncate did not wait";
  rig.probe().release("writev");
  auto got = read.get();
  ASSERT_OK(got);
  EXPECT_TRUE(*got == "hello world" || *got == "hello") << *got;
  ASSERT_OK(cut.get());
  EXPECT_EQ(onStorage(rig, "/f"), "hello") << "the truncate went down before the write";
}

TEST(WriteBehindTest, AFailedWriteIsReportedByTheNextWrite) {
  PerfRig rig("performance/write-behind");
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.failOnce("writev", ENOSPC);
  ASSERT_OK(rig.client().write(*fd, 0, "lost"));  // acknowledged, then failed below
  EXPECT_ERRNO(rig.client().write(*fd, 4, "next"), ENOSPC);
  ASSERT_OK(rig.client().write(*fd, 0, "again"));  // reported once
  ASSERT_OK(rig.client().flush(*fd));
  EXPECT_EQ(onStorage(rig, "/f"), "again");
}

TEST(WriteBehindTest, AFailedWriteIsReportedByFlushAndByFsync) {
  PerfRig rig("performance/write-behind");
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.failOnce("writev", EIO);
  ASSERT_OK(rig.client().write(*fd, 0, "x"));
  EXPECT_ERRNO(rig.client().flush(*fd), EIO);
  rig.failOnce("writev", EDQUOT);
  ASSERT_OK(rig.client().write(*fd, 0, "y"));
  EXPECT_ERRNO(rig.client().fsync(*fd), EDQUOT);
  ASSERT_OK(rig.client().fsync(*fd));
}

// A stat, lookup or read between the failed write and close must not swallow the error.
TEST(WriteBehindTest, AFailedWriteIsNotLostToAStatBeforeClose) {
  PerfRig rig("performance/write-behind");
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.failOnce("writev", ENOSPC);
  ASSERT_OK(rig.client().write(*fd, 0, "mail body"));
  ASSERT_OK(rig.client().fstat(*fd));
  ASSERT_OK(rig.client().stat("/f"));
  ASSERT_OK(rig.client().read(*fd, 0, 10));
  EXPECT_ERRNO(rig.client().flush(*fd), ENOSPC) << "close() reported success for lost data";
}

// flush-behind: close() returns at once; the flush itself still goes down after the writes
// (the lock release it carries must not overtake them), and a failure reaches fsync.
TEST(WriteBehindTest, FlushBehindReturnsAtOnceButFlushesAfterTheWrites) {
  PerfRig rig("performance/write-behind", {{"flush-behind", "on"}});
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.probe().hold("writev");
  ASSERT_OK(rig.client().write(*fd, 0, "data"));
  rig.probe().clearLog();
  auto flushed = std::async(std::launch::async, [&] { return rig.client().flush(*fd); });
  ASSERT_EQ(flushed.wait_for(2s), std::future_status::ready) << "flush waited for the writes";
  ASSERT_OK(flushed.get());
  EXPECT_EQ(rig.probe().count("flush"), 0u) << "the flush overtook the pending write";
  rig.probe().release("writev");
  EXPECT_EQ(onStorage(rig, "/f"), "data");
  EXPECT_EQ(rig.probe().count("flush"), 1u);
  rig.failOnce("writev", EIO);
  ASSERT_OK(rig.client().write(*fd, 0, "more"));
  ASSERT_OK(rig.client().flush(*fd));
  EXPECT_ERRNO(rig.client().fsync(*fd), EIO);
}

TEST(WriteBehindTest, AWriterWaitsOnceCacheSizeBytesAreWaiting) {
  PerfRig rig("performance/write-behind", {{"cache-size", "8KB"}});
  auto fd = rig.client().create("/f");
  ASSERT_OK(fd);
  rig.probe().hold("writev");
  ASSERT_OK(rig.client().write(*fd, 0, std::string(4096, 'a')));
  auto full = std::async(std::launch::async,
                         [&] { return rig.client().write(*fd, 4096, std::string(4096, 'b')); });
  EXPECT_EQ(full.wait_for(100ms), std::future_status::timeout) << "8 KB waiting, yet acked";
  rig.probe().release("writev");
  ASSERT_OK(full.get());
  EXPECT_EQ(onStorage(rig, "/f"), std::string(4096, 'a') + std::string(4096, 'b'));
}

TEST(WriteBehindTest, SynchronousWritesPassStraightThrough) {
  PerfRig rig("performance/write-behind");
  ASSERT_OK(rig.client().writeFile("/f", ""));
  auto fd = rig.client().open("/f", O_WRONLY | O_SYNC);
  ASSERT_OK(fd);
  rig.probe().hold("writev");
  auto w = std::async(std::launch::async, [&] { return rig.client().write(*fd, 0, "sync"); });
  EXPECT_EQ(w.wait_for(100ms), std::future_status::timeout) << "an O_SYNC write was acked early";
  rig.probe().release("writev");
  ASSERT_OK(w.get());
  EXPECT_EQ(onStorage(rig, "/f"), "sync");
  rig.failOnce("writev", EIO);
  EXPECT_ERRNO(rig.client().write(*fd, 0, "x"), EIO);
}

}  // namespace
}  // namespace gf::test
