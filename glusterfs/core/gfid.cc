// SPDX-License-Identifier: GPL-3.0-or-later
// Gfid generation, parsing and formatting.
#include "glusterfs/core/gfid.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace gf {

Gfid Gfid::root() {
  Gfid g;
  g.bytes[15] = 1;
  return g;
}

Gfid Gfid::random() {
  Gfid g;
  size_t got = 0;
  while (got < g.bytes.size()) {
    ssize_t n = getrandom(g.bytes.data() + got, g.bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<size_t>(n);
  }
  g.bytes[6] = (g.bytes[6] & 0x0f) | 0x40;  // version 4
  g.bytes[8] = (g.bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
  // The low 64 bits become the inode number; 0 and 1 are reserved (none, root).
  if (g.ino() <= 1) g.bytes[15] |= 2;
  return g;
}

Gfid Gfid::fromBytes(std::string_view raw) {
  Gfid g;
  if (raw.size() == g.bytes.size()) std::memcpy(g.bytes.data(), raw.data(), raw.size());
  return g;
}

bool Gfid::isNull() const {
  for (auto b : bytes)
    if (b) return false;
  return true;
}

uint64_t Gfid::ino() const {
  uint64_t hi = 0, v = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | bytes[i];
  for (int i = 8; i < 16; ++i) v = (v << 8) | bytes[i];
  if (hi == 0 && v <= 1) return v;  // null (no inode) and root
  // Gfids made elsewhere need not be v4: a low half of 0 or 1 must not read as "none" or root.
  if (v <= 1) v = (hi ^ v) | 2;
  return v;
}

std::string Gfid::str() const {
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(hex[bytes[i] >> 4]);
    s.push_back(hex[bytes[i] & 15]);
  }
  return s;
}

std::optional<Gfid> Gfid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Gfid g;
  size_t out = 0;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    g.bytes[out++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return g;
}

}  // namespace gf
