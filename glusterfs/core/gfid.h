// SPDX-License-Identifier: GPL-3.0-or-later
// Gfid: the 128-bit identity of a file, kept in `trusted.gfid` on bricks; equal on all replicas.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gf {

struct Gfid {
  std::array<uint8_t, 16> bytes{};

  static Gfid root();      // 00000000-0000-0000-0000-000000000001, as in GlusterFS
  static Gfid random();    // v4 uuid from getrandom(2)
  static std::optional<Gfid> parse(std::string_view text);  // canonical 36-char form
  static Gfid fromBytes(std::string_view raw);  // 16 raw bytes (xattr value); null if size != 16

  bool isNull() const;
  bool isRoot() const { return *this == root(); }
  std::string str() const;  // canonical 36-char form
  std::string_view raw() const { return {reinterpret_cast<const char*>(bytes.data()), 16}; }
  // Inode number shown to the kernel and to stat(): stable, shared by hard links, 1 for root.
  uint64_t ino() const;

  friend bool operator==(const Gfid&, const Gfid&) = default;
  friend auto operator<=>(const Gfid&, const Gfid&) = default;
};

struct GfidHash {
  size_t operator()(const Gfid& g) const noexcept {
    uint64_t a, b;
    std::memcpy(&a, g.bytes.data(), 8);
    std::memcpy(&b, g.bytes.data() + 8, 8);
    return a ^ (b * 0x9e3779b97f4a7c15ULL);
  }
};

}  // namespace gf
