// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory specifics: the space limit, statfs accounting, gfid handles, dot entries,
// removed directories, fallocate modes it fully supports, and many threads at once.
#include <gtest/gtest.h>
#include <linux/falloc.h>

#include <set>
#include <thread>

#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

TEST(MemoryStoreTest, MaxSizeFillsUpWithEnospcAndUnlinkFreesTheSpace) {
  TestGraph g(volume("mem", "storage/memory", {{"max-size", "64KB"}}));
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(Statvfs empty, fs.statfs());
  EXPECT_EQ(empty.blocks, 16u);
  EXPECT_EQ(empty.bfree, 16u);
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.create("/f"));
  ASSERT_OK_AND_ASSIGN(uint64_t n, fs.write(fd, 0, std::string(100 * 1024, 'z')));
  EXPECT_EQ(n, 64u * 1024) << "a full volume takes what fits, like a short write";
  EXPECT_ERRNO(fs.write(fd, n, "more"), ENOSPC);
  ASSERT_OK_AND_ASSIGN(Statvfs full, fs.statfs());
  EXPECT_EQ(full.bfree, 0u);
  EXPECT_ERRNO(fs.call(FallocateReq{fd, 0, 1 << 20, 4096}), ENOSPC);
  ASSERT_OK(fs.unlink("/f"));
  fd.reset();  // the last reference to the unlinked file
  ASSERT_OK_AND_ASSIGN(Statvfs freed, fs.statfs());
  EXPECT_EQ(freed.bfree, 16u);
  EXPECT_OK(fs.writeFile("/g", std::string(8192, 'g')));
}

TEST(MemoryStoreTest, StatfsCountsBlocksAndFiles) {
  TestGraph g(volume("mem", "storage/memory", {{"max-size", "1MB"}}));
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(Statvfs before, fs.statfs());
  ASSERT_OK(fs.writeFile("/a", std::string(8192, 'a')));
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK_AND_ASSIGN(Statvfs after, fs.statfs());
  EXPECT_EQ(before.bfree - after.bfree, 2u);
  EXPECT_EQ(before.ffree - after.ffree, 2u);
  EXPECT_EQ(after.bsize, 4096u);
}

TEST(MemoryStoreTest, AGfidAlreadyInUseCannotBeGivenToANewFile) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(Iatt f, fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.newLoc("/g"));
  EXPECT_ERRNO(fs.call(MkdirReq{l, 0755, 0, f.gfid}), EEXIST);
  EXPECT_ERRNO(fs.call(MkdirReq{l, 0755, 0, Gfid::root()}), EEXIST);
}

TEST(MemoryStoreTest, GfidHandlesResolveUntilTheFileIsGone) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(Iatt f, fs.writeFile("/f", "x"));
  InodeTable other;  // a client that knows the gfid only
  InodePtr handle = other.link(nullptr, nullptr, "", f);
  ASSERT_OK_AND_ASSIGN(EntryReply byGfid, fs.call(LookupReq{Loc{nullptr, "", handle}}));
  EXPECT_EQ(byGfid.stat.gfid, f.gfid);
  ASSERT_OK_AND_ASSIGN(AttrReply st, fs.call(StatReq{Loc{nullptr, "", handle}}));
  EXPECT_EQ(st.stat.size, 1u);
  ASSERT_OK(fs.unlink("/f"));
  EXPECT_ERRNO(fs.call(StatReq{Loc{nullptr, "", handle}}), ESTALE);
}

TEST(MemoryStoreTest, DotAndDotDotResolveToTheDirectoriesThemselves) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK_AND_ASSIGN(Iatt a, fs.mkdir("/a"));
  ASSERT_OK(fs.mkdir("/a/b"));
  ASSERT_OK_AND_ASSIGN(Iatt up, fs.lookup("/a/b/.."));
  EXPECT_EQ(up.gfid, a.gfid);
  ASSERT_OK_AND_ASSIGN(Iatt self, fs.lookup("/a/."));
  EXPECT_EQ(self.gfid, a.gfid);
  ASSERT_OK_AND_ASSIGN(Iatt rootUp, fs.lookup("/.."));
  EXPECT_TRUE(rootUp.gfid.isRoot());
  EXPECT_ERRNO(fs.mkdir("/a/."), EEXIST);
  EXPECT_ERRNO(fs.rmdir("/a/."), EINVAL);
}

TEST(MemoryStoreTest, ARemovedDirectoryTakesNoEntriesAndListsNothing) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK(fs.mkdir("/gone"));
  ASSERT_OK_AND_ASSIGN(InodePtr dir, fs.resolve("/gone"));
  ASSERT_OK_AND_ASSIGN(FdPtr dfd, fs.opendir("/gone"));
  ASSERT_OK(fs.rmdir("/gone"));
  EXPECT_ERRNO(fs.call(ReaddirReq{dfd, 4096, 0}), ENOENT);
  EXPECT_ERRNO(fs.call(MkdirReq{Loc{dir, "child", fs.table().create()}, 0755, 0, {}}), ESTALE);
}

TEST(MemoryStoreTest, ReaddirNeverReturnsNamesRemovedBeforeTheRead) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK(fs.mkdir("/d"));
  for (int i = 0; i < 100; ++i) ASSERT_OK(fs.mknod("/d/f" + std::to_string(i), S_IFREG | 0644));
  ASSERT_OK_AND_ASSIGN(FdPtr dir, fs.opendir("/d"));
  ASSERT_OK_AND_ASSIGN(ReaddirReply first, fs.call(ReaddirReq{dir, 512, 0}));
  std::set<std::string> deleted;
  for (int i = 0; i < 100; i += 3) {
    ASSERT_OK(fs.unlink("/d/f" + std::to_string(i)));
    deleted.insert("f" + std::to_string(i));
  }
  ASSERT_OK(fs.mknod("/d/late", S_IFREG | 0644));
  std::set<std::string> later;
  for (uint64_t off = first.entries.back().offset;;) {
    ASSERT_OK_AND_ASSIGN(ReaddirReply more, fs.call(ReaddirReq{dir, 512, off}));
    if (more.entries.empty()) break;
    for (const auto& e : more.entries) {
      EXPECT_FALSE(deleted.count(e.name)) << e.name << " was removed before this read";
      later.insert(e.name);
    }
    off = more.entries.back().offset;
  }
  EXPECT_TRUE(later.count("late")) << "names added later come after the older ones";
}

TEST(MemoryStoreTest, CollapseAndInsertRangeAreSupported) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  std::string data;
  for (int i = 0; i < 8; ++i) data += std::string(4096, static_cast<char>('a' + i));
  ASSERT_OK(fs.writeFile("/f", data));
  ASSERT_OK_AND_ASSIGN(FdPtr fd, fs.open("/f", O_RDWR));
  ASSERT_OK(fs.call(FallocateReq{fd, FALLOC_FL_COLLAPSE_RANGE, 4096, 8192}));
  ASSERT_OK(fs.call(FallocateReq{fd, FALLOC_FL_INSERT_RANGE, 0, 4096}));
  ASSERT_OK_AND_ASSIGN(std::string back, fs.read(fd, 0, 1 << 20));
  std::string want = std::string(4096, '\0') + data.substr(0, 4096) + data.substr(12288);
  EXPECT_TRUE(back == want);
  EXPECT_ERRNO(fs.call(FallocateReq{fd, FALLOC_FL_COLLAPSE_RANGE, 100, 4096}), EINVAL);
  EXPECT_ERRNO(fs.call(FallocateReq{fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096}),
               EINVAL);
  EXPECT_ERRNO(fs.call(FallocateReq{fd, 0x1000, 0, 4096}), EOPNOTSUPP);
  ASSERT_OK_AND_ASSIGN(FdPtr ro, fs.open("/f", O_RDONLY));
  EXPECT_ERRNO(fs.call(FallocateReq{ro, 0, 0, 4096}), EBADF);
}

TEST(MemoryStoreTest, XattropRefusesMalformedArrays) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK(fs.writeFile("/f", "x"));
  ASSERT_OK_AND_ASSIGN(Loc l, fs.loc("/f"));
  EXPECT_ERRNO(fs.call(XattropReq{l, XattropOp::kAddArray, Dict{{"trusted.a", "abc"}}}), EINVAL);
  ASSERT_OK(
      fs.call(XattropReq{l, XattropOp::kAddArray, Dict{{"trusted.a", std::string(8, '\1')}}}));
  EXPECT_ERRNO(
      fs.call(XattropReq{l, XattropOp::kAddArray, Dict{{"trusted.a", std::string(4, '\1')}}}),
      EINVAL)
      << "the stored array has another length";
  EXPECT_ERRNO(fs.call(XattropReq{l, static_cast<XattropOp>(9), Dict{}}), EINVAL);
}

TEST(MemoryStoreTest, ManyThreadsCreateWriteAndRenameConcurrently) {
  TestGraph g(volume("mem", "storage/memory"));
  TestClient fs(g.top());
  ASSERT_OK(fs.mkdir("/new"));
  constexpr int kThreads = 4, kFiles = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      TestClient me(g.top());  // each thread its own inode table, like separate clients
      std::string tmp = "/tmp" + std::to_string(t);
      if (!me.mkdir(tmp)) ++failures;
      for (int i = 0; i < kFiles; ++i) {
        std::string name = std::to_string(t) + "-" + std::to_string(i);
        if (!me.writeFile(tmp + "/" + name, "message " + name)) ++failures;
        if (!me.rename(tmp + "/" + name, "/new/" + name)) ++failures;
        if (i % 10 == 0 && !me.listDir("/new")) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/new"));
  EXPECT_EQ(names.size(), static_cast<size_t>(kThreads * kFiles));
  for (int t = 0; t < kThreads; ++t) {
    std::string name = std::to_string(t) + "-" + std::to_string(kFiles - 1);
    ASSERT_OK_AND_ASSIGN(std::string body, fs.readFile("/new/" + name));
    EXPECT_EQ(body, "message " + name);
  }
}

}  // namespace
}  // namespace gf::test
