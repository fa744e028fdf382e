// SPDX-License-Identifier: GPL-3.0-or-later
// Payload: shared slices, sub-ranges, truncation and iovecs.
#include "glusterfs/core/payload.h"

#include <gtest/gtest.h>

namespace gf {
namespace {

// "hello" + " " + "world" in three separate buffers.
Payload threeSlices() {
  Payload p;
  p.append(Payload::copyOf("hello"));
  p.append(Payload::copyOf(" "));
  p.append(Payload::copyOf("world"));
  return p;
}

TEST(PayloadTest, EmptyByDefault) {
  Payload p;
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.str(), "");
  EXPECT_TRUE(p.iovecs().empty());
  EXPECT_EQ(p.mutableData(), nullptr);
}

TEST(PayloadTest, CopyOfHoldsTheBytesIncludingNul) {
  std::string bytes("a\0b\xff", 4);
  auto p = Payload::copyOf(bytes);
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(p.str(), bytes);
  EXPECT_EQ(p.slices().size(), 1u);
  EXPECT_TRUE(Payload::copyOf("").empty());
}

TEST(PayloadTest, AllocateGivesAWritableBuffer) {
  auto p = Payload::allocate(6);
  ASSERT_NE(p.mutableData(), nullptr);
  std::memcpy(p.mutableData(), "abcdef", 6);
  EXPECT_EQ(p.str(), "abcdef");
  EXPECT_TRUE(Payload::allocate(0).empty());
}

TEST(PayloadTest, AppendConcatenatesWithoutCopying) {
  auto a = Payload::copyOf("abc");
  Payload p;
  p.append(a);
  p.append(Payload::copyOf("de"));
  EXPECT_EQ(p.str(), "abcde");
  EXPECT_EQ(p.slices().size(), 2u);
  EXPECT_EQ(p.slices()[0].data, a.slices()[0].data);  // same bytes, not a copy
}

TEST(PayloadTest, AppendIgnoresEmptySlices) {
  Payload p;
  p.append(Payload::Slice{nullptr, nullptr, 0});
  p.append(Payload());
  EXPECT_TRUE(p.slices().empty());
}

TEST(PayloadTest, SlicesKeepTheirBufferAliveAfterTheSourceIsGone) {
  Payload p;
  {
    auto src = Payload::copyOf("persistent");
    p = src.sub(3, 4);
  }
  EXPECT_EQ(p.str(), "sist");  // read under ASan: the buffer must still be owned
}

TEST(PayloadTest, SubWithinOneSlice) {
  auto p = threeSlices();
  auto s = p.sub(1, 3);
  EXPECT_EQ(s.str(), "ell");
  ASSERT_EQ(s.slices().size(), 1u);
  EXPECT_EQ(s.slices()[0].data, p.slices()[0].data + 1);
}

TEST(PayloadTest, SubAcrossSlices) {
  auto p = threeSlices();
  EXPECT_EQ(p.sub(3, 5).str(), "lo wo");
  EXPECT_EQ(p.sub(3, 5).slices().size(), 3u);
  EXPECT_EQ(p.sub(5, 1).str(), " ");
  EXPECT_EQ(p.sub(6, 5).str(), "world");
  EXPECT_EQ(p.sub(0, 11).str(), "hello world");
}

TEST(PayloadTest, SubIsClippedAtTheEnd) {
  auto p = threeSlices();
  EXPECT_EQ(p.sub(8, 100).str(), "rld");
  EXPECT_TRUE(p.sub(11, 5).empty());
  EXPECT_TRUE(p.sub(50, 5).empty());
  EXPECT_TRUE(p.sub(2, 0).empty());
}

TEST(PayloadTest, TruncateInsideASlice) {
  auto p = threeSlices();
  p.truncate(7);
  EXPECT_EQ(p.size(), 7u);
  EXPECT_EQ(p.str(), "hello w");
  EXPECT_EQ(p.slices().size(), 3u);
}

TEST(PayloadTest, TruncateAtASliceBoundaryDropsTheRest) {
  auto p = threeSlices();
  p.truncate(5);
  EXPECT_EQ(p.str(), "hello");
  EXPECT_EQ(p.slices().size(), 1u);
  p.truncate(0);
  EXPECT_TRUE(p.empty());
  EXPECT_TRUE(p.slices().empty());
  EXPECT_EQ(p.str(), "");
}

TEST(PayloadTest, TruncateLongerIsANoOp) {
  auto p = threeSlices();
  p.truncate(11);
  p.truncate(1000);
  EXPECT_EQ(p.str(), "hello world");
}

TEST(PayloadTest, TruncateAfterAShortRead) {
  auto p = Payload::allocate(16);
  std::memcpy(p.mutableData(), "short", 5);
  p.truncate(5);
  EXPECT_EQ(p.str(), "short");
  EXPECT_EQ(p.iovecs().size(), 1u);
  EXPECT_EQ(p.iovecs()[0].iov_len, 5u);
}

TEST(PayloadTest, IovecsCoverEverySliceInOrder) {
  auto p = threeSlices();
  auto v = p.iovecs();
  ASSERT_EQ(v.size(), 3u);
  std::string joined;
  size_t total = 0;
  for (const auto& io : v) {
    joined.append(static_cast<const char*>(io.iov_base), io.iov_len);
    total += io.iov_len;
  }
  EXPECT_EQ(joined, "hello world");
  EXPECT_EQ(total, p.size());
  EXPECT_EQ(v[2].iov_base, p.slices()[2].data);
}

TEST(PayloadTest, CopyToFlattens) {
  auto p = threeSlices();
  std::string out(p.size(), '?');
  p.copyTo(out.data());
  EXPECT_EQ(out, "hello world");
}

TEST(PayloadTest, EqualityComparesBytesNotLayout) {
  EXPECT_EQ(threeSlices(), Payload::copyOf("hello world"));
  EXPECT_FALSE(threeSlices() == Payload::copyOf("hello_world"));
}

}  // namespace
}  // namespace gf
