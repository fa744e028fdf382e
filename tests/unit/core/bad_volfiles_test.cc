// SPDX-License-Identifier: GPL-3.0-or-later
// Every malformed volfile under tests/volfiles/bad/ fails Graph::fromFile with a VolfileError
// naming the file, the line in NAME.expect and the problem's text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "glusterfs/core/graph.h"
#include "glusterfs/xlators/registry.h"
#include "tests/unit/support/source_tree.h"

namespace gf {
namespace {

namespace fs = std::filesystem;
using test::sourceTreePath;

fs::path badVolfileDir() { return sourceTreePath("tests/volfiles/bad"); }

struct Expectation {
  int line = -1;
  std::string message;
};

// NAME.expect: '#' comment lines, "line N", "message TEXT".
Expectation readExpect(const fs::path& p) {
  Expectation e;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("line ", 0) == 0) e.line = std::atoi(l.c_str() + 5);
    if (l.rfind("message ", 0) == 0) e.message = l.substr(8);
  }
  return e;
}

std::vector<fs::path> badVolfiles() {
  std::vector<fs::path> out;
  fs::path dir = badVolfileDir();
  if (dir.empty()) return out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".vol") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(BadVolfilesTest, AtLeastTwelveCasesEachWithAnExpectation) {
  ASSERT_FALSE(badVolfileDir().empty()) << "tests/volfiles/bad not found; set GF_SOURCE_DIR";
  auto files = badVolfiles();
  EXPECT_GE(files.size(), 12u);
  for (const auto& f : files) {
    fs::path expect = fs::path(f).replace_extension(".expect");
    ASSERT_TRUE(fs::exists(expect)) << expect;
    Expectation e = readExpect(expect);
    EXPECT_GT(e.line, 0) << expect;
    EXPECT_FALSE(e.message.empty()) << expect;
  }
  for (const auto& entry : fs::directory_iterator(badVolfileDir()))
    if (entry.path().extension() == ".expect")
      EXPECT_TRUE(fs::exists(fs::path(entry.path()).replace_extension(".vol"))) << entry.path();
}

TEST(BadVolfilesTest, EachFailsWithFileLineAndProblem) {
  auto files = badVolfiles();
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    Expectation want = readExpect(fs::path(f).replace_extension(".expect"));
    try {
      auto g = Graph::fromFile(f.string(), builtinXlators());
      ADD_FAILURE() << "built a graph from a bad volfile";
    } catch (const VolfileError& e) {
      EXPECT_EQ(e.file(), f.string());
      EXPECT_EQ(e.line(), want.line) << e.what();
      std::string what = e.what();
      EXPECT_EQ(what.rfind(f.string() + ":" + std::to_string(want.line) + ": ", 0), 0u) << what;
      EXPECT_NE(what.find(want.message), std::string::npos)
          << "message: " << what << "\nwanted:  " << want.message;
      EXPECT_LT(what.size(), 2000u) << "an error message should fit on a screen";
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a VolfileError: " << e.what();
    }
  }
}

TEST(BadVolfilesTest, AMissingVolfileIsAVolfileError) {
  try {
    Graph::fromFile("/nonexistent/volfile.vol", builtinXlators());
    ADD_FAILURE() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/volfile.vol");
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos);
  }
}

}  // namespace
}  // namespace gf
