// SPDX-License-Identifier: GPL-3.0-or-later
// Task, whenAll and syncWait: completion inline and across threads.
#include "glusterfs/core/task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "glusterfs/core/executor.h"

namespace gf {
namespace {

Task<int> answer() { co_return 42; }
Task<int> addOne(int x) { co_return x + 1; }
Task<Result<int>> failing() { co_return fail(ENOENT); }
Task<int> thrower() {
  throw std::runtime_error("boom");
  co_return 0;
}

TEST(TaskTest, CompletesInlineWhenNothingSuspends) {
  EXPECT_EQ(syncWait(answer()), 42);
  EXPECT_EQ(syncWait(addOne(1)), 2);
}

TEST(TaskTest, ReadyTaskNeedsNoFrame) {
  auto t = Task<int>::ready(7);
  EXPECT_TRUE(t.isReady());
  EXPECT_EQ(syncWait(std::move(t)), 7);
}

TEST(TaskTest, FailureConvertsToResultTask) {
  Task<Result<int>> t = fail(EROFS);
  auto r = syncWait(std::move(t));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errnum(), EROFS);
  EXPECT_EQ(syncWait(failing()).errnum(), ENOENT);
}

TEST(TaskTest, ExceptionsPropagateToTheAwaiter) {
  EXPECT_THROW(syncWait(thrower()), std::runtime_error);
}

TEST(TaskTest, WhenAllKeepsOrderAcrossThreads) {
  EventLoop loop(2, "test");
  auto hop = [&](int v) -> Task<int> {
    co_await loop.schedule();
    co_return v * 10;
  };
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 50; ++i) tasks.push_back(hop(i));
  auto out = syncWait(whenAll(std::move(tasks)));
  ASSERT_EQ(out.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(out[i], i * 10);
}

TEST(TaskTest, WhenAllOfDifferentTypes) {
  auto [a, b] = syncWait(whenAll(answer(), failing()));
  EXPECT_EQ(a, 42);
  EXPECT_EQ(b.errnum(), ENOENT);
}

TEST(TaskTest, WhenAllOfNothingIsEmpty) {
  auto out = syncWait(whenAll(std::vector<Task<int>>{}));
  EXPECT_TRUE(out.empty());
}

TEST(TaskTest, SleepForResumesOnTheLoop) {
  EventLoop loop(1, "timer");
  auto t = [&]() -> Task<bool> {
    co_await loop.sleepFor(std::chrono::milliseconds(5));
    co_return loop.inLoopThread();
  };
  EXPECT_TRUE(syncWait(t()));
}

// ---- whenAll: exceptions and other threads -------------------------------------------------

// Finishes on a loop thread after `ms`, then throws if asked to.
Task<int> later(EventLoop& loop, int v, int ms, std::atomic<int>& finished, bool doThrow = false) {
  co_await loop.sleepFor(std::chrono::milliseconds(ms));
  ++finished;
  if (doThrow) throw std::runtime_error("child " + std::to_string(v));
  co_return v;
}

TEST(TaskTest, WhenAllRethrowsAChildExceptionOnlyAfterEveryChildFinished) {
  EventLoop loop(2, "wa");
  std::atomic<int> finished{0};
  std::vector<Task<int>> tasks;
  tasks.push_back(later(loop, 0, 1, finished, /*doThrow=*/true));
  for (int i = 1; i < 6; ++i) tasks.push_back(later(loop, i, 5 * i, finished));
  try {
    syncWait(whenAll(std::move(tasks)));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "child 0");
  }
  // The slow siblings were not abandoned mid-flight: their frames were still owned and awaited.
  EXPECT_EQ(finished.load(), 6);
}

TEST(TaskTest, WhenAllRethrowsAnExceptionThrownInline) {
  std::vector<Task<int>> tasks;
  tasks.push_back(answer());
  tasks.push_back(thrower());
  tasks.push_back(addOne(1));
  EXPECT_THROW(syncWait(whenAll(std::move(tasks))), std::runtime_error);
}

TEST(TaskTest, WhenAllOfVoidTasksRunsEveryTaskAndRethrows) {
  EventLoop loop(2, "wa");
  std::atomic<int> ran{0};
  auto ok = [&](int ms) -> Task<void> {
    co_await loop.sleepFor(std::chrono::milliseconds(ms));
    ++ran;
  };
  auto bad = [&]() -> Task<void> {
    co_await loop.schedule();
    ++ran;
    throw std::logic_error("void child");
  };
  std::vector<Task<void>> good;
  for (int i = 0; i < 4; ++i) good.push_back(ok(i));
  syncWait(whenAll(std::move(good)));
  EXPECT_EQ(ran.load(), 4);
  std::vector<Task<void>> mixed;
  mixed.push_back(ok(3));
  mixed.push_back(bad());
  mixed.push_back(ok(1));
  EXPECT_THROW(syncWait(whenAll(std::move(mixed))), std::logic_error);
  EXPECT_EQ(ran.load(), 7);
}

TEST(TaskTest, VariadicWhenAllRethrows) {
  EventLoop loop(1, "wa");
  std::atomic<int> finished{0};
  EXPECT_THROW(syncWait(whenAll(later(loop, 1, 2, finished), thrower())), std::runtime_error);
  EXPECT_EQ(finished.load(), 1);
}

TEST(TaskTest, VariadicWhenAllAcrossThreadsKeepsTypes) {
  EventLoop loop(2, "wa");
  std::atomic<int> finished{0};
  auto str = [&]() -> Task<std::string> {
    co_await loop.schedule();
    co_return "text";
  };
  auto [a, b, c] = syncWait(whenAll(later(loop, 5, 3, finished), str(), failing()));
  EXPECT_EQ(a, 5);
  EXPECT_EQ(b, "text");
  EXPECT_EQ(c.errnum(), ENOENT);
}

TEST(TaskTest, WhenAllMixesInlineAndRemoteCompletion) {
  EventLoop loop(3, "wa");
  for (int round = 0; round < 200; ++round) {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 8; ++i) {
      if (i % 2) {
        tasks.push_back([](EventLoop& l, int v) -> Task<int> {
          co_await l.schedule();
          co_return v;
        }(loop, i));
      } else {
        tasks.push_back(Task<int>::ready(i));
      }
    }
    auto out = syncWait(whenAll(std::move(tasks)));
    ASSERT_EQ(out.size(), 8u);
    for (int i = 0; i < 8; ++i) ASSERT_EQ(out[i], i) << "round " << round;
  }
}

TEST(TaskTest, NestedWhenAll) {
  EventLoop loop(2, "wa");
  auto leaf = [&](int v) -> Task<int> {
    co_await loop.schedule();
    co_return v;
  };
  auto branch = [&](int base) -> Task<int> {
    std::vector<Task<int>> t;
    for (int i = 0; i < 4; ++i) t.push_back(leaf(base + i));
    auto v = co_await whenAll(std::move(t));
    int sum = 0;
    for (int x : v) sum += x;
    co_return sum;
  };
  std::vector<Task<int>> top;
  for (int b = 0; b < 4; ++b) top.push_back(branch(b * 10));
  auto sums = syncWait(whenAll(std::move(top)));
  EXPECT_EQ(sums, (std::vector<int>{6, 46, 86, 126}));
}

// ---- syncWait, spawn, laziness -----------------------------------------------------------------

TEST(TaskTest, SyncWaitReturnsAValueProducedOnAnotherThread) {
  EventLoop loop(1, "sw");
  auto t = [&]() -> Task<std::thread::id> {
    co_await loop.schedule();
    co_return std::this_thread::get_id();
  };
  EXPECT_NE(syncWait(t()), std::this_thread::get_id());
}

TEST(TaskTest, SyncWaitOfVoidRethrowsFromAnotherThread) {
  EventLoop loop(1, "sw");
  auto t = [&]() -> Task<void> {
    co_await loop.schedule();
    throw std::out_of_range("remote");
  };
  EXPECT_THROW(syncWait(t()), std::out_of_range);
  bool ran = false;
  auto v = [&]() -> Task<void> {
    co_await loop.schedule();
    ran = true;
  };
  syncWait(v());
  EXPECT_TRUE(ran);
}

TEST(TaskTest, TasksAreLazy) {
  bool started = false;
  // The lambda must outlive the lazy task that refers to its captures.
  auto body = [&]() -> Task<int> {
    started = true;
    co_return 1;
  };
  auto t = body();
  EXPECT_FALSE(started);
  EXPECT_FALSE(t.isReady());
  EXPECT_EQ(syncWait(std::move(t)), 1);
  EXPECT_TRUE(started);
}

TEST(TaskTest, DestroyingAnUnstartedTaskReleasesItsArguments) {
  auto held = std::make_shared<int>(5);
  {
    auto t = [](std::shared_ptr<int> p) -> Task<int> { co_return *p; }(held);
    EXPECT_EQ(held.use_count(), 2);
  }
  EXPECT_EQ(held.use_count(), 1);
}

TEST(TaskTest, SpawnStartsAtOnceAndFinishesOnItsOwn) {
  EventLoop loop(1, "sp");
  std::atomic<bool> done{false};
  bool startedInline = false;
  spawn([](EventLoop& l, std::atomic<bool>& d, bool& s) -> Task<void> {
    s = true;
    co_await l.schedule();
    d = true;
  }(loop, done, startedInline));
  EXPECT_TRUE(startedInline);
  for (int i = 0; i < 2000 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(done.load());
}

TEST(TaskTest, ManySequentialInlineAwaitsDoNotGrowTheStack) {
  // Each co_await of a synchronously completing task is a symmetric transfer, not a nested call.
  auto loop = []() -> Task<long> {
    long sum = 0;
    for (int i = 0; i < 1000000; ++i) sum += co_await addOne(i);
    co_return sum;
  };
  EXPECT_EQ(syncWait(loop()), 1000000L * 1000001L / 2);
}

// ---- Result and the propagation helpers --------------------------------------------------------

Task<Result<int>> parsePositive(int v) {
  if (v < 0) co_return fail(EINVAL);
  co_return v;
}
Task<Result<int>> doubled(int v) {
  GF_CO_TRY(int x, co_await parsePositive(v));
  co_return x * 2;
}
Task<Status> checked(int v) {
  GF_CO_CHECK(co_await parsePositive(v));
  co_return Status{};
}

TEST(ResultTest, ValueAndError) {
  Result<std::string> ok(std::string("v"));
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, "v");
  EXPECT_EQ(ok->size(), 1u);
  EXPECT_FALSE(ok.error());
  EXPECT_EQ(ok.errnum(), 0);
  Result<std::string> bad = fail(EACCES);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.errnum(), EACCES);
  EXPECT_EQ(bad.error(), std::error_code(EACCES, std::generic_category()));
  Status fine;
  EXPECT_TRUE(fine.ok());
  Status st = fail(errc(EIO));
  EXPECT_EQ(st.errnum(), EIO);
}

TEST(ResultTest, SysStatusReadsErrno) {
  errno = ENOSPC;
  EXPECT_EQ(sysStatus(-1).errnum(), ENOSPC);
  EXPECT_TRUE(sysStatus(0).ok());
  EXPECT_TRUE(sysStatus(42).ok());
}

TEST(ResultTest, CoTryBindsTheValueOrReturnsTheError) {
  auto good = syncWait(doubled(21));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_EQ(syncWait(doubled(-1)).errnum(), EINVAL);
  EXPECT_TRUE(syncWait(checked(1)).ok());
  EXPECT_EQ(syncWait(checked(-1)).errnum(), EINVAL);
}

Result<int> plainHalf(int v) {
  if (v % 2) return fail(EDOM);
  return v / 2;
}
Result<int> plainQuarter(int v) {
  GF_TRY(int h, plainHalf(v));
  GF_TRY(int q, plainHalf(h));
  return q;
}
Status plainCheck(int v) {
  GF_CHECK(plainHalf(v));
  return {};
}

TEST(ResultTest, PlainTryAndCheck) {
  EXPECT_EQ(*plainQuarter(8), 2);
  EXPECT_EQ(plainQuarter(6).errnum(), EDOM);
  EXPECT_TRUE(plainCheck(2).ok());
  EXPECT_EQ(plainCheck(3).errnum(), EDOM);
}

// ---- EventLoop ---------------------------------------------------------------------------------

TEST(EventLoopTest, PostRunsOnALoopThread) {
  EventLoop loop(2, "ev");
  std::promise<bool> p;
  loop.post([&] { p.set_value(loop.inLoopThread()); });
  EXPECT_TRUE(p.get_future().get());
  EXPECT_FALSE(loop.inLoopThread());
}

TEST(EventLoopTest, SleepForWaitsAtLeastTheDuration) {
  EventLoop loop(1, "ev");
  auto start = std::chrono::steady_clock::now();
  syncWait(loop.sleepFor(std::chrono::milliseconds(30)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
}

TEST(EventLoopTest, SleepForZeroDoesNotSuspend) {
  EventLoop loop(1, "ev");
  auto t = [&]() -> Task<std::thread::id> {
    co_await loop.sleepFor(std::chrono::milliseconds(0));
    co_return std::this_thread::get_id();
  };
  EXPECT_EQ(syncWait(t()), std::this_thread::get_id());
}

TEST(EventLoopTest, StopIsIdempotentAndJoinsThreads) {
  EventLoop loop(3, "ev");
  std::atomic<int> n{0};
  for (int i = 0; i < 100; ++i) loop.post([&] { ++n; });
  syncWait([](EventLoop& l) -> Task<void> { co_await l.schedule(); }(loop));
  loop.stop();
  loop.stop();
  EXPECT_GE(n.load(), 1);
}

TEST(EventLoopTest, ThreadsAreNamed) {
  EventLoop loop(1, "gf-test-loop");
  std::promise<std::string> p;
  loop.post([&] {
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    p.set_value(name);
  });
  EXPECT_EQ(p.get_future().get(), "gf-test-loop0");
}

}  // namespace
}  // namespace gf
