// SPDX-License-Identifier: GPL-3.0-or-later
// Gfid: canonical text form, raw bytes, v4 generation and inode numbers.
#include "glusterfs/core/gfid.h"

#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

namespace gf {
namespace {

TEST(GfidTest, RootHasTheGlusterfsValue) {
  EXPECT_EQ(Gfid::root().str(), "00000000-0000-0000-0000-000000000001");
  EXPECT_TRUE(Gfid::root().isRoot());
  EXPECT_FALSE(Gfid::root().isNull());
}

TEST(GfidTest, DefaultIsNull) {
  Gfid g;
  EXPECT_TRUE(g.isNull());
  EXPECT_FALSE(g.isRoot());
  EXPECT_EQ(g.str(), "00000000-0000-0000-0000-000000000000");
}

TEST(GfidTest, ParseAndFormatRoundTrip) {
  const char* text = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  auto g = Gfid::parse(text);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->str(), text);
  EXPECT_EQ(g->bytes[0], 0x3f);
  EXPECT_EQ(g->bytes[15], 0x01);
  for (int i = 0; i < 100; ++i) {
    Gfid r = Gfid::random();
    auto back = Gfid::parse(r.str());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
  }
}

TEST(GfidTest, ParseAcceptsUpperCaseAndFormatsLowerCase) {
  auto g = Gfid::parse("3F2504E0-4F89-41D3-9A0C-0305E82C3301");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->str(), "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
}

TEST(GfidTest, ParseRejectsMalformedText) {
  for (const char* bad : {
           "",
           "3f2504e0-4f89-41d3-9a0c-0305e82c330",    // too short
           "3f2504e0-4f89-41d3-9a0c-0305e82c33011",  // too long
           "3f2504e04f89-41d3-9a0c-0305e82c3301-",   // dash misplaced
           "3f2504e0-4f89-41d3-9a0c+0305e82c3301",   // wrong separator
           "3g2504e0-4f89-41d3-9a0c-0305e82c3301",   // not hex
           " f2504e0-4f89-41d3-9a0c-0305e82c3301",   // space
           "3f2504e0-4f89-41d3-9a0c-0305e82c33 1",
       })
    EXPECT_FALSE(Gfid::parse(bad).has_value()) << "'" << bad << "'";
}

TEST(GfidTest, RawBytesRoundTrip) {
  Gfid g = Gfid::random();
  EXPECT_EQ(g.raw().size(), 16u);
  EXPECT_EQ(Gfid::fromBytes(g.raw()), g);
}

TEST(GfidTest, FromBytesOfTheWrongSizeIsNull) {
  EXPECT_TRUE(Gfid::fromBytes("").isNull());
  EXPECT_TRUE(Gfid::fromBytes("0123456789abcde").isNull());
  EXPECT_TRUE(Gfid::fromBytes("0123456789abcdefg").isNull());
}

TEST(GfidTest, RandomIsAVersion4RfcUuid) {
  for (int i = 0; i < 1000; ++i) {
    Gfid g = Gfid::random();
    EXPECT_EQ(g.bytes[6] >> 4, 4) << g.str();
    EXPECT_EQ(g.bytes[8] & 0xc0, 0x80) << g.str();
    EXPECT_EQ(g.str()[14], '4');
    EXPECT_NE(std::string("89ab").find(g.str()[19]), std::string::npos) << g.str();
  }
}

TEST(GfidTest, RandomValuesDiffer) {
  std::set<Gfid> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(Gfid::random()).second);
}

TEST(GfidTest, InoOfRootIsOne) { EXPECT_EQ(Gfid::root().ino(), 1u); }

TEST(GfidTest, InoIsTheLow64BitsBigEndian) {
  auto g = Gfid::parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  EXPECT_EQ(g->ino(), 0x9a0c0305e82c3301ULL);
}

TEST(GfidTest, InoOfRandomGfidsIsNever0Or1) {
  for (int i = 0; i < 100000; ++i) {
    uint64_t ino = Gfid::random().ino();
    ASSERT_GT(ino, 1u);
  }
}

TEST(GfidTest, InoOfANonRootGfidIsNever0Or1) {
  // Gfids written by other tools need not be v4: a non-root gfid whose low half is 0 or 1 must
  // still not look like "no inode" or like the root to the kernel.
  for (const char* text :
       {"12345678-9abc-def0-0000-000000000000", "12345678-9abc-def0-0000-000000000001",
        "00000000-0000-0001-0000-000000000000", "00000000-0000-0001-0000-000000000001"}) {
    auto g = Gfid::parse(text);
    ASSERT_TRUE(g.has_value());
    EXPECT_GT(g->ino(), 1u) << text;
    EXPECT_EQ(g->ino(), g->ino()) << "stable";
  }
  EXPECT_EQ(Gfid().ino(), 0u);  // the null gfid means "no inode"
}

TEST(GfidTest, OrderingAndHashFollowTheBytes) {
  auto a = *Gfid::parse("00000000-0000-0000-0000-000000000002");
  auto b = *Gfid::parse("00000000-0000-0000-0000-000000000003");
  EXPECT_LT(a, b);
  EXPECT_NE(a, b);
  GfidHash h;
  EXPECT_EQ(h(a), h(*Gfid::parse(a.str())));
  std::unordered_set<size_t> hashes;
  for (int i = 0; i < 1000; ++i) hashes.insert(h(Gfid::random()));
  EXPECT_GT(hashes.size(), 990u);
}

}  // namespace
}  // namespace gf
