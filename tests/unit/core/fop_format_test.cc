// SPDX-License-Identifier: GPL-3.0-or-later
// Text forms of requests and replies, and the walk over every Iatt inside a reply.
#include "glusterfs/core/fop_format.h"

#include <fcntl.h>
#include <gtest/gtest.h>

namespace gf {
namespace {

Iatt fileAttrs(const Gfid& g) {
  Iatt ia;
  ia.gfid = g;
  ia.ino = g.ino();
  ia.mode = S_IFREG | 0644;
  ia.nlink = 1;
  ia.uid = 1000;
  ia.gid = 100;
  ia.size = 4096;
  return ia;
}

class FopFormatTest : public ::testing::Test {
 protected:
  InodeTable table_;
  Gfid g_ = *Gfid::parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  InodePtr dir_ = table_.link(nullptr, table_.root(), "d", [] {
    Iatt ia;
    ia.gfid = Gfid::random();
    ia.mode = S_IFDIR | 0755;
    return ia;
  }());
  InodePtr file_ = table_.link(nullptr, dir_, "f", fileAttrs(g_));
};

TEST_F(FopFormatTest, RequestWithALocShowsPathAndGfid) {
  StatReq req{Loc{dir_, "f", file_}};
  EXPECT_EQ(formatRequest(FopId::stat, &req),
            "{loc={path=\"/d/f\" gfid=3f2504e0-4f89-41d3-9a0c-0305e82c3301}}");
}

TEST_F(FopFormatTest, RequestForANewEntryShowsParentPathAndName) {
  MkdirReq req;
  req.loc = Loc{dir_, "new", table_.create()};
  req.mode = 0755;
  EXPECT_EQ(
      formatRequest(FopId::mkdir, &req),
      "{loc={path=\"/d/new\"}, mode=493, umask=0, gfid=00000000-0000-0000-0000-000000000000}");
}

TEST_F(FopFormatTest, WriteShowsPayloadSizeNotBytes) {
  WritevReq req;
  req.data = Payload::copyOf("secret");
  req.offset = 8192;
  EXPECT_EQ(formatRequest(FopId::writev, &req), "{fd=null, data=<6 bytes>, offset=8192, flags=0}");
}

TEST_F(FopFormatTest, FdShowsItsInodeGfid) {
  ReadvReq req;
  req.fd = makeFd(file_, O_RDONLY);
  req.size = 10;
  std::string s = formatRequest(FopId::readv, &req);
  EXPECT_NE(s.find("(3f2504e0-4f89-41d3-9a0c-0305e82c3301)"), std::string::npos) << s;
  EXPECT_NE(s.find(", size=10, offset=0, flags=0}"), std::string::npos) << s;
}

TEST_F(FopFormatTest, DictValuesAreEscapedAndShortened) {
  SetxattrReq req;
  req.loc = Loc{nullptr, "", file_};
  req.xattrs["user.bin"] = std::string("a\0\"\\\x7f", 5);
  req.xattrs["user.long"] = std::string(40, 'x');
  std::string s = formatRequest(FopId::setxattr, &req);
  EXPECT_NE(s.find("user.bin=\"a\\x00\\x22\\x5c\\x7f\""), std::string::npos) << s;
  EXPECT_NE(s.find("user.long=\"" + std::string(32, 'x') + "...\""), std::string::npos) << s;
  EXPECT_NE(s.find(", flags=0}"), std::string::npos) << s;
}

TEST_F(FopFormatTest, LongStringsAreCutAt64Characters) {
  GetxattrReq req;
  req.name = std::string(100, 'n');
  std::string s = formatRequest(FopId::getxattr, &req);
  EXPECT_NE(s.find("name=\"" + std::string(64, 'n') + "...\""), std::string::npos) << s;
}

TEST_F(FopFormatTest, EnumsAndNestedStructs) {
  LkReq req;
  req.cmd = LockCmd::kSetWait;
  req.kind = LockKind::kFlock;
  req.lock.type = F_WRLCK;
  req.lock.start = 10;
  req.lock.len = 20;
  req.lock.owner = 99;
  EXPECT_EQ(formatRequest(FopId::lk, &req),
            "{fd=null, cmd=2, kind=1, lock={type=" + std::to_string(F_WRLCK) +
                ", whence=0, start=10, len=20, pid=0, owner=99}}");
}

TEST_F(FopFormatTest, ReplyFormats) {
  AttrReply attr{fileAttrs(g_)};
  EXPECT_EQ(formatReply(FopId::stat, &attr),
            "{stat={ino=" + std::to_string(g_.ino()) +
                " mode=0100644 nlink=1 uid=1000 gid=100 size=4096}}");
  Empty empty;
  EXPECT_EQ(formatReply(FopId::unlink, &empty), "{}");
  ReaddirReply dir;
  dir.entries.resize(3);
  EXPECT_EQ(formatReply(FopId::readdir, &dir), "{entries=[3]}");
  WriteReply w{123};
  EXPECT_EQ(formatReply(FopId::writev, &w), "{size=123}");
  ReadlinkReply link{"../target"};
  EXPECT_EQ(formatReply(FopId::readlink, &link), "{target=\"../target\"}");
  FsyncReq fsync;
  fsync.datasync = true;
  EXPECT_EQ(formatRequest(FopId::fsync, &fsync), "{fd=null, datasync=true}");
}

TEST_F(FopFormatTest, NullReplyIsNull) { EXPECT_EQ(formatReply(FopId::stat, nullptr), "null"); }

TEST_F(FopFormatTest, EveryFopFormatsItsDefaultRequestAndReply){
#define GF_TEST_FMT_(name, Req, Rep, flags)                                               \
  {                                                                                       \
    Req req{};                                                                            \
    Rep rep{};                                                                            \
    std::string a = formatRequest(FopId::name, &req), b = formatReply(FopId::name, &rep); \
    EXPECT_EQ(a.front(), '{') << #name << ": " << a;                                      \
    EXPECT_EQ(a.back(), '}') << #name << ": " << a;                                       \
    EXPECT_EQ(b.front(), '{') << #name << ": " << b;                                      \
    EXPECT_EQ(b.back(), '}') << #name << ": " << b;                                       \
  }
    GF_FOP_LIST(GF_TEST_FMT_)
#undef GF_TEST_FMT_
}

TEST_F(FopFormatTest, ForEachIattVisitsEveryAttributeInAReply) {
  int n = 0;
  auto count = [&](Iatt& ia) {
    ++n;
    ia.uid = 7;
  };
  EntryReply entry{fileAttrs(g_), {}};
  forEachIatt(FopId::lookup, &entry, count);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(entry.stat.uid, 7u);

  n = 0;
  ReaddirReply dir;
  dir.entries.resize(4);
  forEachIatt(FopId::readdirp, &dir, count);
  EXPECT_EQ(n, 4);
  for (const auto& e : dir.entries) EXPECT_EQ(e.stat.uid, 7u);

  n = 0;
  XattrReply x;
  forEachIatt(FopId::getxattr, &x, count);
  WriteReply w;
  forEachIatt(FopId::writev, &w, count);
  forEachIatt(FopId::stat, nullptr, count);
  EXPECT_EQ(n, 0);
}

TEST(FopListTest, NamesFlagsAndTypeMapping) {
  EXPECT_STREQ(fopName(FopId::lookup), "lookup");
  EXPECT_STREQ(fopName(FopId::rchecksum), "rchecksum");
  EXPECT_EQ(fopInfo(FopId::writev).flags, kFopData);
  EXPECT_EQ(fopInfo(FopId::setxattr).flags, kFopMetadata);
  EXPECT_EQ(fopInfo(FopId::rename).flags, kFopEntry);
  EXPECT_EQ(fopInfo(FopId::inodelk).flags, kFopLock);
  EXPECT_EQ(fopInfo(FopId::readv).flags, kFopRead);
  EXPECT_EQ(FopOf<WritevReq>::id, FopId::writev);
  EXPECT_TRUE((std::is_same_v<FopOf<LookupReq>::Reply, EntryReply>));
  EXPECT_EQ(static_cast<size_t>(FopId::rchecksum) + 1, kFopCount);
  // Names are unique.
  for (size_t i = 0; i < kFopCount; ++i)
    for (size_t j = i + 1; j < kFopCount; ++j) EXPECT_STRNE(kFopInfo[i].name, kFopInfo[j].name);
}

}  // namespace
}  // namespace gf
