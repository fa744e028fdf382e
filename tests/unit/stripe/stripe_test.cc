// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe over memory children: data cut into blocks round-robin, holes as zeros,
// sizes and truncation, SEEK_DATA/SEEK_HOLE, offsets near 2^63, block sizes kept with the
// file, concurrent writers, and one child failing mid-operation.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "glusterfs/xlators/cluster/stripe/stripe_xlator.h"
#include "glusterfs/xlators/debug/common/fop_set.h"
#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "tests/unit/distribute/probe_xlator.h"
#include "tests/unit/support/fop_helpers.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

constexpr uint64_t kBs = 4096;

// N memory children (c_i: error-gen over m_i) under "stripe", and "stripe512" over the same
// children with another block-size setting.
class StripeTest : public ::testing::Test {
 protected:
  explicit StripeTest(size_t n = 3, std::string sizes = "*.mpg:64KB,*:4KB")
      : n_(n), graph_(volfile(n, sizes)), fs_(graph_.get("stripe")) {}

  static std::string volfile(size_t n, const std::string& sizes) {
    std::string text, kids;
    for (size_t i = 0; i < n; ++i) {
      std::string k = std::to_string(i);
      text += volume("m" + k, "storage/memory");
      text +=
          volume("c" + k, "debug/error-gen", {{"failure", "0"}, {"random-seed", "1"}}, {"m" + k});
      kids += " c" + k;
    }
    text += "volume stripe512\n  type cluster/stripe\n  option block-size *:512\n  subvolumes" +
            kids + "\nend-volume\n";
    return text + "volume stripe\n  type cluster/stripe\n  option block-size " + sizes +
           "\n  subvolumes" + kids + "\nend-volume\n";
  }

  TestClient leaf(size_t i) { return TestClient(graph_.get("m" + std::to_string(i))); }
  ErrorGenXlator& faults(size_t i) { return graph_.get<ErrorGenXlator>("c" + std::to_string(i)); }
  void failOnce(size_t i, std::string_view fop, int err) {
    ErrorGenXlator::Config c;
    c.failure = 100;
    c.errorNo = err;
    c.seed = 1;
    c.enabled = debug::parseFopList(fop);
    c.maxFailures = 1;
    faults(i).reconfigure(c);
  }
  // Bytes [off, off+len) of leaf i's piece of `path` ("" where the piece is shorter).
  std::string pieceBytes(size_t i, const std::string& path, uint64_t off, uint64_t len) {
    TestClient l = leaf(i);
    auto fd = l.open(path, O_RDONLY);
    if (!fd) return "<no piece>";
    return *l.read(*fd, off, len);
  }
  static std::string pattern(size_t len, int seed) {
    std::string s(len, '\0');
    for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
    return s;
  }

  size_t n_;
  TestGraph graph_;
  TestClient fs_;
};

TEST_F(StripeTest, BlocksGoRoundRobinAndReadBackAcrossChildren) {
  std::string data = pattern(5 * kBs + 100, 1);
  auto fd = fs_.create("/f");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 0, data));
  EXPECT_EQ(*fs_.read(*fd, 0, data.size() + 10), data);
  // An unaligned read spanning four blocks on three children.
  EXPECT_EQ(*fs_.read(*fd, kBs - 3, 3 * kBs + 6), data.substr(kBs - 3, 3 * kBs + 6));
  for (uint64_t b = 0; b < 6; ++b) {
    size_t owner = b % 3;
    uint64_t len = std::min<uint64_t>(kBs, data.size() - b * kBs);
    EXPECT_EQ(pieceBytes(owner, "/f", b * kBs, len), data.substr(b * kBs, len)) << "block " << b;
    for (size_t other = 0; other < 3; ++other) {
      if (other == owner) continue;
      std::string there = pieceBytes(other, "/f", b * kBs, len);
      EXPECT_EQ(there.find_first_not_of('\0'), std::string::npos)
          << "block " << b << " has data on child " << other;
    }
  }
  ASSERT_OK(fs_.flush(*fd));
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(leaf(i).stat("/f")->size, data.size()) << "piece " << i << " after close";
  TestClient fresh(graph_.get("stripe"));
  EXPECT_EQ(*fresh.readFile("/f"), data);
  auto st = fresh.stat("/f");
  EXPECT_EQ(st->size, data.size());
  uint64_t pieceBlocks = 0;
  for (size_t i = 0; i < 3; ++i) pieceBlocks += leaf(i).stat("/f")->blocks;
  EXPECT_EQ(st->blocks, pieceBlocks) << "blocks are the pieces' sum";
  EXPECT_GE(st->blocks * 512, data.size());
}

TEST_F(StripeTest, HolesReadAsZerosBeforeAndAfterClose) {
  auto fd = fs_.create("/sparse");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 5 * kBs + 10, "tail"));  // block 5, child 2; children 0, 1 empty
  uint64_t size = 5 * kBs + 14;
  EXPECT_EQ(fs_.fstat(*fd)->size, size);
  std::string want = std::string(5 * kBs + 10, '\0') + "tail";
  EXPECT_EQ(*fs_.read(*fd, 0, 1 << 20), want);
  EXPECT_EQ(*fs_.read(*fd, kBs + 1, 10), std::string(10, '\0'));
  EXPECT_EQ(*fs_.read(*fd, size, 10), "") << "at the end of the file";
  ASSERT_OK(fs_.flush(*fd));
  TestClient fresh(graph_.get("stripe"));
  EXPECT_EQ(*fresh.readFile("/sparse"), want);
  EXPECT_LT(fresh.stat("/sparse")->blocks * 512, 3 * kBs) << "the holes take no space";
}

TEST_F(StripeTest, TruncateCutsAndExtendsEveryPiece) {
  std::string data = pattern(6 * kBs, 2);
  ASSERT_OK(fs_.writeFile("/t", data));
  ASSERT_OK(fs_.truncate("/t", kBs + 100));  // cuts inside block 1 (child 1)
  EXPECT_EQ(fs_.stat("/t")->size, kBs + 100);
  EXPECT_EQ(*fs_.readFile("/t"), data.substr(0, kBs + 100));
  ASSERT_OK(fs_.truncate("/t", 4 * kBs));  // extends: no old bytes come back
  std::string want = data.substr(0, kBs + 100) + std::string(3 * kBs - 100, '\0');
  EXPECT_EQ(*fs_.readFile("/t"), want);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(leaf(i).stat("/t")->size, 4 * kBs) << i;
  auto fd = fs_.open("/t", O_RDWR);
  ASSERT_OK(fd);
  auto cut = fs_.call(FtruncateReq{*fd, 10});
  ASSERT_OK(cut);
  EXPECT_EQ(cut->stat.size, 10u);
  EXPECT_EQ(*fs_.read(*fd, 0, 100), data.substr(0, 10));
}

TEST_F(StripeTest, SeekDataAndHoleSeeTheWholeFile) {
  auto fd = fs_.create("/s");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 0, std::string(kBs, 'a')));        // block 0: child 0
  ASSERT_OK(fs_.write(*fd, 3 * kBs, std::string(kBs, 'b')));  // block 3: child 0 again
  auto seek = [&](uint64_t off, int whence) { return fs_.call(LseekReq{*fd, off, whence}); };
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "pieces of different sizes" : "after close");
    EXPECT_EQ(seek(0, SEEK_DATA)->offset, 0u);
    EXPECT_EQ(seek(0, SEEK_HOLE)->offset, kBs);
    EXPECT_EQ(seek(kBs + 5, SEEK_HOLE)->offset, kBs + 5);
    EXPECT_EQ(seek(kBs, SEEK_DATA)->offset, 3 * kBs);
    EXPECT_EQ(seek(3 * kBs, SEEK_HOLE)->offset, 4 * kBs) << "the end of the file";
    EXPECT_ERRNO(seek(4 * kBs, SEEK_DATA), ENXIO);
    ASSERT_OK(fs_.flush(*fd));
  }
}

// Offsets near 2^63 (the largest file offset): a write straddling two blocks there, read back
// from the right children, with the size and holes that follow.
TEST_F(StripeTest, DataNearTwoToTheSixtyThree) {
  const uint64_t top = (uint64_t{1} << 63) - 1;  // largest valid offset + 1 = file size limit
  const uint64_t off = (top / kBs) * kBs - 6;    // 6 bytes before the last block boundary
  auto fd = fs_.create("/huge");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, off, "straddles!!!"));
  EXPECT_EQ(fs_.fstat(*fd)->size, off + 12);
  EXPECT_EQ(*fs_.read(*fd, off - 2, 20), std::string(2, '\0') + "straddles!!!");
  size_t first = static_cast<size_t>((off / kBs) % 3), second = (first + 1) % 3;
  EXPECT_EQ(pieceBytes(first, "/huge", off, 6), "stradd");
  EXPECT_EQ(pieceBytes(second, "/huge", off + 6, 6), "les!!!");
  // Like a disk filesystem, a memory child reports data by its own 4 KiB blocks: SEEK_DATA may
  // stop up to one such block before the first byte written, never after it, and never at a
  // position wrapped or cut by the arithmetic near 2^63.
  auto data = fs_.call(LseekReq{*fd, 0, SEEK_DATA});
  ASSERT_OK(data);
  EXPECT_LE(data->offset, off);
  EXPECT_GT(data->offset + kBs, off);
  EXPECT_EQ(*fs_.read(*fd, data->offset, off - data->offset),
            std::string(off - data->offset, '\0'));
  EXPECT_EQ(fs_.call(LseekReq{*fd, off + 6, SEEK_DATA})->offset, off + 6) << "second block";
  EXPECT_EQ(fs_.call(LseekReq{*fd, off, SEEK_HOLE})->offset, off + 12);
  ASSERT_OK(fs_.flush(*fd));
  TestClient fresh(graph_.get("stripe"));
  auto st = fresh.stat("/huge");
  EXPECT_EQ(st->size, off + 12);
  EXPECT_LT(st->blocks * 512, 4 * kBs);
  // Growing past the limit fails as the storage says; nothing changes.
  EXPECT_ERRNO(fs_.write(*fd, top - 2, "xyz"), EFBIG);
  EXPECT_EQ(fresh.stat("/huge")->size, off + 12);
}

TEST_F(StripeTest, BlockSizeComesFromThePatternAndStaysWithTheFile) {
  std::string data = pattern(200 * 1024, 3);
  ASSERT_OK(fs_.writeFile("/movie.mpg", data));  // 64 KB blocks
  ASSERT_OK(fs_.writeFile("/note.txt", data));   // 4 KB blocks
  EXPECT_EQ(pieceBytes(0, "/movie.mpg", 0, 65536), data.substr(0, 65536));
  EXPECT_EQ(pieceBytes(1, "/movie.mpg", 65536, 65536), data.substr(65536, 65536));
  EXPECT_EQ(pieceBytes(1, "/note.txt", kBs, kBs), data.substr(kBs, kBs));
  // Another stripe volume configured with 512-byte blocks reads both with their own sizes.
  TestClient other(graph_.get("stripe512"));
  EXPECT_EQ(*other.readFile("/movie.mpg"), data);
  EXPECT_EQ(*other.readFile("/note.txt"), data);
  ASSERT_OK(other.writeFile("/made-by-512", data));
  EXPECT_EQ(pieceBytes(1, "/made-by-512", 512, 512), data.substr(512, 512));
  TestClient back(graph_.get("stripe"));
  EXPECT_EQ(*back.readFile("/made-by-512"), data);
}

TEST_F(StripeTest, ConcurrentWritersToDifferentBlocks) {
  auto fd = fs_.create("/shared");
  ASSERT_OK(fd);
  const int kWriters = 4, kBlocks = 64;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      TestClient c(graph_.get("stripe"), fs_.sharedTable(), CallCtx::root());
      for (int round = 0; round < 5; ++round)
        for (int b = w; b < kBlocks; b += kWriters) {
          // Writer w owns blocks w, w + 4, ...: whole blocks on every child, interleaved.
          std::string s(kBs, static_cast<char>('A' + w));
          if (!c.write(*fd, static_cast<uint64_t>(b) * kBs, s)) ++failures;
        }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK(fs_.flush(*fd));
  std::string all = *fs_.readFile("/shared");
  ASSERT_EQ(all.size(), kBlocks * kBs);
  for (int b = 0; b < kBlocks; ++b)
    EXPECT_EQ(all.substr(b * kBs, kBs), std::string(kBs, static_cast<char>('A' + b % kWriters)))
        << "block " << b;
}

// O_APPEND writers whose records straddle blocks, each passing a stale offset (as the kernel
// does from its cached size): every record lands whole at the end, none overwrites another.
TEST_F(StripeTest, AppendsFromSeveralWritersLandWholeAtTheLogicalEnd) {
  ASSERT_OK(fs_.writeFile("/spool", ""));
  const int kWriters = 4, kRecords = 60;
  const size_t kRecord = 1000;  // not a divisor of the block size: records cross blocks
  auto record = [&](int w, int seq) {
    std::string r = "W" + std::to_string(w) + " S" + std::to_string(1000 + seq) + " ";
    r.resize(kRecord - 1, static_cast<char>('a' + w));
    return r + "\n";
  };
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      TestClient c(graph_.get("stripe"), fs_.sharedTable(), CallCtx::root());
      auto fd = c.open("/spool", O_WRONLY | O_APPEND);
      if (!fd) {
        ++failures;
        return;
      }
      for (int s = 0; s < kRecords; ++s) {
        auto n = c.write(*fd, 0, record(w, s));
        if (!n || *n != kRecord) ++failures;
      }
      if (!c.flush(*fd)) ++failures;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::string all = *fs_.readFile("/spool");
  ASSERT_EQ(all.size(), kWriters * kRecords * kRecord);
  std::vector<int> next(kWriters, 0);
  for (size_t off = 0; off < all.size(); off += kRecord) {
    std::string r = all.substr(off, kRecord);
    int w = r[1] - '0';
    ASSERT_TRUE(w >= 0 && w < kWriters) << "garbage at " << off;
    ASSERT_EQ(r, record(w, next[w])) << "record at " << off;
    ++next[w];
  }
  for (size_t i = 0; i < n_; ++i) EXPECT_EQ(leaf(i).stat("/spool")->size, all.size()) << i;
}

// cp -a and tar set a file's times before closing it; growing the short pieces at close must
// not move them.
TEST_F(StripeTest, TimesSetBeforeCloseSurviveTheClose) {
  auto fd = fs_.create("/dated");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 0, pattern(kBs + 10, 7)));  // pieces 1 and 2 are short of the end
  Iatt when;
  when.atime = Timespec{1200000000, 5};
  when.mtime = Timespec{1200864007, 234567890};
  ASSERT_OK(fs_.call(FsetattrReq{*fd, when, kSetAtime | kSetMtime}));
  ASSERT_OK(fs_.flush(*fd));
  for (size_t i = 0; i < n_; ++i) EXPECT_EQ(leaf(i).stat("/dated")->size, kBs + 10) << i;
  TestClient fresh(graph_.get("stripe"));
  auto st = fresh.stat("/dated");
  ASSERT_OK(st);
  EXPECT_EQ(st->mtime, when.mtime);
  EXPECT_EQ(st->atime, when.atime);
}

// trusted.stripe.block-size is stripe's: not listed, not readable, not writable, on files and
// directories; user attributes of a directory are on every child.
TEST_F(StripeTest, ItsBlockSizeKeyIsHiddenAndProtected) {
  ASSERT_OK(fs_.writeFile("/f", "data"));
  ASSERT_OK(fs_.mkdir("/d"));
  for (std::string p : {"/f", "/d"}) {
    SCOPED_TRACE(p);
    ASSERT_OK(fs_.setxattr(p, "user.a", "1"));
    ASSERT_OK(fs_.setxattr(p, "trusted.b", "2"));
    auto names = fs_.listxattr(p);
    ASSERT_OK(names);
    std::sort(names->begin(), names->end());
    EXPECT_EQ(*names, (std::vector<std::string>{"trusted.b", "user.a"}));
    EXPECT_ERRNO(fs_.getxattr(p, kStripeBlockKey), ENODATA);
    EXPECT_ERRNO(fs_.setxattr(p, kStripeBlockKey, std::string(8, '\0')), EPERM);
    EXPECT_ERRNO(fs_.removexattr(p, kStripeBlockKey), EPERM);
    auto every = fs_.call(GetxattrReq{*fs_.loc(p), ""});
    ASSERT_OK(every);
    EXPECT_EQ(every->xattrs.count(kStripeBlockKey), 0u);
    EXPECT_EQ(every->xattrs.count("user.a"), 1u);
    for (size_t i = 0; i < n_; ++i) EXPECT_EQ(*leaf(i).getxattr(p, "user.a"), "1") << i;
    ASSERT_OK(fs_.removexattr(p, "user.a"));
    EXPECT_ERRNO(fs_.getxattr(p, "user.a"), ENODATA);
  }
  // The file still reads with its own block size.
  EXPECT_EQ(*fs_.readFile("/f"), "data");
}

TEST_F(StripeTest, PunchHoleAcrossBlocksAndShiftsRefused) {
  std::string data = pattern(4 * kBs, 4);
  ASSERT_OK(fs_.writeFile("/p", data));
  auto fd = fs_.open("/p", O_RDWR);
  ASSERT_OK(fd);
  ASSERT_OK(
      fs_.call(FallocateReq{*fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, kBs - 10, kBs + 20}));
  std::string want = data;
  want.replace(kBs - 10, kBs + 20, std::string(kBs + 20, '\0'));
  EXPECT_EQ(*fs_.read(*fd, 0, 1 << 20), want);
  EXPECT_ERRNO(fs_.call(FallocateReq{*fd, FALLOC_FL_COLLAPSE_RANGE, 0, kBs}), EOPNOTSUPP);
  EXPECT_EQ(*fs_.read(*fd, 0, 1 << 20), want);
}

TEST_F(StripeTest, ListingsNeverShowOnePiecesSize) {
  std::string data = pattern(3 * kBs, 5);
  auto fd = fs_.create("/listed");
  ASSERT_OK(fd);
  ASSERT_OK(fs_.write(*fd, 0, data));  // still open: pieces have different sizes
  auto entries = fs_.readdirAll("/", true);
  ASSERT_OK(entries);
  bool found = false;
  for (const auto& e : *entries) {
    if (e.name != "listed") continue;
    found = true;
    if (!e.stat.gfid.isNull()) {  // attributes claimed: they must be the file's
      EXPECT_EQ(e.stat.size, data.size());
      EXPECT_GE(e.stat.blocks * 512, data.size());
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(StripeTest, AWriteFailingOnOneChildReportsWhatWasWritten) {
  auto fd = fs_.create("/w");
  ASSERT_OK(fd);
  failOnce(1, "writev", EIO);
  auto n = fs_.write(*fd, 0, pattern(3 * kBs, 6));
  ASSERT_OK(n);
  EXPECT_EQ(*n, kBs) << "only block 0 precedes the failed piece";
  EXPECT_EQ(*fs_.read(*fd, 0, kBs), pattern(3 * kBs, 6).substr(0, kBs));
  failOnce(0, "writev", ENOSPC);
  EXPECT_ERRNO(fs_.write(*fd, 0, "x"), ENOSPC);
}

// A create refused by one child leaves no half-made file: nothing listed, nothing stuck, and
// the name can be created again. An unlink refused by one child can be repeated.
TEST_F(StripeTest, ACreateOrUnlinkFailingOnOneChildCanBeRepeated) {
  failOnce(2, "create", EIO);
  EXPECT_ERRNO(fs_.create("/half"), EIO);
  TestClient fresh(graph_.get("stripe"));
  EXPECT_ERRNO(fresh.lookup("/half"), ENOENT);
  EXPECT_TRUE(fresh.listDir("/")->empty()) << "a half-made file is listed";
  ASSERT_OK(fresh.writeFile("/half", "whole"));
  EXPECT_EQ(*fresh.readFile("/half"), "whole");
  failOnce(1, "unlink", EIO);
  EXPECT_ERRNO(fresh.unlink("/half"), EIO);
  ASSERT_OK(fresh.unlink("/half")) << "the second unlink must finish the job";
  for (size_t i = 0; i < 3; ++i) EXPECT_ERRNO(leaf(i).lookup("/half"), ENOENT) << i;
  failOnce(1, "mkdir", EIO);
  EXPECT_ERRNO(fresh.mkdir("/dir"), EIO);
  ASSERT_OK(fresh.mkdir("/dir"));
  EXPECT_TRUE(fresh.stat("/dir")->isDir());
}

TEST_F(StripeTest, AMissingChildStopsTheVolume) {
  ASSERT_OK(fs_.writeFile("/f", "x"));
  faults(1).notifyParents(EventType::kChildDown, "test");
  EXPECT_ERRNO(fs_.stat("/f"), ENOTCONN);
  faults(1).notifyParents(EventType::kChildUp);
  EXPECT_EQ(*fs_.readFile("/f"), "x");
}

TEST_F(StripeTest, StatfsAddsThePieces) {
  auto one = leaf(0).statfs(), all = fs_.statfs();
  ASSERT_OK(one);
  ASSERT_OK(all);
  EXPECT_EQ(all->blocks * all->frsize, 3 * one->blocks * one->frsize);
}

}  // namespace
}  // namespace gf::test
