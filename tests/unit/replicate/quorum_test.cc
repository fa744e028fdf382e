// SPDX-License-Identifier: GPL-3.0-or-later
// Replicate's quorum: changes need enough reachable copies (auto = a majority from 3 copies
// up, none, majority, or a number); reads keep working below quorum; a refused change leaves
// no copy changed and no changelog behind.
#include <gtest/gtest.h>

#include "tests/unit/replicate/replica_rig.h"
#include "tests/unit/support/log_capture.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

RigOptions withQuorum(size_t copies, const char* q) {
  RigOptions o;
  o.copies = copies;
  if (q) o.afrOptions = {{"quorum", q}};
  return o;
}

// Writes that exercise each transaction kind: data, metadata, entry.
void expectChangesRefused(ReplicaRig& rig, int err) {
  TestClient& fs = rig.client();
  EXPECT_ERRNO(fs.writeFile("/f", "changed"), err);
  EXPECT_ERRNO(fs.chmod("/f", 0600), err);
  EXPECT_ERRNO(fs.mkdir("/newdir"), err);
  EXPECT_ERRNO(fs.unlink("/f"), err);
}
void expectChangesAllowed(ReplicaRig& rig) {
  TestClient& fs = rig.client();
  EXPECT_OK(fs.writeFile("/f", "changed"));
  EXPECT_OK(fs.chmod("/f", 0600));
  EXPECT_OK(fs.mkdir("/newdir"));
  EXPECT_OK(fs.unlink("/f"));
}

TEST(ReplicateQuorumTest, AutoRefusesChangesWithOneOfThreeCopiesUpWithErofs) {
  ReplicaRig rig(withQuorum(3, nullptr));
  EXPECT_EQ(rig.afr().quorumCount(), 2u);
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.down(1);
  rig.down(2);
  LogCapture log(log::Level::kWarning);
  expectChangesRefused(rig, EROFS);
  EXPECT_NE(log.contents().find("quorum is 2"), std::string::npos) << log.contents();
  // Reads still work, and nothing changed on the one live copy.
  EXPECT_EQ(*rig.client().readFile("/f"), "original");
  TestClient c0 = rig.leaf(0);
  EXPECT_EQ(*c0.readFile("/f"), "original");
  EXPECT_EQ(c0.stat("/f")->mode & 0777, 0644u);
  EXPECT_ERRNO(c0.stat("/newdir"), ENOENT);
  EXPECT_TRUE(rig.changelogClean("/f"));
  EXPECT_TRUE(rig.changelogClean("/"));
}

TEST(ReplicateQuorumTest, AutoAllowsChangesWithTwoOfThreeCopiesUp) {
  ReplicaRig rig(withQuorum(3, "auto"));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.down(2);
  expectChangesAllowed(rig);
}

TEST(ReplicateQuorumTest, AutoIsOneForTwoCopies) {
  ReplicaRig rig(withQuorum(2, "auto"));
  EXPECT_EQ(rig.afr().quorumCount(), 1u);
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.down(0);
  expectChangesAllowed(rig);
}

TEST(ReplicateQuorumTest, NoneAllowsChangesOnTheLastCopy) {
  ReplicaRig rig(withQuorum(3, "none"));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.down(0);
  rig.down(2);
  expectChangesAllowed(rig);
}

TEST(ReplicateQuorumTest, MajorityOfTwoIsTwo) {
  ReplicaRig rig(withQuorum(2, "majority"));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.down(1);
  expectChangesRefused(rig, EROFS);
}

TEST(ReplicateQuorumTest, ANumberIsTheCopiesNeeded) {
  ReplicaRig rig(withQuorum(3, "3"));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.down(1);
  expectChangesRefused(rig, EROFS);
  rig.up(1);
  expectChangesAllowed(rig);
}

TEST(ReplicateQuorumTest, NoCopyUpIsNotConnected) {
  ReplicaRig rig(withQuorum(2, "none"));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  ASSERT_OK_AND_ASSIGN(Loc l, rig.client().loc("/f"));
  rig.down(0);
  rig.down(1);
  EXPECT_ERRNO(rig.client().call(SetattrReq{l, Iatt{}, kSetMode}), ENOTCONN);
}

TEST(ReplicateQuorumTest, BadQuorumValuesAreRefusedAtStart) {
  for (const char* bad : {"4", "0", "most", "-1"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(ReplicaRig rig(withQuorum(3, bad)), std::exception);
  }
}

// Quorum is checked again after locking: copies that could not be locked do not count.
TEST(ReplicateQuorumTest, QuorumLostAtLockTimeChangesNoCopy) {
  ReplicaRig rig(withQuorum(3, nullptr));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  rig.failAlways(1, "finodelk,inodelk", EIO);
  rig.failAlways(2, "finodelk,inodelk", EIO);
  ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/f", O_RDWR));
  EXPECT_ERRNO(rig.client().write(fd, 0, "CHANGED"), EROFS);
  rig.clearAllFaults();
  EXPECT_TRUE(rig.changelogClean("/f"));
  for (size_t i = 0; i < 3; ++i) {
    TestClient c = rig.leaf(i);
    EXPECT_EQ(*c.readFile("/f"), "original") << "copy " << i;
  }
}

// Quorum is checked after the pre-op too.
TEST(ReplicateQuorumTest, QuorumLostAtPreOpChangesNoCopyAndLeavesNoCounters) {
  ReplicaRig rig(withQuorum(3, nullptr));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/f", O_RDWR));
  rig.failAlways(0, "fxattrop", EIO);
  rig.failAlways(2, "fxattrop", EIO);
  EXPECT_ERRNO(rig.client().write(fd, 0, "CHANGED"), EROFS);
  rig.clearAllFaults();
  for (size_t i = 0; i < 3; ++i) {
    TestClient c = rig.leaf(i);
    EXPECT_EQ(*c.readFile("/f"), "original") << "copy " << i;
  }
  EXPECT_TRUE(rig.changelogClean("/f")) << "the copy that took the pre-op must be undone";
}

// "Nothing is acknowledged unless the quorum has it": the fop itself must succeed on a quorum
// of copies, not only the locks and pre-op. The copy that took it stays the source.
TEST(ReplicateQuorumTest, AChangeTakenByFewerCopiesThanTheQuorumIsNotAcknowledged) {
  ReplicaRig rig(withQuorum(3, nullptr));
  ASSERT_OK(rig.client().writeFile("/f", "original"));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/f", O_RDWR));
  rig.failAlways(1, "writev", ENOSPC);
  rig.failAlways(2, "writev", ENOSPC);
  EXPECT_ERRNO(rig.client().write(fd, 0, "CHANGED"), ENOSPC);
  rig.clearAllFaults();
  auto row = rig.changelog(0, "/f");
  ASSERT_TRUE(row);
  EXPECT_EQ((*row)[1], (afr::Counts{1, 0, 0})) << "c0 took the write: it accuses c1";
  EXPECT_EQ((*row)[2], (afr::Counts{1, 0, 0}));
  ASSERT_OK(rig.healNow("/f"));
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_TRUE(rig.changelogClean("/f"));
  // With two of three taking it, the quorum is met.
  rig.failAlways(2, "writev", ENOSPC);
  EXPECT_OK(rig.client().write(fd, 0, "AGAIN"));
}

// A change that fails everywhere is reported, and a refusal everywhere (EEXIST) leaves no
// copy accused.
TEST(ReplicateQuorumTest, AChangeFailingOnEveryCopyIsReportedAndRefusalsLeaveNoCounters) {
  ReplicaRig rig(withQuorum(2, nullptr));
  ASSERT_OK(rig.client().mkdir("/d"));
  EXPECT_ERRNO(rig.client().mkdir("/d"), EEXIST);
  EXPECT_TRUE(rig.changelogClean("/"));
  ASSERT_OK(rig.client().writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/f", O_RDWR));
  rig.failAlways(0, "writev", ENOSPC);
  rig.failAlways(1, "writev", ENOSPC);
  EXPECT_ERRNO(rig.client().write(fd, 0, "more"), ENOSPC);
}

}  // namespace
}  // namespace gf::test
