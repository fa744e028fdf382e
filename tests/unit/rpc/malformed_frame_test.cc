// SPDX-License-Identifier: GPL-3.0-or-later
// Malformed input to the frame reader, the field decoder and the server's location resolver:
// each case is refused with its own reason and nothing reads past the bytes given (ASan).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <span>

#include "glusterfs/core/graph.h"
#include "glusterfs/rpc/fop_codec.h"
#include "glusterfs/rpc/frame_channel.h"
#include "glusterfs/rpc/messages.h"
#include "glusterfs/rpc/wire.h"
#include "glusterfs/xlators/protocol/server/server_resolver.h"
#include "tests/unit/rpc/raw_client.h"
#include "tests/unit/support/result_assertions.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {
namespace {

using rpc::FrameType;

// ---- the header ------------------------------------------------------------------------------

std::string headerWhy(std::string raw) {
  rpc::FrameHeader h;
  std::string why;
  EXPECT_EQ(raw.size(), rpc::kHeaderSize);
  if (rpc::decodeHeader(raw.data(), h, why)) return "accepted";
  return why;
}

std::string validHeader() { return frameHeader(FrameType::kCall, 0, 1, 0, 0); }

TEST(MalformedHeaderTest, BadMagic) {
  std::string h = validHeader();
  h[0] = 'X';
  EXPECT_EQ(headerWhy(h), "bad magic (not a GlusterFS 2.0 frame)");
  EXPECT_EQ(headerWhy(std::string(32, '\0')), "bad magic (not a GlusterFS 2.0 frame)");
  EXPECT_EQ(headerWhy(std::string("GET / HTTP/1.1\r\nHost: example\r\n\r\n").substr(0, 32)),
            "bad magic (not a GlusterFS 2.0 frame)");
}

TEST(MalformedHeaderTest, UnsupportedVersions) {
  for (int v : {0, 1, 3, 255}) {
    std::string h = validHeader();
    h[4] = static_cast<char>(v);
    EXPECT_EQ(headerWhy(h), "unsupported protocol version " + std::to_string(v));
  }
}

TEST(MalformedHeaderTest, UnknownFrameTypes) {
  for (int t : {0, 9, 127, 255}) {
    std::string h = validHeader();
    h[5] = static_cast<char>(t);
    EXPECT_EQ(headerWhy(h), "unknown frame type " + std::to_string(t));
  }
}

TEST(MalformedHeaderTest, BodyOverTheLimit) {
  EXPECT_EQ(headerWhy(frameHeader(FrameType::kCall, 0, 1, rpc::kMaxBody + 1, 0)),
            "body of " + std::to_string(rpc::kMaxBody + 1) + " bytes exceeds the limit");
  EXPECT_EQ(headerWhy(frameHeader(FrameType::kCall, 0, 1, UINT32_MAX, 0)),
            "body of 4294967295 bytes exceeds the limit");
  EXPECT_EQ(headerWhy(frameHeader(FrameType::kCall, 0, 1, rpc::kMaxBody, 0)), "accepted");
}

TEST(MalformedHeaderTest, DataOverTheLimit) {
  EXPECT_EQ(headerWhy(frameHeader(FrameType::kCall, 0, 1, 0, rpc::kMaxData + 1)),
            "data of " + std::to_string(rpc::kMaxData + 1) + " bytes exceeds the limit");
  EXPECT_EQ(headerWhy(frameHeader(FrameType::kCall, 0, 1, 0, rpc::kMaxData)), "accepted");
}

// ---- the frame reader over a stream that ends where the test says ---------------------------

class ScriptedStream : public rpc::Stream {
 public:
  explicit ScriptedStream(std::string bytes) : bytes_(std::move(bytes)) {}
  Task<Status> readExact(char* buf, size_t n) override {
    if (bytes_.size() - pos_ < n) {
      pos_ = bytes_.size();
      co_return fail(ENOTCONN);
    }
    std::memcpy(buf, bytes_.data() + pos_, n);
    pos_ += n;
    co_return Status{};
  }
  Task<Result<size_t>> readSome(char* buf, size_t n) override {
    if (pos_ == bytes_.size()) co_return fail(ENOTCONN);
    size_t take = std::min({n, bytes_.size() - pos_, size_t{7}});  // odd-sized pieces
    std::memcpy(buf, bytes_.data() + pos_, take);
    pos_ += take;
    co_return take;
  }
  Task<Status> writeAll(std::span<const iovec>) override { co_return Status{}; }
  void close() override {}
  const std::string& peerAddress() const override { return peer_; }
  const std::string& describe() const override { return peer_; }

 private:
  std::string bytes_;
  size_t pos_ = 0;
  std::string peer_ = "scripted";
};

struct ReadOutcome {
  int err = 0;
  std::string why;
  std::vector<rpc::Frame> frames;
};

ReadOutcome readAll(std::string bytes) {
  auto ch = std::make_shared<rpc::FrameChannel>(std::make_unique<ScriptedStream>(std::move(bytes)));
  ReadOutcome out;
  while (true) {
    auto f = syncWait(ch->read(&out.why));
    if (!f) {
      out.err = f.errnum();
      return out;
    }
    out.frames.push_back(std::move(*f));
  }
}

TEST(MalformedStreamTest, TruncatedHeader) {
  auto r = readAll(validHeader().substr(0, 11));
  EXPECT_TRUE(r.frames.empty());
  EXPECT_EQ(r.err, ENOTCONN);
  EXPECT_EQ(r.why, "connection closed");
}

TEST(MalformedStreamTest, TruncatedBody) {
  std::string f = frameBytes(FrameType::kCall, 0, 1, std::string(100, 'b'));
  auto r = readAll(f.substr(0, f.size() - 1));
  EXPECT_TRUE(r.frames.empty());
  EXPECT_EQ(r.why, "connection closed inside a frame");
}

TEST(MalformedStreamTest, TruncatedData) {
  std::string f = frameBytes(FrameType::kCall, 0, 1, "body", std::string(40000, 'd'));
  auto r = readAll(f.substr(0, f.size() - 1));
  EXPECT_TRUE(r.frames.empty());
  EXPECT_EQ(r.why, "connection closed inside a frame");
}

TEST(MalformedStreamTest, GoodFramesThenGarbageStopsAtTheGarbage) {
  std::string good = frameBytes(FrameType::kPing, 0, 7, "");
  std::string bad = validHeader();
  bad[4] = 9;
  auto r = readAll(good + good + bad + good);
  EXPECT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.err, EPROTO);
  EXPECT_EQ(r.why, "unsupported protocol version 9");
}

TEST(MalformedStreamTest, BodyLengthOverTheLimitIsRefusedBeforeReadingIt) {
  auto r = readAll(frameHeader(FrameType::kCall, 0, 1, rpc::kMaxBody + 1, 0));
  EXPECT_EQ(r.err, EPROTO);
  EXPECT_EQ(r.why, "body of " + std::to_string(rpc::kMaxBody + 1) + " bytes exceeds the limit");
}

// ---- the field decoder ----------------------------------------------------------------------

// Decodes `body` (an exact-size heap copy) as fop `id`'s request or reply; "accepted" or why not.
std::string decodeWhy(FopId id, bool request, const std::string& body, std::string data = {}) {
  std::unique_ptr<char[]> copy(new char[body.size() + 1]);
  std::memcpy(copy.get(), body.data(), body.size());
  rpc::WireReader r(copy.get(), body.size());
  Payload p = Payload::copyOf(data);
  std::string why;
  bool ok = request ? rpc::decodeRequestAny(static_cast<uint16_t>(id), r, p, why)
                    : rpc::decodeReplyAny(static_cast<uint16_t>(id), r, p, why);
  return ok ? "accepted" : why;
}

template <class T>
std::string le(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}
std::string bytesField(std::string_view s) { return le<uint32_t>(s.size()) + std::string(s); }
std::string wireLoc(const Gfid& g, const Gfid& parent, std::string_view name,
                    std::string_view path) {
  return std::string(g.raw()) + std::string(parent.raw()) + bytesField(name) + bytesField(path);
}
std::string fdField(uint64_t id) { return le<uint64_t>(id); }

TEST(MalformedFieldsTest, EmptyBodyForAFopWithFields) {
  EXPECT_EQ(decodeWhy(FopId::fstat, true, ""), "field past the end of the frame");
}

TEST(MalformedFieldsTest, IntegerCutInHalf) {
  EXPECT_EQ(decodeWhy(FopId::fstat, true, fdField(5).substr(0, 4)),
            "field past the end of the frame");
}

TEST(MalformedFieldsTest, StringLengthBeyondTheFrame) {
  std::string body = fdField(1) + le<uint32_t>(1000) + "abc";  // fgetxattr: fd, name
  EXPECT_EQ(decodeWhy(FopId::fgetxattr, true, body), "string length beyond the frame");
  body = fdField(1) + le<uint32_t>(UINT32_MAX) + "abc";
  EXPECT_EQ(decodeWhy(FopId::fgetxattr, true, body), "string length beyond the frame");
}

TEST(MalformedFieldsTest, StringWithoutItsLastByte) {
  std::string body = fdField(1) + bytesField("user.key");
  body.pop_back();
  EXPECT_EQ(decodeWhy(FopId::fgetxattr, true, body), "string length beyond the frame");
}

TEST(MalformedFieldsTest, HugeVectorCount) {
  EXPECT_EQ(decodeWhy(FopId::listxattr, false, le<uint32_t>(UINT32_MAX) + "x"),
            "item count larger than the frame");
  EXPECT_EQ(decodeWhy(FopId::readdir, false, le<uint32_t>(0x40000000)),
            "item count larger than the frame");
}

TEST(MalformedFieldsTest, HugeDictCount) {
  // fsetxattr: fd, xattrs (each entry needs at least two 4-byte lengths), flags
  std::string body =
      fdField(1) + le<uint32_t>(3) + bytesField("k") + bytesField("v") + le<int32_t>(0);
  EXPECT_EQ(decodeWhy(FopId::fsetxattr, true, body), "item count larger than the frame");
  body = fdField(1) + le<uint32_t>(UINT32_MAX) + le<int32_t>(0);
  EXPECT_EQ(decodeWhy(FopId::fsetxattr, true, body), "item count larger than the frame");
}

TEST(MalformedFieldsTest, VectorCountThatFitsButWhoseItemsDoNot) {
  // readdir reply: 1000 entries announced, 1000 bytes present, each entry needs far more.
  std::string body = le<uint32_t>(1000) + std::string(1000, '\0');
  EXPECT_EQ(decodeWhy(FopId::readdir, false, body), "field past the end of the frame");
}

TEST(MalformedFieldsTest, PayloadLongerThanTheData) {
  // writev: fd, data length, offset, flags
  std::string body = fdField(1) + le<uint64_t>(10) + le<uint64_t>(0) + le<uint32_t>(0);
  EXPECT_EQ(decodeWhy(FopId::writev, true, body, "123456789"),
            "payload longer than the frame's data");
  body = fdField(1) + le<uint64_t>(UINT64_MAX) + le<uint64_t>(0) + le<uint32_t>(0);
  EXPECT_EQ(decodeWhy(FopId::writev, true, body, "123"), "payload longer than the frame's data");
}

TEST(MalformedFieldsTest, TrailingBytes) {
  EXPECT_EQ(decodeWhy(FopId::fstat, true, fdField(1) + "!"), "trailing bytes after the last field");
}

TEST(MalformedFieldsTest, DataNotReferencedByAnyField) {
  EXPECT_EQ(decodeWhy(FopId::fstat, true, fdField(1), "stowaway"),
            "data not referenced by any field");
}

TEST(MalformedFieldsTest, BooleanNeitherZeroNorOne) {
  EXPECT_EQ(decodeWhy(FopId::fsync, true, fdField(1) + '\x01'), "accepted");
  EXPECT_EQ(decodeWhy(FopId::fsync, true, fdField(1) + '\x02'), "boolean is neither 0 nor 1");
  EXPECT_EQ(decodeWhy(FopId::fsync, true, fdField(1) + '\xff'), "boolean is neither 0 nor 1");
}

TEST(MalformedFieldsTest, UnknownOpcodes) {
  for (uint32_t op : {uint32_t(kFopCount), uint32_t(rpc::kOpRelease), 0xFFFFu}) {
    EXPECT_EQ(decodeWhy(static_cast<FopId>(op), true, ""), "unknown opcode " + std::to_string(op));
    EXPECT_EQ(decodeWhy(static_cast<FopId>(op), false, ""), "unknown opcode " + std::to_string(op));
  }
}

TEST(MalformedFieldsTest, AbsurdNameAndPathLengths) {
  // stat: loc
  std::string name(4097, 'n'), path(65537, 'p');
  EXPECT_EQ(decodeWhy(FopId::stat, true, wireLoc(Gfid{}, Gfid::root(), name, "/x")),
            "location name or path too long");
  EXPECT_EQ(decodeWhy(FopId::stat, true, wireLoc(Gfid{}, Gfid{}, "", path)),
            "location name or path too long");
  EXPECT_EQ(decodeWhy(FopId::stat, true, wireLoc(Gfid{}, Gfid::root(), "n", "/n")), "accepted");
}

TEST(MalformedFieldsTest, LocationCutInsideItsGfid) {
  EXPECT_EQ(decodeWhy(FopId::stat, true, std::string(Gfid::root().raw()).substr(0, 9)),
            "field past the end of the frame");
}

TEST(MalformedFieldsTest, ReleaseMessageWithExtraBytes) {
  rpc::ReleaseMessage m;
  std::string bytes = fdField(3) + "z";  // the reader only views it
  rpc::WireReader r(bytes);
  std::string why;
  EXPECT_FALSE(rpc::decodeMessage(m, r, Payload{}, why));
  EXPECT_EQ(why, "trailing bytes after the last field");
}

TEST(MalformedFieldsTest, HandshakeWithStringLengthLie) {
  rpc::HandshakeRequest m;
  std::string bytes = le<uint32_t>(1) + le<uint32_t>(50) + "vol";
  rpc::WireReader r(bytes);
  std::string why;
  EXPECT_FALSE(rpc::decodeMessage(m, r, Payload{}, why));
  EXPECT_EQ(why, "string length beyond the frame");
}

// ---- locations the server must refuse --------------------------------------------------------

class ResolverTest : public ::testing::Test {
 protected:
  Result<Loc> resolve(const rpc::WireLoc& w, bool needsInode = true) {
    return syncWait(resolveWireLoc(graph_.top(), table_, ctx_, w, ResolveNeeds{needsInode}));
  }
  TestGraph graph_{volume("mem", "storage/memory")};
  InodeTable table_;
  CallCtx ctx_ = CallCtx::root();
};

TEST_F(ResolverTest, NamesThatWouldLeaveTheDirectoryAreRefused) {
  for (const std::string& name : std::vector<std::string>{
           "..", ".", "a/b", "../etc", "/", std::string("..\0x", 4), std::string("a\0b", 3)}) {
    EXPECT_ERRNO(resolve(childLoc(Gfid::root(), name, "/x"), false), EINVAL)
        << "name '" << name << "'";
    EXPECT_ERRNO(resolve(childLoc(Gfid::root(), name, "/x"), true), EINVAL)
        << "name '" << name << "'";
  }
}

TEST_F(ResolverTest, PathsThatClimbOutAreRefused) {
  for (const std::string& path : std::vector<std::string>{"/../etc", "/a/../../etc", "/./x", "../x",
                                                          "relative", std::string("/..\0/x", 6)}) {
    rpc::WireLoc w{Gfid{}, Gfid{}, "x", path + "/x"};
    EXPECT_ERRNO(resolve(w, false), EINVAL) << "path '" << path << "'";
    rpc::WireLoc byPath{Gfid::random(), Gfid{}, "", path};
    EXPECT_NE(resolve(byPath).errnum(), 0) << "path '" << path << "'";
  }
}

TEST_F(ResolverTest, MalformedGfidPathsAreRefused) {
  for (std::string path : {"<gfid:", "<gfid:not-a-uuid>/x", "<gfid:>"}) {
    rpc::WireLoc w{Gfid::random(), Gfid{}, "", path};
    EXPECT_ERRNO(resolve(w), EINVAL) << path;
  }
  rpc::WireLoc unknown{Gfid::random(), Gfid{}, "", "<gfid:" + Gfid::random().str() + ">"};
  EXPECT_ERRNO(resolve(unknown), ESTALE);
}

TEST_F(ResolverTest, EmptyLocationIsRefused) { EXPECT_ERRNO(resolve(rpc::WireLoc{}), EINVAL); }

TEST_F(ResolverTest, UnknownParentGfidWithoutAPathIsStale) {
  EXPECT_ERRNO(resolve(rpc::WireLoc{Gfid{}, Gfid::random(), "f", ""}, false), ESTALE);
}

TEST_F(ResolverTest, AGoodLocationStillResolves) {
  ASSERT_OK_AND_ASSIGN(Loc root, resolve(rootLoc()));
  EXPECT_TRUE(root.inode->isRoot());
  ASSERT_OK_AND_ASSIGN(Loc fresh, resolve(childLoc(Gfid::root(), "new"), false));
  EXPECT_EQ(fresh.parent, table_.root());
  EXPECT_EQ(fresh.name, "new");
}

}  // namespace
}  // namespace gf::test
