// SPDX-License-Identifier: GPL-3.0-or-later
// Messages of the protocol around the fops: handshake, volfile fetch, and the call and reply
// envelopes that frame every fop's fields.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/reflect.h"
#include "glusterfs/rpc/wire.h"

namespace gf::rpc {

// Opcodes outside the fop list.
inline constexpr uint16_t kOpRelease = 0xF000;  // close a server-side fd (no reply)

struct HandshakeRequest {
  uint32_t version = kProtocolVersion;
  std::string remoteSubvolume;
  std::string username;
  std::string password;
  std::string clientName;  // host:pid, for the server's log
  // Random, fixed for the life of one protocol/client and sent again on each of its
  // reconnections ("" = none). The server closes an older connection with the same id (one the
  // client already gave up, still half-open after a network cut) before accepting the new one,
  // so that the old connection's locks are gone when the client takes them again.
  std::string instanceId;
};
GF_FIELDS(HandshakeRequest, version, remoteSubvolume, username, password, clientName, instanceId)

struct HandshakeReply {
  int32_t error = 0;
  std::string message;  // why it was refused
  std::string serverName;
};
GF_FIELDS(HandshakeReply, error, message, serverName)

struct GetSpecRequest {
  std::string volfileId;
};
GF_FIELDS(GetSpecRequest, volfileId)

struct GetSpecReply {
  int32_t error = 0;
  std::string message;
  std::string volfile;
};
GF_FIELDS(GetSpecReply, error, message, volfile)

// Precedes a fop's request fields: who is calling.
struct CallEnvelope {
  uint32_t uid = 0, gid = 0, pid = 0;
  uint64_t lkOwner = 0;
  std::vector<uint32_t> groups;
};
GF_FIELDS(CallEnvelope, uid, gid, pid, lkOwner, groups)

// Precedes a fop's reply fields (which follow only when error == 0).
struct ReplyEnvelope {
  int32_t error = 0;
  uint64_t fdId = 0;  // open, create, opendir: the server's number for the new fd
};
GF_FIELDS(ReplyEnvelope, error, fdId)

struct ReleaseMessage {
  uint64_t fdId = 0;
};
GF_FIELDS(ReleaseMessage, fdId)

inline CallEnvelope envelopeOf(const CallCtx& c) {
  CallEnvelope e{c.uid, c.gid, c.pid, c.lkOwner, {}};
  if (c.groups) e.groups = *c.groups;
  return e;
}

}  // namespace gf::rpc
