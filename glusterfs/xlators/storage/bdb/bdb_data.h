// SPDX-License-Identifier: GPL-3.0-or-later
// The contents of a storage/bdb file as blocks in the database: reads fill holes with zeros,
// writes rewrite only the blocks they cover, truncation and hole punching delete whole
// blocks, allocation stores zeros. Each call works inside the caller's transaction and keeps
// the record's size and allocation in step; the caller stores the record.
//
// Invariant: stored bytes at or past the end of the file are zeros (allocated ahead by
// fallocate), so extending the size never uncovers old contents.
#pragma once

#include <string>

#include "glusterfs/core/payload.h"
#include "glusterfs/xlators/storage/bdb/bdb_store.h"

namespace gf {

// Largest file size storage/bdb accepts (EFBIG beyond).
inline constexpr uint64_t kBdbMaxFileSize = uint64_t{1} << 44;

class BdbData {
 public:
  BdbData(BdbStore& store, BdbTxn* txn, BdbRecord& rec) : store_(store), txn_(txn), rec_(rec) {}

  // Up to `len` bytes from `offset`, short at end of file.
  Result<std::string> read(uint64_t offset, uint64_t len);
  Status write(uint64_t offset, const Payload& data);
  // A shrink drops every byte from `size` on, allocated-ahead blocks included.
  Status truncate(uint64_t size);
  // Zeroes [offset, offset+len); `punch` also frees the blocks left all zero.
  Status zero(uint64_t offset, uint64_t len, bool punch);
  // Stores zeros in every hole of [offset, offset+len) so the blocks exist (st_blocks counts
  // them and later writes there need no new space); the size does not change.
  Status allocate(uint64_t offset, uint64_t len);
  // SEEK_DATA / SEEK_HOLE from `offset` (ENXIO at or past end of file).
  Result<uint64_t> seek(uint64_t offset, bool data);
  // Removes every block (the file's last name and last open are gone).
  Status erase();

 private:
  // Stores block `index` as `bytes` (an empty block becomes a hole); `oldSize` is what the
  // block held before, for the allocation count.
  Status store(uint64_t index, size_t oldSize, const std::string& bytes);
  Status drop(uint64_t index, size_t oldSize);
  Result<std::string> load(uint64_t index);

  BdbStore& store_;
  BdbTxn* txn_;
  BdbRecord& rec_;
};

}  // namespace gf
