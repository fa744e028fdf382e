// SPDX-License-Identifier: GPL-3.0-or-later
// gtest assertions for Result<T>/Status that print the errno by name on failure.
//
//   ASSERT_OK(client.mkdir("/d"));
//   EXPECT_ERRNO(client.rmdir("/d/missing"), ENOENT);
//   ASSERT_OK_AND_ASSIGN(FdPtr fd, client.create("/f"));
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "glusterfs/core/result.h"

namespace gf::test {

inline std::string errnoText(int e) {
  const char* name = strerrorname_np(e);
  return std::string(name ? name : "errno " + std::to_string(e)) + " (" + strerror(e) + ")";
}

template <class R>
::testing::AssertionResult isOk(const R& r) {
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with " << errnoText(r.errnum());
}

template <class R>
::testing::AssertionResult hasErrno(const R& r, int expected) {
  if (!r.ok() && r.errnum() == expected) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure() << "expected " << errnoText(expected) << ", got ";
  if (r.ok()) return f << "success";
  return f << errnoText(r.errnum());
}

}  // namespace gf::test

#define ASSERT_OK(expr) ASSERT_TRUE(::gf::test::isOk(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(::gf::test::isOk(expr))
#define ASSERT_ERRNO(expr, e) ASSERT_TRUE(::gf::test::hasErrno((expr), (e)))
#define EXPECT_ERRNO(expr, e) EXPECT_TRUE(::gf::test::hasErrno((expr), (e)))

#define GF_TEST_CAT_(a, b) a##b
#define GF_TEST_CAT(a, b) GF_TEST_CAT_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                      \
  auto GF_TEST_CAT(gf_result_, __LINE__) = (expr);                           \
  ASSERT_TRUE(::gf::test::isOk(GF_TEST_CAT(gf_result_, __LINE__))) << #expr; \
  lhs = std::move(*GF_TEST_CAT(gf_result_, __LINE__))
