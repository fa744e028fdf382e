// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target over the wire decoder: frame header, call and reply envelopes, every fop's
// request and reply, and the handshake, volfile and release messages.
//
// Input: a 32-byte frame header, then the body (bodyLen bytes, or whatever is left), then the
// data part. Each decoded message is re-encoded and decoded again; the second encoding must
// equal the first (a decoder that accepts what the encoder cannot reproduce is a bug).
// With GF_FUZZ_SEED_DIR set, valid encodings of every message are written there as seeds.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <typeinfo>

#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/wire.h"

namespace gf::rpc {
namespace {

[[noreturn]] void bug(const char* what, const std::string& detail) {
  std::fprintf(stderr, "rpc_frame_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Decodes `body` as Msg; when it decodes, checks that encode(decode(x)) is a fixed point.
template <class Msg>
void roundTrip(const char* body, size_t size, const Payload& data, bool withFds) {
  Msg m;
  WireReader r(body, size);
  std::string why;
  auto fdOf = [](uint64_t id) -> FdPtr { return id % 3 ? makeFd(nullptr, 0) : nullptr; };
  std::vector<WireLoc> locs;
  if (!decodeMessage(m, r, data, why, withFds ? std::function<FdPtr(uint64_t)>(fdOf) : nullptr,
                     &locs)) {
    if (why.empty()) bug("rejected without a reason", typeid(Msg).name());
    return;
  }
  // Locs decode to empty Locs and fds to server objects: compare what survives (replies,
  // envelopes and handshakes have neither).
  WireWriter w1;
  Payload d1;
  encodeMessage(m, w1, d1, [](const FdPtr&) -> uint64_t { return 7; });
  Msg again;
  WireReader r2(w1.buffer());
  Payload flat = Payload::copyOf(d1.str());
  if (!decodeMessage(again, r2, flat, why,
                     withFds ? std::function<FdPtr(uint64_t)>(fdOf) : nullptr))
    bug("re-encoded message does not decode", why);
  WireWriter w2;
  Payload d2;
  encodeMessage(again, w2, d2, [](const FdPtr&) -> uint64_t { return 7; });
  if (w1.buffer() != w2.buffer() || d1.str() != d2.str())
    bug("encoding is not stable", typeid(Msg).name());
}

bool decodeRequest(uint16_t op, const char* body, size_t size, const Payload& data) {
  switch (static_cast<FopId>(op)) {
#define GF_FUZZ_REQ_(name, Req, Rep, flags) \
  case FopId::name:                         \
    roundTrip<Req>(body, size, data, true); \
    return true;
    GF_FOP_LIST(GF_FUZZ_REQ_)
#undef GF_FUZZ_REQ_
  }
  return false;
}

bool decodeReply(uint16_t op, const char* body, size_t size, const Payload& data) {
  switch (static_cast<FopId>(op)) {
#define GF_FUZZ_REP_(name, Req, Rep, flags)  \
  case FopId::name:                          \
    roundTrip<Rep>(body, size, data, false); \
    return true;
    GF_FOP_LIST(GF_FUZZ_REP_)
#undef GF_FUZZ_REP_
  }
  return false;
}

// A call or reply body starts with its envelope; the fop's fields follow.
template <class Envelope>
size_t envelopeSize(const char* body, size_t size) {
  Envelope env;
  WireReader r(body, size);
  Payload none;
  Decoder d(r, none);
  if (!d.value(env)) return SIZE_MAX;
  return size - r.left();
}

void fuzzFrame(const uint8_t* in, size_t size) {
  char hdr[kHeaderSize] = {};
  std::memcpy(hdr, in, std::min(size, kHeaderSize));
  FrameHeader h;
  std::string why;
  bool headerOk = decodeHeader(hdr, h, why);
  if (!headerOk && why.empty()) bug("header rejected without a reason", "");
  if (size < kHeaderSize) return;
  in += kHeaderSize;
  size -= kHeaderSize;
  // Exact-size heap copies, so that ASan sees any read past the body or the data.
  size_t bodyLen = std::min<size_t>(h.bodyLen, size);
  std::unique_ptr<char[]> body(new char[bodyLen ? bodyLen : 1]);
  std::memcpy(body.get(), in, bodyLen);
  Payload data = Payload::copyOf(
      std::string_view(reinterpret_cast<const char*>(in) + bodyLen, size - bodyLen));
  // Decode even when the header was refused: the body decoders must stand on their own.
  uint8_t type = static_cast<uint8_t>(hdr[5]);
  switch (type % 8) {
    case 0:
    case 1: {  // call: envelope, then the request (or a release)
      if (h.opcode == kOpRelease) {
        roundTrip<ReleaseMessage>(body.get(), bodyLen, data, false);
        break;
      }
      size_t off = envelopeSize<CallEnvelope>(body.get(), bodyLen);
      if (off == SIZE_MAX) break;
      std::unique_ptr<char[]> rest(new char[bodyLen - off + 1]);
      std::memcpy(rest.get(), body.get() + off, bodyLen - off);
      if (!decodeRequest(h.opcode, rest.get(), bodyLen - off, data)) {
        WireReader r(rest.get(), bodyLen - off);
        if (decodeRequestAny(h.opcode, r, data, why)) bug("unknown opcode accepted", "");
      }
      break;
    }
    case 2: {  // reply: envelope, then the reply
      size_t off = envelopeSize<ReplyEnvelope>(body.get(), bodyLen);
      if (off == SIZE_MAX) break;
      std::unique_ptr<char[]> rest(new char[bodyLen - off + 1]);
      std::memcpy(rest.get(), body.get() + off, bodyLen - off);
      decodeReply(h.opcode, rest.get(), bodyLen - off, data);
      break;
    }
    case 3:
      roundTrip<HandshakeRequest>(body.get(), bodyLen, data, false);
      break;
    case 4:
      roundTrip<HandshakeReply>(body.get(), bodyLen, data, false);
      break;
    case 5:
      roundTrip<GetSpecRequest>(body.get(), bodyLen, data, false);
      break;
    case 6:
      roundTrip<GetSpecReply>(body.get(), bodyLen, data, false);
      break;
    default:
      roundTrip<WireLoc>(body.get(), bodyLen, data, false);
      break;
  }
}

// ---- seeds: one valid frame per message -----------------------------------------------------

void writeSeed(const std::string& dir, const std::string& name, FrameType type, uint16_t op,
               const std::string& body, const Payload& data) {
  FrameHeader h;
  h.type = type;
  h.opcode = op;
  h.callId = 1;
  h.bodyLen = static_cast<uint32_t>(body.size());
  h.dataLen = static_cast<uint32_t>(data.size());
  char raw[kHeaderSize];
  encodeHeader(h, raw);
  std::ofstream out(dir + "/seed-" + name, std::ios::binary);
  out.write(raw, sizeof raw);
  out << body << data.str();
}

template <class Msg>
std::string encoded(const Msg& m, Payload& data) {
  WireWriter w;
  encodeMessage(m, w, data, [](const FdPtr&) -> uint64_t { return 1; });
  return w.buffer();
}

void writeSeeds(const std::string& dir) {
  InodeTable table;
  Iatt dirAttr;
  dirAttr.gfid = Gfid::random();
  dirAttr.mode = S_IFDIR | 0755;
  InodePtr d = table.link(nullptr, table.root(), "mail", dirAttr);
  auto fill = [&](auto& msg) {
    forEachField(msg, [&](const char*, auto& f) {
      using F = std::decay_t<decltype(f)>;
      if constexpr (std::is_same_v<F, Loc>)
        f = Loc{d, "inbox", table.create()};
      else if constexpr (std::is_same_v<F, FdPtr>)
        f = makeFd(d, 0);
      else if constexpr (std::is_same_v<F, Payload>)
        f = Payload::copyOf("hello, world");
      else if constexpr (std::is_same_v<F, std::string>)
        f = "user.key";
      else if constexpr (std::is_same_v<F, Dict>)
        f = Dict{{"trusted.afr.c0", std::string(12, '\0')}};
      else if constexpr (std::is_same_v<F, uint64_t>)
        f = 4096;
      else if constexpr (std::is_same_v<F, std::vector<DirEntry>>)
        f = {DirEntry{"f", 3, {}}};
      else if constexpr (std::is_same_v<F, std::vector<std::string>>)
        f = {"user.a", "user.b"};
    });
  };
#define GF_SEED_(name, Req, Rep, flags)                                                          \
  {                                                                                              \
    Req req;                                                                                     \
    fill(req);                                                                                   \
    Payload data;                                                                                \
    std::string body = encoded(CallEnvelope{0, 0, 1, 0, {0, 100}}, data);                        \
    body += encoded(req, data);                                                                  \
    writeSeed(dir, "call-" #name, FrameType::kCall, static_cast<uint16_t>(FopId::name), body,    \
              data);                                                                             \
    Rep rep;                                                                                     \
    fill(rep);                                                                                   \
    Payload rdata;                                                                               \
    std::string rbody = encoded(ReplyEnvelope{}, rdata) + encoded(rep, rdata);                   \
    writeSeed(dir, "reply-" #name, FrameType::kReply, static_cast<uint16_t>(FopId::name), rbody, \
              rdata);                                                                            \
  }
  GF_FOP_LIST(GF_SEED_)
#undef GF_SEED_
  Payload none;
  writeSeed(dir, "handshake", FrameType::kHandshake, 0,
            encoded(HandshakeRequest{kProtocolVersion, "brick", "alice", "pw", "host:1"}, none), none);
  writeSeed(dir, "handshake-reply", FrameType::kHandshakeReply, 0,
            encoded(HandshakeReply{13, "refused", "server"}, none), none);
  writeSeed(dir, "getspec", FrameType::kGetSpec, 0, encoded(GetSpecRequest{"id"}, none), none);
  writeSeed(dir, "getspec-reply", FrameType::kGetSpecReply, 0,
            encoded(GetSpecReply{0, "", "volume x\nend-volume\n"}, none), none);
  writeSeed(dir, "release", FrameType::kCall, kOpRelease, encoded(ReleaseMessage{3}, none), none);
  writeSeed(dir, "ping", FrameType::kPing, 0, "", none);
}

}  // namespace
}  // namespace gf::rpc

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("GF_FUZZ_SEED_DIR")) gf::rpc::writeSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gf::rpc::fuzzFrame(data, size);
  return 0;
}
