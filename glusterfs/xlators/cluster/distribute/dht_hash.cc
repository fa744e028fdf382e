// SPDX-License-Identifier: GPL-3.0-or-later
// Davies-Meyer over TEA: H(i) = TEA_encrypt(key = block(i), H(i-1)) xor H(i-1), with the
// message padded by its length, folded to 32 bits.
#include "glusterfs/xlators/cluster/distribute/dht_hash.h"

#include <array>
#include <cstring>

namespace gf::dht {
namespace {

constexpr uint32_t kDelta = 0x9E3779B9u;

// TEA block encryption of (v0, v1) under the 128-bit key k, 32 rounds.
void teaEncrypt(uint32_t& v0, uint32_t& v1, const std::array<uint32_t, 4>& k) {
  uint32_t sum = 0;
  for (int i = 0; i < 32; ++i) {
    sum += kDelta;
    v0 += ((v1 << 4) + k[0]) ^ (v1 + sum) ^ ((v1 >> 5) + k[1]);
    v1 += ((v0 << 4) + k[2]) ^ (v0 + sum) ^ ((v0 >> 5) + k[3]);
  }
}

}  // namespace

uint32_t daviesMeyerHash(std::string_view data) {
  uint32_t h0 = 0x67452301u, h1 = 0xefcdab89u;
  // Process 16-byte key blocks; the last block carries the remaining bytes and the length,
  // so that messages differing only in trailing zero bytes hash differently.
  size_t len = data.size();
  size_t blocks = len / 16 + 1;
  for (size_t b = 0; b < blocks; ++b) {
    unsigned char raw[16] = {0};
    size_t off = b * 16;
    size_t take = off < len ? std::min<size_t>(16, len - off) : 0;
    if (take) std::memcpy(raw, data.data() + off, take);
    if (b == blocks - 1) {
      uint32_t l = static_cast<uint32_t>(len);
      raw[12] ^= static_cast<unsigned char>(l >> 24);
      raw[13] ^= static_cast<unsigned char>(l >> 16);
      raw[14] ^= static_cast<unsigned char>(l >> 8);
      raw[15] ^= static_cast<unsigned char>(l);
    }
    std::array<uint32_t, 4> key;
    for (int w = 0; w < 4; ++w)
      key[w] = static_cast<uint32_t>(raw[w * 4]) << 24 | static_cast<uint32_t>(raw[w * 4 + 1]) << 16 |
               static_cast<uint32_t>(raw[w * 4 + 2]) << 8 | raw[w * 4 + 3];
    uint32_t v0 = h0, v1 = h1;
    teaEncrypt(v0, v1, key);
    h0 ^= v0;
    h1 ^= v1;
  }
  return h0 ^ h1;
}

std::string_view hashedPart(std::string_view name, const HashRules& rules) {
  if (rules.rsyncTempNames && name.size() > 8 && name.front() == '.') {
    size_t dot = name.rfind('.');
    if (dot != std::string_view::npos && dot > 1 && name.size() - dot - 1 == 6)
      name = name.substr(1, dot - 1);
  }
  if (rules.maildirSuffix) {
    size_t colon = name.rfind(":2,");
    if (colon != std::string_view::npos && colon > 0) name = name.substr(0, colon);
  }
  return name;
}

}  // namespace gf::dht
