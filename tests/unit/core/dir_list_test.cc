// SPDX-License-Identifier: GPL-3.0-or-later
// listDirectory: reads every page through readdirp, drops "." and "..", passes errors on.
#include "glusterfs/core/dir_list.h"

#include <gtest/gtest.h>

namespace gf {
namespace {

// A directory of `count` files served `pageSize` entries at a time, offsets 1..N.
class PagedDir : public Xlator {
 public:
  PagedDir(int count, size_t pageSize)
      : Xlator(XlatorArgs{"dir", "test/dir", {}, nullptr}), pageSize_(pageSize) {
    names_ = {".", ".."};
    for (int i = 0; i < count; ++i) names_.push_back("f" + std::to_string(i));
  }
  int opendirError = 0;
  int readdirErrorAtCall = -1;  // fail the Nth readdirp call with EIO
  std::vector<uint64_t> offsetsAsked;
  FdPtr openedFd;

  Task<Result<Empty>> opendir(const CallCtx&, const OpendirReq& r) override {
    if (opendirError) return fail(opendirError);
    openedFd = r.fd;
    return Task<Result<Empty>>::ready(Empty{});
  }
  Task<Result<ReaddirReply>> readdirp(const CallCtx&, const ReaddirpReq& r) override {
    EXPECT_EQ(r.fd, openedFd);
    int call = static_cast<int>(offsetsAsked.size());
    offsetsAsked.push_back(r.offset);
    if (call == readdirErrorAtCall) return fail(EIO);
    ReaddirReply out;
    for (size_t i = r.offset; i < names_.size() && out.entries.size() < pageSize_; ++i) {
      DirEntry e;
      e.name = names_[i];
      e.offset = i + 1;
      e.stat.size = i;
      e.stat.mode = S_IFREG | 0644;
      out.entries.push_back(e);
    }
    return Task<Result<ReaddirReply>>::ready(std::move(out));
  }

 private:
  size_t pageSize_;
  std::vector<std::string> names_;
};

Loc dirLoc(InodeTable& t) { return Loc{nullptr, "", t.root()}; }

TEST(DirListTest, ReadsEveryPageAndSkipsDotEntries) {
  InodeTable t;
  PagedDir dir(23, 5);
  auto r = syncWait(listDirectory(dir, CallCtx{}, dirLoc(t)));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->size(), 23u);
  EXPECT_EQ(r->count("."), 0u);
  EXPECT_EQ(r->count(".."), 0u);
  EXPECT_EQ(r->at("f0").size, 2u);
  EXPECT_EQ(r->at("f22").size, 24u);
  // 25 entries in pages of 5, then the empty page that ends the listing.
  EXPECT_EQ(dir.offsetsAsked, (std::vector<uint64_t>{0, 5, 10, 15, 20, 25}));
  ASSERT_NE(dir.openedFd, nullptr);
  EXPECT_EQ(dir.openedFd->inode(), t.root());
}

TEST(DirListTest, EmptyDirectoryGivesAnEmptyMap) {
  InodeTable t;
  PagedDir dir(0, 10);
  auto r = syncWait(listDirectory(dir, CallCtx{}, dirLoc(t)));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(DirListTest, OpendirErrorIsReturned) {
  InodeTable t;
  PagedDir dir(3, 10);
  dir.opendirError = EACCES;
  auto r = syncWait(listDirectory(dir, CallCtx{}, dirLoc(t)));
  EXPECT_EQ(r.errnum(), EACCES);
  EXPECT_TRUE(dir.offsetsAsked.empty());
}

TEST(DirListTest, ReaddirErrorMidwayIsReturned) {
  InodeTable t;
  PagedDir dir(30, 4);
  dir.readdirErrorAtCall = 2;
  auto r = syncWait(listDirectory(dir, CallCtx{}, dirLoc(t)));
  EXPECT_EQ(r.errnum(), EIO);
  EXPECT_EQ(dir.offsetsAsked.size(), 3u);
}

}  // namespace
}  // namespace gf
