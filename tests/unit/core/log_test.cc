// SPDX-License-Identifier: GPL-3.0-or-later
// Logging: level names, filtering, the line format, log files and reopening after rotation.
#include "glusterfs/core/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "glusterfs/core/task.h"

namespace gf {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Sends the log to a fresh temp file for the test and restores stderr and the level after.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    savedLevel_ = log::level();
    path_ = ::testing::TempDir() + "log_test_" + std::to_string(getpid()) + ".log";
    std::remove(path_.c_str());
    ASSERT_TRUE(log::openFile(path_).ok());
  }
  void TearDown() override {
    (void)log::openFile("-");
    log::setLevel(savedLevel_);
    std::remove(path_.c_str());
    std::remove((path_ + ".1").c_str());
  }
  std::string path_;
  log::Level savedLevel_;
};

TEST(LogLevelTest, ParsesEveryNameCaseInsensitively) {
  struct Case {
    const char* text;
    log::Level level;
  };
  for (auto [text, level] : std::vector<Case>{{"NONE", log::Level::kNone},
                                              {"critical", log::Level::kCritical},
                                              {"Error", log::Level::kError},
                                              {"WARNING", log::Level::kWarning},
                                              {"normal", log::Level::kNormal},
                                              {"INFO", log::Level::kNormal},
                                              {"info", log::Level::kNormal},
                                              {"DEBUG", log::Level::kDebug},
                                              {"trace", log::Level::kTrace}}) {
    log::Level got = log::Level::kNone;
    EXPECT_TRUE(log::parseLevel(text, got)) << text;
    EXPECT_EQ(got, level) << text;
  }
  log::Level got;
  for (const char* bad : {"", "WARN", "verbose", "5", "ERRORS"})
    EXPECT_FALSE(log::parseLevel(bad, got)) << bad;
}

TEST(LogLevelTest, Names) {
  EXPECT_STREQ(log::levelName(log::Level::kNormal), "NORMAL");
  EXPECT_STREQ(log::levelName(log::Level::kTrace), "TRACE");
}

TEST_F(LogTest, LinesCarryTimeLevelLetterDomainAndMessage) {
  log::setLevel(log::Level::kTrace);
  GF_LOG_ERROR("posix1", "open %s failed: %d", "/x", 5);
  GF_LOG_WARNING("dom", "w");
  GF_LOG_INFO("dom", "i");
  GF_LOG_DEBUG("dom", "d");
  GF_LOG_TRACE("dom", "t");
  GF_LOG_CRITICAL("dom", "c");
  auto l = lines(slurp(path_));
  ASSERT_EQ(l.size(), 6u);
  std::regex shape(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\] E \[posix1\] open /x failed: 5)");
  EXPECT_TRUE(std::regex_match(l[0], shape)) << l[0];
  const char* letters = "WNDTC";
  for (int i = 0; i < 5; ++i)
    EXPECT_NE(l[i + 1].find(std::string("] ") + letters[i] + " [dom] "), std::string::npos)
        << l[i + 1];
}

TEST_F(LogTest, LevelFiltersMessages) {
  log::setLevel(log::Level::kWarning);
  EXPECT_TRUE(log::enabled(log::Level::kError));
  EXPECT_TRUE(log::enabled(log::Level::kWarning));
  EXPECT_FALSE(log::enabled(log::Level::kNormal));
  int evaluated = 0;
  auto arg = [&] { return ++evaluated; };
  GF_LOG_DEBUG("dom", "hidden %d", arg());
  GF_LOG_INFO("dom", "hidden %d", arg());
  GF_LOG_WARNING("dom", "shown %d", arg());
  EXPECT_EQ(evaluated, 1);  // arguments of filtered messages are not even evaluated
  auto l = lines(slurp(path_));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NE(l[0].find("shown 1"), std::string::npos);
  log::setLevel(log::Level::kNone);
  GF_LOG_CRITICAL("dom", "nothing at NONE");
  EXPECT_EQ(lines(slurp(path_)).size(), 1u);
}

TEST_F(LogTest, OverlongMessagesAreCutButStayOneLine) {
  std::string big(10000, 'x');
  GF_LOG_ERROR("dom", "%s", big.c_str());
  GF_LOG_ERROR("dom", "after");
  auto l = lines(slurp(path_));
  ASSERT_EQ(l.size(), 2u);
  EXPECT_LT(l[0].size(), 4096u);
  EXPECT_GT(l[0].size(), 4000u);
  EXPECT_NE(l[1].find("after"), std::string::npos);
}

TEST_F(LogTest, AnOverlongDomainIsCutNotOverflowed) {
  // Domains are volume names, which a volfile may make thousands of characters long.
  std::string domain(6000, 'd');
  GF_LOG_ERROR(domain, "the message %d", 1);
  GF_LOG_ERROR("dom", "after");
  auto l = lines(slurp(path_));
  ASSERT_EQ(l.size(), 2u);
  EXPECT_LT(l[0].size(), 4096u);
  EXPECT_NE(l[0].find("] E [ddd"), std::string::npos);
  EXPECT_NE(l[1].find("after"), std::string::npos);
}

TEST_F(LogTest, LinesFromManyThreadsNeverInterleave) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) GF_LOG_ERROR("thr", "thread %d line %d %s", t, i, "payload");
    });
  for (auto& th : threads) th.join();
  auto l = lines(slurp(path_));
  ASSERT_EQ(l.size(), 800u);
  std::regex shape(R"(\[.*\] E \[thr\] thread \d line \d+ payload)");
  for (const auto& x : l) ASSERT_TRUE(std::regex_match(x, shape)) << x;
}

TEST_F(LogTest, ReopenFollowsTheFileAfterRotation) {
  GF_LOG_ERROR("dom", "before");
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  GF_LOG_ERROR("dom", "still old");
  log::reopen();
  GF_LOG_ERROR("dom", "after");
  EXPECT_EQ(lines(slurp(path_ + ".1")).size(), 2u);
  auto now = lines(slurp(path_));
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0].find("after"), std::string::npos);
}

TEST_F(LogTest, AppendsToAnExistingFile) {
  GF_LOG_ERROR("dom", "one");
  ASSERT_TRUE(log::openFile(path_).ok());
  GF_LOG_ERROR("dom", "two");
  EXPECT_EQ(lines(slurp(path_)).size(), 2u);
}

TEST_F(LogTest, UnopenableFileIsAnErrorAndKeepsTheOldSink) {
  Status st = log::openFile("/nonexistent-dir/x.log");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.errnum(), ENOENT);
  GF_LOG_ERROR("dom", "still here");
  EXPECT_EQ(lines(slurp(path_)).size(), 1u);
}

TEST_F(LogTest, ExceptionEscapingASpawnedTaskIsLogged) {
  spawn(
      []() -> Task<void> {
        throw std::runtime_error("lost in space");
        co_return;
      }(),
      "spawn-site");
  spawn(
      []() -> Task<void> {
        throw 42;
        co_return;
      }(),
      "other-site");
  auto l = lines(slurp(path_));
  ASSERT_EQ(l.size(), 2u);
  EXPECT_NE(l[0].find("C [spawn-site] uncaught exception in a spawned task: lost in space"),
            std::string::npos)
      << l[0];
  EXPECT_NE(l[1].find("C [other-site] uncaught non-standard exception"), std::string::npos) << l[1];
}

}  // namespace
}  // namespace gf
