// SPDX-License-Identifier: GPL-3.0-or-later
// storage/bdb: a brick for very many small files. Directories, symlinks and special files
// stay real objects in the brick directory (handled by an embedded storage/posix); regular
// files live in Berkeley DB (bdb_store.h), one record each with attributes, extended attributes
// and contents, so a directory of 100,000 mails is a few database pages instead of 100,000
// inodes. Unlike 2.0's bdb, files have extended attributes and hard links, so the brick can
// sit under cluster/replicate.
//
// `mode persistent` (default) logs every change and survives a killed brick; `mode cache` logs
// nothing and keeps only what a checkpoint or a clean stop wrote. Contents are 4 KiB blocks:
// holes, punched holes and SEEK_DATA/SEEK_HOLE are exact to the block, and fallocate stores
// zeros so st_blocks counts the space; large files work, but storage/posix serves them faster.
// Directory, open, read and write errors follow POSIX (ENOTDIR beneath a file, EBADF on the
// wrong access mode), so the POSIX-semantics suite runs on it unchanged.
//
// Not kept: access ACLs beyond the mode bits they imply (a minimal ACL becomes the mode, an
// extended one is stored and its mask/owner/other bits applied), and fallocate's collapse and
// insert ranges (EOPNOTSUPP).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "glusterfs/core/async_event.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/sync_leaf.h"
#include "glusterfs/xlators/storage/bdb/bdb_store.h"

namespace gf {

class PosixXlator;

// Holders of database files: a file whose last name goes while an fd or an inode of the
// client still holds it keeps its record (nlink 0) until the last holder goes, as on any
// POSIX filesystem (storage/posix gets the same from the handle it keeps per inode). Shared
// with the contexts, which may outlive the translator.
struct BdbHolders {
  std::mutex mutex;  // also held across unlinks so a release cannot slip between check and drop
  std::map<Gfid, int> counts;
  std::set<Gfid> unlinked;                // held files whose last name is gone
  std::function<void(const Gfid&)> reap;  // cleared when the translator goes
};

class BdbPin {
 public:
  BdbPin(const Gfid& g, std::shared_ptr<BdbHolders> h);
  ~BdbPin();
  BdbPin(const BdbPin&) = delete;
  BdbPin& operator=(const BdbPin&) = delete;
  const Gfid& gfid() const { return gfid_; }

 private:
  Gfid gfid_;
  std::shared_ptr<BdbHolders> holders_;
};

// What storage/bdb knows of an inode: a database file (pinned), or a real object on disk.
struct BdbInodeCtx {
  std::optional<BdbPin> pin;
};

struct BdbFdCtx {
  BdbPin pin;
  BdbFdCtx(const Gfid& g, std::shared_ptr<BdbHolders> h) : pin(g, std::move(h)) {}
};

class BdbXlator : public Xlator {
 public:
  struct Config {
    std::string directory;
    std::string mode = "persistent";
    std::chrono::milliseconds checkpointInterval{std::chrono::seconds(30)};
  };
  static const OptionTable<Config>& optionTable();
  BdbXlator(const XlatorArgs& args, Config config);
  ~BdbXlator() override;

  Status init() override;
  void start() override;
  void stop() override;

  GF_SYNC_LEAF_FOPS

 private:
  // The database file behind `loc`, if it is one (by inode context or gfid, else by name).
  std::optional<Gfid> dbFile(const Loc& loc);
  std::optional<Gfid> dbFile(const FdPtr& fd);
  // ENOTDIR when the parent of `loc` is a database file (the disk brick does not know it).
  Status parentIsDir(const Loc& loc);
  void remember(const InodePtr& inode, std::optional<Gfid> dbGfid);
  void attachFd(const FdPtr& fd, const Gfid& gfid);
  // Removes a file's blocks and record if nothing names or holds it any more.
  void reapIfOrphan(const Gfid& gfid);
  void sweepOrphans();
  // Directory attributes through the embedded posix brick.
  Result<Iatt> dirStat(const InodePtr& dir);
  void touchDir(const InodePtr& dir);
  // `write`: the body changes the database (in cache mode, readers run beside the writer).
  template <class Fn>
  auto withTxn(Fn fn, bool write = true) -> decltype(fn(std::declval<BdbTxn*>()));
  Result<EntryReply> createFile(const CallCtx& c, const Loc& loc, uint32_t mode, uint32_t umask,
                                const Gfid& wanted, bool exclusive);
  Result<AttrReply> renameDiskObject(const CallCtx& c, const RenameReq& r);
  Result<AttrReply> exchange(const CallCtx& c, const RenameReq& r);
  Result<Empty> dropName(BdbTxn* t, const Gfid& parent, const std::string& name, const Gfid& file);
  // Reads, changes and stores one record (and its blocks) in one transaction.
  Result<Iatt> updateFile(const Gfid& gfid,
                          const std::function<Status(BdbTxn*, BdbRecord&)>& change);
  Result<BdbRecord> record(const Gfid& gfid);
  template <class Req>
  Result<ReaddirReply> listing(const Req& r, bool plus);
  bool hidden(const Loc& loc) const;

  Config config_;
  std::unique_ptr<PosixXlator> posix_;
  BdbStore store_;
  std::thread checkpointer_;
  std::atomic<bool> stopping_{false};
  std::shared_ptr<BdbHolders> holders_ = std::make_shared<BdbHolders>();
};

// Retries a transaction the database chose as a deadlock victim.
template <class Fn>
auto BdbXlator::withTxn(Fn fn, bool write) -> decltype(fn(std::declval<BdbTxn*>())) {
  for (int attempt = 0;; ++attempt) {
    auto t = store_.begin(write);
    if (!t) return fail(t.error());
    auto r = fn(t->get());
    if (r) {
      if (Status c = (*t)->commit(); !c) r = fail(c.error());
    }
    if (r || r.errnum() != EDEADLK || attempt == 100) return r;
    // The victim backs off a little longer each time so the winner can finish.
    std::this_thread::sleep_for(std::chrono::microseconds(50 * (attempt + 1)));
  }
}

}  // namespace gf
