// SPDX-License-Identifier: GPL-3.0-or-later
// CtxSlots: per-translator state keyed by owner, replaced, taken, created once under races.
#include "glusterfs/core/ctx_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace gf {
namespace {

struct Counter {
  int value = 0;
};

TEST(CtxSlotsTest, MissingSlotIsNull) {
  CtxSlots s;
  int owner;
  EXPECT_EQ(s.get<Counter>(&owner), nullptr);
  EXPECT_EQ(s.take(&owner), nullptr);
}

TEST(CtxSlotsTest, EachOwnerHasItsOwnSlot) {
  CtxSlots s;
  int a, b;
  s.set(&a, std::make_shared<Counter>(Counter{1}));
  s.set(&b, std::make_shared<std::string>("bee"));
  ASSERT_NE(s.get<Counter>(&a), nullptr);
  EXPECT_EQ(s.get<Counter>(&a)->value, 1);
  EXPECT_EQ(*s.get<std::string>(&b), "bee");
}

TEST(CtxSlotsTest, SetReplacesAndReleasesTheOldValue) {
  CtxSlots s;
  int owner;
  auto first = std::make_shared<Counter>(Counter{1});
  std::weak_ptr<Counter> w = first;
  s.set(&owner, std::move(first));
  s.set(&owner, std::make_shared<Counter>(Counter{2}));
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(s.get<Counter>(&owner)->value, 2);
}

// A layer's context may look at another layer's context on the same object when it is
// released (for example to flush through it); replacing it must not deadlock.
struct PeeksOnRelease {
  PeeksOnRelease(CtxSlots* s, const void* other, int* seen) : slots(s), other(other), seen(seen) {}
  ~PeeksOnRelease() {
    if (auto c = slots->get<Counter>(other)) *seen = c->value;
  }
  CtxSlots* slots;
  const void* other;
  int* seen;
};

TEST(CtxSlotsTest, ReplacedValueIsReleasedOutsideTheLock) {
  auto run = [] {
    CtxSlots s;
    int owner, other, seen = 0;
    s.set(&other, std::make_shared<Counter>(Counter{5}));
    s.set(&owner, std::make_shared<PeeksOnRelease>(&s, &other, &seen));
    s.set(&owner, std::make_shared<Counter>(Counter{1}));
    return seen;
  };
  auto fut = std::async(std::launch::async, run);
  if (fut.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    std::fprintf(stderr, "DEADLOCK: CtxSlots::set released the old value under its lock\n");
    std::abort();
  }
  EXPECT_EQ(fut.get(), 5);
}

TEST(CtxSlotsTest, TakeRemovesTheSlot) {
  CtxSlots s;
  int owner, other;
  s.set(&owner, std::make_shared<Counter>(Counter{7}));
  s.set(&other, std::make_shared<Counter>(Counter{8}));
  auto v = std::static_pointer_cast<Counter>(s.take(&owner));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->value, 7);
  EXPECT_EQ(s.get<Counter>(&owner), nullptr);
  EXPECT_EQ(s.get<Counter>(&other)->value, 8);
}

TEST(CtxSlotsTest, GetOrCreateMakesOnceAndSharesIt) {
  CtxSlots s;
  int owner;
  int made = 0;
  auto make = [&] {
    ++made;
    return std::make_shared<Counter>(Counter{made});
  };
  auto a = s.getOrCreate<Counter>(&owner, make);
  auto b = s.getOrCreate<Counter>(&owner, make);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(a, b);
  a->value = 99;
  EXPECT_EQ(s.get<Counter>(&owner)->value, 99);
}

TEST(CtxSlotsTest, GetOrCreateUnderRacesMakesOneValue) {
  for (int round = 0; round < 50; ++round) {
    CtxSlots s;
    int owner;
    std::atomic<int> made{0};
    std::vector<std::shared_ptr<Counter>> seen(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&, i] {
        seen[i] = s.getOrCreate<Counter>(&owner, [&] {
          ++made;
          return std::make_shared<Counter>();
        });
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(made.load(), 1);
    for (auto& p : seen) EXPECT_EQ(p, seen[0]);
  }
}

TEST(CtxSlotsTest, ValuesAreReleasedWithTheSlots) {
  std::weak_ptr<Counter> w;
  {
    CtxSlots s;
    int owner;
    auto v = std::make_shared<Counter>();
    w = v;
    s.set(&owner, std::move(v));
    EXPECT_FALSE(w.expired());
  }
  EXPECT_TRUE(w.expired());
}

}  // namespace
}  // namespace gf
