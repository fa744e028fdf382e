// SPDX-License-Identifier: GPL-3.0-or-later
// POSIX semantics: directory listing (readdir/readdirp), offsets, and large directories.
#include <algorithm>
#include <set>

#include "tests/unit/posix_semantics/posix_fixture.h"

namespace gf::test {
namespace {

GF_POSIX_SUITE(PosixDirTest);

TYPED_TEST(PosixDirTest, ReaddirListsDotEntriesAndEveryNameWithItsType) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK_AND_ASSIGN(Iatt f, fs.writeFile("/d/file", "x"));
  ASSERT_OK_AND_ASSIGN(Iatt sub, fs.mkdir("/d/sub"));
  ASSERT_OK(fs.symlink("file", "/d/link"));
  ASSERT_OK_AND_ASSIGN(auto entries, fs.readdirAll("/d"));
  std::map<std::string, DirEntry> byName;
  for (const auto& e : entries) EXPECT_TRUE(byName.emplace(e.name, e).second) << e.name;
  ASSERT_EQ(byName.size(), 5u);
  for (auto n : {".", "..", "file", "sub", "link"}) EXPECT_TRUE(byName.count(n)) << n;
  EXPECT_EQ(byName["file"].stat.ino, f.ino);
  EXPECT_EQ(byName["file"].stat.type(), static_cast<uint32_t>(S_IFREG));
  EXPECT_EQ(byName["sub"].stat.ino, sub.ino);
  EXPECT_EQ(byName["sub"].stat.type(), static_cast<uint32_t>(S_IFDIR));
  EXPECT_EQ(byName["link"].stat.type(), static_cast<uint32_t>(S_IFLNK));
  std::set<uint64_t> offsets;
  for (const auto& e : entries) EXPECT_TRUE(offsets.insert(e.offset).second);
}

TYPED_TEST(PosixDirTest, ReaddirplusCarriesTheSameAttributesAsLookup) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  ASSERT_OK(fs.writeFile("/d/a", "12345"));
  ASSERT_OK(fs.mkdir("/d/b", 0700));
  ASSERT_OK_AND_ASSIGN(auto entries, fs.readdirAll("/d", true));
  int checked = 0;
  for (const auto& e : entries) {
    if (e.name == "." || e.name == "..") continue;
    ASSERT_OK_AND_ASSIGN(Iatt st, fs.lookup("/d/" + e.name));
    EXPECT_EQ(e.stat.gfid, st.gfid) << e.name;
    EXPECT_EQ(e.stat.mode, st.mode) << e.name;
    EXPECT_EQ(e.stat.size, st.size) << e.name;
    EXPECT_EQ(e.stat.nlink, st.nlink) << e.name;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TYPED_TEST(PosixDirTest, ALargeDirectoryIsListedCompletelyInSmallChunks) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/big"));
  constexpr int kFiles = 1500;
  for (int i = 0; i < kFiles; ++i)
    ASSERT_OK(fs.mknod("/big/entry-" + std::to_string(i), S_IFREG | 0644));
  ASSERT_OK_AND_ASSIGN(auto names, fs.listDir("/big"));
  ASSERT_EQ(names.size(), static_cast<size_t>(kFiles));
  ASSERT_OK_AND_ASSIGN(auto entries, fs.readdirAll("/big", false, 512));
  EXPECT_EQ(entries.size(), static_cast<size_t>(kFiles) + 2);
  ASSERT_OK_AND_ASSIGN(auto plus, fs.readdirAll("/big", true, 1024));
  EXPECT_EQ(plus.size(), static_cast<size_t>(kFiles) + 2);
}

TYPED_TEST(PosixDirTest, OffsetsSurviveUnlinksBetweenReads) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/d"));
  constexpr int kFiles = 200;
  for (int i = 0; i < kFiles; ++i) ASSERT_OK(fs.mknod("/d/f" + std::to_string(i), S_IFREG | 0644));
  ASSERT_OK_AND_ASSIGN(FdPtr dir, fs.opendir("/d"));
  ASSERT_OK_AND_ASSIGN(ReaddirReply first, fs.call(ReaddirReq{dir, 1024, 0}));
  ASSERT_FALSE(first.entries.empty());
  std::set<std::string> seen;
  for (const auto& e : first.entries) seen.insert(e.name);
  // Delete half of the names, read or not yet read, then continue where we stopped.
  std::set<std::string> deleted;
  for (int i = 0; i < kFiles; i += 2) {
    std::string n = "f" + std::to_string(i);
    ASSERT_OK(fs.unlink("/d/" + n));
    deleted.insert(n);
  }
  uint64_t offset = first.entries.back().offset;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(ReaddirReply more, fs.call(ReaddirReq{dir, 1024, offset}));
    if (more.entries.empty()) break;
    // POSIX leaves open whether names removed after opendir still show; survivors must
    // show exactly once.
    for (const auto& e : more.entries)
      EXPECT_TRUE(seen.insert(e.name).second) << e.name << " listed twice";
    offset = more.entries.back().offset;
  }
  for (int i = 1; i < kFiles; i += 2) EXPECT_TRUE(seen.count("f" + std::to_string(i))) << i;
}

TYPED_TEST(PosixDirTest, OpendirNeedsADirectory) {
  auto& fs = this->fs();
  ASSERT_OK(fs.writeFile("/f", "x"));
  EXPECT_ERRNO(fs.opendir("/f"), ENOTDIR);
}

TYPED_TEST(PosixDirTest, EmptyDirectoryHasOnlyDotEntries) {
  auto& fs = this->fs();
  ASSERT_OK(fs.mkdir("/e"));
  ASSERT_OK_AND_ASSIGN(auto entries, fs.readdirAll("/e"));
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".", ".."}));
}

}  // namespace
}  // namespace gf::test
