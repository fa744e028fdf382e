// SPDX-License-Identifier: GPL-3.0-or-later
// Block checksums: Adler-32 against known values and a naive reference, and the 128-bit hash.
#include "glusterfs/core/checksum.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace gf {
namespace {

uint32_t naiveAdler(const std::string& s) {
  uint64_t a = 1, b = 0;
  for (unsigned char c : s) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return static_cast<uint32_t>(b << 16 | a);
}

TEST(ChecksumTest, Adler32KnownValues) {
  EXPECT_EQ(adler32("", 0), 1u);
  EXPECT_EQ(adler32(nullptr, 0), 1u);
  EXPECT_EQ(adler32("Wikipedia", 9), 0x11E60398u);
  EXPECT_EQ(adler32("a", 1), 0x00620062u);
}

TEST(ChecksumTest, Adler32MatchesTheReferenceOnLongWorstCaseInput) {
  // All 0xff bytes make the sums grow fastest: blocks past 5552 bytes must not overflow.
  for (size_t n : {5551u, 5552u, 5553u, 20000u, 1u << 20}) {
    std::string s(n, '\xff');
    EXPECT_EQ(adler32(s.data(), s.size()), naiveAdler(s)) << n;
  }
  std::mt19937 rng(7);
  std::string r(100000, '\0');
  for (auto& c : r) c = static_cast<char>(rng());
  EXPECT_EQ(adler32(r.data(), r.size()), naiveAdler(r));
}

TEST(ChecksumTest, StrongHashIs16BytesAndDeterministic) {
  std::string a = strongHash128("hello", 5);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a, strongHash128("hello", 5));
  EXPECT_NE(a, strongHash128("hellp", 5));
  EXPECT_EQ(strongHash128(nullptr, 0), strongHash128("", 0));
}

TEST(ChecksumTest, StrongHashSeesEveryByteAndTheLength) {
  std::set<std::string> seen;
  std::string zeros;
  for (int len = 0; len <= 40; ++len) {  // every tail length around the 16-byte blocks
    EXPECT_TRUE(seen.insert(strongHash128(zeros.data(), zeros.size())).second) << len;
    zeros.push_back('\0');
  }
  std::string base(37, 'q');
  std::string h = strongHash128(base.data(), base.size());
  for (size_t i = 0; i < base.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string m = base;
      m[i] = static_cast<char>(m[i] ^ (1 << bit));
      EXPECT_NE(strongHash128(m.data(), m.size()), h) << i << ":" << bit;
    }
}

}  // namespace
}  // namespace gf
