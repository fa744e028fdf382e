// SPDX-License-Identifier: GPL-3.0-or-later
// BdbStore: regular files of storage/bdb kept in Berkeley DB.
//
// Three B-tree databases in one environment (in the brick's .bdb directory): `entries` maps
// (parent directory gfid, name) to a file's gfid, `files` maps a gfid to the file's record
// (attributes, extended attributes), so hard links are two entries of one record, and
// `blocks` maps (gfid, block number) to up to kBdbBlockSize bytes of contents; a missing block
// is a hole, so sparse files stay sparse and a write touches only the blocks it covers.
// In persistent mode every change is a transaction (write-ahead logged, recovered after a
// crash, checkpointed periodically); in cache mode nothing is logged and only a clean stop or
// a checkpoint writes data out, and a "transaction" is the store's writer mutex, so
// read-modify-write of one record stays whole without the database's isolation.
#pragma once

#include <db.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "glusterfs/core/result.h"
#include "glusterfs/core/types.h"

namespace gf {

// The page size of the filesystems below: holes, punches and allocation are exact to it, as
// on ext4, and a small file is still one short block.
inline constexpr uint64_t kBdbBlockSize = 4096;

struct BdbRecord {
  Iatt attr;  // gfid, mode (S_IFREG), owner, nlink, size, times; blocks from `allocated`
  Dict xattrs;
  uint64_t allocated = 0;  // bytes held in the blocks database
};

class BdbTxn;

class BdbStore {
 public:
  BdbStore() = default;
  ~BdbStore();
  BdbStore(const BdbStore&) = delete;
  BdbStore& operator=(const BdbStore&) = delete;

  // Opens (creating, recovering) the environment in `home`. `persistent`: transactional.
  Status open(const std::string& home, bool persistent, std::string* why);
  void close();
  Status checkpoint();
  Status flushLog();  // durable up to now (fsync)
  bool persistent() const { return persistent_; }

  // One transaction around several reads and writes; in cache mode the writer mutex for a
  // `write` one, else nothing.
  Result<std::unique_ptr<BdbTxn>> begin(bool write = true);

  Result<Gfid> entry(BdbTxn* t, const Gfid& parent, std::string_view name);
  Status putEntry(BdbTxn* t, const Gfid& parent, std::string_view name, const Gfid& file);
  Status delEntry(BdbTxn* t, const Gfid& parent, std::string_view name);
  // Names of the files in directory `parent`, in key order, starting after `after`.
  Result<std::vector<std::pair<std::string, Gfid>>> list(BdbTxn* t, const Gfid& parent,
                                                         const std::string& after, size_t max);

  // `forUpdate`: write-locks the record now, so two read-modify-writes of one file queue
  // instead of deadlocking on upgrading their read locks.
  Result<BdbRecord> file(BdbTxn* t, const Gfid& gfid, bool forUpdate = false);
  Status putFile(BdbTxn* t, const BdbRecord& rec);
  Status delFile(BdbTxn* t, const Gfid& gfid);
  // Every file record, for the start-up sweep of files unlinked while open.
  Result<std::vector<BdbRecord>> allFiles();

  // Block `index` of a file: its stored bytes (possibly fewer than kBdbBlockSize), or ENOENT.
  Result<std::string> block(BdbTxn* t, const Gfid& gfid, uint64_t index);
  Status putBlock(BdbTxn* t, const Gfid& gfid, uint64_t index, std::string_view bytes);
  Status delBlock(BdbTxn* t, const Gfid& gfid, uint64_t index);
  // Calls fn(index, bytes) for the stored blocks with first <= index <= last, in order.
  Status forEachBlock(BdbTxn* t, const Gfid& gfid, uint64_t first, uint64_t last,
                      const std::function<Status(uint64_t, std::string_view)>& fn);

 private:
  friend class BdbTxn;
  DB_ENV* env_ = nullptr;
  DB* entries_ = nullptr;
  DB* files_ = nullptr;
  DB* blocks_ = nullptr;
  bool persistent_ = false;
  std::mutex writer_;  // cache mode: held by the one open transaction
};

class BdbTxn {
 public:
  explicit BdbTxn(DB_TXN* t, std::unique_lock<std::mutex> writer = {})
      : txn_(t), writer_(std::move(writer)) {}
  ~BdbTxn();  // aborts unless committed
  Status commit();
  DB_TXN* raw() const { return txn_; }

 private:
  DB_TXN* txn_;
  std::unique_lock<std::mutex> writer_;
  bool done_ = false;
};

std::string encodeRecord(const BdbRecord& r);
std::optional<BdbRecord> decodeRecord(std::string_view raw);

}  // namespace gf
