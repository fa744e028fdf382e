// SPDX-License-Identifier: GPL-3.0-or-later
// asioOp(): awaits a Boost.Asio asynchronous operation from a Task coroutine. The completion
// handler resumes the coroutine inline, on the io_context thread that completed it.
#pragma once

#include <boost/system/error_code.hpp>
#include <coroutine>
#include <optional>
#include <utility>

namespace gf::rpc {

template <class T, class Init>
struct AsioOp {
  Init init;
  boost::system::error_code ec{};
  std::optional<T> value;  // optional: sockets have no default constructor
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    init([this, h](const boost::system::error_code& e, T v) {
      ec = e;
      value.emplace(std::move(v));
      h.resume();
    });
  }
  std::pair<boost::system::error_code, T> await_resume() { return {ec, std::move(*value)}; }
};

template <class Init>
struct AsioVoidOp {
  Init init;
  boost::system::error_code ec{};
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    init([this, h](const boost::system::error_code& e) {
      ec = e;
      h.resume();
    });
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
