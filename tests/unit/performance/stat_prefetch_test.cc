// SPDX-License-Identifier: GPL-3.0-or-later
// performance/stat-prefetch: lookups after a readdirp are answered from the listing; changes
// through this client (also one finishing while a listing is on its way back) make them go
// below again; lookups asking for xattrs always go below.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <future>

#include "tests/unit/performance/perf_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

class StatPrefetchTest : public ::testing::Test {
 protected:
  StatPrefetchTest() : rig_("performance/stat-prefetch", {{"cache-timeout", "60"}}) {
    TestClient s = rig_.storage();
    EXPECT_OK(s.mkdir("/box"));
    for (int i = 0; i < 10; ++i)
      EXPECT_OK(s.writeFile("/box/m" + std::to_string(i), std::string(i, 'x')));
    auto box = rig_.client().resolve("/box");
    EXPECT_OK(box);
    if (box) box_ = *box;
  }
  // A lookup of /box/NAME made as the kernel makes it: a new inode under a parent it holds,
  // without looking the parent up again (TestClient's paths would).
  Result<EntryReply> lookupName(const std::string& name, std::vector<std::string> xattrs = {}) {
    Loc l{box_, name, rig_.client().table().create()};
    return rig_.client().call(LookupReq{l, std::move(xattrs)});
  }
  size_t lookupsBelow() const { return rig_.probe().count("lookup"); }

  PerfRig rig_;
  InodePtr box_;
};

TEST_F(StatPrefetchTest, LookupsAfterAListingAreAnsweredFromIt) {
  ASSERT_OK(rig_.client().readdirAll("/box", true));
  rig_.probe().clearLog();
  for (int i = 0; i < 10; ++i) {
    auto r = lookupName("m" + std::to_string(i));
    ASSERT_OK(r);
    EXPECT_EQ(r->stat.size, static_cast<uint64_t>(i));
  }
  EXPECT_EQ(lookupsBelow(), 0u) << ::testing::PrintToString(rig_.probe().log());
  EXPECT_ERRNO(lookupName("absent"), ENOENT);
  EXPECT_EQ(lookupsBelow(), 1u) << "names not listed go below";
  ASSERT_OK(lookupName("m1", {"user.x"}));
  EXPECT_EQ(lookupsBelow(), 2u) << "lookups asking for xattrs go below";
}

TEST_F(StatPrefetchTest, ChangesThroughThisClientAreSeen) {
  ASSERT_OK(rig_.client().readdirAll("/box", true));
  auto fd = rig_.client().open("/box/m3", O_WRONLY);
  ASSERT_OK(fd);
  ASSERT_OK(rig_.client().write(*fd, 3, "grown"));
  EXPECT_EQ(lookupName("m3")->stat.size, 8u);
  ASSERT_OK(rig_.client().readdirAll("/box", true));
  ASSERT_OK(rig_.client().unlink("/box/m4"));
  EXPECT_ERRNO(lookupName("m4"), ENOENT);
  ASSERT_OK(rig_.client().readdirAll("/box", true));
  ASSERT_OK(rig_.client().chmod("/box/m5", 0600));
  EXPECT_EQ(lookupName("m5")->stat.mode & 07777, 0600u);
  ASSERT_OK(rig_.client().readdirAll("/box", true));
  ASSERT_OK(rig_.client().rename("/box/m6", "/box/m7"));
  EXPECT_EQ(lookupName("m7")->stat.size, 6u);
  EXPECT_ERRNO(lookupName("m6"), ENOENT);
}

// The listing read the old attributes, and a write finished before its reply came back.
TEST_F(StatPrefetchTest, AListingFromBeforeAWriteFinishedIsNotUsed) {
  auto fd = rig_.client().open("/box/m2", O_WRONLY);
  ASSERT_OK(fd);
  rig_.probe().hold("reply:readdirp");
  auto listing =
      std::async(std::launch::async, [&] { return rig_.client().readdirAll("/box", true); });
  ASSERT_TRUE(rig_.probe().waitForHeld("reply:readdirp", 1));
  ASSERT_OK(rig_.client().write(*fd, 2, "0123456789"));
  rig_.probe().release("reply:readdirp");
  ASSERT_OK(listing.get());
  EXPECT_EQ(lookupName("m2")->stat.size, 12u) << "attributes older than our own write";
}

TEST(StatPrefetchTimeoutTest, AnExpiredListingIsNotUsed) {
  PerfRig rig("performance/stat-prefetch", {{"cache-timeout", "0"}});
  TestClient s = rig.storage();
  ASSERT_OK(s.writeFile("/f", "a"));
  ASSERT_OK(rig.client().readdirAll("/", true));
  ASSERT_OK(s.writeFile("/f", "changed elsewhere"));
  auto l = rig.client().newLoc("/f");
  auto r = rig.client().call(LookupReq{*l, {}});
  ASSERT_OK(r);
  EXPECT_EQ(r->stat.size, 17u);
}

}  // namespace
}  // namespace gf::test
