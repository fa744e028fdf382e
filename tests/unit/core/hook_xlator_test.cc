// SPDX-License-Identifier: GPL-3.0-or-later
// HookXlator: before() can refuse a fop, change the caller context, or hop threads; after()
// sees every outcome and can edit the reply or the error.
#include "glusterfs/core/hook_xlator.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/fop_format.h"

namespace gf {
namespace {

// A leaf that records what reached it.
class Leaf : public Xlator {
 public:
  Leaf() : Xlator(XlatorArgs{"leaf", "test/leaf", {}, nullptr}) {}
  int calls = 0;
  uint32_t lastUid = 0;
  std::thread::id lastThread;

  Task<Result<AttrReply>> stat(const CallCtx& ctx, const StatReq&) override {
    record(ctx);
    AttrReply r;
    r.stat.uid = ctx.uid;
    r.stat.gid = ctx.gid;
    r.stat.size = 100;
    return Task<Result<AttrReply>>::ready(r);
  }
  Task<Result<WriteReply>> writev(const CallCtx& ctx, const WritevReq& req) override {
    record(ctx);
    co_return WriteReply{req.data.size()};
  }
  Task<Result<Empty>> unlink(const CallCtx& ctx, const UnlinkReq& req) override {
    record(ctx);
    if (req.loc.name == "missing") co_return fail(ENOENT);
    co_return Empty{};
  }
  Task<Result<ReaddirReply>> readdir(const CallCtx& ctx, const ReaddirReq&) override {
    record(ctx);
    ReaddirReply r;
    for (const char* n : {"a", "b", "c"}) {
      DirEntry e;
      e.name = n;
      e.stat.uid = ctx.uid;
      r.entries.push_back(e);
    }
    co_return r;
  }

 private:
  std::mutex mutex_;  // fops may run on several loop threads at once
  void record(const CallCtx& ctx) {
    std::lock_guard lock(mutex_);
    ++calls;
    lastUid = ctx.uid;
    lastThread = std::this_thread::get_id();
  }
};

// A configurable generic layer; every hook is a std::function set by the test.
class Hook : public HookXlator {
 public:
  explicit Hook(Xlator* child) : HookXlator(XlatorArgs{"hook", "test/hook", {child}, nullptr}) {}

  std::function<Status(CallCtx&, const FopCall&)> onBefore;
  std::function<void(const CallCtx&, const FopCall&, FopOutcome&)> onAfter;
  EventLoop* hopTo = nullptr;
  std::vector<std::string> seen;  // "fop:errno" for every after()
  std::mutex seenMutex_;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override {
    if (!hopTo) return Task<Status>::ready(onBefore ? onBefore(ctx, call) : Status{});
    return hopThenDecide(ctx, call);
  }
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& out) override {
    std::lock_guard lock(seenMutex_);
    seen.push_back(std::string(fopName(out.id)) + ":" + std::to_string(out.error.value()) +
                   (out.reply ? "" : ":noreply"));
    EXPECT_EQ(out.id, call.id);
    if (onAfter) onAfter(ctx, call, out);
  }

 private:
  Task<Status> hopThenDecide(CallCtx& ctx, const FopCall& call) {
    co_await hopTo->schedule();
    co_return onBefore ? onBefore(ctx, call) : Status{};
  }
};

Loc named(std::string name) { return Loc{nullptr, std::move(name), nullptr}; }

TEST(HookXlatorTest, PassesEveryFopThroughWhenHooksDoNothing) {
  Leaf leaf;
  Hook hook(&leaf);
  CallCtx ctx;
  ctx.uid = 7;
  auto st = syncWait(hook.stat(ctx, StatReq{}));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stat.uid, 7u);
  WritevReq w;
  w.data = Payload::copyOf("12345");
  auto wr = syncWait(hook.writev(ctx, w));
  ASSERT_TRUE(wr.ok());
  EXPECT_EQ(wr->size, 5u);
  EXPECT_EQ(leaf.calls, 2);
  EXPECT_EQ(hook.seen, (std::vector<std::string>{"stat:0", "writev:0"}));
}

TEST(HookXlatorTest, FailingInBeforeStopsTheFopAndAfterSeesTheError) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onBefore = [](CallCtx&, const FopCall& call) -> Status {
    if (call.info().flags & (kFopData | kFopEntry | kFopMetadata)) return fail(EROFS);
    return {};
  };
  WritevReq w;
  w.data = Payload::copyOf("x");
  auto wr = syncWait(hook.writev(CallCtx{}, w));
  ASSERT_FALSE(wr.ok());
  EXPECT_EQ(wr.errnum(), EROFS);
  auto un = syncWait(hook.unlink(CallCtx{}, UnlinkReq{named("f")}));
  EXPECT_EQ(un.errnum(), EROFS);
  EXPECT_EQ(leaf.calls, 0);  // never passed down
  auto st = syncWait(hook.stat(CallCtx{}, StatReq{}));
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(leaf.calls, 1);
  EXPECT_EQ(hook.seen,
            (std::vector<std::string>{"writev:" + std::to_string(EROFS) + ":noreply",
                                      "unlink:" + std::to_string(EROFS) + ":noreply", "stat:0"}));
}

TEST(HookXlatorTest, BeforeSeesTheTypedRequest) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onBefore = [](CallCtx&, const FopCall& call) -> Status {
    if (call.id == FopId::unlink && call.as<UnlinkReq>().loc.name == "protected")
      return fail(EPERM);
    return {};
  };
  EXPECT_EQ(syncWait(hook.unlink(CallCtx{}, UnlinkReq{named("protected")})).errnum(), EPERM);
  EXPECT_TRUE(syncWait(hook.unlink(CallCtx{}, UnlinkReq{named("other")})).ok());
}

TEST(HookXlatorTest, BeforeCanAdjustTheContextPassedDown) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onBefore = [](CallCtx& ctx, const FopCall&) -> Status {
    if (ctx.uid == 0) ctx.uid = ctx.gid = 65534;  // root squash
    return {};
  };
  CallCtx root;
  auto st = syncWait(hook.stat(root, StatReq{}));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(leaf.lastUid, 65534u);
  EXPECT_EQ(st->stat.gid, 65534u);
  EXPECT_EQ(root.uid, 0u);  // the caller's own context is untouched
  CallCtx user;
  user.uid = 1000;
  EXPECT_TRUE(syncWait(hook.stat(user, StatReq{})).ok());
  EXPECT_EQ(leaf.lastUid, 1000u);
}

TEST(HookXlatorTest, AfterCanEditTheReplyInPlace) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onAfter = [](const CallCtx&, const FopCall&, FopOutcome& out) {
    forEachIatt(out.id, out.reply, [](Iatt& ia) { ia.uid = 42; });
  };
  CallCtx ctx;
  ctx.uid = 1000;
  auto st = syncWait(hook.stat(ctx, StatReq{}));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stat.uid, 42u);
  EXPECT_EQ(st->stat.size, 100u);
  auto rd = syncWait(hook.readdir(ctx, ReaddirReq{}));
  ASSERT_TRUE(rd.ok());
  ASSERT_EQ(rd->entries.size(), 3u);
  for (const auto& e : rd->entries) EXPECT_EQ(e.stat.uid, 42u) << e.name;
}

TEST(HookXlatorTest, AfterCanTurnASuccessIntoAnError) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onAfter = [](const CallCtx&, const FopCall&, FopOutcome& out) { out.error = errc(EIO); };
  auto st = syncWait(hook.stat(CallCtx{}, StatReq{}));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.errnum(), EIO);
  EXPECT_EQ(leaf.calls, 1);  // the fop did run
}

TEST(HookXlatorTest, AfterSeesAFailureWithoutAReply) {
  Leaf leaf;
  Hook hook(&leaf);
  auto un = syncWait(hook.unlink(CallCtx{}, UnlinkReq{named("missing")}));
  EXPECT_EQ(un.errnum(), ENOENT);
  EXPECT_EQ(hook.seen, (std::vector<std::string>{"unlink:" + std::to_string(ENOENT) + ":noreply"}));
}

TEST(HookXlatorTest, AfterCanRewriteTheErrorOfAFailedFop) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onAfter = [](const CallCtx&, const FopCall&, FopOutcome& out) {
    if (out.error == errc(ENOENT)) out.error = errc(ESTALE);
  };
  auto un = syncWait(hook.unlink(CallCtx{}, UnlinkReq{named("missing")}));
  EXPECT_EQ(un.errnum(), ESTALE);
  EXPECT_TRUE(syncWait(hook.unlink(CallCtx{}, UnlinkReq{named("there")})).ok());
}

TEST(HookXlatorTest, AfterCanRewriteTheErrorFromBefore) {
  Leaf leaf;
  Hook hook(&leaf);
  hook.onBefore = [](CallCtx&, const FopCall&) -> Status { return fail(EROFS); };
  hook.onAfter = [](const CallCtx&, const FopCall&, FopOutcome& out) { out.error = errc(EACCES); };
  EXPECT_EQ(syncWait(hook.stat(CallCtx{}, StatReq{})).errnum(), EACCES);
}

TEST(HookXlatorTest, BeforeMaySuspendOnAnotherThread) {
  EventLoop loop(1, "hook");
  Leaf leaf;
  Hook hook(&leaf);
  hook.hopTo = &loop;
  hook.onBefore = [](CallCtx& ctx, const FopCall&) -> Status {
    ctx.uid = 5;
    return {};
  };
  std::thread::id loopThread;
  loop.post([&] { loopThread = std::this_thread::get_id(); });
  WritevReq w;
  w.data = Payload::copyOf("abc");
  auto wr = syncWait(hook.writev(CallCtx{}, w));
  ASSERT_TRUE(wr.ok());
  EXPECT_EQ(wr->size, 3u);
  EXPECT_EQ(leaf.lastUid, 5u);
  EXPECT_EQ(leaf.lastThread, loopThread);
  EXPECT_NE(leaf.lastThread, std::this_thread::get_id());
}

TEST(HookXlatorTest, ManyConcurrentFopsThroughASuspendingHook) {
  EventLoop loop(2, "hook");
  Leaf leaf;
  Hook hook(&leaf);
  hook.hopTo = &loop;
  std::vector<WritevReq> reqs(64);
  std::vector<Task<Result<WriteReply>>> tasks;
  CallCtx ctx;  // fops are lazy: arguments must outlive the await, so no temporaries here
  for (size_t i = 0; i < reqs.size(); ++i) {
    reqs[i].data = Payload::copyOf(std::string(i, 'x'));
    tasks.push_back(hook.writev(ctx, reqs[i]));
  }
  auto out = syncWait(whenAll(std::move(tasks)));
  ASSERT_EQ(out.size(), reqs.size());
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_TRUE(out[i].ok());
    EXPECT_EQ(out[i]->size, i);
  }
}

}  // namespace
}  // namespace gf
