// SPDX-License-Identifier: GPL-3.0-or-later
// Task, whenAll and syncWait: completion inline and across threads.
#include "glusterfs/core/task.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gf
