// SPDX-License-Identifier: GPL-3.0-or-later
// EventLoop on Boost.Asio: an io_context, a work guard, and N threads.
#include <pthread.h>

#include <atomic>
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
};

EventLoop::EventLoop(size_t threads, std::string name) : impl_(std::make_unique<Impl>()) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this, name, i] {
      std::string tname = (name + std::to_string(i)).substr(0, 15);
      pthread_setname_np(pthread_self(), tname.c_str());
      impl_->io.run();
    });
  }
}

EventLoop::~EventLoop() { stop(); }

void EventLoop::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->guard.reset();
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
  asio::io_context& io;
  std::chrono::milliseconds d;
  std::shared_ptr<asio::steady_timer> timer;
  bool await_ready() const noexcept { return d.count() <= 0; }
  void await_suspend(std::coroutine_handle<> h) {
    timer = std::make_shared<asio::steady_timer>(io, d);
    timer->async_wait([h](const boost::system::error_code&) { h.resume(); });
  }
  void await_resume() const noexcept {}
};
}  // namespace

Task<void> EventLoop::sleepFor(std::chrono::milliseconds d) {
  co_await TimerAwaiter{impl_->io, d, nullptr};
}

asio::io_context& EventLoop::io() { return impl_->io; }

bool EventLoop::inLoopThread() const {
  for (const auto& t : impl_->threads)
    if (t.get_id() == std::this_thread::get_id()) return true;
  return false;
}

}  // namespace gf
