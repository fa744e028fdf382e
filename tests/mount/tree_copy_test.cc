// SPDX-License-Identifier: GPL-3.0-or-later
// `cp -a` and `tar` round trips of the sample tree through the mount, checked by the comparer.
#include <gtest/gtest.h>

#include "tests/mount/mount_fixture.h"
#include "tests/mount/tree.h"

namespace mt {
namespace {

class TreeCopyTest : public MountTest {
 protected:
  void SetUp() override {
    MountTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // The sample tree carries user.* and trusted.* xattrs, one of them on a symlink.
    std::string why = probeFileXattr(dir(), "user.probe");
    MT_REQUIRE_CAPABILITY("user_xattr", why.empty(), why);
    why = probeFileXattr(dir(), "trusted.probe");
    MT_REQUIRE_CAPABILITY("trusted_xattr", why.empty(), why);
    why = probeSymlinkXattr(dir());
    MT_REQUIRE_CAPABILITY("symlink_xattr", why.empty(), why);
    // Two gaps a stock path-based FUSE filesystem may have; only these relax the comparison.
    no_link_counts_ = probeHardLinkCounts(dir());
    no_mtime_only_ = probeMtimeOnly(dir());
    ASSERT_FALSE(scratch().empty()) << "cannot create a directory under " << env().scratch;
    src_ = scratch() + "/src";
    ASSERT_EQ(buildSampleTree(src_), "") << "building the source tree in " << src_;
    options_.sparse = true;
  }

  void run(const std::string& cmd) {
    CommandResult r = runShell(cmd);
    ASSERT_EQ(r.status, 0) << r.describe(cmd);
    EXPECT_EQ(r.output, "") << "unexpected diagnostics from `" << cmd << "`";
  }

  // Compares `copy` with the source tree. A difference is a failure unless a failed capability
  // probe (not named in MOUNT_EXPECT) explains it: then the comparison is repeated without that
  // attribute, must pass, and the test ends as skipped with the reason.
  void expectMatch(const std::string& copy, const std::string& stage) {
    std::string full = compareTrees(src_, copy, options_);
    if (full.empty()) return;
    // The relaxations a failed probe allows; the first (smallest) set that explains it is used.
    struct Relax {
      std::string why;
      TreeCompareOptions options;
    };
    std::vector<Relax> relax;
    TreeCompareOptions all = options_;
    std::string all_why;
    if (!no_link_counts_.empty() && !expected("hardlink_nlink")) {
      TreeCompareOptions o = options_;
      o.nlink = all.nlink = false;
      std::string why = "capability 'hardlink_nlink' is missing (" + no_link_counts_ + ")";
      relax.push_back({why, o});
      all_why += why;
    }
    if (!no_mtime_only_.empty() && !expected("mtime_only")) {
      TreeCompareOptions o = options_;
      o.mtime = all.mtime = false;
      std::string why = "capability 'mtime_only' is missing (" + no_mtime_only_ + ")";
      relax.push_back({why, o});
      all_why += (all_why.empty() ? "" : "; ") + why;
    }
    if (relax.size() > 1) relax.push_back({all_why, all});
    for (const auto& r : relax) {
      if (compareTrees(src_, copy, r.options).empty()) {
        skip_ += stage + ": " + full + "\n  explained by " + r.why + "; everything else matched\n";
        return;
      }
    }
    FAIL() << stage << ": " << full
           << (relax.empty() ? "" : "\n(and not explained by: " + all_why + ")");
  }
  // Ends the test as skipped when a difference was only explained, not absent.
  void finish() {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  std::string src_;
  TreeCompareOptions options_;
  std::string no_link_counts_, no_mtime_only_;
  std::string skip_;
};

constexpr const char* kTarCreate =
    "tar --create --sparse --format=posix --xattrs --xattrs-include='*' --numeric-owner";
constexpr const char* kTarExtract =
    "tar --extract --preserve-permissions --same-owner --xattrs --xattrs-include='*' "
    "--numeric-owner";

TEST_F(TreeCopyTest, CpArchiveIntoMountAndBackPreservesEverything) {
  std::string copy = path("copy"), back = scratch() + "/back";
  run("cp -a " + shellQuote(src_) + " " + shellQuote(copy));
  ASSERT_NO_FATAL_FAILURE(expectMatch(copy, "after cp -a into the mount"));
  run("cp -a " + shellQuote(copy) + " " + shellQuote(back));
  ASSERT_NO_FATAL_FAILURE(expectMatch(back, "after cp -a back out of the mount"));
  finish();
}

TEST_F(TreeCopyTest, CpArchiveWithinMountPreservesEverything) {
  // Source and destination on the same mount: cp may use copy_file_range and reflinks here.
  std::string first = path("first"), second = path("second");
  run("cp -a " + shellQuote(src_) + " " + shellQuote(first));
  ASSERT_NO_FATAL_FAILURE(expectMatch(first, "after cp -a into the mount"));
  run("cp -a " + shellQuote(first) + " " + shellQuote(second));
  ASSERT_NO_FATAL_FAILURE(expectMatch(second, "after cp -a inside the mount"));
  finish();
}

TEST_F(TreeCopyTest, TarThroughMountAndBackPreservesEverything) {
  // The archive itself is written to and read from the mount, then extracted into it.
  std::string archive = path("tree.tar"), copy = path("copy");
  run(std::string(kTarCreate) + " -f " + shellQuote(archive) + " -C " + shellQuote(src_) + " .");
  run("mkdir " + shellQuote(copy) + " && " + kTarExtract + " -f " + shellQuote(archive) + " -C " +
      shellQuote(copy));
  ASSERT_NO_FATAL_FAILURE(expectMatch(copy, "after tar extraction in the mount"));

  std::string back_archive = scratch() + "/back.tar", back = scratch() + "/back";
  run(std::string(kTarCreate) + " -f " + shellQuote(back_archive) + " -C " + shellQuote(copy) +
      " .");
  run("mkdir " + shellQuote(back) + " && " + kTarExtract + " -f " + shellQuote(back_archive) +
      " -C " + shellQuote(back));
  ASSERT_NO_FATAL_FAILURE(expectMatch(back, "after tar of the mounted copy"));
  finish();
}

TEST_F(TreeCopyTest, TarPipeIntoMountPreservesEverything) {
  std::string copy = path("piped");
  run("mkdir " + shellQuote(copy) + " && " + kTarCreate + " -f - -C " + shellQuote(src_) + " . | " +
      kTarExtract + " -f - -C " + shellQuote(copy));
  ASSERT_NO_FATAL_FAILURE(expectMatch(copy, "after tar | tar into the mount"));
  finish();
}

}  // namespace
}  // namespace mt
