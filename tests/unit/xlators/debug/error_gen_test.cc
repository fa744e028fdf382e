// SPDX-License-Identifier: GPL-3.0-or-later
// debug/error-gen: which fops fail, with which errno, how often, and reproducibly.
#include <gtest/gtest.h>

#include <string>

#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_leaf.h"
#include "tests/unit/support/test_graph.h"
#include "tests/unit/xlators/debug/fop_calls.h"

namespace gf::test {
namespace {

// Every test runs over storage/memory and over storage/posix on a temporary directory.
class ErrorGenTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string withErrorGen(std::initializer_list<std::pair<std::string_view, std::string_view>> opts) {
    return leaf_.volume() + volume("eg", "debug/error-gen", opts, {"mem"});
  }
  TestLeaf leaf_{GetParam()};
};

TEST_P(ErrorGenTest, FailsTheEnabledFopWithTheChosenErrnoAndNothingElse) {
  TestGraph g(withErrorGen({{"enable", "writev"}, {"failure", "100"}, {"error-no", "ENOSPC"}}));
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
  EXPECT_ERRNO(fs.write(fd, 0, "data"), ENOSPC);
  ASSERT_OK_AND_ASSIGN(Iatt st, fs.fstat(fd));
  EXPECT_EQ(st.size, 0u) << "a failed write must not reach the brick";
  EXPECT_OK(fs.read(fd, 0, 10));
  EXPECT_OK(fs.mkdir("/d"));
  EXPECT_EQ(g.get<ErrorGenXlator>("eg").failuresInjected(), 1u);
}

TEST_P(ErrorGenTest, ErrnoMayBeGivenAsANumber) {
  TestGraph g(withErrorGen({{"enable", "mkdir"}, {"failure", "100%"}, {"error-no", "5"}}));
  TestClient fs(g.top());
  EXPECT_ERRNO(fs.mkdir("/d"), EIO);
}

// Every fop of the list, alone: error-gen fails exactly that one, and only it.
TEST_P(ErrorGenTest, EachFopCanBeFailedAloneWhileTheOthersPassThrough) {
  for (size_t i = 0; i < kFopCount; ++i) {
    auto id = static_cast<FopId>(i);
    SCOPED_TRACE(fopName(id));
    TestGraph g(withErrorGen({{"enable", fopName(id)}, {"failure", "100"}, {"error-no", "EDOM"}}));
    EXPECT_EQ(callWithEmptyRequest(g.top(), id), EDOM);
    for (size_t j = 0; j < kFopCount; ++j)
      if (j != i)
        EXPECT_NE(callWithEmptyRequest(g.top(), static_cast<FopId>(j)), EDOM)
            << fopName(static_cast<FopId>(j));
    EXPECT_EQ(g.get<ErrorGenXlator>("eg").failuresInjected(), 1u);
  }
}

TEST_P(ErrorGenTest, TheFailureRateIsHonouredAndASeedMakesItReproducible) {
  auto run = [this](const char* seed) {
    TestGraph g(withErrorGen({{"enable", "stat"}, {"failure", "30"}, {"random-seed", seed}}));
    TestClient fs(g.top());
    std::vector<bool> outcomes;
    for (int i = 0; i < 1000; ++i) outcomes.push_back(fs.stat("/").ok());
    return outcomes;
  };
  auto a = run("42"), b = run("42"), c = run("43");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto failures = std::count(a.begin(), a.end(), false);
  EXPECT_GT(failures, 230);
  EXPECT_LT(failures, 370);
}

TEST_P(ErrorGenTest, SkipAndMaxFailuresPickOneExactCall) {
  // Replicate's pre-op and post-op are both xattrops: this fails the post-op only.
  TestGraph g(withErrorGen(
      {{"enable", "xattrop"}, {"failure", "100"}, {"skip", "1"}, {"max-failures", "1"}}));
  TestClient fs(g.top());
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.loc("/f"));
  XattropReq req{l, XattropOp::kAddArray, Dict{{"trusted.afr.c", std::string(4, '\0')}}};
  EXPECT_OK(fs.call(req));
  EXPECT_ERRNO(fs.call(req), EIO);
  EXPECT_OK(fs.call(req));
  EXPECT_EQ(g.get<ErrorGenXlator>("eg").matchingCalls(), 3u);
}

TEST_P(ErrorGenTest, ReconfigureChangesTheRulesAtRunTime) {
  TestGraph g(withErrorGen({{"failure", "0"}}));
  TestClient fs(g.top());
  EXPECT_OK(fs.mkdir("/a"));
  auto& eg = g.get<ErrorGenXlator>("eg");
  auto cfg = eg.config();
  cfg.failure = 100;
  cfg.errorNo = ENOTCONN;
  cfg.enabled = debug::parseFopList("mkdir");
  eg.reconfigure(cfg);
  EXPECT_ERRNO(fs.mkdir("/b"), ENOTCONN);
  EXPECT_OK(fs.stat("/a"));
}

TEST_P(ErrorGenTest, BadOptionValuesAreVolfileErrors) {
  EXPECT_THROW(TestGraph g(withErrorGen({{"error-no", "ENOTANERRNO"}})), VolfileError);
  EXPECT_THROW(TestGraph g(withErrorGen({{"failure", "150"}})), VolfileError);
  EXPECT_THROW(TestGraph g(withErrorGen({{"enable", "writev,bogus"}})), VolfileError);
  EXPECT_THROW(TestGraph g(withErrorGen({{"random-seed", "-1"}})), VolfileError);
}

INSTANTIATE_TEST_SUITE_P(Leaves, ErrorGenTest, ::testing::Values("memory", "posix"));

}  // namespace
}  // namespace gf::test
