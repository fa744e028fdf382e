// SPDX-License-Identifier: GPL-3.0-or-later
// Block checksums for rchecksum (self-heal compares blocks before copying them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gf {

// Adler-32 of `data` (the weak, rolling checksum).
uint32_t adler32(const void* data, size_t size);
// A 128-bit hash of `data`, as 16 raw bytes (the strong checksum; not cryptographic).
std::string strongHash128(const void* data, size_t size);

}  // namespace gf
