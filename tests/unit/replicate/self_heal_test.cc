// SPDX-License-Identifier: GPL-3.0-or-later
// Self-heal after a copy was away: lookups heal names and attributes at once and contents in
// the background; reads never come from a copy known to be behind; the background healer,
// driven by the bricks' features/index, heals everything without any lookup and leaves the
// index empty; heal-info reports what is pending.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "glusterfs/xlators/features/index/index_xlator.h"
#include "tests/unit/replicate/replica_rig.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/temp_dir.h"

namespace gf::test {
namespace {

// Changes of every kind made while one copy is away.
void changeWhileAway(TestClient& fs) {
  ASSERT_OK(fs.writeFile("/d/f", "rewritten while c1 was away"));
  ASSERT_OK(fs.chmod("/d/g", 0600));
  ASSERT_OK(fs.chown("/d/g", 1000, 1000));
  ASSERT_OK(fs.setxattr("/d/g", "user.tag", "new"));
  ASSERT_OK(fs.writeFile("/d/new", std::string(300000, 'n')));
  ASSERT_OK(fs.mkdir("/d/newdir"));
  ASSERT_OK(fs.writeFile("/d/newdir/inner", "inner"));
  ASSERT_OK(fs.symlink("new", "/d/newlink"));
  ASSERT_OK(fs.unlink("/d/gone"));
  ASSERT_OK(fs.rename("/d/moveme", "/d/moved"));
}

void populate(TestClient& fs) {
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/d/f", "original contents"));
  ASSERT_OK(fs.writeFile("/d/g", "g"));
  ASSERT_OK(fs.setxattr("/d/g", "user.tag", "old"));
  ASSERT_OK(fs.writeFile("/d/gone", "gone"));
  ASSERT_OK(fs.writeFile("/d/moveme", "moving"));
}

TEST(ReplicateSelfHealTest, LookupHealsNamesAndAttributesAtOnceAndContentsInTheBackground) {
  ReplicaRig rig;
  populate(rig.client());
  rig.down(1);
  changeWhileAway(rig.client());
  rig.up(1);
  EXPECT_NE(rig.compareCopies(), "") << "c1 should be behind";

  TestClient fresh(rig.afr());
  ASSERT_OK(fresh.lookup("/d/g"));  // metadata heals inside the lookup
  TestClient c1 = rig.leaf(1);
  EXPECT_EQ(c1.stat("/d/g")->mode & 07777, 0600u);
  EXPECT_EQ(c1.stat("/d/g")->uid, 1000u);
  EXPECT_EQ(*c1.getxattr("/d/g", "user.tag"), "new");
  ASSERT_OK(fresh.lookup("/d/newdir/inner"));  // the names of /d and /d/newdir heal too
  EXPECT_OK(c1.stat("/d/newdir/inner"));
  EXPECT_ERRNO(c1.stat("/d/gone"), ENOENT);
  ASSERT_OK(fresh.lookup("/d/f"));  // contents: in the background
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(*c1.readFile("/d/f"), "rewritten while c1 was away");
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_TRUE(rig.changelogClean("/d"));
  EXPECT_TRUE(rig.changelogClean("/d/f"));
  EXPECT_TRUE(rig.changelogClean("/d/g"));
}

TEST(ReplicateSelfHealTest, ReadsNeverComeFromACopyKnownToBeBehindEvenWhenPreferred) {
  RigOptions o;
  o.afrOptions = {{"read-subvolume", "c1"}, {"data-self-heal", "off"}};
  ReplicaRig rig(o);
  ASSERT_OK(rig.client().writeFile("/f", "old"));
  rig.down(1);
  ASSERT_OK(rig.client().writeFile("/f", "new!"));
  rig.up(1);
  TestClient fresh(rig.afr());
  EXPECT_EQ(*fresh.readFile("/f"), "new!");
  TestClient c1 = rig.leaf(1);
  EXPECT_EQ(*c1.readFile("/f"), "old") << "data-self-heal off: c1 stays behind";
}

// An application keeps its file open across a brick's absence: no lookup tells replicate the
// returning copy is behind, the write it missed must.
TEST(ReplicateSelfHealTest, AnOpenFileNeverReadsDataItsReturningCopyMissed) {
  for (size_t preferred : {0, 1}) {
    SCOPED_TRACE("read-subvolume c" + std::to_string(preferred));
    RigOptions o;
    o.afrOptions = {{"read-subvolume", "c" + std::to_string(preferred)}};
    ReplicaRig rig(o);
    ASSERT_OK(rig.client().writeFile("/f", "old!"));
    ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/f", O_RDWR));
    EXPECT_EQ(*rig.client().read(fd, 0, 100), "old!");
    rig.down(preferred);
    ASSERT_OK(rig.client().write(fd, 0, "new!"));
    rig.up(preferred);
    EXPECT_EQ(*rig.client().read(fd, 0, 100), "new!");
  }
}

// Lookups made while a copy is down must not forget that it is behind.
TEST(ReplicateSelfHealTest, LookupsWhileACopyIsDownKeepItsPendingChanges) {
  ReplicaRig rig;
  ASSERT_OK(rig.client().mkdir("/d"));
  ASSERT_OK(rig.client().writeFile("/d/f", "old"));
  rig.down(1);
  ASSERT_OK(rig.client().writeFile("/d/f", "new"));
  ASSERT_OK(rig.client().chmod("/d/f", 0600));
  ASSERT_OK(rig.client().writeFile("/d/new", "n"));
  ASSERT_OK(rig.client().unlink("/d/new"));
  ASSERT_OK(rig.client().writeFile("/d/kept", "k"));
  for (int i = 0; i < 3; ++i) {
    TestClient fresh(rig.afr());
    ASSERT_OK(fresh.lookup("/d/f"));
    ASSERT_OK(fresh.lookup("/d/kept"));
    ASSERT_OK(fresh.listDir("/d"));
  }
  ASSERT_TRUE(rig.waitIdle());
  auto row = rig.changelog(0, "/d/f");
  ASSERT_TRUE(row);
  EXPECT_GT((*row)[1][0], 0) << "data pending for c1 forgotten";
  EXPECT_GT((*row)[1][1], 0) << "metadata pending for c1 forgotten";
  row = rig.changelog(0, "/d");
  ASSERT_TRUE(row);
  EXPECT_GT((*row)[1][2], 0) << "entry changes pending for c1 forgotten";
  rig.up(1);
  ASSERT_OK(rig.healNow("/d"));
  ASSERT_OK(rig.healNow("/d/f"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  TestClient c1 = rig.leaf(1);
  EXPECT_EQ(*c1.readFile("/d/f"), "new");
  EXPECT_ERRNO(c1.stat("/d/new"), ENOENT);
}

TEST(ReplicateSelfHealTest, ReadsFailOverToTheNextLiveCopy) {
  ReplicaRig rig({3, {}, {}});
  ASSERT_OK(rig.client().writeFile("/f", "same everywhere"));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/f", O_RDONLY));
  rig.down(0);
  rig.down(1);
  EXPECT_EQ(*rig.client().read(fd, 0, 100), "same everywhere");
  rig.up(0);
  rig.down(2);
  EXPECT_EQ(*rig.client().read(fd, 0, 100), "same everywhere");
}

TEST(ReplicateSelfHealTest, DataHealCopiesOnlyTheBlocksThatDiffer) {
  RigOptions o;
  o.afrOptions = {{"self-heal-block-size", "4KB"}};
  ReplicaRig rig(o);
  std::string data(64 * 4096, 'a');
  ASSERT_OK(rig.client().writeFile("/big", data));
  rig.down(1);
  ASSERT_OK_AND_ASSIGN(FdPtr fd, rig.client().open("/big", O_RDWR));
  ASSERT_OK(rig.client().write(fd, 5 * 4096 + 10, "XYZ"));
  ASSERT_OK(rig.client().write(fd, 40 * 4096, std::string(4096, 'b')));
  rig.up(1);
  // Count the writes the heal sends to c1 (error-gen counts matching calls).
  ErrorGenXlator::Config count;
  count.failure = 0;
  count.enabled = debug::parseFopList("writev");
  rig.faults(1).reconfigure(count);
  ASSERT_OK(rig.healNow("/big"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.faults(1).matchingCalls(), 2u) << "only blocks 5 and 40 differ";
  EXPECT_EQ(rig.compareCopies(), "");
}

TEST(ReplicateSelfHealTest, HolesStayHolesAndShrunkFilesAreTrimmed) {
  ReplicaRig rig;
  ASSERT_OK(rig.client().writeFile("/f", std::string(1 << 20, 'x')));
  rig.down(1);
  ASSERT_OK(rig.client().truncate("/f", 1000));
  ASSERT_OK(rig.client().truncate("/f", 3 << 20));  // zeros past 1000: a hole
  rig.up(1);
  ASSERT_OK(rig.healNow("/f"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  TestClient c1 = rig.leaf(1);
  EXPECT_EQ(c1.stat("/f")->size, 3u << 20);
  // Only the first 128 KiB heal block holds data; the rest of the 3 MiB is a hole on c1 too.
  EXPECT_LE(c1.stat("/f")->blocks, 256u) << "the hole was written out as zeros";
}

// --- the background healer and the bricks' index ----------------------------------------------

class IndexedRig {
 public:
  explicit IndexedRig(size_t copies = 2, std::vector<std::pair<std::string, std::string>> opts = {})
      : dir_("afr-index"), rig_(RigOptions{copies, std::move(opts), dir_.path()}) {}
  ReplicaRig& rig() { return rig_; }
  // Entries in copy i's index directory (on disk).
  size_t onDisk(size_t i) const {
    std::string base = dir_.path() + "/b" + std::to_string(i);
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(base)) (void)e, ++n;
    return n;
  }
  size_t pending(size_t i) const {
    return rig_.graph().find("i" + std::to_string(i))
               ? dynamic_cast<IndexXlator&>(*rig_.graph().find("i" + std::to_string(i)))
                     .pendingCount()
               : 0;
  }

 private:
  TempDir dir_;
  ReplicaRig rig_;
};

TEST(ReplicateHealerTest, HealNowOnTheRootHealsEverythingFromTheIndexWithoutLookups) {
  IndexedRig ir;
  ReplicaRig& rig = ir.rig();
  populate(rig.client());
  EXPECT_EQ(ir.onDisk(0), 0u);
  rig.down(1);
  changeWhileAway(rig.client());
  EXPECT_GT(ir.onDisk(0), 0u) << "c0 must remember what c1 missed";
  EXPECT_EQ(ir.onDisk(1), 0u);
  rig.up(1);
  // No client lookup from here on: only the healer works.
  std::string info = rig.healInfo();
  EXPECT_NE(info.find("Pending heal: " + std::to_string(ir.onDisk(0)) + " entries"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("/d/f"), std::string::npos) << info;
  ASSERT_OK(rig.healNow("/"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_EQ(ir.onDisk(0), 0u);
  EXPECT_EQ(ir.onDisk(1), 0u);
  EXPECT_EQ(ir.pending(0), 0u);
  info = rig.healInfo();
  EXPECT_NE(info.find("Pending heal: 0 entries"), std::string::npos) << info;
  EXPECT_TRUE(rig.changelogClean("/d"));
  EXPECT_TRUE(rig.changelogClean("/d/f"));
  EXPECT_TRUE(rig.changelogClean("/d/new"));
}

TEST(ReplicateHealerTest, TheDaemonHealsOnItsOwnWhenACopyComesBack) {
  IndexedRig ir(3, {{"self-heal-daemon", "on"}, {"self-heal-interval", "3600"}});
  ReplicaRig& rig = ir.rig();
  populate(rig.client());
  rig.down(2);
  changeWhileAway(rig.client());
  ASSERT_GT(ir.onDisk(0), 0u);
  rig.up(2);  // the healer wakes up on the child-up event
  // Bounded wait for the pass (a hang guard, not a performance assertion).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((ir.onDisk(0) || ir.onDisk(1) || rig.compareCopies() != "") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_EQ(ir.onDisk(0) + ir.onDisk(1) + ir.onDisk(2), 0u);
  EXPECT_GE(rig.afr().healer().stats().passes, 1u);
}

TEST(ReplicateHealerTest, ADirectoryRemovedWhileACopyWasAwayIsRemovedThereWithItsContents) {
  IndexedRig ir;
  ReplicaRig& rig = ir.rig();
  ASSERT_OK(rig.client().mkdir("/tree"));
  ASSERT_OK(rig.client().mkdir("/tree/a"));
  ASSERT_OK(rig.client().writeFile("/tree/a/1", "1"));
  rig.down(1);
  ASSERT_OK(rig.client().unlink("/tree/a/1"));
  ASSERT_OK(rig.client().rmdir("/tree/a"));
  rig.up(1);
  ASSERT_OK(rig.healNow("/"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  TestClient c1 = rig.leaf(1);
  EXPECT_ERRNO(c1.stat("/tree/a"), ENOENT);
  EXPECT_EQ(ir.onDisk(0), 0u);
}

// The healer finds an indexed file by the path its index recorded: a rename on that brick
// must move the record along (the old name leads nowhere).
TEST(ReplicateHealerTest, TheIndexFollowsARenameOfAPendingFile) {
  IndexedRig ir;
  ReplicaRig& rig = ir.rig();
  ASSERT_OK(rig.client().mkdir("/tmp"));
  ASSERT_OK(rig.client().mkdir("/new"));
  ASSERT_OK(rig.client().writeFile("/tmp/m", "before"));
  rig.down(1);
  ASSERT_OK(rig.client().writeFile("/tmp/m", "written while c1 was away"));
  ASSERT_OK(rig.client().rename("/tmp/m", "/new/m"));
  std::string info = rig.healInfo();
  EXPECT_NE(info.find("/new/m"), std::string::npos) << info;
  EXPECT_EQ(info.find("/tmp/m"), std::string::npos) << "the index still names the old path\n"
                                                    << info;
  rig.up(1);
  ASSERT_OK(rig.healNow("/"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_EQ(ir.onDisk(0) + ir.onDisk(1), 0u);
  EXPECT_EQ(*rig.leaf(1).readFile("/new/m"), "written while c1 was away");
}

// An entry whose file nobody finds any more (removed on the brick without the index seeing
// it) is dropped once the healer reports it and the brick's own path check agrees; an entry
// whose file is still there stays.
TEST(ReplicateHealerTest, AnIndexEntryForAFileGoneEverywhereIsDropped) {
  IndexedRig ir;
  ReplicaRig& rig = ir.rig();
  ASSERT_OK(rig.client().writeFile("/gone", "x"));
  ASSERT_OK(rig.client().writeFile("/kept", "x"));
  rig.down(1);
  ASSERT_OK(rig.client().writeFile("/gone", "y"));
  ASSERT_OK(rig.client().writeFile("/kept", "y"));
  ASSERT_EQ(ir.onDisk(0), 2u);
  ASSERT_OK(rig.leaf(0).unlink("/gone"));  // below the index: it cannot know
  rig.up(1);
  ASSERT_OK(rig.leaf(1).unlink("/gone"));
  ASSERT_OK(rig.healNow("/"));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(ir.onDisk(0), 0u) << "the stale entry stayed (or /kept was not healed)";
  EXPECT_EQ(*rig.leaf(1).readFile("/kept"), "y");
  EXPECT_EQ(rig.compareCopies(), "");
}

// Everything stops while a copy is behind (clients and bricks): the bricks' index on disk is
// what a new client's healer starts from.
TEST(ReplicateHealerTest, PendingHealsSurviveARestartOfEverything) {
  TempDir bricks("afr-restart-bricks"), index("afr-restart-index");
  RigOptions o{2, {}, index.path(), "posix", bricks.path()};
  {
    ReplicaRig rig(o);
    populate(rig.client());
    rig.down(1);
    changeWhileAway(rig.client());
  }
  EXPECT_NE(std::filesystem::directory_iterator(index.path() + "/b0"),
            std::filesystem::directory_iterator())
      << "the index must be on disk";
  o.afrOptions = {{"self-heal-daemon", "on"}};
  ReplicaRig rig(o);  // the healer's first pass runs soon after start-up
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (rig.compareCopies() != "" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(rig.waitIdle());
  EXPECT_EQ(rig.compareCopies(), "");
  EXPECT_TRUE(std::filesystem::is_empty(index.path() + "/b0"));
  TestClient c1 = rig.leaf(1);
  EXPECT_EQ(*c1.readFile("/d/f"), "rewritten while c1 was away");
}

TEST(ReplicateHealerTest, HealInfoShowsDownCopiesAndPendingEntries) {
  IndexedRig ir;
  ReplicaRig& rig = ir.rig();
  ASSERT_OK(rig.client().writeFile("/f", "x"));
  rig.down(1);
  ASSERT_OK(rig.client().writeFile("/f", "y"));
  std::string info = rig.healInfo();
  EXPECT_NE(info.find("c1: down"), std::string::npos) << info;
  EXPECT_NE(info.find("c0: up"), std::string::npos) << info;
  EXPECT_NE(info.find("Pending heal: 1 entries"), std::string::npos) << info;
  EXPECT_NE(info.find("/f"), std::string::npos) << info;
  EXPECT_ERRNO(rig.client().setxattr("/f", afr::changelogKey("c0"), "x"), EPERM)
      << "changelogs are replicate's own";
  EXPECT_ERRNO(rig.client().getxattr("/f", afr::changelogKey("c1")), ENODATA);
}

}  // namespace
}  // namespace gf::test
