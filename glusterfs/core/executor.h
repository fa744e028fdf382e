// SPDX-License-Identifier: GPL-3.0-or-later
// Executors move work between threads: `co_await ex.schedule()` continues on `ex`.
// EventLoop is a Boost.Asio io_context run by its own threads (network loops, thread pools,
// timers); Asio itself stays out of this header.
#pragma once

#include <chrono>
#include <coroutine>
#include <functional>
#include <memory>
#include <string>

#include "glusterfs/core/task.h"

namespace boost::asio {
class io_context;
}

namespace gf {

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void post(std::function<void()> fn) = 0;

  struct ScheduleAwaiter {
    Executor& ex;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { ex.post([h] { h.resume(); }); }
    void await_resume() const noexcept {}
  };
  ScheduleAwaiter schedule() { return ScheduleAwaiter{*this}; }
};

class EventLoop : public Executor {
 public:
  // Starts `threads` threads running the loop; `name` names them (for top -H and logs).
  EventLoop(size_t threads, std::string name);
  ~EventLoop() override;  // stops the loop and joins its threads
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void post(std::function<void()> fn) override;
  // Completes after `d`, resuming on this loop; at once when the loop is stopping.
  Task<void> sleepFor(std::chrono::milliseconds d);
  boost::asio::io_context& io();
  bool inLoopThread() const;
  // Ends every sleep, lets the coroutines still waiting on I/O (whose sockets their owners
  // have closed by now) run to their end for up to `drain`, then stops and joins the threads.
  // Coroutines abandoned by a hard stop would never free their frames.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(2));

  struct Impl;  // opaque (public only so that event_loop.cc's helpers can name it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf
