// SPDX-License-Identifier: GPL-3.0-or-later
// Round trips of every fop's request and reply (generated over GF_FOP_LIST), the envelopes,
// handshake and volfile messages, and the frame header through the wire codec.
#include "glusterfs/rpc/fop_codec.h"

#include <fcntl.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>

#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/wire.h"
#include "tests/unit/rpc/codec_walk.h"

namespace gf::test {
namespace {

using rpc::WireLoc;

// One encoded message: body bytes and the frame's data part as it arrives (one flat buffer).
struct Encoded {
  std::string body;
  Payload data;
};

template <class Msg>
Encoded encode(const Msg& m, FdRegistry* fds = nullptr) {
  rpc::WireWriter w;
  Payload data;
  rpc::encodeMessage(m, w, data, fds ? fds->idHook() : nullptr);
  return {w.buffer(), Payload::copyOf(data.str())};
}

// Fills a message, checks every leaf was set, encodes it, decodes it and compares field by
// field; messages without Locs or Fds are also re-encoded and compared byte for byte.
template <class Msg>
void expectRoundTrip() {
  InodeTable table;
  FdRegistry fds;
  Filler filler(table, fds);
  Msg in;
  filler.fill(in);
  size_t fields = 0;
  forEachField(in, [&](const char*, const auto&) { ++fields; });
  Comparer notDefault(Comparer::kDiffer);
  notDefault.check("msg", in, Msg{});
  ASSERT_GE(notDefault.leaves(), fields) << "the walk missed fields";

  Encoded enc = encode(in, &fds);
  rpc::WireReader r(enc.body);
  Msg out;
  std::vector<WireLoc> locs;
  std::string why;
  ASSERT_TRUE(rpc::decodeMessage(out, r, enc.data, why, fds.fdHook(), &locs)) << why;
  Comparer same(Comparer::kEqual, &locs, &filler.expectedLocs());
  same.check("msg", in, out);
  EXPECT_EQ(same.locsSeen(), locs.size()) << "more WireLocs decoded than the message has Locs";
  EXPECT_EQ(same.leaves(), notDefault.leaves());

  if (filler.expectedLocs().empty()) {
    Encoded again = encode(out, &fds);
    EXPECT_EQ(again.body, enc.body);
    EXPECT_EQ(again.data.str(), enc.data.str());
  }
}

// Every strict prefix of a valid body, the body with a byte more, and a data part one byte
// short or long must be refused with a reason; nothing may read past the buffer (ASan).
template <class Msg>
void expectDamageRejected(bool request, uint16_t opcode) {
  InodeTable table;
  FdRegistry fds;
  Filler filler(table, fds);
  Msg in;
  filler.fill(in);
  Encoded enc = encode(in, &fds);
  auto decode = [&](std::string_view body, const Payload& data, std::string& why) {
    // A heap copy of exactly the bytes given, so that ASan sees any read past them.
    std::unique_ptr<char[]> copy(new char[body.size() + 1]);
    std::memcpy(copy.get(), body.data(), body.size());
    rpc::WireReader r(copy.get(), body.size());
    return request ? rpc::decodeRequestAny(opcode, r, data, why)
                   : rpc::decodeReplyAny(opcode, r, data, why);
  };
  std::string why;
  ASSERT_TRUE(decode(enc.body, enc.data, why)) << why;
  for (size_t len = 0; len < enc.body.size(); ++len) {
    why.clear();
    EXPECT_FALSE(decode(std::string_view(enc.body).substr(0, len), enc.data, why))
        << "a body cut to " << len << " of " << enc.body.size() << " bytes was accepted";
    EXPECT_FALSE(why.empty()) << "no reason for a body cut to " << len;
  }
  why.clear();
  EXPECT_FALSE(decode(enc.body + '\0', enc.data, why));
  EXPECT_EQ(why, "trailing bytes after the last field");
  std::string data = enc.data.str();
  if (!data.empty()) {
    why.clear();
    EXPECT_FALSE(decode(enc.body, Payload::copyOf(data.substr(1)), why));
    EXPECT_EQ(why, "payload longer than the frame's data");
  }
  why.clear();
  EXPECT_FALSE(decode(enc.body, Payload::copyOf(data + "x"), why));
  EXPECT_EQ(why, "data not referenced by any field");
}

#define GF_CODEC_TESTS_(name, Req, Rep, flags)                                      \
  TEST(FopCodecTest, name##RequestRoundTripsEveryField) { expectRoundTrip<Req>(); } \
  TEST(FopCodecTest, name##ReplyRoundTripsEveryField) { expectRoundTrip<Rep>(); }   \
  TEST(FopCodecTest, name##DamagedRequestIsRejected) {                              \
    expectDamageRejected<Req>(true, static_cast<uint16_t>(FopId::name));            \
  }                                                                                 \
  TEST(FopCodecTest, name##DamagedReplyIsRejected) {                                \
    expectDamageRejected<Rep>(false, static_cast<uint16_t>(FopId::name));           \
  }
GF_FOP_LIST(GF_CODEC_TESTS_)
#undef GF_CODEC_TESTS_

// The walks themselves must be able to fail, or the round trips above would prove nothing.
TEST(FopCodecTest, ComparerNoticesOneChangedNestedField) {
  InodeTable table;
  FdRegistry fds;
  Filler filler(table, fds);
  ReaddirReply a;
  filler.fill(a);
  ReaddirReply b = a;
  b.entries[2].stat.mtime.nsec ^= 1;
  EXPECT_NONFATAL_FAILURE(Comparer(Comparer::kEqual).check("msg", a, b),
                          "msg.entries[2].stat.mtime.nsec changed in the round trip");
}

TEST(FopCodecTest, ComparerNoticesAFieldLeftAtItsDefault) {
  InodeTable table;
  FdRegistry fds;
  Filler filler(table, fds);
  LkReq a;
  filler.fill(a);
  a.lock.owner = 0;
  EXPECT_NONFATAL_FAILURE(Comparer(Comparer::kDiffer).check("msg", a, LkReq{}),
                          "msg.lock.owner still has its default value");
}

TEST(FopCodecTest, EveryFopHasADistinctOpcodeBelowTheReservedRange) {
  std::set<uint16_t> seen;
#define GF_OPCODE_(name, Req, Rep, flags) seen.insert(static_cast<uint16_t>(FopId::name));
  GF_FOP_LIST(GF_OPCODE_)
#undef GF_OPCODE_
  EXPECT_EQ(seen.size(), kFopCount);
  EXPECT_LT(*seen.rbegin(), rpc::kOpRelease);
}

TEST(FopCodecTest, CallEnvelopeRoundTrips) { expectRoundTrip<rpc::CallEnvelope>(); }
TEST(FopCodecTest, ReplyEnvelopeRoundTrips) { expectRoundTrip<rpc::ReplyEnvelope>(); }
TEST(FopCodecTest, HandshakeRequestRoundTrips) { expectRoundTrip<rpc::HandshakeRequest>(); }
TEST(FopCodecTest, HandshakeReplyRoundTrips) { expectRoundTrip<rpc::HandshakeReply>(); }
TEST(FopCodecTest, GetSpecRequestRoundTrips) { expectRoundTrip<rpc::GetSpecRequest>(); }
TEST(FopCodecTest, GetSpecReplyRoundTrips) { expectRoundTrip<rpc::GetSpecReply>(); }
TEST(FopCodecTest, ReleaseMessageRoundTrips) { expectRoundTrip<rpc::ReleaseMessage>(); }
TEST(FopCodecTest, WireLocRoundTrips) { expectRoundTrip<WireLoc>(); }

// A call body is the envelope followed by the request, decoded in two steps as the server does.
TEST(FopCodecTest, EnvelopeAndRequestShareOneBody) {
  InodeTable table;
  FdRegistry fds;
  Filler filler(table, fds);
  rpc::CallEnvelope env;
  WritevReq req;
  filler.fill(env);
  filler.fill(req);
  rpc::WireWriter w;
  Payload data;
  rpc::encodeMessage(env, w, data);
  rpc::encodeMessage(req, w, data, fds.idHook());
  Payload flat = Payload::copyOf(data.str());

  rpc::WireReader r(w.buffer());
  rpc::CallEnvelope envOut;
  Payload none;
  rpc::Decoder first(r, none);
  ASSERT_TRUE(first.value(envOut)) << first.error();
  WritevReq reqOut;
  rpc::Decoder second(r, flat, fds.fdHook());
  ASSERT_TRUE(second.value(reqOut) && second.finish()) << second.error();
  EXPECT_FALSE(second.badFd());
  Comparer same(Comparer::kEqual);
  same.check("env", env, envOut);
  same.check("req", req, reqOut);
  EXPECT_EQ(reqOut.data.str(), req.data.str());
}

TEST(FopCodecTest, FdWithoutHookOrUnknownNumberDecodesAsBadFd) {
  InodeTable table;
  FdRegistry fds;
  Filler filler(table, fds);
  FstatReq req;
  filler.fill(req);
  Encoded enc = encode(req, &fds);
  for (bool withHook : {false, true}) {
    rpc::WireReader r(enc.body);
    FstatReq out;
    FdRegistry empty;  // knows no fd
    rpc::Decoder d(r, enc.data, withHook ? empty.fdHook() : nullptr);
    ASSERT_TRUE(d.value(out) && d.finish()) << d.error();
    EXPECT_EQ(out.fd, nullptr);
    EXPECT_TRUE(d.badFd());
  }
}

TEST(FopCodecTest, NullFdTravelsAsZeroAndIsBadFd) {
  FdRegistry fds;
  FlushReq req;  // fd left null
  Encoded enc = encode(req, &fds);
  ASSERT_EQ(enc.body, std::string(8, '\0'));
  rpc::WireReader r(enc.body);
  FlushReq out;
  rpc::Decoder d(r, enc.data, fds.fdHook());
  ASSERT_TRUE(d.value(out) && d.finish());
  EXPECT_TRUE(d.badFd());
}

TEST(FopCodecTest, UnlinkedLocTravelsAsParentAndName) {
  InodeTable table;
  Iatt ia;
  ia.gfid = Gfid::random();
  ia.mode = S_IFDIR | 0755;
  InodePtr dir = table.link(nullptr, table.root(), "mail", ia);
  MkdirReq req;
  req.loc = Loc{dir, "new", table.create()};
  Encoded enc = encode(req);
  rpc::WireReader r(enc.body);
  MkdirReq out;
  std::vector<WireLoc> locs;
  std::string why;
  ASSERT_TRUE(rpc::decodeMessage(out, r, enc.data, why, nullptr, &locs)) << why;
  ASSERT_EQ(locs.size(), 1u);
  EXPECT_TRUE(locs[0].gfid.isNull());
  EXPECT_EQ(locs[0].parent, ia.gfid);
  EXPECT_EQ(locs[0].name, "new");
  EXPECT_EQ(locs[0].path, "/mail/new");
}

TEST(FopCodecTest, RootLocTravelsWithTheRootGfidAndSlash) {
  InodeTable table;
  StatReq req{Loc{nullptr, "", table.root()}};
  Encoded enc = encode(req);
  rpc::WireReader r(enc.body);
  StatReq out;
  std::vector<WireLoc> locs;
  std::string why;
  ASSERT_TRUE(rpc::decodeMessage(out, r, enc.data, why, nullptr, &locs)) << why;
  ASSERT_EQ(locs.size(), 1u);
  EXPECT_TRUE(locs[0].gfid.isRoot());
  EXPECT_TRUE(locs[0].parent.isNull());
  EXPECT_EQ(locs[0].path, "/");
}

TEST(FopCodecTest, PayloadsStayOutOfTheBody) {
  WritevReq req;
  std::string big(256 * 1024, 'z');
  req.data = Payload::copyOf(big);
  Encoded enc = encode(req);
  EXPECT_LT(enc.body.size(), 64u);
  EXPECT_EQ(enc.data.size(), big.size());
  // Decoding slices the data part instead of copying it.
  rpc::WireReader r(enc.body);
  WritevReq out;
  std::string why;
  ASSERT_TRUE(rpc::decodeMessage(out, r, enc.data, why)) << why;
  ASSERT_EQ(out.data.slices().size(), 1u);
  EXPECT_EQ(out.data.slices()[0].data, enc.data.slices()[0].data);
}

TEST(FrameHeaderTest, EveryFieldRoundTripsAtItsOffset) {
  rpc::FrameHeader h;
  h.type = rpc::FrameType::kGetSpecReply;
  h.opcode = 0xBEEF;
  h.callId = 0x0123456789ABCDEFull;
  h.bodyLen = rpc::kMaxBody;
  h.dataLen = rpc::kMaxData;
  h.reserved = 0xFEDCBA9876543210ull;
  char raw[rpc::kHeaderSize];
  rpc::encodeHeader(h, raw);
  EXPECT_EQ(std::string(raw, 4), "GF20");
  EXPECT_EQ(raw[4], rpc::kProtocolVersion);
  rpc::FrameHeader out;
  std::string why;
  ASSERT_TRUE(rpc::decodeHeader(raw, out, why)) << why;
  EXPECT_EQ(out.type, h.type);
  EXPECT_EQ(out.opcode, h.opcode);
  EXPECT_EQ(out.callId, h.callId);
  EXPECT_EQ(out.bodyLen, h.bodyLen);
  EXPECT_EQ(out.dataLen, h.dataLen);
  EXPECT_EQ(out.reserved, h.reserved);
}

TEST(FrameHeaderTest, EveryKnownFrameTypeIsAccepted) {
  for (int t = 1; t <= 8; ++t) {
    rpc::FrameHeader h;
    h.type = static_cast<rpc::FrameType>(t);
    char raw[rpc::kHeaderSize];
    rpc::encodeHeader(h, raw);
    rpc::FrameHeader out;
    std::string why;
    EXPECT_TRUE(rpc::decodeHeader(raw, out, why)) << "type " << t << ": " << why;
  }
}

}  // namespace
}  // namespace gf::test
