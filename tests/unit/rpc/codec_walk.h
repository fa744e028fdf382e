// SPDX-License-Identifier: GPL-3.0-or-later
// Generic walks over GF_FIELDS messages for codec tests: fill every field, compare two messages.
//
// Filler gives every field of any message a value different from its default (integers with
// high bits set, strings and dictionaries with binary bytes, linked Locs, registered Fds, data
// payloads). Comparer walks two messages of the same type side by side and asserts, field by
// field, that they are equal (a decoded copy) or that every leaf differs (filled vs default).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "glusterfs/core/fops.h"
#include "glusterfs/rpc/fop_codec.h"

namespace gf::test {

template <class T>
concept Reflected = requires(T& t) {
  forEachField(t, [](const char*, auto&) {});
};

// Calls fn(name, fieldOfA, fieldOfB) for each field of two objects of one type.
template <class T, class Fn>
void zipFields(const T& a, const T& b, Fn&& fn) {
  std::vector<const void*> fieldsOfB;
  forEachField(b, [&](const char*, const auto& f) { fieldsOfB.push_back(&f); });
  size_t i = 0;
  forEachField(a, [&](const char* name, const auto& f) {
    using F = std::decay_t<decltype(f)>;
    fn(name, f, *static_cast<const F*>(fieldsOfB.at(i++)));
  });
}

// The numbers the "server" knows fds by, for the encoder's and decoder's fd hooks.
class FdRegistry {
 public:
  uint64_t add(const FdPtr& fd) {
    uint64_t id = 0x7000000000000000ull + byId_.size() * 0x10001 + 1;
    ids_[fd.get()] = id;
    byId_[id] = fd;
    return id;
  }
  std::function<uint64_t(const FdPtr&)> idHook() {
    return [this](const FdPtr& fd) -> uint64_t { return fd ? ids_.at(fd.get()) : 0; };
  }
  std::function<FdPtr(uint64_t)> fdHook() {
    return [this](uint64_t id) -> FdPtr {
      auto it = byId_.find(id);
      return it == byId_.end() ? nullptr : it->second;
    };
  }

 private:
  std::map<const Fd*, uint64_t> ids_;
  std::map<uint64_t, FdPtr> byId_;
};

class Filler {
 public:
  Filler(InodeTable& table, FdRegistry& fds) : table_(table), fds_(fds) {}

  // What each filled Loc must travel as, in field order.
  const std::vector<rpc::WireLoc>& expectedLocs() const { return locs_; }

  void fill(bool& v) { v = !v; }
  template <class T>
  requires std::is_integral_v<T>
  void fill(T& v) {
    T old = v;
    v = static_cast<T>(0xA5C3E1F00F1E3C5Aull + 0x0101010101010101ull * ++seed_);
    if (v == old) v = static_cast<T>(v + 1);
  }
  template <class T>
  requires std::is_enum_v<T>
  void fill(T& v) {
    auto u = static_cast<std::underlying_type_t<T>>(v);
    fill(u);
    v = static_cast<T>(u);
  }
  void fill(std::string& s) {
    s = "v" + std::to_string(++seed_) + std::string("\0\x01\xff\n/..\x7f", 8);
  }
  void fill(Gfid& g) {
    ++seed_;
    for (size_t i = 0; i < g.bytes.size(); ++i)
      g.bytes[i] = static_cast<uint8_t>(seed_ * 37 + i + 1);
  }
  void fill(Payload& p) {
    std::string bytes(1000 + ++seed_, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + seed_);
    p = Payload::copyOf(bytes);
  }
  void fill(Dict& d) {
    std::string k, v;
    fill(k);
    fill(v);
    d[k] = v;
    d[std::string("\0bin", 4)] = std::string("\xff\x00\x01", 3);
    d["empty-value"] = "";
  }
  template <class T>
  void fill(std::vector<T>& v) {
    v.resize(3);
    for (auto& x : v) fill(x);
  }
  void fill(Loc& loc) {
    std::string dirName = "dir" + std::to_string(++seed_);
    std::string fileName = "file" + std::to_string(seed_);
    loc.parent = link(table_.root(), dirName, S_IFDIR | 0755);
    loc.name = fileName;
    loc.inode = link(loc.parent, fileName, S_IFREG | 0644);
    locs_.push_back(
        {loc.inode->gfid(), loc.parent->gfid(), fileName, "/" + dirName + "/" + fileName});
  }
  void fill(FdPtr& fd) {
    fd = makeFd(link(table_.root(), "open" + std::to_string(++seed_), S_IFREG | 0600), O_RDWR);
    fds_.add(fd);
  }
  template <class T>
  requires Reflected<T>
  void fill(T& t) {
    forEachField(t, [&](const char*, auto& f) { fill(f); });
  }

 private:
  InodePtr link(const InodePtr& parent, const std::string& name, uint32_t mode) {
    Iatt ia;
    ia.gfid = Gfid::random();
    ia.mode = mode;
    return table_.link(nullptr, parent, name, ia);
  }

  InodeTable& table_;
  FdRegistry& fds_;
  std::vector<rpc::WireLoc> locs_;
  uint64_t seed_ = 0;
};

// kEqual: b is a decoded copy of a (Locs come back as WireLocs in `locs`, in field order).
// kDiffer: a is filled, b default-constructed; every leaf of a must differ from b's.
class Comparer {
 public:
  enum Mode { kEqual, kDiffer };
  Comparer(Mode mode, const std::vector<rpc::WireLoc>* decodedLocs = nullptr,
           const std::vector<rpc::WireLoc>* expectedLocs = nullptr)
      : mode_(mode), decoded_(decodedLocs), expected_(expectedLocs) {}

  size_t leaves() const { return leaves_; }
  size_t locsSeen() const { return locIndex_; }

  template <class T>
  requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void check(const std::string& path, const T& a, const T& b) { leaf(path, a == b); }
  void check(const std::string& path, const std::string& a, const std::string& b) {
    leaf(path, a == b);
  }
  void check(const std::string& path, const Gfid& a, const Gfid& b) { leaf(path, a == b); }
  void check(const std::string& path, const Dict& a, const Dict& b) { leaf(path, a == b); }
  void check(const std::string& path, const Payload& a, const Payload& b) {
    leaf(path, a.size() == b.size() && a.str() == b.str());
  }
  void check(const std::string& path, const FdPtr& a, const FdPtr& b) {
    if (mode_ == kEqual)
      leaf(path, a.get() == b.get());
    else
      leaf(path, !a || b);  // filled: set; default: null
  }
  void check(const std::string& path, const Loc& a, const Loc& b) {
    ++leaves_;
    if (mode_ == kDiffer) {
      EXPECT_TRUE(a.inode && a.parent && !a.name.empty()) << path << " was not filled";
      return;
    }
    ASSERT_TRUE(decoded_ && expected_);
    ASSERT_LT(locIndex_, decoded_->size()) << path << ": no WireLoc collected for it";
    ASSERT_LT(locIndex_, expected_->size()) << path;
    const rpc::WireLoc& got = (*decoded_)[locIndex_];
    const rpc::WireLoc& want = (*expected_)[locIndex_];
    ++locIndex_;
    EXPECT_EQ(got.gfid, want.gfid) << path << ".gfid";
    EXPECT_EQ(got.parent, want.parent) << path << ".parent";
    EXPECT_EQ(got.name, want.name) << path << ".name";
    EXPECT_EQ(got.path, want.path) << path << ".path";
    EXPECT_FALSE(b.inode || b.parent) << path << ": the server resolves Locs itself";
  }
  template <class T>
  void check(const std::string& path, const std::vector<T>& a, const std::vector<T>& b) {
    // Against a default: the vector is filled and each element differs from a default one.
    if (mode_ == kDiffer) {
      leaf(path + ".size()", a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) check(path + "[" + std::to_string(i) + "]", a[i], T{});
      return;
    }
    leaf(path + ".size()", a.size() == b.size());
    if (a.size() != b.size()) return;
    for (size_t i = 0; i < a.size(); ++i) check(path + "[" + std::to_string(i) + "]", a[i], b[i]);
  }
  template <class T>
  requires Reflected<T>
  void check(const std::string& path, const T& a, const T& b) {
    zipFields(a, b, [&](const char* name, const auto& fa, const auto& fb) {
      check(path + "." + name, fa, fb);
    });
  }

 private:
  // `same`: whether the two leaves are equal.
  void leaf(const std::string& path, bool same) {
    ++leaves_;
    if (mode_ == kEqual)
      EXPECT_TRUE(same) << path << " changed in the round trip";
    else
      EXPECT_FALSE(same) << path << " still has its default value";
  }

  Mode mode_;
  const std::vector<rpc::WireLoc>* decoded_;
  const std::vector<rpc::WireLoc>* expected_;
  size_t locIndex_ = 0;
  size_t leaves_ = 0;
};

}  // namespace gf::test
