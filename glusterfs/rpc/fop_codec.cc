// SPDX-License-Identifier: GPL-3.0-or-later
// Field codecs that need more than a line: locations, fds, payloads, dictionaries.
#include "glusterfs/rpc/fop_codec.h"

namespace gf::rpc {

void Encoder::value(const Loc& loc) {
  WireLoc w;
  if (loc.inode) w.gfid = loc.inode->gfid();
  if (loc.parent) w.parent = loc.parent->gfid();
  w.name = loc.name;
  w.path = loc.path();
  value(w);
}

bool Decoder::value(Loc& loc) {
  WireLoc w;
  if (!value(w)) return false;
  if (w.name.size() > 4096 || w.path.size() > 65536) return r_.fail("location name or path too long");
  loc = Loc{};
  if (locs_) locs_->push_back(std::move(w));
  return true;
}

bool Decoder::value(FdPtr& fd) {
  uint64_t id;
  if (!r_.get(id)) return false;
  fd = nullptr;
  if (fdOf_) fd = id ? fdOf_(id) : nullptr;
  if (!fd) badFd_ = true;  // a well-formed frame naming no fd, or one we do not have: EBADF
  return true;
}

bool Decoder::value(Payload& p) {
  uint64_t n;
  if (!r_.get(n)) return false;
  if (n > data_.size() - dataUsed_) return r_.fail("payload longer than the frame's data");
  p = data_.sub(dataUsed_, n);
  dataUsed_ += n;
  return true;
}

bool Decoder::value(Dict& d) {
  uint32_t n;
  if (!r_.getCount(n, 8)) return false;
  d.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!r_.getBytes(k) || !r_.getBytes(v)) return false;
    d[std::move(k)] = std::move(v);
  }
  return true;
}

bool Decoder::finish() {
  if (!r_.atEnd()) return r_.fail("trailing bytes after the last field");
  if (dataUsed_ != data_.size()) return r_.fail("data not referenced by any field");
  return true;
}

bool decodeRequestAny(uint16_t opcode, WireReader& body, const Payload& data, std::string& why) {
  std::vector<WireLoc> locs;
  switch (static_cast<FopId>(opcode)) {
#define GF_DECODE_REQ_(name, Req, Rep, flags) \
  case FopId::name: {                         \
    Req req;                                  \
    return decodeMessage(req, body, data, why, nullptr, &locs); \
  }
    GF_FOP_LIST(GF_DECODE_REQ_)
#undef GF_DECODE_REQ_
  }
  why = "unknown opcode " + std::to_string(opcode);
  return false;
}

bool decodeReplyAny(uint16_t opcode, WireReader& body, const Payload& data, std::string& why) {
  switch (static_cast<FopId>(opcode)) {
#define GF_DECODE_REP_(name, Req, Rep, flags) \
  case FopId::name: {                         \
    Rep rep;                                  \
    return decodeMessage(rep, body, data, why); \
  }
    GF_FOP_LIST(GF_DECODE_REP_)
#undef GF_DECODE_REP_
  }
  why = "unknown opcode " + std::to_string(opcode);
  return false;
}

}  // namespace gf::rpc
