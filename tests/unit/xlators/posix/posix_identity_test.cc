// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: a file's gfid and the inode number made from it are the file's for good: a
// brick started again on the same directory (a restart, a new server process) gives the same
// ones, also after a rename, and a hard link shares them.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

std::string brickVolfile(const TempDir& dir) {
  return volume("p", "storage/posix", {{"directory", dir.path()}});
}

TEST(PosixIdentityTest, GfidsAndInodeNumbersSurviveARestartOfTheBrick) {
  TempDir brick;
  std::map<std::string, Iatt> before;
  {
    TestGraph graph(brickVolfile(brick));
    TestClient fs(graph.top());
    ASSERT_OK(fs.mkdir("/d"));
    ASSERT_OK(fs.writeFile("/d/f", "data"));
    ASSERT_OK(fs.writeFile("/g", "more"));
    ASSERT_OK(fs.link("/g", "/d/g-link"));
    for (const char* p : {"/d", "/d/f", "/g"}) before[p] = *fs.stat(p);
    ASSERT_OK(fs.rename("/d/f", "/d/f-renamed"));
  }
  TestGraph again(brickVolfile(brick));
  TestClient fs(again.top());
  auto check = [&](const std::string& now, const std::string& was) {
    auto st = fs.stat(now);
    ASSERT_OK(st);
    EXPECT_FALSE(st->gfid.isNull()) << now;
    EXPECT_EQ(st->gfid, before[was].gfid) << now;
    EXPECT_EQ(st->ino, before[was].ino) << now;
    EXPECT_EQ(st->ino, st->gfid.ino()) << now;
  };
  check("/d", "/d");
  check("/d/f-renamed", "/d/f");
  check("/g", "/g");
  check("/d/g-link", "/g");
}

}  // namespace
}  // namespace gf::test
