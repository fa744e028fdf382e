// SPDX-License-Identifier: GPL-3.0-or-later
// distribute listings (every name once through many small pages, directories once, no
// linkfiles) and statfs (the children added up, petabyte children and mixed fragment sizes
// without overflow), plus the routing of fops on open files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "tests/unit/distribute/dht_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

// A directory with files on every child, subdirectories (a copy on each child) and linkfiles.
void populate(TestClient& fs, std::set<std::string>& expect) {
  ASSERT_OK(fs.mkdir("/big"));
  for (int i = 0; i < 600; ++i) {
    std::string n = "message-" + std::to_string(i);
    ASSERT_OK(fs.writeFile("/big/" + n, n));
    expect.insert(n);
  }
  for (int i = 0; i < 20; ++i) {
    std::string n = "sub" + std::to_string(i);
    ASSERT_OK(fs.mkdir("/big/" + n));
    expect.insert(n);
  }
  // Renames that change the hashed child leave linkfiles behind.
  for (int i = 0; i < 100; ++i) {
    std::string from = "message-" + std::to_string(i), to = "renamed-" + std::to_string(i);
    ASSERT_OK(fs.rename("/big/" + from, "/big/" + to));
    expect.erase(from);
    expect.insert(to);
  }
}

void expectListing(TestClient& fs, const std::set<std::string>& expect, bool plus, uint64_t page) {
  auto entries = fs.readdirAll("/big", plus, page);
  ASSERT_OK(entries);
  std::map<std::string, int> seen;
  for (const auto& e : *entries) {
    ++seen[e.name];
    if (e.name == "." || e.name == "..") continue;
    EXPECT_TRUE(expect.count(e.name)) << "unexpected entry " << e.name;
    if (plus && e.name.rfind("renamed-", 0) == 0) {
      EXPECT_EQ(e.stat.mode & 07777, 0644u) << e.name << ": a linkfile's attributes";
      EXPECT_GT(e.stat.size, 0u) << e.name;
    }
    if (e.name.rfind("sub", 0) == 0) EXPECT_TRUE(S_ISDIR(e.stat.mode)) << e.name;
  }
  for (const auto& [name, n] : seen) EXPECT_EQ(n, 1) << name << " listed " << n << " times";
  for (const auto& name : expect) EXPECT_TRUE(seen.count(name)) << name << " missing";
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
}

TEST(DhtReaddirTest, EveryNameOnceThroughManySmallPages) {
  DhtRig rig({.children = 3});
  std::set<std::string> expect;
  populate(rig.client(), expect);
  size_t linkfiles = 0;
  for (int i = 0; i < 100; ++i)
    linkfiles += rig.linkfilesOn("/big/renamed-" + std::to_string(i)).size();
  ASSERT_GT(linkfiles, 30u) << "the test needs linkfiles to hide";
  TestClient fresh(rig.dht());
  for (uint64_t page : {200u, 512u, 4096u, 65536u}) {
    SCOPED_TRACE("page " + std::to_string(page));
    expectListing(fresh, expect, false, page);
    expectListing(fresh, expect, true, page);
  }
}

// The xattrs a listing asks for come with the entries of every child.
TEST(DhtReaddirTest, ListingsCarryTheAskedXattrsFromEveryChild) {
  DhtRig rig({.children = 3});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  for (int i = 0; i < 30; ++i) {
    std::string path = "/d/f" + std::to_string(i);
    ASSERT_OK(fs.writeFile(path, "x"));
    if (i % 2) ASSERT_OK(fs.setxattr(path, "user.tag", "odd"));
  }
  TestClient fresh(rig.dht());
  auto entries = fresh.readdirAll("/d", true, 4096, {"user.tag"});
  ASSERT_OK(entries);
  int files = 0;
  for (const auto& e : *entries) {
    if (e.name == "." || e.name == "..") continue;
    ++files;
    int i = std::stoi(e.name.substr(1));
    EXPECT_TRUE(e.xattrsRead) << e.name;
    EXPECT_EQ(e.xattrs.contains("user.tag"), i % 2 == 1) << e.name;
  }
  EXPECT_EQ(files, 30);
}

// Resuming at a returned offset of the same directory stream (telldir/seekdir; POSIX gives
// offsets no meaning in another stream) gives what follows it, across children and past a
// child whose pages hold only linkfiles. The 100-byte pages of plain readdir are smaller than
// one readdirp entry, which is what distribute asks its children for.
TEST(DhtReaddirTest, OffsetsResumeTheListingAndLinkfileOnlyPagesAreSkipped) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  ASSERT_OK(fs.mkdir("/d"));
  std::set<std::string> expect;
  for (int k = 0; k < 40; ++k) {  // all data on child 1, all linkfiles on child 0
    std::string a = nameHashingTo(1, 2, "a", k), b = nameHashingTo(0, 2, "b", k);
    ASSERT_OK(fs.writeFile("/d/" + a, "x"));
    ASSERT_OK(fs.rename("/d/" + a, "/d/" + b));
    expect.insert(b);
  }
  ASSERT_EQ(rig.leaf(0).listDir("/d")->size(), 40u);
  TestClient fresh(rig.dht());
  auto fd = fresh.opendir("/d");
  ASSERT_OK(fd);
  std::vector<DirEntry> all;
  uint64_t off = 0;
  while (true) {
    auto r = fresh.call(ReaddirReq{*fd, 100, off});
    ASSERT_OK(r);
    if (r->entries.empty()) break;
    for (auto& e : r->entries) all.push_back(e);
    off = r->entries.back().offset;
  }
  std::set<std::string> names;
  for (const auto& e : all)
    if (e.name != "." && e.name != "..") EXPECT_TRUE(names.insert(e.name).second) << e.name;
  EXPECT_EQ(names, expect);
  // Re-reading from the middle offset gives exactly the tail.
  size_t mid = all.size() / 2;
  auto r = fresh.call(ReaddirReq{*fd, 1 << 20, all[mid].offset});
  ASSERT_OK(r);
  ASSERT_EQ(r->entries.size(), all.size() - mid - 1);
  EXPECT_EQ(r->entries.front().name, all[mid + 1].name);
}

TEST(DhtStatfsTest, TheVolumeIsTheSumOfItsChildren) {
  DhtRig rig({.children = 3, .maxSize = {{0, "1MB"}, {1, "2MB"}, {2, "4MB"}}});
  auto one = rig.leaf(0).statfs(), total = rig.client().statfs();
  ASSERT_OK(one);
  ASSERT_OK(total);
  EXPECT_EQ(total->frsize, one->frsize);
  EXPECT_EQ(total->blocks * total->frsize, uint64_t{7} << 20);
  EXPECT_EQ(total->bfree, total->blocks);
  ASSERT_OK(rig.client().writeFile("/f", std::string(256 * 1024, 'z')));
  auto after = rig.client().statfs();
  EXPECT_EQ((after->blocks - after->bfree) * after->frsize, 256u * 1024);
}

// Petabyte children with different fragment sizes: the sum in the smallest fragment size,
// exact while it fits and saturated (never wrapped) beyond 2^64 fragments.
TEST(DhtStatfsTest, PetabyteChildrenAddUpWithoutOverflow) {
  DhtRig rig({.children = 3});
  const uint64_t PiB = uint64_t{1} << 50;
  Statvfs a{}, b{}, c{};
  a.bsize = a.frsize = 4096;
  a.blocks = 40 * PiB / 4096, a.bfree = 30 * PiB / 4096, a.bavail = 29 * PiB / 4096;
  a.files = a.ffree = a.favail = uint64_t{1} << 40;
  b.bsize = b.frsize = 1 << 20;  // 1 MiB fragments
  b.blocks = 900 * PiB >> 20, b.bfree = 800 * PiB >> 20, b.bavail = 700 * PiB >> 20;
  b.files = b.ffree = b.favail = uint64_t{1} << 62;
  c.bsize = 4096, c.frsize = 512;
  c.blocks = 3 * PiB / 512, c.bfree = 2 * PiB / 512, c.bavail = PiB / 512;
  c.files = c.ffree = c.favail = uint64_t{1} << 62;
  rig.probe(0).setStatfs(a);
  rig.probe(1).setStatfs(b);
  rig.probe(2).setStatfs(c);
  auto s = rig.client().statfs();
  ASSERT_OK(s);
  EXPECT_EQ(s->frsize, 512u);
  EXPECT_EQ(s->blocks, 943 * PiB / 512);  // 943 PiB = 2^59.88 bytes: fits in 512-byte units
  EXPECT_EQ(s->bfree, 832 * PiB / 512);
  EXPECT_EQ(s->bavail, 730 * PiB / 512);
  EXPECT_EQ(s->files, (uint64_t{1} << 63) + (uint64_t{1} << 40));
  // Exabyte children: 2^64 fragments of 512 bytes are not enough; the sum saturates.
  b.blocks = b.bfree = b.bavail = uint64_t{1} << 60;  // 2^80 bytes in 1 MiB fragments
  b.files = UINT64_MAX;
  rig.probe(1).setStatfs(b);
  s = rig.client().statfs();
  ASSERT_OK(s);
  EXPECT_EQ(s->blocks, UINT64_MAX);
  EXPECT_EQ(s->files, UINT64_MAX);
  // One child gone: the rest still answer.
  rig.down(1);
  s = rig.client().statfs();
  ASSERT_OK(s);
  EXPECT_EQ(s->blocks, 43 * PiB / 512);
}

TEST(DhtRoutingTest, OpenFilesAndAttributesGoToTheDataChild) {
  DhtRig rig({.children = 2});
  TestClient& fs = rig.client();
  std::string a = nameHashingTo(0, 2), b = nameHashingTo(1, 2);
  ASSERT_OK(fs.writeFile("/" + a, "0123456789"));
  ASSERT_OK(fs.rename("/" + a, "/" + b));
  TestClient fresh(rig.dht());
  auto fd = fresh.open("/" + b, O_RDWR);
  ASSERT_OK(fd);
  ASSERT_OK(fresh.write(*fd, 10, "abc"));
  EXPECT_EQ(fresh.fstat(*fd)->size, 13u);
  ASSERT_OK(fresh.truncate("/" + b, 4));
  ASSERT_OK(fresh.chmod("/" + b, 0600));
  ASSERT_OK(fresh.setxattr("/" + b, "user.tag", "v"));
  EXPECT_EQ(*fresh.getxattr("/" + b, "user.tag"), "v");
  auto names = fresh.listxattr("/" + b);
  ASSERT_OK(names);
  for (const auto& n : *names) EXPECT_EQ(n.find("trusted.glusterfs.dht"), std::string::npos) << n;
  TestClient l0 = rig.leaf(0), l1 = rig.leaf(1);
  EXPECT_EQ(*l0.readFile("/" + b), "0123");
  EXPECT_EQ(l0.stat("/" + b)->mode & 07777, 0600u);
  EXPECT_EQ(l1.stat("/" + b)->mode & 07777, static_cast<uint32_t>(S_ISVTX)) << "linkfile changed";
  EXPECT_ERRNO(fresh.getxattr("/" + b, "trusted.glusterfs.dht.linkto"), ENODATA);
  EXPECT_ERRNO(fresh.setxattr("/", "trusted.glusterfs.dht", "forged"), EPERM);
  // Directory attributes go to every copy.
  ASSERT_OK(fresh.mkdir("/dir"));
  ASSERT_OK(fresh.chmod("/dir", 0700));
  ASSERT_OK(fresh.setxattr("/dir", "user.d", "1"));
  for (size_t i = 0; i < 2; ++i) {
    TestClient l = rig.leaf(i);
    EXPECT_EQ(l.stat("/dir")->mode & 07777, 0700u) << i;
    EXPECT_EQ(*l.getxattr("/dir", "user.d"), "1") << i;
  }
}

}  // namespace
}  // namespace gf::test
