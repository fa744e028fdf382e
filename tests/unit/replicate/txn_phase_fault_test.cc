// SPDX-License-Identifier: GPL-3.0-or-later
// Every modifying fop through cluster/replicate with one copy failing in each transaction
// phase (lock, pre-op, the fop, post-op, unlock): the application still succeeds, each copy's
// changelog says exactly who missed what, and once the fault is gone a heal makes the copies
// identical and carrying the change.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>
#include <tuple>

#include "tests/unit/replicate/replica_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

using afr::TxnKind;

enum class Phase { kLock, kPreOp, kFop, kPostOp, kUnlock };
const char* phaseName(Phase p) {
  switch (p) {
    case Phase::kLock:
      return "Lock";
    case Phase::kPreOp:
      return "PreOp";
    case Phase::kFop:
      return "Fop";
    case Phase::kPostOp:
      return "PostOp";
    case Phase::kUnlock:
      return "Unlock";
  }
  return "?";
}

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xff);
  return s;
}

// One modifying fop: how its transaction looks on the bricks, what it does, what it leaves.
struct FopCase {
  const char* name;
  TxnKind kind;
  const char* fop;      // the fop replicate sends to every copy
  const char* lockFop;  // inodelk, finodelk or entrylk
  const char* logFop;   // xattrop or fxattrop (pre-op and post-op)
  const char* target;   // the path whose changelog the transaction keeps
  std::function<Status(TestClient&)> act;
  std::function<void(TestClient&)> check;  // the change is there (run on a copy's leaf)
};

template <class R>
Status st(const R& r) {
  return r ? Status{} : Status(r.error());
}

std::string contents(TestClient& fs, std::string_view p) {
  auto r = fs.readFile(p);
  return r ? *r : "<" + r.error().message() + ">";
}

const std::vector<FopCase>& cases() {
  static const std::vector<FopCase> all = {
      {"Writev", TxnKind::kData, "writev", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         return fd ? st(fs.write(*fd, 0, "HELLO")) : Status(fd.error());
       },
       [](TestClient& fs) { EXPECT_EQ(contents(fs, "/d/f"), "HELLO, world"); }},
      {"Ftruncate", TxnKind::kData, "ftruncate", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         return fd ? st(fs.call(FtruncateReq{*fd, 5})) : Status(fd.error());
       },
       [](TestClient& fs) { EXPECT_EQ(contents(fs, "/d/f"), "hello"); }},
      {"Truncate", TxnKind::kData, "truncate", "inodelk", "xattrop", "/d/f",
       [](TestClient& fs) { return st(fs.truncate("/d/f", 3)); },
       [](TestClient& fs) { EXPECT_EQ(contents(fs, "/d/f"), "hel"); }},
      {"Fallocate", TxnKind::kData, "fallocate", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         return fd ? st(fs.call(FallocateReq{*fd, 0, 0, 100})) : Status(fd.error());
       },
       [](TestClient& fs) {
         EXPECT_EQ(contents(fs, "/d/f"), "hello, world" + std::string(88, '\0'));
       }},
      {"OpenTrunc", TxnKind::kData, "ftruncate", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) { return st(fs.open("/d/f", O_RDWR | O_TRUNC)); },
       [](TestClient& fs) { EXPECT_EQ(contents(fs, "/d/f"), ""); }},
      {"Setattr", TxnKind::kMetadata, "setattr", "inodelk", "xattrop", "/d/f",
       [](TestClient& fs) { return st(fs.chmod("/d/f", 0600)); },
       [](TestClient& fs) { EXPECT_EQ(fs.stat("/d/f")->mode & 07777, 0600u); }},
      {"Fsetattr", TxnKind::kMetadata, "fsetattr", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         Iatt a;
         a.uid = 1000;
         a.gid = 1001;
         return fd ? st(fs.call(FsetattrReq{*fd, a, kSetUid | kSetGid})) : Status(fd.error());
       },
       [](TestClient& fs) {
         EXPECT_EQ(fs.stat("/d/f")->uid, 1000u);
         EXPECT_EQ(fs.stat("/d/f")->gid, 1001u);
       }},
      {"Setxattr", TxnKind::kMetadata, "setxattr", "inodelk", "xattrop", "/d/f",
       [](TestClient& fs) { return fs.setxattr("/d/f", "user.new", "v1"); },
       [](TestClient& fs) { EXPECT_EQ(*fs.getxattr("/d/f", "user.new"), "v1"); }},
      {"Fsetxattr", TxnKind::kMetadata, "fsetxattr", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         return fd ? st(fs.call(FsetxattrReq{*fd, Dict{{"user.new", "v2"}}, 0}))
                   : Status(fd.error());
       },
       [](TestClient& fs) { EXPECT_EQ(*fs.getxattr("/d/f", "user.new"), "v2"); }},
      {"Removexattr", TxnKind::kMetadata, "removexattr", "inodelk", "xattrop", "/d/f",
       [](TestClient& fs) { return fs.removexattr("/d/f", "user.keep"); },
       [](TestClient& fs) { EXPECT_ERRNO(fs.getxattr("/d/f", "user.keep"), ENODATA); }},
      {"Fremovexattr", TxnKind::kMetadata, "fremovexattr", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         return fd ? st(fs.call(FremovexattrReq{*fd, "user.keep"})) : Status(fd.error());
       },
       [](TestClient& fs) { EXPECT_ERRNO(fs.getxattr("/d/f", "user.keep"), ENODATA); }},
      {"Xattrop", TxnKind::kMetadata, "xattrop", "inodelk", "xattrop", "/d/f",
       [](TestClient& fs) {
         auto l = fs.loc("/d/f");
         return l ? st(fs.call(XattropReq{*l, XattropOp::kAddArray,
                                          Dict{{"trusted.test.count", be64(5)}}}))
                  : Status(l.error());
       },
       [](TestClient& fs) { EXPECT_EQ(*fs.getxattr("/d/f", "trusted.test.count"), be64(5)); }},
      {"Fxattrop", TxnKind::kMetadata, "fxattrop", "finodelk", "fxattrop", "/d/f",
       [](TestClient& fs) {
         auto fd = fs.open("/d/f", O_RDWR);
         return fd ? st(fs.call(FxattropReq{*fd, XattropOp::kAddArray,
                                            Dict{{"trusted.test.count", be64(7)}}}))
                   : Status(fd.error());
       },
       [](TestClient& fs) { EXPECT_EQ(*fs.getxattr("/d/f", "trusted.test.count"), be64(7)); }},
      {"Create", TxnKind::kEntry, "create", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return st(fs.create("/d/new", 0640)); },
       [](TestClient& fs) { EXPECT_EQ(fs.stat("/d/new")->mode, S_IFREG | 0640u); }},
      {"Mknod", TxnKind::kEntry, "mknod", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return st(fs.mknod("/d/fifo", S_IFIFO | 0644)); },
       [](TestClient& fs) { EXPECT_TRUE(S_ISFIFO(fs.stat("/d/fifo")->mode)); }},
      {"Mkdir", TxnKind::kEntry, "mkdir", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return st(fs.mkdir("/d/newdir", 0750)); },
       [](TestClient& fs) { EXPECT_EQ(fs.stat("/d/newdir")->mode, S_IFDIR | 0750u); }},
      {"Symlink", TxnKind::kEntry, "symlink", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return st(fs.symlink("f", "/d/ln")); },
       [](TestClient& fs) { EXPECT_EQ(*fs.readlink("/d/ln"), "f"); }},
      {"Link", TxnKind::kEntry, "link", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return st(fs.link("/d/f", "/d/hard")); },
       [](TestClient& fs) {
         EXPECT_EQ(fs.stat("/d/hard")->gfid, fs.stat("/d/f")->gfid);
         EXPECT_EQ(fs.stat("/d/f")->nlink, 2u);
       }},
      {"Unlink", TxnKind::kEntry, "unlink", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return fs.unlink("/d/old"); },
       [](TestClient& fs) { EXPECT_ERRNO(fs.stat("/d/old"), ENOENT); }},
      {"Rmdir", TxnKind::kEntry, "rmdir", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return fs.rmdir("/d/sub"); },
       [](TestClient& fs) { EXPECT_ERRNO(fs.stat("/d/sub"), ENOENT); }},
      {"Rename", TxnKind::kEntry, "rename", "entrylk", "xattrop", "/d",
       [](TestClient& fs) { return st(fs.rename("/d/old", "/d/renamed")); },
       [](TestClient& fs) {
         EXPECT_ERRNO(fs.stat("/d/old"), ENOENT);
         EXPECT_EQ(contents(fs, "/d/renamed"), "old");
       }},
  };
  return all;
}

// The same starting tree on every copy.
void populate(TestClient& fs) {
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/d/f", "hello, world"));
  ASSERT_OK(fs.setxattr("/d/f", "user.keep", "k"));
  ASSERT_OK(fs.writeFile("/d/old", "old"));
  ASSERT_OK(fs.mkdir("/d/sub"));
}

// Which call on the faulty copy fails, as (fop, calls of that fop let through first).
std::pair<std::string, int64_t> injection(const FopCase& c, Phase p) {
  bool fopIsLog = std::string_view(c.fop) == c.logFop;
  switch (p) {
    case Phase::kLock:
      return {c.lockFop, 0};
    case Phase::kPreOp:
      return {c.logFop, 0};
    case Phase::kFop:
      return {c.fop, fopIsLog ? 1 : 0};
    case Phase::kPostOp:
      return {c.logFop, fopIsLog ? 2 : 1};
    case Phase::kUnlock:
      return {c.lockFop, 1};
  }
  return {};
}

// The counter copy i should hold for child j once the faulty copy f failed in phase p.
int32_t expectedCounter(Phase p, size_t i, size_t j, size_t f) {
  switch (p) {
    case Phase::kLock:
    case Phase::kPreOp:
      return i != f && j == f ? 1 : 0;  // f sat the fop out
    case Phase::kFop:
      return j == f ? 1 : 0;  // everyone saw f fail
    case Phase::kPostOp:
      return i == f ? 1 : 0;  // f never heard the outcome
    case Phase::kUnlock:
      return 0;
  }
  return -1;
}

using Param =
    std::tuple<size_t /*case*/, Phase, size_t /*copies*/, size_t /*faulty*/, std::string /*leaf*/>;

class TxnPhaseFaultTest : public ::testing::TestWithParam<Param> {};

TEST_P(TxnPhaseFaultTest, ChangelogRecordsTheMissAndHealMakesCopiesIdentical) {
  const auto& [ci, phase, n, f, leaf] = GetParam();
  const FopCase& c = cases()[ci];
  RigOptions o;
  o.copies = n;
  o.leaf = leaf;
  ReplicaRig rig(o);
  populate(rig.client());
  ASSERT_TRUE(rig.changelogClean("/d"));
  ASSERT_TRUE(rig.changelogClean("/d/f"));
  ASSERT_EQ(rig.compareCopies(), "");

  auto [fop, skip] = injection(c, phase);
  rig.failOnce(f, fop, EIO, skip);
  ASSERT_OK(c.act(rig.client())) << "one copy failing must not fail the application";
  EXPECT_EQ(rig.faults(f).failuresInjected(), 1u) << "the fault was never hit: " << fop;

  // The changelog on every copy, read straight from its leaf.
  const int k = static_cast<int>(c.kind);
  for (size_t i = 0; i < n; ++i) {
    auto row = rig.changelog(i, c.target);
    ASSERT_TRUE(row) << c.target << " missing on copy " << i;
    for (size_t j = 0; j < n; ++j) {
      afr::Counts want{0, 0, 0};
      want[k] = expectedCounter(phase, i, j, f);
      EXPECT_EQ((*row)[j], want) << "copy " << i << " about child " << j << ": got "
                                 << countsText((*row)[j]) << ", want " << countsText(want);
    }
  }

  // The fault goes away (a brick whose connection failed also dropped our locks); heal.
  rig.clearAllFaults();
  rig.dropClientLocks(f);
  ASSERT_OK(rig.healNow(c.target));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_TRUE(rig.changelogClean(c.target)) << "heal left counters behind";
  EXPECT_EQ(rig.compareCopies(), "");
  for (size_t i = 0; i < n; ++i) {
    SCOPED_TRACE("copy " + std::to_string(i));
    TestClient leaf = rig.leaf(i);
    c.check(leaf);
  }
  // And the volume keeps working on every copy.
  ASSERT_OK(rig.client().writeFile("/d/after", "after"));
  EXPECT_TRUE(rig.changelogClean("/d"));
  EXPECT_EQ(rig.compareCopies(), "");
}

std::string paramName(const ::testing::TestParamInfo<Param>& info) {
  const auto& [ci, phase, n, f, leaf] = info.param;
  return std::string(cases()[ci].name) + "_" + phaseName(phase) + "_Replica" + std::to_string(n) +
         "_Child" + std::to_string(f) + "Fails_" + leaf;
}

std::vector<Param> allParams() {
  std::vector<Param> out;
  for (size_t ci = 0; ci < cases().size(); ++ci)
    for (Phase p : {Phase::kLock, Phase::kPreOp, Phase::kFop, Phase::kPostOp, Phase::kUnlock}) {
      for (const char* leaf : {"memory", "posix"}) {
        out.emplace_back(ci, p, 2, 1, leaf);
        out.emplace_back(ci, p, 2, 0, leaf);
        out.emplace_back(ci, p, 3, 1, leaf);
      }
    }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryFopEveryPhase, TxnPhaseFaultTest, ::testing::ValuesIn(allParams()),
                         paramName);

}  // namespace
}  // namespace gf::test
