// SPDX-License-Identifier: GPL-3.0-or-later
// AsyncEvent: a one-shot signal coroutines can wait on. set() resumes every waiter (on the
// thread that calls set); waiting after set() completes at once.
#pragma once

#include <coroutine>
#include <mutex>
#include <vector>

namespace gf {

class AsyncEvent {
 public:
  void set() {
    std::vector<std::coroutine_handle<>> ready;
    {
      std::lock_guard lock(mutex_);
      if (set_) return;
      set_ = true;
      ready.swap(waiters_);
    }
    for (auto h : ready) h.resume();
  }
  bool isSet() const {
    std::lock_guard lock(mutex_);
    return set_;
  }
  // Coroutines suspended in wait() (lets a test set the event only once someone waits).
  size_t waiting() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
  }

  struct Awaiter {
    AsyncEvent& ev;
    bool await_ready() const { return ev.isSet(); }
    bool await_suspend(std::coroutine_handle<> h) {
      std::lock_guard lock(ev.mutex_);
      if (ev.set_) return false;
      ev.waiters_.push_back(h);
      return true;
    }
    void await_resume() const noexcept {}
  };
  Awaiter wait() { return Awaiter{*this}; }

 private:
  mutable std::mutex mutex_;
  bool set_ = false;
  std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace gf
