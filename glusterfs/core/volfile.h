// SPDX-License-Identifier: GPL-3.0-or-later
// The GlusterFS 2.0 volfile grammar: volume/type/option/subvolumes/end-volume blocks.
//
//   volume <name>
//     type <category/xlator>
//     option <key> <value>       # the value is the rest of the line
//     subvolumes <v1> <v2> ...   # each defined earlier in the file
//   end-volume
//
// parseVolfile() checks the structure only (which types and options exist is the registry's
// and the option tables' business) and throws VolfileError naming the file and line.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glusterfs/core/options.h"

namespace gf {

struct VolumeDecl {
  std::string name;
  std::string type;
  int line = 0;      // of `volume`
  int typeLine = 0;  // of `type`
  std::vector<RawOption> options;
  std::vector<std::pair<std::string, int>> subvolumes;  // name, line
};

struct Volfile {
  std::string file;
  std::vector<VolumeDecl> volumes;  // in file order; the last is the default root
};

inline constexpr size_t kMaxVolfileLine = 4096;

Volfile parseVolfile(std::string_view text, const std::string& file);
// Reads and parses a file; an unreadable file is a VolfileError too.
Volfile loadVolfile(const std::string& path);

}  // namespace gf
