// SPDX-License-Identifier: GPL-3.0-or-later
// Typed option tables: each translator declares its options once (key, type, default, range,
// aliases, help); the same table validates volfile values into a Config struct and prints
// `glusterfsd --help-xlator TYPE`. Errors name the volfile, line, volume and option.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gf {

// A start-up error in a volfile or command line: "FILE:LINE: message".
class VolfileError : public std::runtime_error {
 public:
  VolfileError(std::string file, int line, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  std::string message_;
};

// Thrown by an option's apply function when a value that parsed as its kind is still invalid
// (a malformed list, an unknown name); OptionTable::parse reports it with file, line and volume.
class OptionValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class OptionKind { kBool, kInt, kSize, kPercent, kTime, kPath, kString, kXlator, kEnum };
const char* optionKindName(OptionKind k);

struct OptionSpec {
  std::string key;  // a '*' matches one or more characters (e.g. "auth.addr.*.allow")
  std::vector<std::string> aliases;
  OptionKind kind = OptionKind::kString;
  std::string defaultValue;  // as volfile text; empty = no default
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
  std::vector<std::string> choices;  // kEnum
  bool required = false;
  std::string doc;
};

struct OptionValue {
  std::string key;  // the key as written (matters for pattern options)
  std::string text;
  bool flag = false;            // kBool
  int64_t number = 0;           // kInt, kSize (bytes), kPercent (0-100)
  std::chrono::milliseconds duration{0};  // kTime
};

// One `option KEY VALUE` line as written in a volfile (or from --xlator-option).
struct RawOption {
  std::string key;
  std::string value;
  std::string file;
  int line = 0;
};

// Parses "text" by the spec's kind; on failure returns false and sets `why`.
bool parseOptionValue(const OptionSpec& spec, std::string_view text, OptionValue& out,
                      std::string& why);
bool keyMatches(std::string_view pattern, std::string_view key);

class OptionTableBase {
 public:
  virtual ~OptionTableBase() = default;
  const std::vector<OptionSpec>& specs() const { return specs_; }
  void printHelp(std::ostream& out) const;
  // The spec for `key` (by key, alias or pattern), or null.
  const OptionSpec* find(std::string_view key, size_t* index = nullptr) const;

 protected:
  std::vector<OptionSpec> specs_;
};

template <class Config>
class OptionTable : public OptionTableBase {
 public:
  using Apply = std::function<void(Config&, const OptionValue&)>;

  OptionTable& add(OptionSpec spec, Apply apply) {
    specs_.push_back(std::move(spec));
    applies_.push_back(std::move(apply));
    return *this;
  }
  OptionTable& boolean(std::string key, bool Config::*m, bool def, std::string doc) {
    return add(spec(key, OptionKind::kBool, def ? "on" : "off", doc),
               [m](Config& c, const OptionValue& v) { c.*m = v.flag; });
  }
  template <class Int>
  OptionTable& integer(std::string key, Int Config::*m, int64_t def, int64_t min, int64_t max,
                       std::string doc) {
    auto s = spec(key, OptionKind::kInt, std::to_string(def), doc);
    s.min = min, s.max = max;
    return add(std::move(s), [m](Config& c, const OptionValue& v) { c.*m = static_cast<Int>(v.number); });
  }
  // Sizes accept KB, MB, GB, TB suffixes (powers of 1024); `def` is text such as "1MB".
  template <class Int>
  OptionTable& size(std::string key, Int Config::*m, std::string def, int64_t min, int64_t max,
                    std::string doc) {
    auto s = spec(key, OptionKind::kSize, def, doc);
    s.min = min, s.max = max;
    return add(std::move(s), [m](Config& c, const OptionValue& v) { c.*m = static_cast<Int>(v.number); });
  }
  OptionTable& percent(std::string key, int64_t Config::*m, int64_t def, std::string doc) {
    auto s = spec(key, OptionKind::kPercent, std::to_string(def) + "%", doc);
    s.min = 0, s.max = 100;
    return add(std::move(s), [m](Config& c, const OptionValue& v) { c.*m = v.number; });
  }
  // Times are seconds, or take a suffix: ms, s, m, h. Range in milliseconds.
  OptionTable& time(std::string key, std::chrono::milliseconds Config::*m, std::string def,
                    int64_t minMs, int64_t maxMs, std::string doc) {
    auto s = spec(key, OptionKind::kTime, def, doc);
    s.min = minMs, s.max = maxMs;
    return add(std::move(s), [m](Config& c, const OptionValue& v) { c.*m = v.duration; });
  }
  OptionTable& path(std::string key, std::string Config::*m, std::string def, std::string doc) {
    return add(spec(key, OptionKind::kPath, def, doc),
               [m](Config& c, const OptionValue& v) { c.*m = v.text; });
  }
  OptionTable& string(std::string key, std::string Config::*m, std::string def, std::string doc) {
    return add(spec(key, OptionKind::kString, def, doc),
               [m](Config& c, const OptionValue& v) { c.*m = v.text; });
  }
  OptionTable& xlator(std::string key, std::string Config::*m, std::string doc) {
    return add(spec(key, OptionKind::kXlator, "", doc),
               [m](Config& c, const OptionValue& v) { c.*m = v.text; });
  }
  OptionTable& choice(std::string key, std::string Config::*m, std::string def,
                      std::vector<std::string> choices, std::string doc) {
    auto s = spec(key, OptionKind::kEnum, def, doc);
    s.choices = std::move(choices);
    return add(std::move(s), [m](Config& c, const OptionValue& v) { c.*m = v.text; });
  }
  // Modifiers for the option added last.
  OptionTable& alias(std::string a) {
    specs_.back().aliases.push_back(std::move(a));
    return *this;
  }
  OptionTable& required() {
    specs_.back().required = true;
    return *this;
  }

  // Applies defaults, then every raw option in order. Throws VolfileError naming file, line,
  // volume and key for an unknown key, a bad value (including an OptionValueError thrown by
  // the option's apply function), or a missing required option.
  Config parse(const std::vector<RawOption>& raw, const std::string& volume,
               const std::string& volfile, int volumeLine) const {
    Config c{};
    std::vector<bool> seen(specs_.size(), false);
    for (size_t i = 0; i < specs_.size(); ++i) {
      const auto& s = specs_[i];
      if (s.defaultValue.empty() || s.key.find('*') != std::string::npos) continue;
      OptionValue v;
      std::string why;
      if (!parseOptionValue(s, s.defaultValue, v, why))
        throw std::logic_error("bad default for option " + s.key + ": " + why);
      v.key = s.key;
      applies_[i](c, v);
    }
    for (const auto& r : raw) {
      size_t i = 0;
      const OptionSpec* s = find(r.key, &i);
      if (!s) throwUnknown(r, volume);
      OptionValue v;
      std::string why;
      if (!parseOptionValue(*s, r.value, v, why)) throwBad(r, volume, why);
      v.key = r.key;
      try {
        applies_[i](c, v);
      } catch (const OptionValueError& e) {
        throwBad(r, volume, e.what());
      }
      seen[i] = true;
    }
    for (size_t i = 0; i < specs_.size(); ++i)
      if (specs_[i].required && !seen[i]) throwMissing(volfile, volumeLine, volume, specs_[i].key);
    return c;
  }

 private:
  static OptionSpec spec(std::string key, OptionKind kind, std::string def, std::string doc) {
    OptionSpec s;
    s.key = std::move(key);
    s.kind = kind;
    s.defaultValue = std::move(def);
    s.doc = std::move(doc);
    return s;
  }
  [[noreturn]] void throwUnknown(const RawOption& r, const std::string& volume) const;
  [[noreturn]] static void throwBad(const RawOption& r, const std::string& volume,
                                    const std::string& why);
  [[noreturn]] static void throwMissing(const std::string& file, int line,
                                        const std::string& volume, const std::string& key);
  std::vector<Apply> applies_;
};

// Shared error builders (options.cc).
[[noreturn]] void throwUnknownOption(const OptionTableBase& t, const RawOption& r,
                                     const std::string& volume);
[[noreturn]] void throwBadOption(const RawOption& r, const std::string& volume,
                                 const std::string& why);
[[noreturn]] void throwMissingOption(const std::string& file, int line, const std::string& volume,
                                     const std::string& key);

template <class Config>
void OptionTable<Config>::throwUnknown(const RawOption& r, const std::string& volume) const {
  throwUnknownOption(*this, r, volume);
}
template <class Config>
void OptionTable<Config>::throwBad(const RawOption& r, const std::string& volume,
                                   const std::string& why) {
  throwBadOption(r, volume, why);
}
template <class Config>
void OptionTable<Config>::throwMissing(const std::string& file, int line,
                                       const std::string& volume, const std::string& key) {
  throwMissingOption(file, line, volume, key);
}

}  // namespace gf
