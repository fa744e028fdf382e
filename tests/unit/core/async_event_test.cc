// SPDX-License-Identifier: GPL-3.0-or-later
// AsyncEvent: a one-shot signal; waiters before set() resume on the setter, after it at once.
#include "glusterfs/core/async_event.h"

#include <gtest/gtest.h>

#include <thread>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/task.h"

namespace gf {
namespace {

TEST(AsyncEventTest, WaitAfterSetCompletesAtOnce) {
  AsyncEvent ev;
  EXPECT_FALSE(ev.isSet());
  ev.set();
  EXPECT_TRUE(ev.isSet());
  bool done = false;
  auto body = [&]() -> Task<void> {
    co_await ev.wait();
    done = true;
  };
  syncWait(body());
  EXPECT_TRUE(done);
}

TEST(AsyncEventTest, SetResumesEveryWaiterInOrder) {
  AsyncEvent ev;
  std::vector<int> order;
  auto waiter = [&](int id) -> Task<void> {
    co_await ev.wait();
    order.push_back(id);
  };
  for (int i = 0; i < 3; ++i) spawn(waiter(i));
  EXPECT_TRUE(order.empty());  // all three are suspended
  ev.set();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  ev.set();  // a second set changes nothing
  EXPECT_EQ(order.size(), 3u);
}

TEST(AsyncEventTest, WaiterResumesOnTheSettingThread) {
  AsyncEvent ev;
  EventLoop loop(1, "ev");
  std::thread::id setter;
  auto body = [&]() -> Task<std::thread::id> {
    co_await ev.wait();
    co_return std::this_thread::get_id();
  };
  // Set only once the waiter has suspended: a set() before that lets it go on unsuspended.
  loop.post([&] {
    while (ev.waiting() == 0) std::this_thread::yield();
    setter = std::this_thread::get_id();
    ev.set();
  });
  std::thread::id resumedOn = syncWait(body());
  EXPECT_EQ(resumedOn, setter);
}

TEST(AsyncEventTest, RacingSetAndWaitNeverLosesAWaiter) {
  EventLoop loop(2, "ev");
  for (int round = 0; round < 500; ++round) {
    AsyncEvent ev;
    auto body = [&]() -> Task<int> {
      co_await ev.wait();
      co_return round;
    };
    loop.post([&] { ev.set(); });
    EXPECT_EQ(syncWait(body()), round);  // hangs if a wakeup were lost
  }
}

}  // namespace
}  // namespace gf
