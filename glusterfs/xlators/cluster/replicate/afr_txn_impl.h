// SPDX-License-Identifier: GPL-3.0-or-later
// transact(): the template part of replicate's transaction (included by afr_txn.h).
#pragma once

#include "glusterfs/core/log.h"

namespace gf::afr {

template <class Rep>
Task<Result<Rep>> transact(ReplicateXlator& afr, const CallCtx& ctx, TxnTarget target,
                           std::function<Task<Result<Rep>>(size_t)> op) {
  const size_t n = afr.childCount();
  std::vector<InodePtr> touched{target.loc.inode, target.created};
  if (target.loc2) touched.push_back(target.loc2->inode);
  Txn txn(afr, ctx, std::move(target));
  auto participants = co_await txn.begin();
  if (!participants) co_return fail(participants.error());
  std::vector<Task<Result<Rep>>> calls;
  std::vector<size_t> who;
  for (size_t i = 0; i < n; ++i)
    if ((*participants)[i]) {
      calls.push_back(op(i));
      who.push_back(i);
    }
  auto results = co_await whenAll(std::move(calls));
  std::vector<bool> ok(n, false);
  std::vector<std::error_code> errors;
  for (size_t k = 0; k < who.size(); ++k) {
    ok[who[k]] = results[k].ok();
    if (!results[k].ok()) errors.push_back(results[k].error());
  }
  size_t successes = 0;
  for (bool b : ok) successes += b;
  // Refused alike everywhere (EEXIST, ENOTEMPTY, ...): nothing changed on any copy, so no
  // copy is behind; clear the pre-op as if all had succeeded.
  bool refusedAlike = successes == 0 && !errors.empty() && !isTransportError(errors[0].value());
  for (const auto& e : errors) refusedAlike = refusedAlike && e == errors[0];
  co_await txn.end(refusedAlike ? *participants : ok);
  if (successes == 0) co_return fail(pickError(errors));
  for (const auto& inode : touched) afr.markBehind(inode, ok);
  // Acknowledged only when the quorum has it; the copies that took it stay the sources.
  if (successes < afr.quorumCount()) {
    GF_LOG_WARNING(afr.name(), "a change reached %zu of %zu copies, quorum is %zu: reported as "
                   "failed", successes, n, afr.quorumCount());
    co_return fail(pickError(errors));
  }
  for (size_t k = 0; k < who.size(); ++k)
    if (results[k].ok()) co_return std::move(results[k]);
  co_return fail(EIO);
}

}  // namespace gf::afr
