// SPDX-License-Identifier: GPL-3.0-or-later
// performance/quick-read: small files come with their lookup and are opened and read without
// a call below; big files are not; changes through this client (a write, an open with O_TRUNC,
// also one that finishes while a lookup is on its way back) drop the copy.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <future>

#include "tests/unit/performance/perf_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

class QuickReadTest : public ::testing::Test {
 protected:
  QuickReadTest()
      : rig_("performance/quick-read", {{"max-file-size", "4KB"}, {"cache-timeout", "60"}}) {}

  // Opens `l` (as the kernel does with an inode it holds, without a new lookup) and reads it.
  Result<std::string> openAndRead(const Loc& l, int flags = O_RDONLY) {
    FdPtr fd = makeFd(l.inode, flags);
    auto o = rig_.client().call(OpenReq{l, flags, fd});
    if (!o) return fail(o.error());
    auto data = rig_.client().read(fd, 0, 1 << 20);
    (void)rig_.client().flush(fd);
    return data;
  }
  size_t callsBelow() const { return rig_.probe().log().size(); }

  PerfRig rig_;
};

TEST_F(QuickReadTest, ASmallFileIsReadWithoutACallBelowAfterItsLookup) {
  ASSERT_OK(rig_.storage().writeFile("/small", "tiny message"));
  auto l = rig_.client().loc("/small");  // the lookup brings the contents
  ASSERT_OK(l);
  rig_.probe().clearLog();
  EXPECT_EQ(*openAndRead(*l), "tiny message");
  EXPECT_EQ(callsBelow(), 0u) << "open, read or flush went below";
  EXPECT_EQ(*openAndRead(*l), "tiny message");
  EXPECT_EQ(callsBelow(), 0u);
}

TEST_F(QuickReadTest, ABigFileIsOpenedAndReadBelow) {
  std::string big(8192, 'b');
  ASSERT_OK(rig_.storage().writeFile("/big", big));
  auto l = rig_.client().loc("/big");
  ASSERT_OK(l);
  rig_.probe().clearLog();
  EXPECT_EQ(*openAndRead(*l), big);
  EXPECT_EQ(rig_.probe().count("open"), 1u);
  EXPECT_GE(rig_.probe().count("readv"), 1u);
}

TEST_F(QuickReadTest, AWriteThroughThisClientDropsTheCopy) {
  ASSERT_OK(rig_.storage().writeFile("/f", "before"));
  auto l = rig_.client().loc("/f");
  ASSERT_OK(l);
  EXPECT_EQ(*openAndRead(*l), "before");
  FdPtr wr = makeFd(l->inode, O_WRONLY);
  ASSERT_OK(rig_.client().call(OpenReq{*l, O_WRONLY, wr}));
  ASSERT_OK(rig_.client().write(wr, 0, "AFTER!"));
  ASSERT_OK(rig_.client().flush(wr));
  EXPECT_EQ(*openAndRead(*l), "AFTER!");
}

// `: > file` opens with O_TRUNC and writes nothing: the old contents must not come back.
TEST_F(QuickReadTest, AnOpenWithOTruncDropsTheCopy) {
  ASSERT_OK(rig_.storage().writeFile("/f", "old contents"));
  auto l = rig_.client().loc("/f");
  ASSERT_OK(l);
  EXPECT_EQ(*openAndRead(*l), "old contents");
  FdPtr wr = makeFd(l->inode, O_WRONLY | O_TRUNC);
  ASSERT_OK(rig_.client().call(OpenReq{*l, O_WRONLY | O_TRUNC, wr}));
  ASSERT_OK(rig_.client().flush(wr));
  EXPECT_EQ(*openAndRead(*l), "") << "contents from before the truncating open";
}

// A lookup read the old contents below, and a write finished before its reply came back:
// the copy it brings must not be used.
TEST_F(QuickReadTest, AContentFetchedBeforeAWriteFinishedIsNotUsed) {
  ASSERT_OK(rig_.storage().writeFile("/f", "old"));
  auto l = rig_.client().loc("/f");
  ASSERT_OK(l);
  rig_.probe().hold("reply:lookup");
  auto lookup = std::async(std::launch::async,
                           [&] { return rig_.client().call(LookupReq{*l, {}}); });
  ASSERT_TRUE(rig_.probe().waitForHeld("reply:lookup", 1));
  FdPtr wr = makeFd(l->inode, O_WRONLY);
  ASSERT_OK(rig_.client().call(OpenReq{*l, O_WRONLY, wr}));
  ASSERT_OK(rig_.client().write(wr, 0, "NEW"));
  ASSERT_OK(rig_.client().flush(wr));
  rig_.probe().release("reply:lookup");
  ASSERT_OK(lookup.get());
  EXPECT_EQ(*openAndRead(*l), "NEW") << "served a copy older than our own write";
}

TEST_F(QuickReadTest, OtherUsesOfALazilyOpenedFdOpenItBelowFirst) {
  ASSERT_OK(rig_.storage().writeFile("/f", "locked"));
  auto l = rig_.client().loc("/f");
  ASSERT_OK(l);
  FdPtr fd = makeFd(l->inode, O_RDONLY);
  ASSERT_OK(rig_.client().call(OpenReq{*l, O_RDONLY, fd}));
  rig_.probe().clearLog();
  auto st = rig_.client().fstat(fd);
  ASSERT_OK(st);
  EXPECT_EQ(st->size, 6u);
  EXPECT_EQ(rig_.probe().count("open"), 1u);
  Flock rd{F_RDLCK, SEEK_SET, 0, 0, 1, 1};
  ASSERT_OK(rig_.client().call(LkReq{fd, LockCmd::kSet, LockKind::kPosix, rd}));
  EXPECT_EQ(rig_.probe().count("open"), 1u) << "opened below twice";
  ASSERT_OK(rig_.client().flush(fd));
  EXPECT_EQ(rig_.probe().count("flush"), 1u) << "the lock's flush must reach the storage";
}

TEST(QuickReadTimeoutTest, AnExpiredCopyIsNotUsed) {
  PerfRig rig("performance/quick-read", {{"cache-timeout", "0"}});
  ASSERT_OK(rig.storage().writeFile("/f", "x"));
  auto l = rig.client().loc("/f");
  ASSERT_OK(l);
  TestClient other = rig.storage();
  ASSERT_OK(other.writeFile("/f", "changed elsewhere"));
  FdPtr fd = makeFd(l->inode, O_RDONLY);
  ASSERT_OK(rig.client().call(OpenReq{*l, O_RDONLY, fd}));
  EXPECT_EQ(*rig.client().read(fd, 0, 100), "changed elsewhere");
}

}  // namespace
}  // namespace gf::test
