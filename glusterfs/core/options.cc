// SPDX-License-Identifier: GPL-3.0-or-later
// Option value parsing, matching and help output.
#include "glusterfs/core/options.h"

#include <strings.h>

#include <cctype>
#include <charconv>
#include <iomanip>
#include <ostream>

namespace gf {

VolfileError::VolfileError(std::string file, int line, const std::string& message)
    : std::runtime_error((line > 0 ? file + ":" + std::to_string(line) : file) + ": " + message),
      file_(std::move(file)),
      line_(line),
      message_(message) {}

const char* optionKindName(OptionKind k) {
  switch (k) {
    case OptionKind::kBool: return "bool";
    case OptionKind::kInt: return "int";
    case OptionKind::kSize: return "size";
    case OptionKind::kPercent: return "percent";
    case OptionKind::kTime: return "time";
    case OptionKind::kPath: return "path";
    case OptionKind::kString: return "string";
    case OptionKind::kXlator: return "volume";
    case OptionKind::kEnum: return "enum";
  }
  return "?";
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool parseInt(std::string_view t, int64_t& out) {
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size();
}

// "123" plus an optional unit suffix looked up in `units` (case-insensitive).
template <size_t N>
bool parseWithUnit(std::string_view t, const std::pair<const char*, int64_t> (&units)[N],
                   int64_t& out) {
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0) return false;
  int64_t n;
  if (!parseInt(t.substr(0, i), n)) return false;
  std::string_view suffix = t.substr(i);
  while (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
  for (const auto& [name, mult] : units) {
    if (iequals(suffix, name)) {
      if (mult != 0 && n > INT64_MAX / mult) return false;
      out = n * mult;
      return true;
    }
  }
  return false;
}

constexpr int64_t kKiB = 1024;
constexpr std::pair<const char*, int64_t> kSizeUnits[] = {
    {"", 1},           {"B", 1},
    {"KB", kKiB},      {"K", kKiB},      {"KiB", kKiB},
    {"MB", kKiB << 10}, {"M", kKiB << 10}, {"MiB", kKiB << 10},
    {"GB", kKiB << 20}, {"G", kKiB << 20}, {"GiB", kKiB << 20},
    {"TB", kKiB << 30}, {"T", kKiB << 30}, {"TiB", kKiB << 30},
    {"PB", kKiB << 40}, {"P", kKiB << 40}, {"PiB", kKiB << 40},
};
constexpr std::pair<const char*, int64_t> kTimeUnits[] = {
    {"", 1000}, {"s", 1000}, {"sec", 1000}, {"ms", 1}, {"m", 60000}, {"min", 60000}, {"h", 3600000},
};

std::string rangeText(const OptionSpec& s) {
  return std::to_string(s.min) + " to " + std::to_string(s.max);
}

}  // namespace

bool keyMatches(std::string_view pattern, std::string_view key) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == key;
  std::string_view pre = pattern.substr(0, star), post = pattern.substr(star + 1);
  return key.size() > pre.size() + post.size() && key.substr(0, pre.size()) == pre &&
         key.substr(key.size() - post.size()) == post;
}

bool parseOptionValue(const OptionSpec& spec, std::string_view text, OptionValue& out,
                      std::string& why) {
  out.text = std::string(text);
  switch (spec.kind) {
    case OptionKind::kBool:
      for (auto yes : {"on", "yes", "true", "enable", "1"})
        if (iequals(text, yes)) return out.flag = true, true;
      for (auto no : {"off", "no", "false", "disable", "0"})
        if (iequals(text, no)) return out.flag = false, true;
      why = "'" + std::string(text) + "' is not a boolean (use on/off, yes/no, true/false)";
      return false;
    case OptionKind::kInt:
      if (!parseInt(text, out.number)) {
        why = "'" + std::string(text) + "' is not an integer";
        return false;
      }
      if (out.number < spec.min || out.number > spec.max) {
        why = std::string(text) + " is out of range (" + rangeText(spec) + ")";
        return false;
      }
      return true;
    case OptionKind::kSize:
      if (!parseWithUnit(text, kSizeUnits, out.number)) {
        why = "'" + std::string(text) +
              "' is not a size (a number with an optional KB, MB, GB or TB suffix)";
        return false;
      }
      if (out.number < spec.min || out.number > spec.max) {
        why = std::string(text) + " is out of range (" + rangeText(spec) + " bytes)";
        return false;
      }
      return true;
    case OptionKind::kPercent: {
      std::string_view t = text;
      if (!t.empty() && t.back() == '%') t.remove_suffix(1);
      if (!parseInt(t, out.number) || out.number < 0 || out.number > 100) {
        why = "'" + std::string(text) + "' is not a percentage from 0 to 100";
        return false;
      }
      return true;
    }
    case OptionKind::kTime: {
      int64_t ms;
      if (!parseWithUnit(text, kTimeUnits, ms)) {
        why = "'" + std::string(text) + "' is not a time (seconds, or a number with ms, s, m or h)";
        return false;
      }
      if (ms < spec.min || ms > spec.max) {
        why = std::string(text) + " is out of range (" + std::to_string(spec.min) + " to " +
              std::to_string(spec.max) + " ms)";
        return false;
      }
      out.duration = std::chrono::milliseconds(ms);
      return true;
    }
    case OptionKind::kPath:
      if (text.empty() || text.front() != '/') {
        why = "'" + std::string(text) + "' is not an absolute path";
        return false;
      }
      return true;
    case OptionKind::kString:
      return true;
    case OptionKind::kXlator:
      if (text.empty() || text.find_first_of(" \t") != std::string_view::npos) {
        why = "'" + std::string(text) + "' is not a volume name";
        return false;
      }
      return true;
    case OptionKind::kEnum:
      for (const auto& c : spec.choices)
        if (iequals(text, c)) return out.text = c, true;
      why = "'" + std::string(text) + "' is not one of:";
      for (const auto& c : spec.choices) why += " " + c;
      return false;
  }
  return false;
}

const OptionSpec* OptionTableBase::find(std::string_view key, size_t* index) const {
  for (size_t i = 0; i < specs_.size(); ++i) {
    const auto& s = specs_[i];
    bool hit = keyMatches(s.key, key);
    for (const auto& a : s.aliases) hit = hit || keyMatches(a, key);
    if (hit) {
      if (index) *index = i;
      return &s;
    }
  }
  return nullptr;
}

void OptionTableBase::printHelp(std::ostream& out) const {
  if (specs_.empty()) {
    out << "  (no options)\n";
    return;
  }
  for (const auto& s : specs_) {
    out << "  option " << s.key;
    for (const auto& a : s.aliases) out << " | " << a;
    out << "  <" << optionKindName(s.kind) << ">";
    if (s.required) out << "  (required)";
    out << "\n      " << s.doc << "\n";
    if (!s.defaultValue.empty()) out << "      default: " << s.defaultValue << "\n";
    if (s.kind == OptionKind::kEnum) {
      out << "      one of:";
      for (const auto& c : s.choices) out << " " << c;
      out << "\n";
    }
    if ((s.kind == OptionKind::kInt || s.kind == OptionKind::kSize) &&
        (s.min != INT64_MIN || s.max != INT64_MAX))
      out << "      range: " << s.min << " to " << s.max << "\n";
  }
}

void throwUnknownOption(const OptionTableBase& t, const RawOption& r, const std::string& volume) {
  std::string msg = "volume '" + volume + "': unknown option '" + r.key + "'";
  if (!t.specs().empty()) {
    msg += " (valid:";
    for (const auto& s : t.specs()) msg += " " + s.key;
    msg += ")";
  } else {
    msg += " (this translator takes no options)";
  }
  throw VolfileError(r.file, r.line, msg);
}

void throwBadOption(const RawOption& r, const std::string& volume, const std::string& why) {
  throw VolfileError(r.file, r.line, "volume '" + volume + "': option '" + r.key + "': " + why);
}

void throwMissingOption(const std::string& file, int line, const std::string& volume,
                        const std::string& key) {
  throw VolfileError(file, line, "volume '" + volume + "': required option '" + key + "' is missing");
}

}  // namespace gf
