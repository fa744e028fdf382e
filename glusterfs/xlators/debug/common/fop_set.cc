// SPDX-License-Identifier: GPL-3.0-or-later
// Fop-list and errno-name parsing for the debug translators.
#include "glusterfs/xlators/debug/common/fop_set.h"

#include <strings.h>

#include <charconv>
#include <cstring>

#include "glusterfs/core/options.h"

namespace gf::debug {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// GlusterFS 2.0 fops that are one fop here.
struct Alias {
  const char* old;
  FopId now;
};
constexpr Alias kAliases[] = {
    {"chmod", FopId::setattr},      {"chown", FopId::setattr},   {"utimens", FopId::setattr},
    {"fchmod", FopId::fsetattr},    {"fchown", FopId::fsetattr}, {"getdents", FopId::readdir},
    {"checksum", FopId::rchecksum},
};

}  // namespace

FopSet parseFopList(std::string_view text) {
  FopSet out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view name = trim(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (name.empty()) throw OptionValueError("empty fop name in list '" + std::string(text) + "'");
    if (name == "*" || iequals(name, "all")) {
      out.set();
      continue;
    }
    bool found = false;
    for (size_t i = 0; i < kFopCount; ++i)
      if (iequals(name, kFopInfo[i].name)) {
        out.set(i);
        found = true;
      }
    for (const auto& a : kAliases)
      if (iequals(name, a.old)) {
        out.set(static_cast<size_t>(a.now));
        found = true;
      }
    if (!found) throw OptionValueError("'" + std::string(name) + "' is not a fop name");
  }
  return out;
}

std::string errnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

std::optional<int> parseErrno(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && p == text.data() + text.size()) {
    if (n > 0 && n < 4096) return n;
    return std::nullopt;
  }
  for (int e = 1; e < 4096; ++e) {
    const char* name = strerrorname_np(e);
    if (name && iequals(text, name)) return e;
  }
  return std::nullopt;
}

}  // namespace gf::debug
