// SPDX-License-Identifier: GPL-3.0-or-later
// distribute's name hash (stable values, spread, the rsync and maildir naming rules) and its
// directory layouts (the 16-byte on-disk form, uniform slices, holes and overlaps).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "glusterfs/xlators/cluster/distribute/dht_hash.h"
#include "glusterfs/xlators/cluster/distribute/dht_layout.h"

namespace gf::dht {
namespace {

// Every file already on a brick was placed by these values: a changed hash would hide files
// behind lookups on the wrong child. The values are this implementation's, pinned.
TEST(DhtHashTest, ValuesAreStableAcrossBuilds) {
  struct Case {
    const char* name;
    uint32_t hash;
  };
  const Case cases[] = {
      {"", 0x5ef41e1eu},
      {"a", 0x44e3375au},
      {"inbox", 0x720a7b52u},
      {"cur", 0x4e4242d0u},
      {"new", 0x9373e0dfu},
      {"tmp", 0x8ce74e87u},
      {"0123456789abcdef", 0xb0938a36u},   // one whole block
      {"0123456789abcdefg", 0xde8f6cddu},  // one byte into the next
      {"1246093723.M620193P11811.mx1.example.org", 0xbc116398u},
      {"lost+found", 0x4830d38fu},
      {"README", 0x0e160de1u},
      {"x", 0x57eacebbu},
  };
  for (const auto& c : cases)
    EXPECT_EQ(daviesMeyerHash(c.name), c.hash) << "hash of \"" << c.name << "\" changed";
}

TEST(DhtHashTest, SameNameSameHashAndLengthMatters) {
  EXPECT_EQ(daviesMeyerHash("inbox"), daviesMeyerHash(std::string("inbox")));
  // Trailing zero bytes and block boundaries are part of the message.
  EXPECT_NE(daviesMeyerHash("a"), daviesMeyerHash(std::string("a\0", 2)));
  EXPECT_NE(daviesMeyerHash(""), daviesMeyerHash(std::string("\0", 1)));
  std::string b16(16, 'x'), b17(17, 'x');
  EXPECT_NE(daviesMeyerHash(b16), daviesMeyerHash(b17));
  EXPECT_NE(daviesMeyerHash(b16), daviesMeyerHash(b16 + std::string(16, '\0')));
}

// Names spread evenly: with 4 children each gets about a quarter of 40,000 mail names, and
// names differing in one character land independently.
TEST(DhtHashTest, NamesSpreadEvenlyOverTheChildren) {
  for (size_t n : {2u, 3u, 4u, 7u}) {
    Layout l = Layout::uniform(n);
    std::vector<size_t> count(n);
    const size_t kNames = 40000;
    for (size_t i = 0; i < kNames; ++i) {
      std::string name = "1234567" + std::to_string(i) + ".M" + std::to_string(i * 7) + "P42.mx";
      int c = l.childFor(nameHash(name, {}));
      ASSERT_GE(c, 0);
      ++count[static_cast<size_t>(c)];
    }
    for (size_t c = 0; c < n; ++c) {
      double share = static_cast<double>(count[c]) / kNames;
      EXPECT_NEAR(share, 1.0 / n, 0.1 / n) << "child " << c << " of " << n;
    }
  }
  std::set<uint32_t> distinct;
  for (char c = 'a'; c <= 'z'; ++c) distinct.insert(daviesMeyerHash(std::string("msg") + c));
  EXPECT_EQ(distinct.size(), 26u);
}

TEST(DhtHashTest, RsyncTempNamesHashAsTheirFinalName) {
  HashRules on;
  EXPECT_EQ(hashedPart(".inbox.Xy12Ab", on), "inbox");
  EXPECT_EQ(nameHash(".inbox.Xy12Ab", on), nameHash("inbox", on));
  EXPECT_EQ(hashedPart(".a.b.c.QWERTY", on), "a.b.c");
  EXPECT_EQ(hashedPart(".x.123456", on), "x");
  // Not rsync's pattern: left alone.
  EXPECT_EQ(hashedPart(".inbox.abc", on), ".inbox.abc");     // suffix is not 6 characters
  EXPECT_EQ(hashedPart(".inbox", on), ".inbox");             // no suffix
  EXPECT_EQ(hashedPart("inbox.Xy12Ab", on), "inbox.Xy12Ab");  // no leading dot
  EXPECT_EQ(hashedPart("..Xy12Ab", on), "..Xy12Ab");          // nothing between the dots
  HashRules off{false, true};
  EXPECT_EQ(hashedPart(".inbox.Xy12Ab", off), ".inbox.Xy12Ab");
  EXPECT_NE(nameHash(".inbox.Xy12Ab", off), nameHash("inbox", off));
}

TEST(DhtHashTest, MaildirFlagsDoNotMoveAMessage) {
  HashRules on;
  const std::string base = "1246093723.M620193P11811.mx1.example.org";
  EXPECT_EQ(hashedPart(base + ":2,", on), base);
  EXPECT_EQ(hashedPart(base + ":2,S", on), base);
  EXPECT_EQ(hashedPart(base + ":2,FRS", on), base);
  EXPECT_EQ(nameHash(base + ":2,RS", on), nameHash(base, on));
  // Only the last ":2," counts, and only after some name.
  EXPECT_EQ(hashedPart("a:2,b:2,S", on), "a:2,b");
  EXPECT_EQ(hashedPart(":2,S", on), ":2,S");
  EXPECT_EQ(hashedPart(base + ":1,S", on), base + ":1,S");
  HashRules off{true, false};
  EXPECT_EQ(hashedPart(base + ":2,S", off), base + ":2,S");
}

TEST(DhtLayoutTest, RangeIsSixteenBigEndianBytes) {
  std::string raw = encodeRange(Range{0x01020304u, 0xA0B0C0D0u});
  ASSERT_EQ(raw.size(), 16u);
  const unsigned char want[16] = {0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0};
  EXPECT_EQ(raw, std::string(reinterpret_cast<const char*>(want), 16));
  auto back = decodeRange(raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->start, 0x01020304u);
  EXPECT_EQ(back->stop, 0xA0B0C0D0u);
}

TEST(DhtLayoutTest, MalformedRangesAreRejected) {
  std::string good = encodeRange(Range{10, 20});
  EXPECT_FALSE(decodeRange(good.substr(0, 15)));
  EXPECT_FALSE(decodeRange(good + "x"));
  EXPECT_FALSE(decodeRange(""));
  std::string badCount = good;
  badCount[3] = 2;
  EXPECT_FALSE(decodeRange(badCount));
  EXPECT_FALSE(decodeRange(encodeRange(Range{20, 10})));  // stop before start
  EXPECT_TRUE(decodeRange(encodeRange(Range{7, 7})));     // one hash value
}

TEST(DhtLayoutTest, UniformLayoutsCoverTheHashSpaceExactlyOnce) {
  for (size_t n : {1u, 2u, 3u, 5u, 7u, 16u, 100u, 256u}) {
    Layout l = Layout::uniform(n);
    ASSERT_EQ(l.size(), n);
    EXPECT_TRUE(l.complete()) << n;
    EXPECT_EQ(l.get(0)->start, 0u);
    EXPECT_EQ(l.get(n - 1)->stop, 0xffffffffu);
    uint64_t covered = 0;
    for (size_t i = 0; i < n; ++i) {
      const Range& r = *l.get(i);
      if (i > 0) EXPECT_EQ(uint64_t{l.get(i - 1)->stop} + 1, r.start) << n << "/" << i;
      uint64_t width = uint64_t{r.stop} - r.start + 1;
      covered += width;
      EXPECT_NEAR(static_cast<double>(width), 4294967296.0 / n, static_cast<double>(n)) << n;
      EXPECT_EQ(l.childFor(r.start), static_cast<int>(i));
      EXPECT_EQ(l.childFor(r.stop), static_cast<int>(i));
    }
    EXPECT_EQ(covered, uint64_t{1} << 32) << n;
  }
}

TEST(DhtLayoutTest, HolesAndOverlapsMakeALayoutIncomplete) {
  Layout hole(2);
  hole.set(0, Range{0, 0x7fffffff});
  hole.set(1, Range{0x80000001u, 0xffffffffu});
  EXPECT_FALSE(hole.complete());
  EXPECT_EQ(hole.childFor(0x80000000u), -1);
  EXPECT_EQ(hole.childFor(0x80000001u), 1);

  Layout overlap(2);
  overlap.set(0, Range{0, 0x80000000u});
  overlap.set(1, Range{0x80000000u, 0xffffffffu});
  EXPECT_FALSE(overlap.complete());

  Layout missingEnd(2);
  missingEnd.set(0, Range{0, 0x7fffffff});
  missingEnd.set(1, Range{0x80000000u, 0xfffffffeu});
  EXPECT_FALSE(missingEnd.complete());

  Layout lost(3);  // one copy lost its xattr: its slice is a hole
  Layout u = Layout::uniform(3);
  lost.set(0, u.get(0));
  lost.set(2, u.get(2));
  EXPECT_FALSE(lost.complete());
  EXPECT_EQ(lost.childFor(u.get(1)->start), -1);

  EXPECT_FALSE(Layout(3).complete());  // nothing at all

  // A child may own nothing: the others covering everything is a complete layout.
  Layout spare(3);
  spare.set(0, Range{0, 0x7fffffff});
  spare.set(2, Range{0x80000000u, 0xffffffffu});
  EXPECT_TRUE(spare.complete());
  EXPECT_EQ(spare.childFor(0xffffffffu), 2);

  EXPECT_TRUE(Layout::uniform(3) == Layout::uniform(3));
  EXPECT_FALSE(Layout::uniform(3) == lost);
  EXPECT_FALSE(Layout::uniform(3) == Layout::uniform(4));
}

// Share of the hash space whose owner differs between two layouts.
double movedShare(const Layout& a, const Layout& b) {
  uint64_t moved = 0;
  for (uint64_t h = 0; h < (uint64_t{1} << 32); h += 1 << 16)
    if (a.childFor(static_cast<uint32_t>(h)) != b.childFor(static_cast<uint32_t>(h))) ++moved;
  return static_cast<double>(moved) / (1 << 16);
}

Layout grown(size_t before, size_t after) {
  Layout l(after);
  Layout u = Layout::uniform(before);
  for (size_t i = 0; i < before; ++i) l.set(i, u.get(i));
  return l;
}

TEST(DhtLayoutTest, ANewChildGetsItsSliceWhileTheOthersKeepMostOfTheirs) {
  Layout from = grown(2, 3);
  Layout to = Layout::keepingMostOf(from);
  EXPECT_TRUE(to.complete());
  EXPECT_NEAR(movedShare(from, to), 1.0 / 3, 0.01) << "a third moves, not half";
  EXPECT_NEAR(movedShare(from, Layout::uniform(3)), 0.5, 0.01);
  // The old children keep the ends of the hash space, the new one takes the middle.
  Layout u = Layout::uniform(3);
  EXPECT_EQ(to.get(0)->start, u.get(0)->start);
  EXPECT_EQ(to.get(1)->start, u.get(2)->start);
  EXPECT_EQ(to.get(2)->start, u.get(1)->start);
  for (size_t n = 2; n <= 12; ++n) {
    Layout l = Layout::keepingMostOf(grown(n, n + 1));
    EXPECT_TRUE(l.complete()) << n;
    EXPECT_LE(movedShare(grown(n, n + 1), l), movedShare(grown(n, n + 1), Layout::uniform(n + 1)) + 1e-9)
        << n;
  }
}

TEST(DhtLayoutTest, AHandoutIsKeptAsItIsAndNothingBecomesUniform) {
  Layout once = Layout::keepingMostOf(grown(2, 3));
  EXPECT_TRUE(Layout::keepingMostOf(once) == once) << "a second run must not move files again";
  EXPECT_TRUE(Layout::keepingMostOf(Layout(4)) == Layout::uniform(4));
  EXPECT_TRUE(Layout::keepingMostOf(Layout::uniform(5)) == Layout::uniform(5));
}

}  // namespace
}  // namespace gf::dht
