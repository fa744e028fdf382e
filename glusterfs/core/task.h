// SPDX-License-Identifier: GPL-3.0-or-later
// Task<T>: the lazy coroutine every file operation returns, plus spawn() and whenAll().
//
// Contract:
// - A Task starts when awaited and resumes its awaiter by symmetric transfer when done, on
//   whatever thread finished it (a posix leaf finishes inline, a network reply finishes on the
//   event loop thread). Nothing here knows about threads; executors move work (executor.h).
// - A Task may be "ready": built from a value without a coroutine frame, so a pass-through
//   default (`return child.stat(c, r);`) or an immediate error costs no allocation.
// - Arguments taken by reference must outlive the await: always `co_await f(args...)` in the
//   same expression (or keep the arguments in the awaiting frame). whenAll() follows this rule.
#pragma once

#include <atomic>
#include <coroutine>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "glusterfs/core/result.h"

namespace gf {

template <class T>
class Task;

namespace detail {

template <class T>
struct IsResult : std::false_type {};
template <class T>
struct IsResult<Result<T>> : std::true_type {};

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr exception;

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) noexcept {
      auto next = self.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };

  std::suspend_always initial_suspend() noexcept { return {}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;
  using value_type = T;

  explicit Task(Handle h) noexcept : handle_(h) {}
  // A ready task: completed, holding `value`, no frame.
  static Task ready(T value) { return Task(std::move(value)); }
  // Lets a non-coroutine return `fail(EROFS)` from a function returning Task<Result<X>>.
  Task(Failure f) requires detail::IsResult<T>::value : ready_(std::in_place, f) {}  // NOLINT

  Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})), ready_(std::move(o.ready_)) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      destroy();
      handle_ = std::exchange(o.handle_, {});
      ready_ = std::move(o.ready_);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  bool isReady() const { return !handle_; }

  struct Awaiter {
    Task& task;
    bool await_ready() const noexcept { return !task.handle_; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      task.handle_.promise().continuation = awaiting;
      return task.handle_;
    }
    T await_resume() {
      if (!task.handle_) return std::move(*task.ready_);
      auto& p = task.handle_.promise();
      if (p.exception) std::rethrow_exception(p.exception);
      return std::move(*p.value);
    }
  };
  Awaiter operator co_await() & noexcept { return Awaiter{*this}; }
  Awaiter operator co_await() && noexcept { return Awaiter{*this}; }

 private:
  explicit Task(T&& value) : ready_(std::in_place, std::move(value)) {}
  void destroy() {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
  std::optional<T> ready_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  using promise_type = detail::Promise<void>;
  using Handle = std::coroutine_handle<promise_type>;
  using value_type = void;

  Task() noexcept = default;  // ready
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(o.handle_, {});
    }
    return *this;
  }
  ~Task() {
    if (handle_) handle_.destroy();
  }
  bool isReady() const { return !handle_; }

  struct Awaiter {
    Task& task;
    bool await_ready() const noexcept { return !task.handle_; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      task.handle_.promise().continuation = awaiting;
      return task.handle_;
    }
    void await_resume() {
      if (task.handle_ && task.handle_.promise().exception)
        std::rethrow_exception(task.handle_.promise().exception);
    }
  };
  Awaiter operator co_await() & noexcept { return Awaiter{*this}; }
  Awaiter operator co_await() && noexcept { return Awaiter{*this}; }

 private:
  Handle handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// An eagerly started, self-destroying coroutine: the body of spawn() and of whenAll's children.
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

// Logs an exception that escaped a spawned task (the spawn site is the one place that catches).
void reportUncaught(std::exception_ptr e, const char* where) noexcept;

inline Detached runDetached(Task<void> task, const char* where) {
  try {
    co_await task;
  } catch (...) {
    reportUncaught(std::current_exception(), where);
  }
}
}  // namespace detail

// Starts `task` now, on this thread; nobody awaits it. Exceptions are logged, never lost.
inline void spawn(Task<void> task, const char* where = "spawn") {
  detail::runDetached(std::move(task), where);
}

namespace detail {

struct WhenAllLatch {
  std::atomic<size_t> remaining;
  std::coroutine_handle<> parent;
  std::exception_ptr error;
  std::atomic_flag errorSet;
  void arrive() {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) parent.resume();
  }
  void setError(std::exception_ptr e) {
    if (!errorSet.test_and_set()) error = std::move(e);
  }
};

template <class T>
Detached runChild(Task<T>& task, std::optional<T>& out, WhenAllLatch& latch) {
  try {
    out.emplace(co_await task);
  } catch (...) {
    latch.setError(std::current_exception());
  }
  latch.arrive();
}

inline Detached runChild(Task<void>& task, WhenAllLatch& latch) {
  try {
    co_await task;
  } catch (...) {
    latch.setError(std::current_exception());
  }
  latch.arrive();
}

// Suspends the parent, starts every child in order on this thread, resumes the parent once the
// last child finishes (on that child's thread). The extra count held during start-up keeps a
// child that finishes early from resuming the parent before all children are started.
template <class Start>
struct WhenAllAwaiter {
  WhenAllLatch& latch;
  size_t count;
  Start start;
  bool await_ready() const noexcept { return count == 0; }
  bool await_suspend(std::coroutine_handle<> parent) {
    latch.parent = parent;
    latch.remaining.store(count + 1, std::memory_order_relaxed);
    start();
    return latch.remaining.fetch_sub(1, std::memory_order_acq_rel) != 1;
  }
  void await_resume() const noexcept {}
};

}  // namespace detail

// Runs all tasks concurrently (each starts in turn; those that suspend overlap) and returns
// their results in order.
template <class T>
Task<std::vector<T>> whenAll(std::vector<Task<T>> tasks) {
  std::vector<std::optional<T>> slots(tasks.size());
  detail::WhenAllLatch latch;
  auto start = [&] {
    for (size_t i = 0; i < tasks.size(); ++i) detail::runChild(tasks[i], slots[i], latch);
  };
  co_await detail::WhenAllAwaiter<decltype(start)>{latch, tasks.size(), start};
  if (latch.error) std::rethrow_exception(latch.error);
  std::vector<T> out;
  out.reserve(slots.size());
  for (auto& s : slots) out.push_back(std::move(*s));
  co_return out;
}

inline Task<void> whenAll(std::vector<Task<void>> tasks) {
  detail::WhenAllLatch latch;
  auto start = [&] {
    for (auto& t : tasks) detail::runChild(t, latch);
  };
  co_await detail::WhenAllAwaiter<decltype(start)>{latch, tasks.size(), start};
  if (latch.error) std::rethrow_exception(latch.error);
}

// Two or more tasks of different types: returns a tuple of their results.
template <class... Ts>
  requires(sizeof...(Ts) >= 2 && (!std::is_void_v<Ts> && ...))
Task<std::tuple<Ts...>> whenAll(Task<Ts>... tasks) {
  std::tuple<std::optional<Ts>...> slots;
  std::tuple<Task<Ts>...> owned(std::move(tasks)...);
  detail::WhenAllLatch latch;
  auto start = [&] {
    [&]<size_t... I>(std::index_sequence<I...>) {
      (detail::runChild(std::get<I>(owned), std::get<I>(slots), latch), ...);
    }(std::index_sequence_for<Ts...>{});
  };
  co_await detail::WhenAllAwaiter<decltype(start)>{latch, sizeof...(Ts), start};
  if (latch.error) std::rethrow_exception(latch.error);
  co_return std::apply([](auto&... s) { return std::tuple<Ts...>(std::move(*s)...); }, slots);
}

// Runs a task to completion on this thread, blocking until it finishes (it may finish on another
// thread). For tests, start-up code and tools; never on an event-loop thread.
template <class T>
T syncWait(Task<T> task);
void syncWait(Task<void> task);

}  // namespace gf

#include "glusterfs/core/task_sync_wait.h"
