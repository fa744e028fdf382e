// SPDX-License-Identifier: GPL-3.0-or-later
// The name hash of cluster/distribute: a 32-bit Davies-Meyer hash (TEA as the block cipher) of
// a file's basename, after the naming rules that keep renames local:
//   rsync temp names ".NAME.XXXXXX" hash as NAME (rsync renames the temp file to NAME);
//   maildir info suffixes "NAME:2,FLAGS" hash as NAME (a mail keeps its place from tmp/ to new/
//   to cur/ while its flags change).
#pragma once

#include <cstdint>
#include <string_view>

namespace gf::dht {

uint32_t daviesMeyerHash(std::string_view data);

struct HashRules {
  bool rsyncTempNames = true;
  bool maildirSuffix = true;
};
// The part of `name` that is hashed.
std::string_view hashedPart(std::string_view name, const HashRules& rules);
inline uint32_t nameHash(std::string_view name, const HashRules& rules) {
  return daviesMeyerHash(hashedPart(name, rules));
}

}  // namespace gf::dht
