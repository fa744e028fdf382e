// SPDX-License-Identifier: GPL-3.0-or-later
// protocol/client open files: release on close, reopen and re-lock after a reconnect.
#include "glusterfs/xlators/protocol/client/client_fd.h"

#include <fcntl.h>

#include <cstring>

#include "glusterfs/core/log.h"
#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/xlators/protocol/client/client_connection.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"

namespace gf {

ClientFdCtx::~ClientFdCtx() {
  auto s = shared.lock();
  if (!s || remoteId == 0) return;
  std::shared_ptr<ClientConnection> conn;
  {
    std::lock_guard lock(s->mutex);
    conn = s->conn;
  }
  // An fd of an older connection died with it on the server.
  if (!conn || conn->generation() != generation) return;
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(rpc::ReleaseMessage{remoteId}, w, none);
  conn->post(rpc::FrameType::kCall, rpc::kOpRelease, std::move(w.buffer()));
}

void attachClientFd(Fd& fd, const void* key, const std::shared_ptr<ClientShared>& shared,
                    uint64_t remoteId, uint64_t generation, int32_t flags, bool directory) {
  auto ctx = std::make_shared<ClientFdCtx>();
  ctx->shared = shared;
  ctx->remoteId = remoteId;
  ctx->generation = generation;
  ctx->inode = fd.inode();
  ctx->flags = flags;
  ctx->directory = directory;
  fd.ctx().set(key, ctx);
  std::lock_guard lock(shared->mutex);
  auto& files = shared->openFiles;
  // Drop entries of closed files now and then so the list stays as long as what is open.
  if (files.size() >= 64 && files.size() % 64 == 0)
    std::erase_if(files, [](const auto& w) { return w.expired(); });
  files.push_back(ctx);
}

void recordLock(Fd& fd, const void* key, const LkReq& req, uint64_t lkOwner) {
  auto ctx = fd.ctx().get<ClientFdCtx>(key);
  if (!ctx) return;
  LkReq copy = req;
  copy.fd = nullptr;
  copy.cmd = LockCmd::kSet;  // replays never wait
  std::lock_guard lock(ctx->lockMutex);
  ctx->locks.push_back({std::move(copy), lkOwner});
}

Task<void> ClientXlator::reopenFiles(std::shared_ptr<ClientConnection> conn) {
  std::vector<std::shared_ptr<ClientFdCtx>> files;
  {
    std::lock_guard lock(shared_->mutex);
    std::erase_if(shared_->openFiles, [](const auto& w) { return w.expired(); });
    for (auto& w : shared_->openFiles)
      if (auto f = w.lock()) files.push_back(std::move(f));
  }
  size_t reopened = 0, lost = 0;
  for (auto& f : files) {
    if (f->lost || f->generation == conn->generation()) continue;
    Loc loc;
    loc.inode = f->inode;
    f->inode->firstDentry(loc.parent, loc.name);
    // Reopen without the flags that would change the file a second time.
    int32_t flags = f->flags & ~(O_CREAT | O_EXCL | O_TRUNC);
    rpc::WireWriter body;
    Payload data;
    rpc::encodeMessage(rpc::CallEnvelope{}, body, data);
    FopId id = f->directory ? FopId::opendir : FopId::open;
    if (f->directory) rpc::encodeMessage(OpendirReq{loc, nullptr}, body, data);
    else rpc::encodeMessage(OpenReq{loc, flags, nullptr}, body, data);
    auto frame = co_await conn->call(rpc::FrameType::kCall, static_cast<uint16_t>(id),
                                     std::move(body.buffer()), std::move(data));
    rpc::ReplyEnvelope env;
    bool ok = false;
    if (frame) {
      rpc::WireReader r(frame->body);
      Payload none;
      rpc::Decoder d(r, none);
      ok = d.value(env) && env.error == 0;
    }
    if (!ok) {
      f->lost = true;
      ++lost;
      GF_LOG_ERROR(name(), "could not reopen %s after reconnecting: %s; its calls now fail",
                   loc.path().c_str(),
                   frame ? std::strerror(env.error) : frame.error().message().c_str());
      continue;
    }
    f->remoteId = env.fdId;
    f->generation = conn->generation();
    // Take its locks again, in the order they were granted.
    std::vector<ClientFdCtx::LockRecord> locks;
    {
      std::lock_guard lock(f->lockMutex);
      locks = f->locks;
    }
    for (const auto& rec : locks) {
      rpc::WireWriter lb;
      Payload ld;
      CallCtx c;
      c.lkOwner = rec.lkOwner;
      rpc::encodeMessage(rpc::envelopeOf(c), lb, ld);
      rpc::encodeMessage(rec.req, lb, ld, [&](const FdPtr&) -> uint64_t { return f->remoteId; });
      auto lf = co_await conn->call(rpc::FrameType::kCall, static_cast<uint16_t>(FopId::lk),
                                    std::move(lb.buffer()), std::move(ld));
      rpc::ReplyEnvelope le;
      bool lok = false;
      if (lf) {
        rpc::WireReader r(lf->body);
        Payload none;
        rpc::Decoder d(r, none);
        lok = d.value(le) && le.error == 0;
      }
      if (!lok) {
        f->lost = true;
        GF_LOG_ERROR(name(), "could not take a lock on %s again after reconnecting; the file "
                     "is no longer usable through this client", loc.path().c_str());
        break;
      }
    }
    ++(f->lost ? lost : reopened);
  }
  if (reopened || lost)
    GF_LOG_INFO(name(), "after reconnecting: %zu open files reopened, %zu lost", reopened, lost);
}

}  // namespace gf
