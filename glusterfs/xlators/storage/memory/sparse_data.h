// SPDX-License-Identifier: GPL-3.0-or-later
// SparseData: the contents of an in-memory regular file, kept as a map of 4 KiB blocks.
//
// A missing block is a hole (reads as zeros, not counted in st_blocks, skipped by SEEK_DATA).
// A present block stores its bytes up to the last one written; the rest of the block reads as
// zeros. Bytes at or past the file size are always zero, so growing the file shows zeros.
// Not thread-safe: the owner serialises access.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "glusterfs/core/payload.h"
#include "glusterfs/core/result.h"

namespace gf {

class SparseData {
 public:
  static constexpr uint64_t kBlockSize = 4096;
  // Largest file size (as Linux's MAX_LFS_FILESIZE on 64-bit).
  static constexpr uint64_t kMaxSize = static_cast<uint64_t>(INT64_MAX);

  uint64_t size() const { return size_; }
  uint64_t blockCount() const { return blocks_.size(); }

  // Copies [off, off+len) into `out`; the range must lie within the file.
  void read(uint64_t off, uint64_t len, char* out) const;
  // How many blocks writing or allocating [off, off+len) would add.
  uint64_t newBlocks(uint64_t off, uint64_t len) const;
  // The longest prefix of [off, off+len) that adds at most `budget` blocks.
  uint64_t fitWithin(uint64_t off, uint64_t len, uint64_t budget) const;

  void write(uint64_t off, const Payload& data);
  void truncate(uint64_t newSize);
  // fallocate modes: allocate zeroed blocks (size grows unless keepSize), punch a hole, zero a
  // range (allocated, as ext4 does), remove or insert whole blocks.
  void allocate(uint64_t off, uint64_t len, bool keepSize);
  void punchHole(uint64_t off, uint64_t len);
  void zeroRange(uint64_t off, uint64_t len, bool keepSize);
  Status collapseRange(uint64_t off, uint64_t len);
  Status insertRange(uint64_t off, uint64_t len);

  // SEEK_DATA / SEEK_HOLE: ENXIO at or past end of file or when no data follows `off`.
  Result<uint64_t> seekData(uint64_t off) const;
  Result<uint64_t> seekHole(uint64_t off) const;

 private:
  void zeroBytes(uint64_t off, uint64_t len);
  std::map<uint64_t, std::string> blocks_;  // block index -> leading bytes of that block
  uint64_t size_ = 0;
};

}  // namespace gf
