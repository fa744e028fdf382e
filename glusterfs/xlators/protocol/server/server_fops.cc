// SPDX-License-Identifier: GPL-3.0-or-later
// Serving one fop call: decode the request, resolve its locations, call the exported volume,
// keep the export's inode table and the connection's fds in step, encode the reply.
#include <algorithm>
#include <type_traits>

#include "glusterfs/core/log.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/xlators/protocol/server/server_connection.h"
#include "glusterfs/xlators/protocol/server/server_resolver.h"

namespace gf {
namespace {

template <class Req>
constexpr bool kCreatesEntry = std::is_same_v<Req, LookupReq> || std::is_same_v<Req, MknodReq> ||
                               std::is_same_v<Req, MkdirReq> || std::is_same_v<Req, SymlinkReq> ||
                               std::is_same_v<Req, CreateReq>;
template <class Req>
constexpr bool kRemovesEntry =
    std::is_same_v<Req, UnlinkReq> || std::is_same_v<Req, RmdirReq> || std::is_same_v<Req, RenameReq>;
template <class Req>
constexpr bool kOpensFd = std::is_same_v<Req, OpenReq> || std::is_same_v<Req, CreateReq> ||
                          std::is_same_v<Req, OpendirReq>;

// Whether the i-th location of a request must name an existing file.
template <class Req>
ResolveNeeds needsFor(size_t index) {
  if constexpr (kCreatesEntry<Req> || kRemovesEntry<Req>) return {false};
  if constexpr (std::is_same_v<Req, LinkReq>) return {index == 0};
  return {true};
}

// Keeps the export's name cache in step with what the fop did.
template <class Req, class Rep>
void updateTable(InodeTable& table, const Req& req, const Rep& rep) {
  if constexpr (kCreatesEntry<Req>) {
    if (req.loc.parent) table.link(req.loc.inode, req.loc.parent, req.loc.name, rep.stat);
    else if (req.loc.inode && !req.loc.inode->isRoot()) table.link(req.loc.inode, nullptr, {}, rep.stat);
  } else if constexpr (std::is_same_v<Req, LinkReq>) {
    table.link(req.oldLoc.inode, req.newLoc.parent, req.newLoc.name, rep.stat);
  } else if constexpr (std::is_same_v<Req, UnlinkReq> || std::is_same_v<Req, RmdirReq>) {
    table.unlink(*req.loc.parent, req.loc.name);
  } else if constexpr (std::is_same_v<Req, RenameReq>) {
    table.rename(*req.oldLoc.parent, req.oldLoc.name, req.newLoc.parent, req.newLoc.name);
  }
}

template <class Req>
Task<void> serve(std::shared_ptr<ServerConnection> conn, rpc::Frame frame) {
  const rpc::FrameHeader& h = frame.header;
  rpc::WireReader r(frame.body);
  std::string why;
  rpc::CallEnvelope env;
  Payload none;
  {
    rpc::Decoder d(r, none);
    if (!d.value(env)) {
      conn->protocolError(std::string(fopName(FopOf<Req>::id)) + ": " + d.error());
      co_return;
    }
  }
  Req req;
  std::vector<rpc::WireLoc> locs;
  FdTable& fds = conn->fds();
  rpc::Decoder d(r, frame.data, [&fds](uint64_t id) { return fds.get(id); }, &locs);
  if (!d.value(req) || !d.finish()) {
    conn->protocolError(std::string(fopName(FopOf<Req>::id)) + ": " + d.error());
    co_return;
  }
  if (d.badFd() && !kOpensFd<Req>) {
    conn->replyError(h, EBADF);
    co_return;
  }
  // Answers must fit in one frame: a read past rpc::kMaxData is refused before the brick
  // allocates for it, and a directory page is cut to what a reply body can carry.
  if constexpr (std::is_same_v<Req, ReadvReq> || std::is_same_v<Req, RchecksumReq>) {
    uint64_t size;
    if constexpr (std::is_same_v<Req, ReadvReq>) size = req.size;
    else size = req.len;
    if (size > rpc::kMaxData) {
      conn->replyError(h, EINVAL);
      co_return;
    }
  }
  // An entry costs at least 32 budget bytes (dirEntryCost) and at most 3.9 times that on the
  // wire (a 104-byte Iatt), so a quarter of the body limit always fits.
  if constexpr (std::is_same_v<Req, ReaddirReq> || std::is_same_v<Req, ReaddirpReq>)
    req.size = std::min<uint64_t>(req.size, rpc::kMaxBody / 4);
  CallCtx ctx;
  ctx.uid = env.uid;
  ctx.gid = env.gid;
  ctx.pid = env.pid;
  ctx.lkOwner = env.lkOwner;
  ctx.clientId = conn->clientId();
  if (!env.groups.empty())
    ctx.groups = std::make_shared<const std::vector<uint32_t>>(std::move(env.groups));

  auto& ex = conn->exported();
  size_t index = 0;
  Status resolved;
  std::vector<Loc*> targets;
  rpc::forEachLoc(req, [&](Loc& l) { targets.push_back(&l); });
  for (Loc* target : targets) {
    auto loc = co_await resolveWireLoc(*ex.top, *ex.inodes, ctx, locs.at(index), needsFor<Req>(index));
    ++index;
    if (!loc) {
      resolved = fail(loc.error());
      break;
    }
    *target = std::move(*loc);
  }
  if (!resolved) {
    if (resolved.errnum() == EINVAL) {  // a name or path no client of ours sends: say who did
      const rpc::WireLoc& bad = locs.at(index - 1);
      GF_LOG_WARNING(conn->server().name(),
                     "%s: invalid location from %s refused (name '%s', path '%s')",
                     fopName(FopOf<Req>::id), conn->peer().c_str(), printable(bad.name).c_str(),
                     printable(bad.path).c_str());
    }
    conn->replyError(h, resolved.errnum());
    co_return;
  }
  // The server makes its own fd for the opening fops; the client learns its number.
  if constexpr (kOpensFd<Req>) {
    int32_t flags = 0;
    if constexpr (!std::is_same_v<Req, OpendirReq>) flags = req.flags;
    req.fd = makeFd(req.loc.inode, flags, ctx.pid);
  }

  auto res = co_await callFop<Req>(*ex.top, ctx, req);
  if (!res) {
    conn->replyError(h, res.errnum());
    co_return;
  }
  rpc::ReplyEnvelope out;
  updateTable(*ex.inodes, req, *res);
  if constexpr (kOpensFd<Req>) {
    if constexpr (std::is_same_v<Req, CreateReq>)
      if (auto linked = ex.inodes->find(res->stat.gfid); linked && linked != req.fd->inode())
        req.fd->rebind(linked);
    out.fdId = fds.add(req.fd);
  }
  rpc::WireWriter body;
  Payload data;
  rpc::encodeMessage(*res, body, data);
  conn->reply(h, out, std::move(body.buffer()), std::move(data));
}

}  // namespace

void serveCall(std::shared_ptr<ServerConnection> conn, rpc::Frame frame) {
  switch (static_cast<FopId>(frame.header.opcode)) {
#define GF_SERVE_(name, Req, Rep, flags)                              \
  case FopId::name:                                                   \
    spawn(serve<Req>(std::move(conn), std::move(frame)), "server-" #name); \
    return;
    GF_FOP_LIST(GF_SERVE_)
#undef GF_SERVE_
  }
  conn->protocolError("unknown opcode " + std::to_string(frame.header.opcode));
}

}  // namespace gf
