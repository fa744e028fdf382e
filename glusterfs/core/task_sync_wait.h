// SPDX-License-Identifier: GPL-3.0-or-later
// syncWait(): block a plain thread until a Task finishes. Included by task.h.
#pragma once

#include <condition_variable>
#include <mutex>

namespace gf {
namespace detail {

struct SyncLatch {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  void signal() {
    std::lock_guard lock(m);
    done = true;
    cv.notify_all();
  }
  void wait() {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
  }
};

template <class T>
Detached runSync(Task<T>& task, std::optional<T>& out, std::exception_ptr& err, SyncLatch& l) {
  try {
    out.emplace(co_await task);
  } catch (...) {
    err = std::current_exception();
  }
  l.signal();
}

inline Detached runSync(Task<void>& task, std::exception_ptr& err, SyncLatch& l) {
  try {
    co_await task;
  } catch (...) {
    err = std::current_exception();
  }
  l.signal();
}

}  // namespace detail

template <class T>
T syncWait(Task<T> task) {
  std::optional<T> out;
  std::exception_ptr err;
  detail::SyncLatch latch;
  detail::runSync(task, out, err, latch);
  latch.wait();
  if (err) std::rethrow_exception(err);
  return std::move(*out);
}

inline void syncWait(Task<void> task) {
  std::exception_ptr err;
  detail::SyncLatch latch;
  detail::runSync(task, err, latch);
  latch.wait();
  if (err) std::rethrow_exception(err);
}

}  // namespace gf
