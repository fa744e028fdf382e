// SPDX-License-Identifier: GPL-3.0-or-later
// The reply contract: every request is answered exactly once (late, from another thread, or
// with EIO when the filesystem drops it), INTERRUPT finds its target, and notifications are
// encoded as the kernel reads them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "libfuse-patched/src/notify.h"
#include "tests/unit/lfp/lfp_test_util.h"

namespace lfp::test {
namespace {

void silence(int, const char*) {}

class LfpDispatchTest : public ::testing::Test {
 protected:
  void SetUp() override { setLogSink(&silence); }
  void TearDown() override { setLogSink(nullptr); }
};

fuse_read_in readIn(uint32_t size) {
  fuse_read_in r{};
  r.fh = 1;
  r.size = size;
  return r;
}

TEST_F(LfpDispatchTest, SecondReplyIsIgnored) {
  Harness t;
  t.ops.hold = true;
  t.feed(Req(FUSE_READ, 8).arg(readIn(10)));
  Request& r = t.ops.held.back();
  EXPECT_TRUE(r.valid());
  r.replyBuf("abc", 3);
  EXPECT_FALSE(r.valid());
  r.replyErr(EIO);
  r.replyBuf("again", 5);
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().data, "abc");
  EXPECT_EQ(t.s->dropped.load(), 0u);
}

TEST_F(LfpDispatchTest, RequestDroppedWithoutReplyIsAnsweredEio) {
  Harness t;
  t.ops.hold = true;
  Req q(FUSE_GETATTR, 8);
  q.arg(fuse_getattr_in{});
  t.feed(q);
  EXPECT_TRUE(t.sink.replies.empty());
  t.ops.held.clear();
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().unique, q.unique());
  EXPECT_EQ(t.reply().error, -EIO);
  EXPECT_EQ(t.s->dropped.load(), 1u);
  EXPECT_EQ(t.s->inflight.size(), 0u);
}

TEST_F(LfpDispatchTest, OverwritingAnUnansweredRequestAnswersItEio) {
  Harness t;
  t.ops.hold = true;
  t.feed(Req(FUSE_READLINK, 8));
  t.feed(Req(FUSE_READLINK, 9));
  t.ops.held[0] = std::move(t.ops.held[1]);
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().error, -EIO);
  t.ops.held[0].replyReadlink("x");
  EXPECT_EQ(t.sink.replies.size(), 2u);
  EXPECT_EQ(t.s->dropped.load(), 1u);
}

TEST_F(LfpDispatchTest, ReplyFromAnotherThreadLater) {
  Harness t;
  t.ops.hold = true;
  t.feed(Req(FUSE_READ, 8).arg(readIn(10)));
  Request r = std::move(t.ops.held.back());
  std::thread th([r = std::move(r)]() mutable { r.replyBuf("late", 4); });
  th.join();
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().data, "late");
}

TEST_F(LfpDispatchTest, InterruptMarksTheRequestBeingServed) {
  Harness t;
  t.ops.hold = true;
  Req read(FUSE_READ, 8);
  read.arg(readIn(10));
  t.feed(read);
  EXPECT_FALSE(t.ops.held.back().interrupted());
  t.feed(Req(FUSE_INTERRUPT, 0, read.unique() | 1).arg(fuse_interrupt_in{read.unique()}));
  EXPECT_TRUE(t.sink.replies.empty());  // INTERRUPT itself is not answered
  EXPECT_TRUE(t.ops.held.back().interrupted());
  t.ops.held.back().replyErr(EINTR);
  EXPECT_EQ(t.reply().error, -EINTR);
  EXPECT_EQ(t.s->inflight.size(), 0u);
}

TEST_F(LfpDispatchTest, InterruptForUnknownRequestAsksTheKernelToRetry) {
  Harness t;
  Req intr(FUSE_INTERRUPT, 0, 1001);
  intr.arg(fuse_interrupt_in{1000});
  t.feed(intr);
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().unique, 1001u);
  EXPECT_EQ(t.reply().error, -EAGAIN);
}

TEST_F(LfpDispatchTest, ReplyNoneOnARequestAnswersEioInsteadOfHanging) {
  Harness t;
  t.ops.hold = true;
  t.feed(Req(FUSE_READLINK, 8));
  t.ops.held.back().replyNone();
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().error, -EIO);
}

TEST_F(LfpDispatchTest, ErrorsOutsideTheKernelsRangeBecomeEio) {
  Harness t;
  t.ops.hold = true;
  t.feed(Req(FUSE_READLINK, 8));
  t.ops.held.back().replyErr(100000);
  EXPECT_EQ(t.reply().error, -EIO);
  t.feed(Req(FUSE_READLINK, 8));
  t.ops.held.back().replyErr(-ENOENT);  // a negative errno is accepted too
  EXPECT_EQ(t.reply().error, -ENOENT);
}

TEST_F(LfpDispatchTest, DefaultOperationsAnswerAsTheProtocolExpects) {
  struct Bare : Operations {
  } ops;
  Session::Impl s(ops, SessionOptions{});
  s.dctx.minor = 45;
  s.initialized = true;
  CaptureSink sink;
  auto feed = [&](const Req& r) {
    std::string w = r.build();
    detail::processBuffer(s, sink, w.data(), w.size(), nullptr);
  };
  feed(Req(FUSE_LOOKUP, 1).name("x"));
  EXPECT_EQ(sink.replies.back().error, -ENOSYS);
  feed(Req(FUSE_OPEN, 1).arg(fuse_open_in{O_RDONLY, 0}));
  EXPECT_EQ(sink.replies.back().error, 0);
  EXPECT_EQ(sink.replies.back().data.size(), sizeof(fuse_open_out));
  feed(Req(FUSE_FLUSH, 1).arg(fuse_flush_in{}));
  EXPECT_EQ(sink.replies.back().error, 0);
  feed(Req(FUSE_FSYNC, 1).arg(fuse_fsync_in{}));
  EXPECT_EQ(sink.replies.back().error, 0);
  feed(Req(FUSE_RELEASEDIR, 1).arg(fuse_release_in{}));
  EXPECT_EQ(sink.replies.back().error, 0);
  feed(Req(FUSE_STATFS, 1));
  EXPECT_EQ(sink.replies.back().as<fuse_statfs_out>().st.namelen, 255u);
  feed(Req(FUSE_SETLK, 1).arg(fuse_lk_in{}));
  EXPECT_EQ(sink.replies.back().error, -ENOSYS);
  size_t before = sink.replies.size();
  feed(Req(FUSE_FORGET, 5).arg(fuse_forget_in{1}));
  EXPECT_EQ(sink.replies.size(), before);
  EXPECT_EQ(s.dropped.load(), 0u);
}

// Notifications go to the session's fd; a pipe stands in for /dev/fuse.
class NotifyTest : public LfpDispatchTest {
 protected:
  void SetUp() override {
    LfpDispatchTest::SetUp();
    ASSERT_EQ(pipe(p_), 0);
    t_.s->fd = p_[1];
  }
  void TearDown() override {
    t_.s->fd = -1;
    close(p_[0]);
    close(p_[1]);
    LfpDispatchTest::TearDown();
  }
  std::string take() {
    char buf[4096];
    ssize_t n = read(p_[0], buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  static fuse_out_header header(const std::string& m) {
    fuse_out_header h{};
    std::memcpy(&h, m.data(), sizeof h);
    return h;
  }
  Harness t_;
  int p_[2] = {-1, -1};
};

TEST_F(NotifyTest, InvalidationsAndDeleteAreEncoded) {
  ASSERT_EQ(detail::notifyInvalInode(*t_.s, 42, 4096, -1), 0);
  std::string m = take();
  ASSERT_EQ(m.size(), sizeof(fuse_out_header) + sizeof(fuse_notify_inval_inode_out));
  EXPECT_EQ(header(m).error, FUSE_NOTIFY_INVAL_INODE);
  EXPECT_EQ(header(m).unique, 0u);
  fuse_notify_inval_inode_out ii;
  std::memcpy(&ii, m.data() + sizeof(fuse_out_header), sizeof ii);
  EXPECT_EQ(ii.ino, 42u);
  EXPECT_EQ(ii.off, 4096);
  EXPECT_EQ(ii.len, -1);

  ASSERT_EQ(detail::notifyInvalEntry(*t_.s, 7, "name"), 0);
  m = take();
  EXPECT_EQ(header(m).error, FUSE_NOTIFY_INVAL_ENTRY);
  EXPECT_EQ(header(m).len, m.size());
  EXPECT_EQ(m.substr(sizeof(fuse_out_header) + sizeof(fuse_notify_inval_entry_out)),
            std::string("name\0", 5));

  ASSERT_EQ(detail::notifyDelete(*t_.s, 7, 8, "gone"), 0);
  m = take();
  EXPECT_EQ(header(m).error, FUSE_NOTIFY_DELETE);
  fuse_notify_delete_out d;
  std::memcpy(&d, m.data() + sizeof(fuse_out_header), sizeof d);
  EXPECT_EQ(d.child, 8u);
  EXPECT_EQ(d.namelen, 4u);
}

TEST_F(NotifyTest, StorePollAndRetrieveRoundTrip) {
  ASSERT_EQ(detail::notifyStore(*t_.s, 9, 100, "data", 4), 0);
  std::string m = take();
  EXPECT_EQ(header(m).error, FUSE_NOTIFY_STORE);
  EXPECT_EQ(m.substr(m.size() - 4), "data");
  ASSERT_EQ(detail::notifyPoll(*t_.s, 0x77), 0);
  m = take();
  EXPECT_EQ(header(m).error, FUSE_NOTIFY_POLL);

  ASSERT_EQ(detail::notifyRetrieve(*t_.s, 9, 0, 8, 0xc00c1e), 0);
  m = take();
  EXPECT_EQ(header(m).error, FUSE_NOTIFY_RETRIEVE);
  fuse_notify_retrieve_out ro;
  std::memcpy(&ro, m.data() + sizeof(fuse_out_header), sizeof ro);
  EXPECT_EQ(ro.nodeid, 9u);
  EXPECT_EQ(ro.size, 8u);
  // The kernel answers with a NOTIFY_REPLY request under the notify_unique.
  fuse_notify_retrieve_in ri{};
  ri.offset = 0;
  ri.size = 8;
  t_.feed(Req(FUSE_NOTIFY_REPLY, 9, ro.notify_unique).arg(ri).bytes("12345678"));
  ASSERT_EQ(t_.ops.calls.size(), 1u);
  EXPECT_EQ(t_.ops.last().op, "retrieveReply");
  EXPECT_EQ(t_.ops.last().a, 0xc00c1eu);
  EXPECT_EQ(t_.ops.last().data, "12345678");
  EXPECT_TRUE(t_.sink.replies.empty());
  t_.feed(Req(FUSE_NOTIFY_REPLY, 9, ro.notify_unique).arg(ri).bytes("12345678"));
  EXPECT_EQ(t_.ops.calls.size(), 1u);  // a second reply for the same retrieve is ignored
}

TEST_F(NotifyTest, NotificationsBeforeInitAreRefused) {
  t_.s->initialized = false;
  EXPECT_EQ(detail::notifyInvalInode(*t_.s, 1, 0, 0), -EAGAIN);
}

}  // namespace
}  // namespace lfp::test
