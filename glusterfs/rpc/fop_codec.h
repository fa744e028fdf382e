// SPDX-License-Identifier: GPL-3.0-or-later
// Encoding and decoding of every fop's request and reply, generated from their GF_FIELDS lists.
//
// Locations travel as WireLoc (gfid, parent gfid, name, path); the server resolves them back
// into inodes. Fds travel as the number the server gave the file when it was opened. A Payload
// (write data, read results) travels in the frame's data part, referenced from the body by
// length, so it is never copied into the body.
#pragma once

#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "glusterfs/core/fops.h"
#include "glusterfs/rpc/wire.h"

namespace gf::rpc {

struct WireLoc {
  Gfid gfid;
  Gfid parent;
  std::string name;
  std::string path;
};
GF_FIELDS(WireLoc, gfid, parent, name, path)

class Encoder {
 public:
  // `fdId` maps an fd (possibly null) to the number the server knows it by (client side).
  Encoder(WireWriter& body, Payload& data, std::function<uint64_t(const FdPtr&)> fdId = nullptr)
      : w_(body), data_(data), fdId_(std::move(fdId)) {}

  void value(bool v) { w_.put<uint8_t>(v ? 1 : 0); }
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void value(T v) {
    w_.put(v);
  }
  void value(const std::string& s) { w_.putBytes(s); }
  void value(const Gfid& g) { w_.putRaw(g.bytes.data(), 16); }
  void value(const Loc& loc);
  void value(const FdPtr& fd) { w_.put<uint64_t>(fdId_ ? fdId_(fd) : 0); }
  void value(const Payload& p) {
    w_.put<uint64_t>(p.size());
    data_.append(p);
  }
  void value(const Dict& d) {
    w_.put<uint32_t>(static_cast<uint32_t>(d.size()));
    for (const auto& [k, v] : d) {
      w_.putBytes(k);
      w_.putBytes(v);
    }
  }
  template <class T>
  void value(const std::vector<T>& v) {
    w_.put<uint32_t>(static_cast<uint32_t>(v.size()));
    for (const auto& x : v) value(x);
  }
  template <class T>
    requires requires(const T& t) { forEachField(t, [](const char*, const auto&) {}); }
  void value(const T& t) {
    forEachField(t, [&](const char*, const auto& f) { value(f); });
  }

 private:
  WireWriter& w_;
  Payload& data_;
  std::function<uint64_t(const FdPtr&)> fdId_;
};

class Decoder {
 public:
  // `data` is the frame's data part. `fdOf` maps wire fd numbers to fds (server side); Locs are
  // collected in field order into `locs` for the server to resolve.
  Decoder(WireReader& body, const Payload& data, std::function<FdPtr(uint64_t)> fdOf = nullptr,
          std::vector<WireLoc>* locs = nullptr)
      : r_(body), data_(data), fdOf_(std::move(fdOf)), locs_(locs) {}

  bool value(bool& v) { return r_.getBool(v); }
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  bool value(T& v) {
    return r_.get(v);
  }
  bool value(std::string& s) { return r_.getBytes(s); }
  bool value(Gfid& g) { return r_.getRaw(g.bytes.data(), 16); }
  bool value(Loc& loc);
  bool value(FdPtr& fd);
  bool value(Payload& p);
  bool value(Dict& d);
  template <class T>
  bool value(std::vector<T>& v) {
    uint32_t n;
    if (!r_.getCount(n, 1)) return false;
    v.clear();
    for (uint32_t i = 0; i < n; ++i) {  // no reserve(n): n comes from the network
      v.emplace_back();
      if (!value(v.back())) return false;
    }
    return true;
  }
  template <class T>
    requires requires(T& t) { forEachField(t, [](const char*, auto&) {}); }
  bool value(T& t) {
    bool ok = true;
    forEachField(t, [&](const char*, auto& f) { ok = ok && value(f); });
    return ok;
  }
  // The whole body must be consumed and every data byte accounted for.
  bool finish();
  const char* error() const { return r_.error(); }
  bool badFd() const { return badFd_; }

 private:
  WireReader& r_;
  const Payload& data_;
  size_t dataUsed_ = 0;
  std::function<FdPtr(uint64_t)> fdOf_;
  std::vector<WireLoc>* locs_;
  bool badFd_ = false;
};

template <class Msg>
void encodeMessage(const Msg& m, WireWriter& body, Payload& data,
                   std::function<uint64_t(const FdPtr&)> fdId = nullptr) {
  Encoder e(body, data, std::move(fdId));
  e.value(m);
}

template <class Msg>
bool decodeMessage(Msg& m, WireReader& body, const Payload& data, std::string& why,
                   std::function<FdPtr(uint64_t)> fdOf = nullptr,
                   std::vector<WireLoc>* locs = nullptr) {
  Decoder d(body, data, std::move(fdOf), locs);
  if (!d.value(m) || !d.finish()) {
    why = d.error();
    return false;
  }
  return true;
}

// Visits every Loc field of a request in field order (matches Decoder's `locs` order).
template <class Msg, class Fn>
void forEachLoc(Msg& m, Fn&& fn) {
  forEachField(m, [&](const char*, auto& f) {
    if constexpr (std::is_same_v<std::decay_t<decltype(f)>, Loc>) fn(f);
  });
}

// Type-erased entry points (tests, fuzzing): decode fop `id`'s request or reply from a body.
bool decodeRequestAny(uint16_t opcode, WireReader& body, const Payload& data, std::string& why);
bool decodeReplyAny(uint16_t opcode, WireReader& body, const Payload& data, std::string& why);

}  // namespace gf::rpc
