// SPDX-License-Identifier: GPL-3.0-or-later
// The wire format: frame header, and a bounds-checked writer/reader of little-endian fields.
//
// A frame is a 32-byte header, a body of encoded fields (at most kMaxBody bytes) and bulk data
// (at most kMaxData bytes: write payloads and read results), so that file data moves with
// scatter/gather I/O and is never copied into the body. Every count and length read from the
// network is checked against what is left of the frame before anything is allocated.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gf::rpc {

static_assert(std::endian::native == std::endian::little, "the wire codec assumes little-endian");

inline constexpr uint32_t kMagic = 0x30324647;  // "GF20"
// 2: readdirp entries carry the extended attributes the caller asked for.
inline constexpr uint8_t kProtocolVersion = 2;
inline constexpr uint32_t kMaxBody = 4u << 20;    // paths, names, xattrs, directory pages
inline constexpr uint32_t kMaxData = 64u << 20;   // file data in one call

enum class FrameType : uint8_t {
  kCall = 1,
  kReply = 2,
  kPing = 3,
  kPong = 4,
  kHandshake = 5,
  kHandshakeReply = 6,
  kGetSpec = 7,       // fetch a client volfile (glusterfs -s HOST)
  kGetSpecReply = 8,
};

struct FrameHeader {
  uint32_t magic = kMagic;
  uint8_t version = kProtocolVersion;
  FrameType type = FrameType::kCall;
  uint16_t opcode = 0;   // FopId for calls and replies
  uint64_t callId = 0;
  uint32_t bodyLen = 0;
  uint32_t dataLen = 0;
  uint64_t reserved = 0;
};
inline constexpr size_t kHeaderSize = 32;

void encodeHeader(const FrameHeader& h, char out[kHeaderSize]);
// Checks magic, version, type and the length limits. On failure returns false with `why`.
bool decodeHeader(const char in[kHeaderSize], FrameHeader& h, std::string& why);

class WireWriter {
 public:
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    buf_.append(b, sizeof(T));
  }
  void putBytes(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    buf_.append(s.data(), s.size());
  }
  void putRaw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  std::string& buffer() { return buf_; }
  size_t size() const { return buf_.size(); }

 private:
  std::string buf_;
};

class WireReader {
 public:
  WireReader(const char* data, size_t size) : p_(data), end_(data + size) {}
  explicit WireReader(std::string_view s) : WireReader(s.data(), s.size()) {}
  WireReader(std::string&&) = delete;  // a reader only views its bytes: they must outlive it

  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  bool get(T& v) {
    if (left() < sizeof(T)) return fail("field past the end of the frame");
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool getBool(bool& v) {
    uint8_t b;
    if (!get(b)) return false;
    if (b > 1) return fail("boolean is neither 0 nor 1");
    v = b;
    return true;
  }
  bool getBytes(std::string& s, size_t max = kMaxBody) {
    uint32_t n;
    if (!get(n)) return false;
    if (n > left() || n > max) return fail("string length beyond the frame");
    s.assign(p_, n);
    p_ += n;
    return true;
  }
  bool getRaw(void* out, size_t n) {
    if (left() < n) return fail("field past the end of the frame");
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  // A count of items each at least `minItemSize` bytes long must fit in what is left.
  bool getCount(uint32_t& n, size_t minItemSize) {
    if (!get(n)) return false;
    if (minItemSize && n > left() / minItemSize) return fail("item count larger than the frame");
    return true;
  }
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  bool atEnd() const { return p_ == end_; }
  bool fail(const char* why) {
    if (!error_) error_ = why;
    p_ = end_;
    return false;
  }
  const char* error() const { return error_ ? error_ : "malformed frame"; }

 private:
  const char* p_;
  const char* end_;
  const char* error_ = nullptr;
};

}  // namespace gf::rpc
