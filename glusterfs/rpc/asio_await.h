// SPDX-License-Identifier: GPL-3.0-or-later
// asioOp(): awaits a Boost.Asio asynchronous operation from a Task coroutine. The completion
// handler resumes the coroutine inline, on the io_context thread that completed it.
//
// With several threads running the io_context, an operation can complete on another thread
// while its initiating function is still running here (and still touching the socket, which
// lives in the coroutine frame). The coroutine must not run on, let alone end and free its
// frame, before initiation returns: ResumeGate decides which side resumes it.
#pragma once

#include <boost/system/error_code.hpp>
#include <atomic>
#include <coroutine>
#include <optional>
#include <utility>

namespace gf::rpc {

namespace detail {
class ResumeGate {
 public:
  // After starting the operation: true = stay suspended (the handler will resume), false =
  // it has already completed, resume now.
  bool initiated() {
    int expected = kStarting;
    return phase_.compare_exchange_strong(expected, kWaiting, std::memory_order_acq_rel);
  }
  // In the handler, after storing the result.
  void completed(std::coroutine_handle<> h) {
    int expected = kStarting;
    if (phase_.compare_exchange_strong(expected, kDone, std::memory_order_acq_rel)) return;
    h.resume();
  }

 private:
  static constexpr int kStarting = 0, kWaiting = 1, kDone = 2;
  std::atomic<int> phase_{kStarting};
};
}  // namespace detail

template <class T, class Init>
struct AsioOp {
  Init init;
  boost::system::error_code ec{};
  std::optional<T> value;  // optional: sockets have no default constructor
  detail::ResumeGate gate;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    init([this, h](const boost::system::error_code& e, T v) {
      ec = e;
      value.emplace(std::move(v));
      gate.completed(h);
    });
    return gate.initiated();
  }
  std::pair<boost::system::error_code, T> await_resume() { return {ec, std::move(*value)}; }
};

template <class Init>
struct AsioVoidOp {
  Init init;
  boost::system::error_code ec{};
  detail::ResumeGate gate;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    init([this, h](const boost::system::error_code& e) {
      ec = e;
      gate.completed(h);
    });
    return gate.initiated();
  }
  boost::system::error_code await_resume() { return ec; }
};

// `init(handler)` starts the operation; the handler takes (error_code, T).
template <class T, class Init>
AsioOp<T, Init> asioOp(Init init) {
  return AsioOp<T, Init>{std::move(init)};
}
// For operations whose handler takes only an error_code.
template <class Init>
AsioVoidOp<Init> asioOp(Init init) {
  return AsioVoidOp<Init>{std::move(init)};
}

}  // namespace gf::rpc
