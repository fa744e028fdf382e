// SPDX-License-Identifier: GPL-3.0-or-later
// From decoded request to handler: malformed and out-of-order requests are answered here, the
// rest go through the opcode table to exactly one handler.
#include <cerrno>

#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/handlers.h"

namespace lfp::detail {
namespace {

bool expectsReply(uint32_t opcode) {
  return opcode != FUSE_FORGET && opcode != FUSE_BATCH_FORGET && opcode != FUSE_INTERRUPT &&
         opcode != FUSE_NOTIFY_REPLY;
}

// The size a request is counted with in the statistics (see SizeHistogram).
uint64_t statSize(const Decoded& d) {
  switch (d.h.opcode) {
    case FUSE_READ:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
      return d.as<fuse_read_in>().size;
    case FUSE_WRITE:
      return d.payloadSize;
    default:
      return d.h.len;
  }
}

void reject(Session::Impl& s, ReplySink& sink, const Decoded& d, const char* why) {
  s.malformed.fetch_add(1, std::memory_order_relaxed);
  log(kLogWarning, "malformed request (%s): opcode %u unique %llu len %u", why, d.h.opcode,
      static_cast<unsigned long long>(d.h.unique), d.h.len);
  if (d.h.unique != 0 && expectsReply(d.h.opcode)) sink.send(d.h.unique, -EIO, nullptr, 0);
}

}  // namespace

void InflightTable::add(uint64_t unique) {
  Shard& sh = shard(unique);
  std::lock_guard<std::mutex> g(sh.mu);
  sh.map.emplace(unique, false);
}

void InflightTable::remove(uint64_t unique) {
  Shard& sh = shard(unique);
  std::lock_guard<std::mutex> g(sh.mu);
  sh.map.erase(unique);
}

bool InflightTable::interrupt(uint64_t unique) {
  Shard& sh = shard(unique);
  std::lock_guard<std::mutex> g(sh.mu);
  auto it = sh.map.find(unique);
  if (it == sh.map.end()) return false;
  it->second = true;
  return true;
}

bool InflightTable::interrupted(uint64_t unique) const {
  Shard& sh = shard(unique);
  std::lock_guard<std::mutex> g(sh.mu);
  auto it = sh.map.find(unique);
  return it != sh.map.end() && it->second;
}

size_t InflightTable::size() const {
  size_t n = 0;
  for (const Shard& sh : shards_) {
    std::lock_guard<std::mutex> g(sh.mu);
    n += sh.map.size();
  }
  return n;
}

Operations& Dispatch::ops() { return session.ops; }

Request Dispatch::request(const Decoded& in) {
  auto st = std::make_unique<RequestState>();
  st->session = &session;
  st->sink = &sink;
  st->unique = in.h.unique;
  st->opcode = in.h.opcode;
  st->ctx.uid = in.h.uid;
  st->ctx.gid = in.h.gid;
  st->ctx.pid = in.h.pid;
  switch (in.h.opcode) {
    case FUSE_MKNOD:
      st->ctx.umask = in.as<fuse_mknod_in>().umask;
      break;
    case FUSE_MKDIR:
      st->ctx.umask = in.as<fuse_mkdir_in>().umask;
      break;
    case FUSE_CREATE:
    case FUSE_TMPFILE:
      st->ctx.umask = in.as<fuse_create_in>().umask;
      break;
    default:
      break;
  }
  return Request(std::move(st));
}

void processDecoded(Session::Impl& s, ReplySink& sink, DecodeStatus st, const Decoded& d,
                    std::shared_ptr<const void> owner) {
  if (st == DecodeStatus::kUnknownOpcode) {
    if (s.opts.debug) log(kLogDebug, "unknown opcode %u: ENOSYS", d.h.opcode);
    if (d.h.unique != 0) sink.send(d.h.unique, -ENOSYS, nullptr, 0);
    return;
  }
  if (st != DecodeStatus::kOk) return reject(s, sink, d, decodeStatusName(st));
  bool init = d.h.opcode == FUSE_INIT;
  if (init == s.initialized.load(std::memory_order_acquire))
    return reject(s, sink, d, init ? "second INIT" : "request before INIT");
  s.countRequest(d.h.opcode, statSize(d));
  if (s.opts.debug)
    log(kLogDebug, "<- %s unique %llu nodeid %llu len %u", opcodeName(d.h.opcode),
        static_cast<unsigned long long>(d.h.unique), static_cast<unsigned long long>(d.h.nodeid),
        d.h.len);
  if (!d.spec->noReply) s.inflight.add(d.h.unique);
  Dispatch disp{s, sink, std::move(owner)};
  d.spec->handler(disp, d);
}

void processBuffer(Session::Impl& s, ReplySink& sink, const char* buf, size_t len,
                   std::shared_ptr<const void> owner) {
  Decoded d;
  DecodeStatus st = decodeBuffer(s.dctx, buf, len, d);
  processDecoded(s, sink, st, d, std::move(owner));
}

}  // namespace lfp::detail
