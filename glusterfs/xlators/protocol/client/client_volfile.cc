// SPDX-License-Identifier: GPL-3.0-or-later
// Fetching a client volfile from a server (glusterfs -s HOST), before any graph exists.
#include "glusterfs/core/executor.h"
#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/frame_channel.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/transport.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"

namespace gf {
namespace {

Task<Result<std::string>> fetch(EventLoop& loop, VolfileSource src, std::string* why) {
  co_await loop.schedule();
  rpc::TransportConfig tc;
  tc.type = src.transport;
  if (tc.type == "unix") tc.path = src.host;
  else tc.host = src.host;
  tc.port = src.port;
  auto stream = co_await rpc::connectStream(loop, tc, why);
  if (!stream) co_return fail(stream.error());
  auto ch = std::make_shared<rpc::FrameChannel>(std::move(*stream));
  rpc::WireWriter w;
  Payload none;
  rpc::encodeMessage(rpc::GetSpecRequest{src.volfileId}, w, none);
  rpc::FrameHeader h;
  h.type = rpc::FrameType::kGetSpec;
  h.callId = 1;
  ch->send(h, std::move(w.buffer()));
  auto f = co_await ch->read(why);
  ch->close();
  if (!f) co_return fail(f.error());
  rpc::GetSpecReply rep;
  rpc::WireReader r(f->body);
  std::string bad;
  if (f->header.type != rpc::FrameType::kGetSpecReply || !rpc::decodeMessage(rep, r, f->data, bad)) {
    *why = "malformed volfile reply from " + src.host;
    co_return fail(EPROTO);
  }
  if (rep.error) {
    *why = "server " + src.host + ": " + rep.message;
    co_return fail(rep.error);
  }
  co_return rep.volfile;
}

}  // namespace

Result<std::string> fetchClientVolfile(const VolfileSource& src, std::string& why) {
  EventLoop loop(1, "getspec");
  return syncWait(fetch(loop, src, &why));
}

}  // namespace gf
