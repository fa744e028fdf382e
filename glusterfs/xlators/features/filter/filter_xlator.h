// SPDX-License-Identifier: GPL-3.0-or-later
// features/filter: a read-only switch and uid/gid policy for everything below it.
//
// Options (GlusterFS 2.0 names):
//   complete-read-only (alias read-only)  every modifying fop, every open for writing or with
//                       O_TRUNC, and access(W_OK) fail with EROFS; lock fops still pass.
//   root-squashing      requests from uid/gid 0 act as 65534 (nobody/nogroup).
//   translate-uid, translate-gid   "1-99=0,100=200": request ids (caller, supplementary
//                       groups, chown targets) are mapped; replies show single-id mappings
//                       undone (a file stored as 200 shows as owned by 100).
//   fixed-uid, fixed-gid           every request acts as this id (-1: off).
//   filter-uid, filter-gid         "5,10-20": requests from these callers fail with EACCES.
// Everything is decided in the hooks, so all fops are covered; setattr/fsetattr also map the
// owner they set.
#pragma once

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"
#include "glusterfs/xlators/features/filter/id_map.h"

namespace gf {

class FilterXlator : public HookXlator {
 public:
  static constexpr uint32_t kNobody = 65534;

  struct Config {
    bool readOnly = false;
    bool rootSquash = false;
    filter::IdMap translateUid;
    filter::IdMap translateGid;
    int64_t fixedUid = -1;
    int64_t fixedGid = -1;
    filter::IdRanges filterUid;
    filter::IdRanges filterGid;
  };
  static const OptionTable<Config>& optionTable();
  FilterXlator(const XlatorArgs& args, Config config);

  Task<Result<AttrReply>> setattr(const CallCtx& ctx, const SetattrReq& req) override;
  Task<Result<AttrReply>> fsetattr(const CallCtx& ctx, const FsetattrReq& req) override;

  uint32_t mapUid(uint32_t uid) const;
  uint32_t mapGid(uint32_t gid) const;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 private:
  void mapOwner(Iatt& attr, uint32_t valid) const;
  Task<Result<AttrReply>> mappedSetattr(CallCtx ctx, SetattrReq req);
  Task<Result<AttrReply>> mappedFsetattr(CallCtx ctx, FsetattrReq req);

  Config config_;
};

}  // namespace gf
