// SPDX-License-Identifier: GPL-3.0-or-later
// Proves that the tree comparer catches each kind of difference (run on local scratch only).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>

#include "tests/mount/mount_fixture.h"
#include "tests/mount/tree.h"

namespace mt {
namespace {

struct Mutation {
  const char* name;
  const char* path;  // the entry changed, relative to the tree root
  std::function<std::string(const std::string& p)> apply;
  const char* expect;  // text the comparer's report must contain
  bool sparse = false;
};

void PrintTo(const Mutation& m, std::ostream* os) { *os << m.name; }

std::string sys(int rc, const std::string& what) { return rc == 0 ? "" : sysFail(what); }

const Mutation kMutations[] = {
    {"Mode", "regular/exec.sh", [](auto& p) { return sys(chmod(p.c_str(), 0744), "chmod"); },
     "\"regular/exec.sh\": mode: A 0755, B 0744"},
    {"Owner", "regular/small.txt",
     [](auto& p) { return sys(lchown(p.c_str(), 1001, 9999), "lchown"); },
     "\"regular/small.txt\": owner: A 1001:1002, B 1001:9999"},
    {"SymlinkOwner", "links/sym-dangling",
     [](auto& p) { return sys(lchown(p.c_str(), 0, 0), "lchown"); },
     "\"links/sym-dangling\": owner"},
    {"ContentSameSize", "regular/random.bin",
     [](auto& p) {
       Fd fd(open(p.c_str(), O_RDWR));
       std::string cur;
       std::string e = preadExact(fd.get(), 1, 500000, &cur);
       if (!e.empty()) return e;
       cur[0] = static_cast<char>(cur[0] ^ 0x20);
       return pwriteAll(fd.get(), cur, 500000);
     },
     "\"regular/random.bin\": content differs at offset 500000"},
    {"Size", "sparse/tail-hole", [](auto& p) { return sys(truncate(p.c_str(), 4096), "truncate"); },
     "\"sparse/tail-hole\": size: A 16777216, B 4096"},
    {"XattrValue", "regular/small.txt",
     [](auto& p) { return sys(setxattr(p.c_str(), "user.mime", "text/html", 9, 0), "setxattr"); },
     "xattr user.mime: A \"text/plain\", B \"text/html\""},
    {"XattrMissing", "regular/small.txt",
     [](auto& p) { return sys(removexattr(p.c_str(), "trusted.tag"), "removexattr"); },
     "xattr trusted.tag missing in B"},
    {"XattrExtra", "links/solo",
     [](auto& p) { return sys(setxattr(p.c_str(), "user.extra", "1", 1, 0), "setxattr"); },
     "\"links/solo\": xattr user.extra only in B"},
    {"SymlinkXattr", "links/sym-xattr",
     [](auto& p) { return sys(lremovexattr(p.c_str(), "trusted.on-link"), "lremovexattr"); },
     "\"links/sym-xattr\": xattr trusted.on-link missing in B"},
    {"SymlinkTarget", "links/sym-rel",
     [](auto& p) {
       if (unlink(p.c_str()) != 0) return sysFail("unlink");
       return sys(symlink("../regular/small.tx", p.c_str()), "symlink");
     },
     "symlink target: A \"../regular/small.txt\", B \"../regular/small.tx\""},
    {"HardLinkBroken", "links/b",
     [](auto& p) {
       struct stat st;
       lstat(p.c_str(), &st);
       std::string data;
       readFile(p, &data);
       if (unlink(p.c_str()) != 0) return sysFail("unlink");
       std::string e = writeFile(p, data, st.st_mode & 07777);
       if (!e.empty()) return e;
       return sys(chown(p.c_str(), st.st_uid, st.st_gid), "chown");
     },
     "\"links/a\": link count: A 3, B 2"},
    {"MtimeNanosecond", "regular/empty",
     [](auto& p) {
       struct stat st;
       lstat(p.c_str(), &st);
       timespec ts[2] = {st.st_atim, st.st_mtim};
       ts[1].tv_nsec = (ts[1].tv_nsec + 1) % 1000000000;
       return sys(utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW), "utimensat");
     },
     "\"regular/empty\": mtime"},
    {"DirMtime", "dirs/empty",
     [](auto& p) { return sys(utimensat(AT_FDCWD, p.c_str(), nullptr, 0), "utimensat"); },
     "\"dirs/empty\": mtime"},
    {"FifoBecameFile", "fifo/pipe-private",
     [](auto& p) {
       if (unlink(p.c_str()) != 0) return sysFail("unlink");
       return writeFile(p, "", 0600);
     },
     "\"fifo/pipe-private\": type: A is a fifo, B is a regular file"},
    {"Missing", "names/with space", [](auto& p) { return sys(unlink(p.c_str()), "unlink"); },
     "\"names/with space\": missing in B"},
    {"Extra", "names/extra", [](auto& p) { return writeFile(p, "x", 0644); },
     "\"names/extra\": only in B"},
    {"HolesFilled", "sparse/all-hole",
     [](auto& p) { return writeFile(p, std::string(32 << 20, '\0'), 0644); },
     "\"sparse/all-hole\": sparseness: A has holes", true},
};

class TreeCompareSelfTest : public testing::TestWithParam<Mutation> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the sample tree needs root (owners, trusted.* xattrs)";
    root_ = env().scratch + "/selftest." + std::to_string(getpid()) + "." + GetParam().name;
    ASSERT_EQ(removeTree(root_), "");
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0) << sysFail("mkdir " + root_);
    ASSERT_EQ(buildSampleTree(root_ + "/src"), "");
  }
  void TearDown() override { EXPECT_EQ(removeTree(root_), ""); }
  std::string root_;
};

TEST_P(TreeCompareSelfTest, ReportsTheDifference) {
  const Mutation& m = GetParam();
  std::string src = root_ + "/src", copy = root_ + "/copy";
  auto cp = runShell("cp -a " + shellQuote(src) + " " + shellQuote(copy));
  ASSERT_EQ(cp.status, 0) << cp.describe("cp -a");
  TreeCompareOptions options;
  options.sparse = m.sparse;
  ASSERT_EQ(compareTrees(src, copy, options), "") << "an unmodified local copy must match";

  // Change one entry, keeping its directory's mtime so that only the intended change shows.
  std::string target = copy + "/" + m.path;
  std::string parent = target.substr(0, target.rfind('/'));
  struct stat pst;
  ASSERT_EQ(lstatPath(parent, &pst), "");
  ASSERT_EQ(m.apply(target), "");
  timespec ts[2] = {pst.st_atim, pst.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, parent.c_str(), ts, 0), 0) << sysFail("utimensat");

  std::string report = compareTrees(src, copy, options);
  EXPECT_NE(report.find(m.expect), std::string::npos)
      << "expected the report to contain: " << m.expect << "\nreport: " << report;
}

INSTANTIATE_TEST_SUITE_P(Mutations, TreeCompareSelfTest, testing::ValuesIn(kMutations),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace mt
