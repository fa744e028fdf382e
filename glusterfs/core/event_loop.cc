// SPDX-License-Identifier: GPL-3.0-or-later
// EventLoop on Boost.Asio: an io_context, a work guard, and N threads.
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_set>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>
#include <vector>

#include "glusterfs/core/executor.h"

namespace gf {

namespace asio = boost::asio;

struct EventLoop::Impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  std::mutex mutex;
  std::condition_variable idle;
  size_t running = 0;                            // threads still inside io.run()
  std::unordered_set<asio::steady_timer*> sleeps;  // pending sleepFor timers
};

EventLoop::EventLoop(size_t threads, std::string name) : impl_(std::make_unique<Impl>()) {
  if (threads == 0) threads = 1;
  impl_->running = threads;
  for (size_t i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this, name, i] {
      std::string tname = (name + std::to_string(i)).substr(0, 15);
      pthread_setname_np(pthread_self(), tname.c_str());
      impl_->io.run();
      std::lock_guard lock(impl_->mutex);
      if (--impl_->running == 0) impl_->idle.notify_all();
    });
  }
}

EventLoop::~EventLoop() { stop(); }

void EventLoop::stop(std::chrono::milliseconds drain) {
  if (impl_->stopped.exchange(true)) return;
  impl_->guard.reset();
  {
    std::unique_lock lock(impl_->mutex);
    for (auto* t : impl_->sleeps) t->cancel();
    // From one of our own threads the others cannot be waited for: that thread is not idle.
    if (!inLoopThread())
      impl_->idle.wait_for(lock, drain, [this] { return impl_->running == 0; });
  }
  impl_->io.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) {
      if (t.get_id() == std::this_thread::get_id()) t.detach();
      else t.join();
    }
}

void EventLoop::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

namespace {
struct TimerAwaiter {
  EventLoop::Impl& loop;
  std::chrono::milliseconds d;
  bool await_ready() const noexcept { return d.count() <= 0 || loop.stopped; }
  void await_suspend(std::coroutine_handle<> h) {
    auto timer = std::make_shared<asio::steady_timer>(loop.io, d);
    std::lock_guard lock(loop.mutex);
    if (loop.stopped) timer->expires_at(asio::steady_timer::time_point::min());
    loop.sleeps.insert(timer.get());
    // The wait may end on another thread before async_wait returns: the handler owns the
    // timer, and takes it out of `sleeps` before the coroutine (maybe ending) goes on.
    timer->async_wait([h, timer, &loop = loop](const boost::system::error_code&) {
      {
        std::lock_guard lock(loop.mutex);
        loop.sleeps.erase(timer.get());
      }
      h.resume();
    });
  }
  void await_resume() const noexcept {}
};
}  // namespace

Task<void> EventLoop::sleepFor(std::chrono::milliseconds d) {
  co_await TimerAwaiter{*impl_, d};
}

asio::io_context& EventLoop::io() { return impl_->io; }

bool EventLoop::inLoopThread() const {
  for (const auto& t : impl_->threads)
    if (t.get_id() == std::this_thread::get_id()) return true;
  return false;
}

}  // namespace gf
