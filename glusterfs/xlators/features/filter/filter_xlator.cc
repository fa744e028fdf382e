// SPDX-License-Identifier: GPL-3.0-or-later
// features/filter: refusing, squashing and translating in the fop hooks.
#include "glusterfs/xlators/features/filter/filter_xlator.h"

#include <fcntl.h>
#include <unistd.h>

#include "glusterfs/core/fop_format.h"
#include "glusterfs/core/log.h"

namespace gf {

namespace {

OptionSpec listSpec(const char* key, const char* doc) {
  OptionSpec s;
  s.key = key;
  s.kind = OptionKind::kString;
  s.doc = doc;
  return s;
}

// Whether a fop would change the volume (what a read-only volume refuses).
bool modifies(const FopCall& call) {
  if (call.info().flags & (kFopData | kFopMetadata | kFopEntry)) return true;
  switch (call.id) {
    case FopId::open: {
      int32_t flags = call.as<OpenReq>().flags;
      return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
    }
    case FopId::access:
      return (call.as<AccessReq>().mask & W_OK) != 0;
    default:
      return false;
  }
}

}  // namespace

const OptionTable<FilterXlator::Config>& FilterXlator::optionTable() {
  static const auto table =
      OptionTable<Config>()
          .boolean("complete-read-only", &Config::readOnly, false,
                   "Refuse every change to the volume with EROFS (locks still work).")
          .alias("read-only")
          .boolean("root-squashing", &Config::rootSquash, false,
                   "Requests from root act as uid/gid 65534.")
          .add(listSpec("translate-uid", "Map caller uids, e.g. 1-99=0,100=200."),
               [](Config& c, const OptionValue& v) {
                 c.translateUid = filter::IdMap::parse(v.text);
               })
          .add(listSpec("translate-gid", "Map caller gids, e.g. 1-99=0,100=200."),
               [](Config& c, const OptionValue& v) {
                 c.translateGid = filter::IdMap::parse(v.text);
               })
          .integer("fixed-uid", &Config::fixedUid, -1, -1, UINT32_MAX,
                   "Every request acts as this uid (-1: off).")
          .integer("fixed-gid", &Config::fixedGid, -1, -1, UINT32_MAX,
                   "Every request acts as this gid (-1: off).")
          .add(listSpec("filter-uid", "Refuse requests from these uids, e.g. 5,10-20."),
               [](Config& c, const OptionValue& v) {
                 c.filterUid = filter::IdRanges::parse(v.text);
               })
          .add(listSpec("filter-gid", "Refuse requests from these gids, e.g. 5,10-20."),
               [](Config& c, const OptionValue& v) {
                 c.filterGid = filter::IdRanges::parse(v.text);
               });
  return table;
}

FilterXlator::FilterXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(std::move(config)) {}

uint32_t FilterXlator::mapUid(uint32_t uid) const {
  if (config_.fixedUid >= 0) return static_cast<uint32_t>(config_.fixedUid);
  if (config_.rootSquash && uid == 0) return kNobody;
  return config_.translateUid.map(uid).value_or(uid);
}

uint32_t FilterXlator::mapGid(uint32_t gid) const {
  if (config_.fixedGid >= 0) return static_cast<uint32_t>(config_.fixedGid);
  if (config_.rootSquash && gid == 0) return kNobody;
  return config_.translateGid.map(gid).value_or(gid);
}

Task<Status> FilterXlator::before(CallCtx& ctx, const FopCall& call) {
  if (config_.filterUid.contains(ctx.uid) || config_.filterGid.contains(ctx.gid)) {
    GF_LOG_DEBUG(name(), "%s from uid %u gid %u refused", fopName(call.id), ctx.uid, ctx.gid);
    return fail(EACCES);
  }
  if (config_.readOnly && modifies(call)) return fail(EROFS);
  ctx.uid = mapUid(ctx.uid);
  ctx.gid = mapGid(ctx.gid);
  if (ctx.groups && !ctx.groups->empty()) {
    auto groups = std::make_shared<std::vector<uint32_t>>(*ctx.groups);
    for (auto& g : *groups) g = mapGid(g);
    ctx.groups = std::move(groups);
  }
  return Task<Status>::ready({});
}

void FilterXlator::after(const CallCtx&, const FopCall&, FopOutcome& outcome) {
  if (!outcome.reply) return;
  bool uids = config_.fixedUid < 0 && !config_.translateUid.empty();
  bool gids = config_.fixedGid < 0 && !config_.translateGid.empty();
  if (!uids && !gids) return;
  forEachIatt(outcome.id, outcome.reply, [&](Iatt& ia) {
    if (uids) ia.uid = config_.translateUid.unmap(ia.uid).value_or(ia.uid);
    if (gids) ia.gid = config_.translateGid.unmap(ia.gid).value_or(ia.gid);
  });
}

// The owner a chown sets is an id of the caller's world too: it is translated like the caller.
void FilterXlator::mapOwner(Iatt& attr, uint32_t valid) const {
  if (valid & kSetUid) attr.uid = config_.translateUid.map(attr.uid).value_or(attr.uid);
  if (valid & kSetGid) attr.gid = config_.translateGid.map(attr.gid).value_or(attr.gid);
}

Task<Result<AttrReply>> FilterXlator::setattr(const CallCtx& ctx, const SetattrReq& req) {
  if (!(req.valid & (kSetUid | kSetGid))) return HookXlator::setattr(ctx, req);
  return mappedSetattr(ctx, req);
}

Task<Result<AttrReply>> FilterXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) {
  if (!(req.valid & (kSetUid | kSetGid))) return HookXlator::fsetattr(ctx, req);
  return mappedFsetattr(ctx, req);
}

Task<Result<AttrReply>> FilterXlator::mappedSetattr(CallCtx ctx, SetattrReq req) {
  mapOwner(req.attr, req.valid);
  co_return co_await HookXlator::setattr(ctx, req);
}

Task<Result<AttrReply>> FilterXlator::mappedFsetattr(CallCtx ctx, FsetattrReq req) {
  mapOwner(req.attr, req.valid);
  co_return co_await HookXlator::fsetattr(ctx, req);
}

}  // namespace gf
