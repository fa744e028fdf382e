// SPDX-License-Identifier: GPL-3.0-or-later
// FopSet: a set of fops parsed from an option's comma list, and errno names both ways, for
// the debug translators' options.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "glusterfs/core/fops.h"

namespace gf::debug {

using FopSet = std::bitset<kFopCount>;

inline FopSet allFops() { return FopSet().set(); }

// "writev, readv,lookup": fop names as in GF_FOP_LIST, case-insensitive; "*" or "all" means
// every fop; 2.0 names of fops since merged (chmod, chown, utimens, fchmod, fchown,
// getdents, checksum) name their successors. Throws OptionValueError naming an unknown fop.
FopSet parseFopList(std::string_view text);

// "ENOENT" for ENOENT; "E<number>" when the number has no name.
std::string errnoName(int err);
// "ENOENT", "enospc" or a number such as "28"; nullopt if it is neither.
std::optional<int> parseErrno(std::string_view text);

}  // namespace gf::debug
