// SPDX-License-Identifier: GPL-3.0-or-later
// Replicate's transaction: lock, pre-op, fop on every live copy, post-op, unlock.
//
// Locks are tried on all children at once without waiting; if another client holds one, all
// are released and taken again one child at a time in child order, waiting (two clients never
// deadlock). A child that cannot be locked or pre-op'ed sits the fop out and stays accused by
// the others' counters; self-heal brings it up to date later.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "glusterfs/xlators/cluster/replicate/replicate_xlator.h"

namespace gf::afr {

struct TxnTarget {
  TxnKind kind = TxnKind::kData;
  Loc loc;               // data/metadata: the file; entry: the parent directory
  FdPtr fd;              // data/metadata through an open file (locks and changelog via it)
  std::string basename;  // entry: the name locked in `loc`
  std::optional<Loc> loc2;  // rename: the second parent directory
  std::string basename2;
  InodePtr created;  // entry: the new file (copies where the create failed lack it)
};

class Txn {
 public:
  Txn(ReplicateXlator& afr, const CallCtx& ctx, TxnTarget target);
  // Returns the children the fop runs on, or EROFS (no quorum) / ENOTCONN (no child).
  Task<Result<std::vector<bool>>> begin();
  // Records which children did the fop and releases the locks.
  Task<void> end(const std::vector<bool>& succeeded);

 private:
  Task<Status> lockOne(size_t child, bool wait);
  Task<void> unlockOne(size_t child);
  Task<Status> changelogOne(size_t child, const std::vector<int32_t>& delta);
  bool changelogEnabled() const;
  size_t lockServerCount() const;

  ReplicateXlator& afr_;
  CallCtx ctx_;
  TxnTarget t_;
  std::vector<bool> locked_;
  std::vector<bool> preopDone_;
};

// Runs `op(child)` as a transaction on every participating child. Returns the reply of the
// first child (in read order) where it worked, or, if it worked nowhere, the most telling
// error (a filesystem answer such as EEXIST before ENOTCONN).
template <class Rep>
Task<Result<Rep>> transact(ReplicateXlator& afr, const CallCtx& ctx, TxnTarget target,
                           std::function<Task<Result<Rep>>(size_t)> op);

// The error to return when every child failed.
std::error_code pickError(const std::vector<std::error_code>& errors);
bool isTransportError(int err);

}  // namespace gf::afr

#include "glusterfs/xlators/cluster/replicate/afr_txn_impl.h"
