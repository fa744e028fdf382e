// SPDX-License-Identifier: GPL-3.0-or-later
// debug/trace: what it logs for calls and replies, and its include/exclude options.
#include <gtest/gtest.h>

#include <string>

#include <regex>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/log_capture.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_leaf.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

// Every test runs over storage/memory and over storage/posix on a temporary directory.
class TraceTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string traced(std::initializer_list<std::pair<std::string_view, std::string_view>> opts) {
    return leaf_.volume() + volume("trace", "debug/trace", opts, {"mem"});
  }
  TestLeaf leaf_{GetParam()};
};

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

TEST_P(TraceTest, LogsEachCallAndItsReplyUnderOneSequenceNumber) {
  TestGraph g(traced({}));
  TestClient fs(g.top());
  fs.ctx().uid = 0;
  fs.ctx().pid = 777;
  LogCapture log;
  ASSERT_OK(fs.mkdir("/maildir", 0700));
  std::string text = log.contents();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(#(\d+) mkdir\(\{loc=\{path="/maildir")")))
      << text;
  std::string seq = m[1];
  EXPECT_NE(text.find("pid=777"), std::string::npos) << text;
  EXPECT_NE(text.find("#" + seq + " mkdir => {stat={ino="), std::string::npos) << text;
  EXPECT_NE(text.find("mode=040700"), std::string::npos) << text;
  EXPECT_NE(text.find("[trace]"), std::string::npos) << "lines carry the volume name";
}

TEST_P(TraceTest, ErrorsAreLoggedByErrnoName) {
  TestGraph g(traced({}));
  TestClient fs(g.top());
  LogCapture log;
  EXPECT_ERRNO(fs.lookup("/nothing-here"), ENOENT);
  std::string text = log.contents();
  EXPECT_NE(text.find("lookup => error ENOENT (No such file or directory)"), std::string::npos)
      << text;
}

TEST_P(TraceTest, IncludeOpsTracesOnlyTheListedFops) {
  TestGraph g(traced({{"include-ops", "mkdir, unlink"}}));
  TestClient fs(g.top());
  LogCapture log;
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK(fs.unlink("/f"));
  std::string text = log.contents();
  EXPECT_EQ(count(text, " mkdir("), 1) << text;
  EXPECT_EQ(count(text, " unlink("), 1) << text;
  EXPECT_EQ(count(text, " lookup("), 0) << text;
  EXPECT_EQ(count(text, " writev("), 0) << text;
}

TEST_P(TraceTest, ExcludeOpsSilencesTheListedFops) {
  TestGraph g(traced({{"exclude-ops", "lookup,stat"}}));
  TestClient fs(g.top());
  LogCapture log;
  ASSERT_OK(fs.writeFile("/f", "data"));
  std::string text = log.contents();
  EXPECT_EQ(count(text, " lookup("), 0) << text;
  EXPECT_EQ(count(text, " create("), 1) << text;
  EXPECT_EQ(count(text, " writev("), 1) << text;
  EXPECT_NE(text.find("writev => {size=4}"), std::string::npos) << text;
}

TEST_P(TraceTest, OldFopNamesNameTheirSuccessors) {
  TestGraph g(traced({{"include-ops", "chmod"}}));
  TestClient fs(g.top());
  ASSERT_OK(fs.writeFile("/f", "x"));
  LogCapture log;
  ASSERT_OK(fs.chmod("/f", 0600));
  EXPECT_EQ(count(log.contents(), " setattr("), 1) << log.contents();
}

TEST_P(TraceTest, AnUnknownFopNameIsAVolfileErrorAtItsLine) {
  std::string vf = volume("mem", "storage/memory") +
                   "volume trace\n  type debug/trace\n  option include-ops mkdir,frobnicate\n"
                   "  subvolumes mem\nend-volume\n";
  try {
    TestGraph g(vf);
    FAIL() << "the volfile was accepted";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.line(), 6);
    EXPECT_NE(std::string(e.what()).find("'frobnicate' is not a fop name"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("include-ops"), std::string::npos) << e.what();
  }
}

TEST_P(TraceTest, NothingIsLoggedBelowNormalLevel) {
  TestGraph g(traced({}));
  TestClient fs(g.top());
  LogCapture log(log::Level::kWarning);
  ASSERT_OK(fs.mkdir("/quiet"));
  EXPECT_EQ(log.contents().find("mkdir"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Leaves, TraceTest, ::testing::Values("memory", "posix"));

}  // namespace
}  // namespace gf::test
