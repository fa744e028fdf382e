// SPDX-License-Identifier: GPL-3.0-or-later
// Malformed requests: each is answered EIO (or dropped when it cannot or must not be answered),
// counted, never reaches the filesystem, and is never read past its end (run under ASan too).
#include <gtest/gtest.h>

#include <climits>
#include <memory>

#include "libfuse-patched/src/kernel_abi.h"
#include "tests/unit/lfp/lfp_test_util.h"

namespace lfp::test {
namespace {

enum class Expect { kEio, kDropped, kEnosys };

struct Case {
  const char* what;
  std::string wire;
  Expect expect;
  uint64_t unique;
};

// Feeds the bytes from an exactly-sized heap buffer, so ASan catches any read past the end.
void feedExact(Harness& t, const std::string& wire) {
  std::unique_ptr<char[]> buf(new char[wire.size() ? wire.size() : 1]);
  std::memcpy(buf.get(), wire.data(), wire.size());
  detail::processBuffer(*t.s, t.sink, buf.get(), wire.size(), nullptr);
}

std::vector<Case> cases() {
  std::vector<Case> v;
  auto add = [&](const char* what, const Req& r, Expect e, int64_t lenDelta = 0) {
    v.push_back({what, r.build(lenDelta), e, r.unique()});
  };
  auto addRaw = [&](const char* what, std::string wire, Expect e, uint64_t unique) {
    v.push_back({what, std::move(wire), e, unique});
  };
  Req lookup(FUSE_LOOKUP, 1);
  lookup.name("x");
  std::string full = lookup.build();
  addRaw("empty buffer", "", Expect::kDropped, 0);
  addRaw("8 bytes: no unique", full.substr(0, 8), Expect::kDropped, 0);
  addRaw("header cut at 39 bytes", full.substr(0, 39), Expect::kEio, lookup.unique());
  add("len beyond the buffer", lookup, Expect::kEio, +100);
  add("len short of the buffer", lookup, Expect::kEio, -1);
  addRaw("len zero", Req(FUSE_LOOKUP, 1, 900).name("x").build(-42), Expect::kEio, 900);
  add("len 0xffffffff", Req(FUSE_GETATTR, 1).arg(fuse_getattr_in{}), Expect::kEio,
      static_cast<int64_t>(0xffffffffu) - 56);
  add("opcode 0", Req(0, 1), Expect::kEio);
  add("CUSE_INIT on a FUSE device", Req(4096, 1).arg(fuse_init_in{}), Expect::kEio);
  add("opcode 0xffffffff", Req(0xffffffffu, 1), Expect::kEio);
  add("unknown opcode 63", Req(63, 1), Expect::kEnosys);
  add("unknown opcode 7 (never used)", Req(7, 1), Expect::kEnosys);
  add("lookup name without NUL", Req(FUSE_LOOKUP, 1).bytes("abc"), Expect::kEio);
  add("lookup without any name", Req(FUSE_LOOKUP, 1), Expect::kEio);
  add("rename with one name", Req(FUSE_RENAME, 1).arg(fuse_rename_in{2}).name("a"), Expect::kEio);
  add("symlink target without NUL", Req(FUSE_SYMLINK, 1).name("l").bytes("tgt"), Expect::kEio);
  add("read with half its struct", Req(FUSE_READ, 1).bytes(std::string(20, '\0')), Expect::kEio);
  add("getattr with no struct", Req(FUSE_GETATTR, 1), Expect::kEio);
  add("write size beyond the data",
      Req(FUSE_WRITE, 1).arg(fuse_write_in{1, 0, 100, 0, 0, 0, 0}).bytes("short"), Expect::kEio);
  add("write size short of the data",
      Req(FUSE_WRITE, 1).arg(fuse_write_in{1, 0, 2, 0, 0, 0, 0}).bytes("longer"), Expect::kEio);
  add("write size 0xffffffff",
      Req(FUSE_WRITE, 1).arg(fuse_write_in{1, 0, 0xffffffffu, 0, 0, 0, 0}).bytes("x"),
      Expect::kEio);
  add("setxattr value size huge",
      Req(FUSE_SETXATTR, 1).arg(uint64_t{0xfffffff0u}).name("user.a").bytes("v"), Expect::kEio);
  add("setxattr name without NUL", Req(FUSE_SETXATTR, 1).arg(uint64_t{1}).bytes("user.a"),
      Expect::kEio);
  add("ioctl in_size beyond the data",
      Req(FUSE_IOCTL, 1).arg(fuse_ioctl_in{0, 0, 1, 0, 4096, 0}).bytes("ab"), Expect::kEio);
  add("batch forget count huge",
      Req(FUSE_BATCH_FORGET, 0).arg(fuse_batch_forget_in{0xffffffffu, 0}), Expect::kDropped);
  add("batch forget count one more than sent",
      Req(FUSE_BATCH_FORGET, 0).arg(fuse_batch_forget_in{2, 0}).arg(fuse_forget_one{5, 1}),
      Expect::kDropped);
  add("forget without its count", Req(FUSE_FORGET, 5).bytes("abc"), Expect::kDropped);
  add("interrupt without target", Req(FUSE_INTERRUPT, 0).bytes("ab"), Expect::kDropped);
  add("notify reply size mismatch",
      Req(FUSE_NOTIFY_REPLY, 1).arg(fuse_notify_retrieve_in{0, 0, 4096, 0, 0, 0}).bytes("a"),
      Expect::kDropped);
  add("second INIT", Req(FUSE_INIT, 0).arg(fuse_init_in{7, 45, 0, 0, 0, {}}), Expect::kEio);
  add("INIT of 8 bytes", Req(FUSE_INIT, 0).arg(uint64_t{7}), Expect::kEio);
  return v;
}

TEST(LfpMalformedTest, AtLeastTwentyMalformedRequestsAreHandledWithoutCrash) {
  std::vector<Case> all = cases();
  ASSERT_GE(all.size(), 20u);
  for (const Case& c : all) {
    SCOPED_TRACE(c.what);
    Harness t;
    feedExact(t, c.wire);
    EXPECT_TRUE(t.ops.calls.empty()) << "reached the filesystem";
    EXPECT_EQ(t.s->inflight.size(), 0u);
    switch (c.expect) {
      case Expect::kEio:
        ASSERT_EQ(t.sink.replies.size(), 1u);
        EXPECT_EQ(t.reply().error, -EIO);
        EXPECT_EQ(t.reply().unique, c.unique);
        EXPECT_TRUE(t.reply().data.empty());
        EXPECT_EQ(t.s->malformed.load(), 1u);
        break;
      case Expect::kDropped:
        EXPECT_TRUE(t.sink.replies.empty());
        EXPECT_EQ(t.s->malformed.load(), 1u);
        break;
      case Expect::kEnosys:
        ASSERT_EQ(t.sink.replies.size(), 1u);
        EXPECT_EQ(t.reply().error, -ENOSYS);
        EXPECT_EQ(t.s->malformed.load(), 0u);
        break;
    }
  }
}

TEST(LfpMalformedTest, RequestsBeforeInitAreRefused) {
  Harness t(false);
  Req r(FUSE_LOOKUP, 1);
  r.name("early");
  t.feed(r);
  EXPECT_TRUE(t.ops.calls.empty());
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().error, -EIO);
  EXPECT_EQ(t.s->malformed.load(), 1u);
}

TEST(LfpMalformedTest, EveryTruncationOfValidRequestsIsSafe) {
  std::vector<Req> reqs;
  reqs.push_back(Req(FUSE_RENAME2, 1).arg(fuse_rename2_in{2, 0, 0}).name("from").name("to"));
  reqs.push_back(Req(FUSE_WRITE, 1).arg(fuse_write_in{1, 0, 8, 0, 0, 0, 0}).bytes("12345678"));
  reqs.push_back(Req(FUSE_SETXATTR, 1).arg(uint64_t{3}).name("user.x").bytes("abc"));
  reqs.push_back(Req(FUSE_BATCH_FORGET, 0).arg(fuse_batch_forget_in{1, 0}).arg(fuse_forget_one{}));
  for (const Req& r : reqs) {
    std::string wire = r.build();
    for (size_t cut = 0; cut < wire.size(); ++cut) {
      Harness t;
      std::string part = wire.substr(0, cut);
      feedExact(t, part);
      EXPECT_TRUE(t.ops.calls.empty()) << "cut at " << cut;
      EXPECT_LE(t.sink.replies.size(), 1u);
    }
  }
}

}  // namespace
}  // namespace lfp::test
