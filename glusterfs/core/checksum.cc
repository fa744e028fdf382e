// SPDX-License-Identifier: GPL-3.0-or-later
// Adler-32 and a 128-bit non-cryptographic hash (two independent 64-bit mixes).
#include "glusterfs/core/checksum.h"

#include <cstring>

namespace gf {

uint32_t adler32(const void* data, size_t size) {
  constexpr uint32_t kMod = 65521;
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t a = 1, b = 0;
  while (size > 0) {
    // 5552 is the largest block for which b cannot overflow 32 bits before the modulo.
    size_t n = size < 5552 ? size : 5552;
    size -= n;
    while (n--) {
      a += *p++;
      b += a;
    }
    a %= kMod;
    b %= kMod;
  }
  return (b << 16) | a;
}

namespace {
inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}
}  // namespace

std::string strongHash128(const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h1 = 0x9e3779b97f4a7c15ULL ^ size, h2 = 0x6a09e667f3bcc909ULL + size;
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  size_t i = 0;
  for (; i + 16 <= size; i += 16) {
    uint64_t k1, k2;
    std::memcpy(&k1, p + i, 8);
    std::memcpy(&k2, p + i + 8, 8);
    h1 ^= rotl(k1 * c1, 31) * c2;
    h1 = rotl(h1, 27) + h2;
    h1 = h1 * 5 + 0x52dce729;
    h2 ^= rotl(k2 * c2, 33) * c1;
    h2 = rotl(h2, 31) + h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  uint64_t k1 = 0, k2 = 0;
  size_t rest = size - i;
  if (rest > 8) std::memcpy(&k2, p + i + 8, rest - 8);
  if (rest > 0) std::memcpy(&k1, p + i, rest > 8 ? 8 : rest);  // p may be null when size is 0
  h1 ^= rotl(k1 * c1, 31) * c2;
  h2 ^= rotl(k2 * c2, 33) * c1;
  h1 += h2;
  h2 += h1;
  h1 = mix(h1);
  h2 = mix(h2);
  h1 += h2;
  h2 += h1;
  std::string out(16, '\0');
  std::memcpy(out.data(), &h1, 8);
  std::memcpy(out.data() + 8, &h2, 8);
  return out;
}

}  // namespace gf
