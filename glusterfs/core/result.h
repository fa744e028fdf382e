// SPDX-License-Identifier: GPL-3.0-or-later
// Result<T>: a value or an errno-style std::error_code; the only error channel of a file operation.
#pragma once

#include <cerrno>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace gf {

inline std::error_code errc(int errnum) { return {errnum, std::generic_category()}; }

// Marks an error on its way into any Result<T>; lets `co_return fail(ENOENT);` work for every T.
struct Failure {
  std::error_code code;
};
inline Failure fail(int errnum) { return Failure{errc(errnum)}; }
inline Failure fail(std::error_code ec) { return Failure{ec}; }

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Failure f) : v_(std::in_place_index<1>, f.code) {}           // NOLINT(implicit)
  Result(std::error_code ec) : v_(std::in_place_index<1>, ec) {}      // NOLINT(implicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  std::error_code error() const { return ok() ? std::error_code{} : std::get<1>(v_); }
  int errnum() const { return error().value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, std::error_code> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Failure f) : ec_(f.code) {}       // NOLINT(implicit)
  Result(std::error_code ec) : ec_(ec) {}  // NOLINT(implicit)
  bool ok() const { return !ec_; }
  explicit operator bool() const { return ok(); }
  std::error_code error() const { return ec_; }
  int errnum() const { return ec_.value(); }

 private:
  std::error_code ec_;
};

using Status = Result<void>;

// Result from a syscall's return value: -1 means "look at errno".
inline Status sysStatus(long rc) {
  if (rc < 0) return fail(errno);
  return {};
}

}  // namespace gf

#define GF_CAT_(a, b) a##b
#define GF_CAT(a, b) GF_CAT_(a, b)

// The one propagation helper: evaluates `expr` (a Result), returns its error from the enclosing
// coroutine, or binds the value to `lhs`. Usage: GF_CO_TRY(auto st, co_await child.stat(c, r));
#define GF_CO_TRY(lhs, expr)                                                       \
  auto GF_CAT(gf_try_, __LINE__) = (expr);                                         \
  if (!GF_CAT(gf_try_, __LINE__)) co_return ::gf::fail(GF_CAT(gf_try_, __LINE__).error()); \
  lhs = std::move(*GF_CAT(gf_try_, __LINE__))

// Same for Result<void> / Status.
#define GF_CO_CHECK(expr)                                                          \
  do {                                                                             \
    auto gf_check_ = (expr);                                                       \
    if (!gf_check_) co_return ::gf::fail(gf_check_.error());                       \
  } while (0)

// The same two helpers for plain (non-coroutine) functions returning a Result.
#define GF_TRY(lhs, expr)                                                          \
  auto GF_CAT(gf_try_, __LINE__) = (expr);                                         \
  if (!GF_CAT(gf_try_, __LINE__)) return ::gf::fail(GF_CAT(gf_try_, __LINE__).error()); \
  lhs = std::move(*GF_CAT(gf_try_, __LINE__))

#define GF_CHECK(expr)                                                             \
  do {                                                                             \
    auto gf_check_ = (expr);                                                       \
    if (!gf_check_) return ::gf::fail(gf_check_.error());                          \
  } while (0)
