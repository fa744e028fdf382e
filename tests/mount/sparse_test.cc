// SPDX-License-Identifier: GPL-3.0-or-later
// Sparse files: SEEK_DATA/SEEK_HOLE consistency, real holes, and fallocate modes that either
// take effect or fail with EOPNOTSUPP.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/mount/mount_fixture.h"

namespace mt {
namespace {

constexpr off_t kK = 1024, kM = 1024 * 1024;

struct Segment {
  off_t start, end;  // [start, end)
};

class SparseTest : public MountTest {
 protected:
  // Data at [0,64K) and [1M,1M+64K), holes elsewhere, size 4M.
  void SetUp() override {
    MountTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fd_ = Fd(open(path("sparse").c_str(), O_RDWR | O_CREAT, 0644));
    ASSERT_TRUE(fd_.ok());
    ASSERT_EQ(pwriteAll(fd_.get(), patternBytes(64 * kK, 1), 0), "");
    ASSERT_EQ(pwriteAll(fd_.get(), patternBytes(64 * kK, 2), kM), "");
    ASSERT_EQ(ftruncate(fd_.get(), 4 * kM), 0) << sysFail("ftruncate");
    ASSERT_EQ(fsync(fd_.get()), 0) << sysFail("fsync");
  }
  void TearDown() override {
    fd_.reset();  // before the directory is removed
    MountTest::TearDown();
  }

  // Walks the file with SEEK_DATA/SEEK_HOLE, checking each answer, and returns the data
  // segments; failures are reported through gtest.
  std::vector<Segment> walk(off_t size) {
    std::vector<Segment> data;
    off_t off = 0;
    while (off < size) {
      off_t d = lseek(fd_.get(), off, SEEK_DATA);
      if (d < 0) {
        EXPECT_EQ(errno, ENXIO) << sysFail("SEEK_DATA from " + std::to_string(off));
        expectZeros(off, size);
        break;
      }
      EXPECT_GE(d, off) << "SEEK_DATA went backwards";
      EXPECT_LT(d, size) << "SEEK_DATA past the end instead of ENXIO";
      expectZeros(off, d);
      off_t h = lseek(fd_.get(), d, SEEK_HOLE);
      EXPECT_GT(h, d) << sysFail("SEEK_HOLE from data at " + std::to_string(d));
      EXPECT_LE(h, size) << "SEEK_HOLE beyond the end";
      if (h <= d || h > size || d < off) break;
      data.push_back({d, h});
      off = h;
    }
    for (off_t at : {size, size + 1, size + kM}) {
      errno = 0;
      EXPECT_EQ(lseek(fd_.get(), at, SEEK_DATA), -1) << "SEEK_DATA at " << at;
      EXPECT_EQ(errno, ENXIO);
      errno = 0;
      EXPECT_EQ(lseek(fd_.get(), at, SEEK_HOLE), -1) << "SEEK_HOLE at " << at;
      EXPECT_EQ(errno, ENXIO);
    }
    return data;
  }

  void expectZeros(off_t from, off_t to) {
    if (to <= from) return;
    std::string got;
    ASSERT_EQ(preadExact(fd_.get(), static_cast<size_t>(to - from), from, &got), "");
    EXPECT_EQ(got.find_first_not_of('\0'), std::string::npos)
        << "reported hole [" << from << "," << to << ") holds data at +"
        << got.find_first_not_of('\0');
  }

  static bool covered(const std::vector<Segment>& segs, off_t start, off_t end) {
    for (const auto& s : segs) {
      if (s.start <= start && end <= s.end) return true;
    }
    return false;
  }

  Fd fd_;
};

TEST_F(SparseTest, SeekDataAndSeekHoleAreConsistent) {
  // Either real holes or the documented fallback (the whole file is one data segment); in both
  // cases every written byte lies in a data segment and every reported hole reads as zeros.
  std::vector<Segment> segs = walk(4 * kM);
  EXPECT_TRUE(covered(segs, 0, 64 * kK)) << "data at [0,64K) not in a data segment";
  EXPECT_TRUE(covered(segs, kM, kM + 64 * kK)) << "data at [1M,1M+64K) not in a data segment";
  if (segs.size() == 1 && segs[0].start == 0 && segs[0].end == 4 * kM) {
    // Fallback: SEEK_DATA returns the offset itself and SEEK_HOLE the size, everywhere.
    for (off_t at : {off_t{0}, 100 * kK, 2 * kM, 4 * kM - 1}) {
      EXPECT_EQ(lseek(fd_.get(), at, SEEK_DATA), at);
      EXPECT_EQ(lseek(fd_.get(), at, SEEK_HOLE), 4 * kM);
    }
  }
}

TEST_F(SparseTest, SeekHoleFindsHoles) {
  off_t h = lseek(fd_.get(), 0, SEEK_HOLE);
  std::string why;
  if (h == 4 * kM) why = "SEEK_HOLE reports no hole in a file with 3.9 MiB of holes";
  MT_REQUIRE_CAPABILITY("seek_hole", why.empty(), why);
  std::vector<Segment> segs = walk(4 * kM);
  EXPECT_GE(h, 64 * kK);
  EXPECT_LE(h, kM) << "the first hole must start before the second extent";
  off_t d = lseek(fd_.get(), 200 * kK, SEEK_DATA);
  EXPECT_GT(d, 200 * kK) << "SEEK_DATA from inside the first hole";
  EXPECT_LE(d, kM);
  errno = 0;
  EXPECT_EQ(lseek(fd_.get(), 2 * kM, SEEK_DATA), -1) << "the tail is one hole";
  EXPECT_EQ(errno, ENXIO);
  EXPECT_EQ(lseek(fd_.get(), 2 * kM, SEEK_HOLE), 2 * kM);
  // A file that is all hole has no data at all.
  Fd empty(open(path("all-hole").c_str(), O_RDWR | O_CREAT, 0644));
  ASSERT_EQ(ftruncate(empty.get(), kM), 0) << sysFail("ftruncate");
  errno = 0;
  EXPECT_EQ(lseek(empty.get(), 0, SEEK_DATA), -1);
  EXPECT_EQ(errno, ENXIO);
  EXPECT_EQ(lseek(empty.get(), 0, SEEK_HOLE), 0) << sysFail("lseek");
}

// Either fallocate fails with EOPNOTSUPP and changed nothing, or it did what it says.
TEST_F(SparseTest, FallocateModesTakeEffectOrFail) {
  std::string original;
  ASSERT_EQ(preadExact(fd_.get(), 64 * kK, 0, &original), "");
  auto fail_ok = [](int rc) { return rc != 0 && errno == EOPNOTSUPP; };
  auto content = [&](off_t off, size_t len) {
    std::string got;
    EXPECT_EQ(preadExact(fd_.get(), len, off, &got), "");
    return got;
  };
  struct stat st;

  int rc = fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4 * kK, 8 * kK);
  ASSERT_TRUE(rc == 0 || fail_ok(rc)) << sysFail("punch hole");
  std::string expect = original;
  if (rc == 0) std::fill(expect.begin() + 4 * kK, expect.begin() + 12 * kK, '\0');
  EXPECT_EQ(firstDifference(expect, content(0, 64 * kK)), "")
      << (rc == 0 ? "punch hole succeeded" : "punch hole failed") << " but the data says otherwise";
  ASSERT_EQ(fstat(fd_.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_size, 4 * kM) << "KEEP_SIZE";

  rc = fallocate(fd_.get(), FALLOC_FL_ZERO_RANGE, 20 * kK, 4 * kK);
  ASSERT_TRUE(rc == 0 || fail_ok(rc)) << sysFail("zero range");
  if (rc == 0) std::fill(expect.begin() + 20 * kK, expect.begin() + 24 * kK, '\0');
  EXPECT_EQ(firstDifference(expect, content(0, 64 * kK)), "") << "after zero range";

  rc = fallocate(fd_.get(), FALLOC_FL_KEEP_SIZE, 4 * kM, kM);
  ASSERT_TRUE(rc == 0 || fail_ok(rc)) << sysFail("preallocate past EOF with KEEP_SIZE");
  ASSERT_EQ(fstat(fd_.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_size, 4 * kM) << "KEEP_SIZE must not grow the file";

  rc = fallocate(fd_.get(), 0, 4 * kM, kM);
  ASSERT_TRUE(rc == 0 || fail_ok(rc)) << sysFail("fallocate mode 0 past EOF");
  ASSERT_EQ(fstat(fd_.get(), &st), 0) << sysFail("fstat");
  EXPECT_EQ(st.st_size, rc == 0 ? 5 * kM : 4 * kM);
  if (rc == 0) {
    EXPECT_EQ(content(4 * kM, 4096), std::string(4096, '\0'));
    EXPECT_GE(st.st_blocks * 512, kM) << "mode 0 allocates the range";
  }
  EXPECT_EQ(firstDifference(patternBytes(64 * kK, 2), content(kM, 64 * kK)), "")
      << "the second extent must be untouched";
}

}  // namespace
}  // namespace mt
