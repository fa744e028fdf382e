// SPDX-License-Identifier: GPL-3.0-or-later
// Typed option tables: every kind's parsing and range checks, patterns, aliases, required
// options, defaults, error messages and the --help-xlator text.
#include "glusterfs/core/options.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace gf {
namespace {

using std::chrono::milliseconds;

struct Config {
  bool flag = false;
  int threads = 0;
  int64_t cacheSize = 0;
  int64_t minFree = 0;
  milliseconds timeout{0};
  std::string directory;
  std::string name;
  std::string subvolume;
  std::string transport;
  std::map<std::string, std::string> allow;
};

const OptionTable<Config>& table() {
  static const OptionTable<Config> t = [] {
    OptionTable<Config> t;
    t.boolean("flush-behind", &Config::flag, false, "Flush in the background.");
    t.integer("thread-count", &Config::threads, 16, 1, 64, "Worker threads.");
    t.size("cache-size", &Config::cacheSize, "1MB", 4096, int64_t{1} << 40, "Cache size.")
        .alias("cache_size");
    t.percent("min-free-disk", &Config::minFree, 10, "Keep this much free.");
    t.time("ping-timeout", &Config::timeout, "10", 1000, 3600 * 1000, "Ping timeout.");
    t.path("directory", &Config::directory, "", "Brick directory.").required();
    t.string("volume-label", &Config::name, "none", "A label.");
    t.xlator("read-subvolume", &Config::subvolume, "Preferred child.");
    t.choice("transport-type", &Config::transport, "tcp", {"tcp", "unix", "ib-verbs"}, "Transport.")
        .alias("transport");
    t.add(OptionSpec{.key = "auth.addr.*.allow", .kind = OptionKind::kString, .doc = "Allow."},
          [](Config& c, const OptionValue& v) { c.allow[v.key] = v.text; });
    return t;
  }();
  return t;
}

RawOption raw(std::string key, std::string value, int line = 7) {
  return RawOption{std::move(key), std::move(value), "test.vol", line};
}

Config parse(std::vector<RawOption> opts) {
  if (std::none_of(opts.begin(), opts.end(), [](auto& r) { return r.key == "directory"; }))
    opts.push_back(raw("directory", "/export"));
  return table().parse(opts, "brick", "test.vol", 3);
}

// Parses one value of `kind` with the given range; returns the error text or "" on success.
std::string check(OptionKind kind, std::string_view text, OptionValue* out = nullptr,
                  int64_t min = INT64_MIN, int64_t max = INT64_MAX,
                  std::vector<std::string> choices = {}) {
  OptionSpec s;
  s.key = "k";
  s.kind = kind;
  s.min = min;
  s.max = max;
  s.choices = std::move(choices);
  OptionValue v;
  std::string why;
  bool ok = parseOptionValue(s, text, v, why);
  if (out) *out = v;
  if (ok) EXPECT_TRUE(why.empty());
  return ok ? "" : (why.empty() ? "(failed without a reason)" : why);
}

// The error message of a failed parse, or "" if it did not throw.
std::string parseError(std::vector<RawOption> opts, int* line = nullptr,
                       std::string* file = nullptr) {
  try {
    parse(std::move(opts));
  } catch (const VolfileError& e) {
    if (line) *line = e.line();
    if (file) *file = e.file();
    return e.what();
  }
  return "";
}

// ---- kinds -----------------------------------------------------------------------------------

TEST(OptionsTest, BoolAcceptsEverySpellingCaseInsensitively) {
  OptionValue v;
  for (const char* yes : {"on", "yes", "true", "enable", "1", "ON", "Yes", "TRUE", "Enable"}) {
    EXPECT_EQ(check(OptionKind::kBool, yes, &v), "") << yes;
    EXPECT_TRUE(v.flag) << yes;
  }
  for (const char* no : {"off", "no", "false", "disable", "0", "OFF", "No", "False", "DISABLE"}) {
    EXPECT_EQ(check(OptionKind::kBool, no, &v), "") << no;
    EXPECT_FALSE(v.flag) << no;
  }
}

TEST(OptionsTest, BoolRejectsOtherWords) {
  for (const char* bad : {"maybe", "2", "onn", "y", "", "enabled"})
    EXPECT_NE(check(OptionKind::kBool, bad).find("is not a boolean"), std::string::npos) << bad;
}

TEST(OptionsTest, IntWithinRangeIncludingBounds) {
  OptionValue v;
  EXPECT_EQ(check(OptionKind::kInt, "1", &v, 1, 64), "");
  EXPECT_EQ(v.number, 1);
  EXPECT_EQ(check(OptionKind::kInt, "64", &v, 1, 64), "");
  EXPECT_EQ(v.number, 64);
  EXPECT_EQ(check(OptionKind::kInt, "-5", &v, -10, 10), "");
  EXPECT_EQ(v.number, -5);
}

TEST(OptionsTest, IntOutOfRangeNamesTheRange) {
  EXPECT_EQ(check(OptionKind::kInt, "0", nullptr, 1, 64), "0 is out of range (1 to 64)");
  EXPECT_EQ(check(OptionKind::kInt, "65", nullptr, 1, 64), "65 is out of range (1 to 64)");
}

TEST(OptionsTest, IntRejectsNonIntegers) {
  for (const char* bad : {"", "abc", "12abc", "1.5", "0x10", "1e3", "99999999999999999999"})
    EXPECT_NE(check(OptionKind::kInt, bad).find("is not an integer"), std::string::npos) << bad;
}

TEST(OptionsTest, SizeSuffixesArePowersOf1024) {
  struct Case {
    const char* text;
    int64_t bytes;
  };
  for (auto [text, bytes] : std::vector<Case>{
           {"0", 0},
           {"512", 512},
           {"10B", 10},
           {"4KB", 4096},
           {"4kb", 4096},
           {"4K", 4096},
           {"4KiB", 4096},
           {"1MB", 1 << 20},
           {"1 MB", 1 << 20},
           {"128mb", 128 << 20},
           {"2GB", int64_t{2} << 30},
           {"3G", int64_t{3} << 30},
           {"1TB", int64_t{1} << 40},
           {"5tb", int64_t{5} << 40},
       }) {
    OptionValue v;
    EXPECT_EQ(check(OptionKind::kSize, text, &v), "") << text;
    EXPECT_EQ(v.number, bytes) << text;
  }
}

TEST(OptionsTest, SizeRejectsBadSuffixesAndNumbers) {
  for (const char* bad : {"10XB", "10 KBs", "MB", "1.5MB", "-1KB", "KB10", "", "1MB2",
                          "99999999999TB", "99999999999999999999"})
    EXPECT_NE(check(OptionKind::kSize, bad).find("is not a size"), std::string::npos) << bad;
}

TEST(OptionsTest, SizeRangeIsInBytes) {
  EXPECT_EQ(check(OptionKind::kSize, "4KB", nullptr, 4096, 1 << 20), "");
  EXPECT_EQ(check(OptionKind::kSize, "1MB", nullptr, 4096, 1 << 20), "");
  EXPECT_EQ(check(OptionKind::kSize, "2MB", nullptr, 4096, 1 << 20),
            "2MB is out of range (4096 to 1048576 bytes)");
  EXPECT_EQ(check(OptionKind::kSize, "4095", nullptr, 4096, 1 << 20),
            "4095 is out of range (4096 to 1048576 bytes)");
}

TEST(OptionsTest, PercentWithOrWithoutSign) {
  OptionValue v;
  EXPECT_EQ(check(OptionKind::kPercent, "80%", &v), "");
  EXPECT_EQ(v.number, 80);
  EXPECT_EQ(check(OptionKind::kPercent, "15", &v), "");
  EXPECT_EQ(v.number, 15);
  EXPECT_EQ(check(OptionKind::kPercent, "0%", &v), "");
  EXPECT_EQ(v.number, 0);
  EXPECT_EQ(check(OptionKind::kPercent, "100", &v), "");
  EXPECT_EQ(v.number, 100);
  for (const char* bad : {"101", "-1", "50%%", "%", "", "ten", "5.5%"})
    EXPECT_NE(check(OptionKind::kPercent, bad).find("is not a percentage from 0 to 100"),
              std::string::npos)
        << bad;
}

TEST(OptionsTest, TimeUnits) {
  struct Case {
    const char* text;
    int64_t ms;
  };
  for (auto [text, ms] : std::vector<Case>{
           {"10", 10000},
           {"0", 0},
           {"30s", 30000},
           {"2sec", 2000},
           {"500ms", 500},
           {"2m", 120000},
           {"3min", 180000},
           {"1h", 3600000},
           {"1800", 1800000},
       }) {
    OptionValue v;
    EXPECT_EQ(check(OptionKind::kTime, text, &v), "") << text;
    EXPECT_EQ(v.duration, milliseconds(ms)) << text;
  }
  for (const char* bad : {"10x", "ms", "1.5s", "-1", "", "10 days"})
    EXPECT_NE(check(OptionKind::kTime, bad).find("is not a time"), std::string::npos) << bad;
}

TEST(OptionsTest, TimeRangeIsInMilliseconds) {
  EXPECT_EQ(check(OptionKind::kTime, "1", nullptr, 1000, 60000), "");
  EXPECT_EQ(check(OptionKind::kTime, "999ms", nullptr, 1000, 60000),
            "999ms is out of range (1000 to 60000 ms)");
  EXPECT_EQ(check(OptionKind::kTime, "2m", nullptr, 1000, 60000),
            "2m is out of range (1000 to 60000 ms)");
}

TEST(OptionsTest, PathMustBeAbsolute) {
  OptionValue v;
  EXPECT_EQ(check(OptionKind::kPath, "/data/export", &v), "");
  EXPECT_EQ(v.text, "/data/export");
  EXPECT_EQ(check(OptionKind::kPath, "/", &v), "");
  for (const char* bad : {"data/export", "./export", "", "~/export"})
    EXPECT_NE(check(OptionKind::kPath, bad).find("is not an absolute path"), std::string::npos)
        << bad;
}

TEST(OptionsTest, StringTakesAnything) {
  OptionValue v;
  EXPECT_EQ(check(OptionKind::kString, "any text, with spaces #and hashes", &v), "");
  EXPECT_EQ(v.text, "any text, with spaces #and hashes");
}

TEST(OptionsTest, XlatorNameIsOneWord) {
  OptionValue v;
  EXPECT_EQ(check(OptionKind::kXlator, "brick-1", &v), "");
  EXPECT_EQ(v.text, "brick-1");
  EXPECT_NE(check(OptionKind::kXlator, "two words").find("is not a volume name"),
            std::string::npos);
  EXPECT_NE(check(OptionKind::kXlator, "").find("is not a volume name"), std::string::npos);
}

TEST(OptionsTest, EnumIsCaseInsensitiveAndCanonicalised) {
  OptionValue v;
  std::vector<std::string> choices{"tcp", "unix", "ib-verbs"};
  EXPECT_EQ(check(OptionKind::kEnum, "TCP", &v, INT64_MIN, INT64_MAX, choices), "");
  EXPECT_EQ(v.text, "tcp");
  EXPECT_EQ(check(OptionKind::kEnum, "ib-verbs", &v, INT64_MIN, INT64_MAX, choices), "");
  EXPECT_EQ(check(OptionKind::kEnum, "udp", nullptr, INT64_MIN, INT64_MAX, choices),
            "'udp' is not one of: tcp unix ib-verbs");
}

TEST(OptionsTest, KindNames) {
  EXPECT_STREQ(optionKindName(OptionKind::kBool), "bool");
  EXPECT_STREQ(optionKindName(OptionKind::kSize), "size");
  EXPECT_STREQ(optionKindName(OptionKind::kXlator), "volume");
  EXPECT_STREQ(optionKindName(OptionKind::kEnum), "enum");
}

// ---- patterns --------------------------------------------------------------------------------

TEST(OptionsTest, PatternStarMatchesOneOrMoreCharacters) {
  EXPECT_TRUE(keyMatches("auth.addr.*.allow", "auth.addr.brick1.allow"));
  EXPECT_TRUE(keyMatches("auth.addr.*.allow", "auth.addr.a.b.allow"));
  EXPECT_FALSE(keyMatches("auth.addr.*.allow", "auth.addr..allow"));
  EXPECT_FALSE(keyMatches("auth.addr.*.allow", "auth.addr.brick1.reject"));
  EXPECT_FALSE(keyMatches("auth.addr.*.allow", "xauth.addr.b.allow"));
  EXPECT_TRUE(keyMatches("*.limits.min-free-disk", "alu.limits.min-free-disk"));
  EXPECT_TRUE(keyMatches("exact", "exact"));
  EXPECT_FALSE(keyMatches("exact", "exactly"));
}

TEST(OptionsTest, PatternOptionsKeepTheKeyAsWritten) {
  auto c = parse(
      {raw("auth.addr.brick1.allow", "192.168.*"), raw("auth.addr.brick2.allow", "127.0.0.1")});
  ASSERT_EQ(c.allow.size(), 2u);
  EXPECT_EQ(c.allow["auth.addr.brick1.allow"], "192.168.*");
  EXPECT_EQ(c.allow["auth.addr.brick2.allow"], "127.0.0.1");
}

// ---- tables ----------------------------------------------------------------------------------

TEST(OptionsTest, DefaultsAreAppliedWhenAbsent) {
  auto c = parse({});
  EXPECT_FALSE(c.flag);
  EXPECT_EQ(c.threads, 16);
  EXPECT_EQ(c.cacheSize, 1 << 20);
  EXPECT_EQ(c.minFree, 10);
  EXPECT_EQ(c.timeout, milliseconds(10000));
  EXPECT_EQ(c.name, "none");
  EXPECT_EQ(c.transport, "tcp");
  EXPECT_EQ(c.subvolume, "");
  EXPECT_TRUE(c.allow.empty());
  EXPECT_EQ(c.directory, "/export");
}

TEST(OptionsTest, ValuesOverrideDefaults) {
  auto c = parse({raw("flush-behind", "on"), raw("thread-count", "4"), raw("cache-size", "64MB"),
                  raw("min-free-disk", "5%"), raw("ping-timeout", "42"),
                  raw("directory", "/data/b1"), raw("volume-label", "mail spool"),
                  raw("read-subvolume", "brick2"), raw("transport-type", "UNIX")});
  EXPECT_TRUE(c.flag);
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.cacheSize, int64_t{64} << 20);
  EXPECT_EQ(c.minFree, 5);
  EXPECT_EQ(c.timeout, milliseconds(42000));
  EXPECT_EQ(c.directory, "/data/b1");
  EXPECT_EQ(c.name, "mail spool");
  EXPECT_EQ(c.subvolume, "brick2");
  EXPECT_EQ(c.transport, "unix");
}

TEST(OptionsTest, AliasesSetTheSameOption) {
  auto c = parse({raw("cache_size", "2MB"), raw("transport", "ib-verbs")});
  EXPECT_EQ(c.cacheSize, 2 << 20);
  EXPECT_EQ(c.transport, "ib-verbs");
}

TEST(OptionsTest, LaterValuesWin) {
  // --xlator-option appends after the volfile's own options.
  auto c = parse({raw("thread-count", "4"), raw("thread-count", "8")});
  EXPECT_EQ(c.threads, 8);
}

TEST(OptionsTest, FindByKeyAliasAndPattern) {
  size_t i = 99;
  ASSERT_NE(table().find("cache-size", &i), nullptr);
  EXPECT_EQ(table().specs()[i].key, "cache-size");
  ASSERT_NE(table().find("cache_size", &i), nullptr);
  EXPECT_EQ(table().specs()[i].key, "cache-size");
  ASSERT_NE(table().find("auth.addr.x.allow", &i), nullptr);
  EXPECT_EQ(table().specs()[i].key, "auth.addr.*.allow");
  EXPECT_EQ(table().find("cache"), nullptr);
}

TEST(OptionsTest, UnknownKeyErrorNamesFileLineVolumeAndListsValidKeys) {
  int line = 0;
  std::string file;
  std::string msg = parseError({raw("colour", "blue", 12)}, &line, &file);
  EXPECT_EQ(line, 12);
  EXPECT_EQ(file, "test.vol");
  EXPECT_EQ(msg.rfind("test.vol:12: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("volume 'brick'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown option 'colour'"), std::string::npos) << msg;
  for (const auto& s : table().specs())
    EXPECT_NE(msg.find(" " + s.key), std::string::npos) << s.key << " missing from: " << msg;
}

TEST(OptionsTest, UnknownKeyOnATableWithoutOptions) {
  OptionTable<Config> empty;
  try {
    empty.parse({raw("anything", "x", 4)}, "leaf", "test.vol", 2);
    FAIL() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.line(), 4);
    EXPECT_NE(std::string(e.what()).find("takes no options"), std::string::npos) << e.what();
  }
}

TEST(OptionsTest, BadValueErrorNamesOptionAndReason) {
  int line = 0;
  std::string msg = parseError({raw("thread-count", "100", 9)}, &line);
  EXPECT_EQ(line, 9);
  EXPECT_EQ(msg,
            "test.vol:9: volume 'brick': option 'thread-count': 100 is out of range (1 to 64)");
  msg = parseError({raw("cache-size", "12XB", 10)}, &line);
  EXPECT_EQ(line, 10);
  EXPECT_NE(msg.find("option 'cache-size': '12XB' is not a size"), std::string::npos) << msg;
  msg = parseError({raw("directory", "relative", 11)}, &line);
  EXPECT_EQ(line, 11);
  EXPECT_NE(msg.find("'relative' is not an absolute path"), std::string::npos) << msg;
}

TEST(OptionsTest, ApplyFunctionsReportInvalidValuesWithFileAndLine) {
  // A value can parse as its kind yet be invalid for the translator (a malformed list).
  OptionTable<Config> t;
  t.add(OptionSpec{.key = "block-size", .kind = OptionKind::kString, .doc = "Pattern list."},
        [](Config& c, const OptionValue& v) {
          if (v.text.find(':') == std::string::npos)
            throw OptionValueError("'" + v.text + "' is not of the form PATTERN:SIZE");
          c.name = v.text;
        });
  EXPECT_EQ(t.parse({raw("block-size", "*.mpg:1MB")}, "stripe", "test.vol", 1).name, "*.mpg:1MB");
  try {
    t.parse({raw("block-size", "1MB", 14)}, "stripe", "test.vol", 1);
    FAIL() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.line(), 14);
    EXPECT_STREQ(e.what(),
                 "test.vol:14: volume 'stripe': option 'block-size': '1MB' is not of the form "
                 "PATTERN:SIZE");
  }
}

TEST(OptionsTest, MissingRequiredOptionNamesTheVolumeLine) {
  try {
    table().parse({raw("thread-count", "2")}, "brick", "test.vol", 3);
    FAIL() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.file(), "test.vol");
    EXPECT_EQ(std::string(e.what()),
              "test.vol:3: volume 'brick': required option 'directory' is missing");
  }
}

TEST(OptionsTest, RequiredOptionGivenByAliasCounts) {
  OptionTable<Config> t;
  t.path("directory", &Config::directory, "", "Brick.").alias("dir").required();
  auto c = t.parse({raw("dir", "/x")}, "b", "test.vol", 1);
  EXPECT_EQ(c.directory, "/x");
}

TEST(OptionsTest, AnInvalidDefaultIsAProgrammingError) {
  OptionTable<Config> t;
  t.integer("n", &Config::threads, 0, 1, 10, "Out-of-range default.");
  EXPECT_THROW(t.parse({}, "v", "test.vol", 1), std::logic_error);
}

TEST(OptionsTest, VolfileErrorFormatsFileAndLine) {
  VolfileError withLine("a.vol", 5, "boom");
  EXPECT_STREQ(withLine.what(), "a.vol:5: boom");
  EXPECT_EQ(withLine.file(), "a.vol");
  EXPECT_EQ(withLine.line(), 5);
  EXPECT_EQ(withLine.message(), "boom");
  VolfileError noLine("--xlator-option", 0, "bad");
  EXPECT_STREQ(noLine.what(), "--xlator-option: bad");
}

TEST(OptionsTest, HelpListsEveryOptionWithKindDefaultRangeAndChoices) {
  std::ostringstream out;
  table().printHelp(out);
  std::string h = out.str();
  EXPECT_NE(h.find("option cache-size | cache_size  <size>"), std::string::npos) << h;
  EXPECT_NE(h.find("default: 1MB"), std::string::npos) << h;
  EXPECT_NE(h.find("range: 1 to 64"), std::string::npos) << h;
  EXPECT_NE(h.find("option directory  <path>  (required)"), std::string::npos) << h;
  EXPECT_NE(h.find("one of: tcp unix ib-verbs"), std::string::npos) << h;
  EXPECT_NE(h.find("option auth.addr.*.allow  <string>"), std::string::npos) << h;
  EXPECT_NE(h.find("Worker threads."), std::string::npos) << h;
  std::ostringstream none;
  OptionTable<Config>().printHelp(none);
  EXPECT_EQ(none.str(), "  (no options)\n");
}

}  // namespace
}  // namespace gf
