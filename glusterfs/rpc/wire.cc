// SPDX-License-Identifier: GPL-3.0-or-later
// Frame header encoding and validation.
#include "glusterfs/rpc/wire.h"

namespace gf::rpc {

void encodeHeader(const FrameHeader& h, char out[kHeaderSize]) {
  std::memset(out, 0, kHeaderSize);
  std::memcpy(out + 0, &h.magic, 4);
  out[4] = static_cast<char>(h.version);
  out[5] = static_cast<char>(h.type);
  std::memcpy(out + 6, &h.opcode, 2);
  std::memcpy(out + 8, &h.callId, 8);
  std::memcpy(out + 16, &h.bodyLen, 4);
  std::memcpy(out + 20, &h.dataLen, 4);
  std::memcpy(out + 24, &h.reserved, 8);
}

bool decodeHeader(const char in[kHeaderSize], FrameHeader& h, std::string& why) {
  std::memcpy(&h.magic, in + 0, 4);
  h.version = static_cast<uint8_t>(in[4]);
  h.type = static_cast<FrameType>(static_cast<uint8_t>(in[5]));
  std::memcpy(&h.opcode, in + 6, 2);
  std::memcpy(&h.callId, in + 8, 8);
  std::memcpy(&h.bodyLen, in + 16, 4);
  std::memcpy(&h.dataLen, in + 20, 4);
  std::memcpy(&h.reserved, in + 24, 8);
  if (h.magic != kMagic) {
    why = "bad magic (not a GlusterFS 2.0 frame)";
    return false;
  }
  if (h.version != kProtocolVersion) {
    why = "unsupported protocol version " + std::to_string(h.version);
    return false;
  }
  auto t = static_cast<uint8_t>(h.type);
  if (t < static_cast<uint8_t>(FrameType::kCall) || t > static_cast<uint8_t>(FrameType::kGetSpecReply)) {
    why = "unknown frame type " + std::to_string(t);
    return false;
  }
  if (h.bodyLen > kMaxBody) {
    why = "body of " + std::to_string(h.bodyLen) + " bytes exceeds the limit";
    return false;
  }
  if (h.dataLen > kMaxData) {
    why = "data of " + std::to_string(h.dataLen) + " bytes exceeds the limit";
    return false;
  }
  return true;
}

}  // namespace gf::rpc
