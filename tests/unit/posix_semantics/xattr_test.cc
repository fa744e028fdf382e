// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX semantics: extended attributes and xattrop (the changelog counters of replicate).
#include <sys/xattr.h>

#include <thread>

#include "tests/unit/posix_semantics/posix_fixture.h"

namespace gf::test {
namespace {

GF_POSIX_SUITE(PosixXattrTest);

std::string be32(std::initializer_list<int32_t> values) {
  std::string out;
  for (int32_t v : values) {
    auto u = static_cast<uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((u >> shift) & 0xff));
  }
  return out;
}

std::string be64(std::initializer_list<int64_t> values) {
  std::string out;
  for (int64_t v : values) {
    auto u = static_cast<uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((u >> shift) & 0xff));
  }
  return out;
}

TYPED_TEST(PosixXattrTest, SetGetListAndRemoveUserAttributes) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK(fs.setxattr("/f", "user.colour", "blue"));
  ASSERT_OK(fs.setxattr("/f", "user.size", "large"));
  ASSERT_OK_AND_ASSIGN(std::string colour, fs.getxattr("/f", "user.colour"));
  EXPECT_EQ(colour, "blue");
  ASSERT_OK_AND_ASSIGN(auto names, fs.listxattr("/f"));
  std::vector<std::string> user;
  for (auto& n : names)
    if (n.rfind("user.", 0) == 0) user.push_back(n);
  EXPECT_EQ(user, (std::vector<std::string>{"user.colour", "user.size"}));
  ASSERT_OK(fs.removexattr("/f", "user.colour"));
  EXPECT_ERRNO(fs.getxattr("/f", "user.colour"), ENODATA);
  EXPECT_ERRNO(fs.removexattr("/f", "user.colour"), ENODATA);
}

TYPED_TEST(PosixXattrTest, CreateAndReplaceFlagsAreHonoured) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  EXPECT_ERRNO(fs.setxattr("/d", "user.k", "v", XATTR_REPLACE), ENODATA);
  ASSERT_OK(fs.setxattr("/d", "user.k", "v1", XATTR_CREATE));
  EXPECT_ERRNO(fs.setxattr("/d", "user.k", "v2", XATTR_CREATE), EEXIST);
  ASSERT_OK(fs.setxattr("/d", "user.k", "v3", XATTR_REPLACE));
  ASSERT_OK_AND_ASSIGN(std::string v, fs.getxattr("/d", "user.k"));
  EXPECT_EQ(v, "v3");
}

TYPED_TEST(PosixXattrTest, BinaryValuesAndTrustedNamesRoundTrip) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  std::string binary("\0\x01\xff\0zz", 6);
  ASSERT_OK(fs.setxattr("/f", "trusted.glusterfs.test", binary));
  ASSERT_OK_AND_ASSIGN(std::string back, fs.getxattr("/f", "trusted.glusterfs.test"));
  EXPECT_EQ(back, binary);
  EXPECT_ERRNO(fs.getxattr("/f", "user.missing"), ENODATA);
}

TYPED_TEST(PosixXattrTest, XattropAddsBigEndianArraysAndReturnsTheNewValues) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.loc("/f"));
  // A missing key counts as zeros.
  ASSERT_OK_AND_ASSIGN(XattrReply r1,
                       fs.call(XattropReq{l, XattropOp::kAddArray,
                                          Dict{{"trusted.afr.c0", be32({1, 1, 0})},
                                               {"trusted.afr.c1", be32({2, 0, 0})}}}));
  EXPECT_EQ(r1.xattrs["trusted.afr.c0"], be32({1, 1, 0}));
  EXPECT_EQ(r1.xattrs["trusted.afr.c1"], be32({2, 0, 0}));
  ASSERT_OK_AND_ASSIGN(
      XattrReply r2,
      fs.call(XattropReq{l, XattropOp::kAddArray, Dict{{"trusted.afr.c0", be32({-1, 5, -3})}}}));
  EXPECT_EQ(r2.xattrs["trusted.afr.c0"], be32({0, 6, -3}));
  ASSERT_OK_AND_ASSIGN(std::string stored, fs.getxattr("/f", "trusted.afr.c0"));
  EXPECT_EQ(stored, be32({0, 6, -3}));
  ASSERT_OK_AND_ASSIGN(std::string other, fs.getxattr("/f", "trusted.afr.c1"));
  EXPECT_EQ(other, be32({2, 0, 0}));
}

TYPED_TEST(PosixXattrTest, Xattrop64AndTheFdFormAgree) {
  auto& fs = this->fs();
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
  int64_t big = int64_t{1} << 40;
  ASSERT_OK_AND_ASSIGN(
      XattrReply r1,
      fs.call(FxattropReq{fd, XattropOp::kAddArray64, Dict{{"trusted.count", be64({big, -1})}}}));
  EXPECT_EQ(r1.xattrs["trusted.count"], be64({big, -1}));
  ASSERT_OK_AND_ASSIGN(XattrReply r2, fs.call(FxattropReq{fd, XattropOp::kAddArray64,
                                                          Dict{{"trusted.count", be64({1, 1})}}}));
  EXPECT_EQ(r2.xattrs["trusted.count"], be64({big + 1, 0}));
}

TYPED_TEST(PosixXattrTest, LookupReturnsTheRequestedXattrsByNameOrPrefix) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK(fs.setxattr("/f", "trusted.afr.c0", be32({1, 0, 0})));
  ASSERT_OK(fs.setxattr("/f", "trusted.afr.c1", be32({0, 2, 0})));
  ASSERT_OK(fs.setxattr("/f", "trusted.other", "o"));
  ASSERT_OK(fs.setxattr("/f", "user.a", "A"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.loc("/f"));
  ASSERT_OK_AND_ASSIGN(EntryReply r,
                       fs.call(LookupReq{l, {"trusted.afr.*", "user.a", "user.missing"}}));
  EXPECT_EQ(r.xdata.size(), 3u);
  EXPECT_EQ(r.xdata["trusted.afr.c0"], be32({1, 0, 0}));
  EXPECT_EQ(r.xdata["trusted.afr.c1"], be32({0, 2, 0}));
  EXPECT_EQ(r.xdata["user.a"], "A");
  ASSERT_OK_AND_ASSIGN(EntryReply plain, fs.call(LookupReq{l, {}}));
  EXPECT_TRUE(plain.xdata.empty());
}

TYPED_TEST(PosixXattrTest, ConcurrentXattropsNeverLoseAnIncrement) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.loc("/f"));
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = syncWait(this->top().xattrop(
            CallCtx::root(),
            XattropReq{l, XattropOp::kAddArray, Dict{{"trusted.n", be32({1, -1})}}}));
        ASSERT_TRUE(r.ok());
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(std::string v, fs.getxattr("/f", "trusted.n"));
  EXPECT_EQ(v, be32({kThreads * kEach, -kThreads * kEach}));
}

}  // namespace
}  // namespace gf::test
