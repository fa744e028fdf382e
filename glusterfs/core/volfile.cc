// SPDX-License-Identifier: GPL-3.0-or-later
// Volfile parser: a line-oriented reader with precise errors.
#include "glusterfs/core/volfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace gf {
namespace {

constexpr size_t kMaxVolfileSize = size_t{16} << 20;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool validName(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == ':'))
      return false;
  return true;
}

// Splits off the first whitespace-delimited word.
std::string_view nextWord(std::string_view& rest) {
  while (!rest.empty() && isSpace(rest.front())) rest.remove_prefix(1);
  size_t end = 0;
  while (end < rest.size() && !isSpace(rest[end])) ++end;
  std::string_view w = rest.substr(0, end);
  rest.remove_prefix(end);
  while (!rest.empty() && isSpace(rest.front())) rest.remove_prefix(1);
  return w;
}

std::string_view trimRight(std::string_view s) {
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A '#' at the start of a line or after whitespace begins a comment.
std::string_view stripComment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || isSpace(line[i - 1]))) return line.substr(0, i);
  return line;
}

class Parser {
 public:
  Parser(std::string_view text, std::string file) : text_(text) { vf_.file = std::move(file); }

  Volfile run() {
    // Editors on some systems start files with a UTF-8 byte order mark; it is not text.
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
    if (text_.find('\0') != std::string_view::npos)
      fail(lineOf(text_.find('\0')), "binary data (NUL byte): this is not a volfile");
    int lineNo = 0;
    size_t pos = 0;
    while (pos <= text_.size()) {
      size_t nl = text_.find('\n', pos);
      std::string_view raw = text_.substr(pos, nl == std::string_view::npos ? text_.npos : nl - pos);
      ++lineNo;
      handleLine(raw, lineNo);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    if (open_) fail(cur_.line, "volume '" + cur_.name + "' has no end-volume");
    // Reported at the last line (1 for an empty file) so that every error names a line.
    int lastLine = std::max(1, !text_.empty() && text_.back() == '\n' ? lineNo - 1 : lineNo);
    if (vf_.volumes.empty()) fail(lastLine, "no volumes defined (empty volfile)");
    return std::move(vf_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& msg) { throw VolfileError(vf_.file, line, msg); }

  int lineOf(size_t offset) const {
    int n = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i)
      if (text_[i] == '\n') ++n;
    return n;
  }

  void handleLine(std::string_view raw, int lineNo) {
    if (raw.size() > kMaxVolfileLine)
      fail(lineNo, "line is longer than " + std::to_string(kMaxVolfileLine) + " characters");
    for (char c : raw) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t' && c != '\r')
        fail(lineNo, "binary data (control character " + std::to_string(u) +
                         "): this is not a volfile");
    }
    std::string_view rest = trimRight(stripComment(raw));
    std::string_view keyword = nextWord(rest);
    if (keyword.empty()) return;

    if (keyword == "volume") {
      if (open_)
        fail(lineNo, "'volume' inside volume '" + cur_.name + "' (line " +
                         std::to_string(cur_.line) + " has no end-volume)");
      std::string_view name = nextWord(rest);
      if (name.empty()) fail(lineNo, "'volume' needs a name");
      if (!rest.empty()) fail(lineNo, "unexpected text after volume name: '" + std::string(rest) + "'");
      if (!validName(name)) fail(lineNo, "invalid volume name '" + std::string(name) + "'");
      if (auto it = defined_.find(std::string(name)); it != defined_.end())
        fail(lineNo, "volume '" + std::string(name) + "' is defined twice (first at line " +
                         std::to_string(it->second) + ")");
      cur_ = VolumeDecl{};
      cur_.name = std::string(name);
      cur_.line = lineNo;
      open_ = true;
      return;
    }
    if (keyword == "end-volume") {
      if (!open_) fail(lineNo, "'end-volume' without a matching 'volume'");
      if (!rest.empty()) fail(lineNo, "unexpected text after end-volume: '" + std::string(rest) + "'");
      if (cur_.type.empty()) fail(lineNo, "volume '" + cur_.name + "' has no 'type'");
      defined_[cur_.name] = cur_.line;
      vf_.volumes.push_back(std::move(cur_));
      open_ = false;
      return;
    }
    if (!open_)
      fail(lineNo, "'" + std::string(keyword) + "' outside of a volume block");

    if (keyword == "type") {
      std::string_view type = nextWord(rest);
      if (type.empty()) fail(lineNo, "volume '" + cur_.name + "': 'type' needs a value");
      if (!rest.empty()) fail(lineNo, "volume '" + cur_.name + "': unexpected text after type");
      if (!cur_.type.empty())
        fail(lineNo, "volume '" + cur_.name + "': 'type' given twice (first at line " +
                         std::to_string(cur_.typeLine) + ")");
      if (type.find('/') == std::string_view::npos)
        fail(lineNo, "volume '" + cur_.name + "': type '" + std::string(type) +
                         "' is not of the form category/name");
      cur_.type = std::string(type);
      cur_.typeLine = lineNo;
    } else if (keyword == "option") {
      std::string_view key = nextWord(rest);
      if (key.empty()) fail(lineNo, "volume '" + cur_.name + "': 'option' needs a key and a value");
      if (rest.empty())
        fail(lineNo, "volume '" + cur_.name + "': option '" + std::string(key) + "' has no value");
      for (const auto& o : cur_.options)
        if (o.key == key)
          fail(lineNo, "volume '" + cur_.name + "': option '" + std::string(key) +
                           "' given twice (first at line " + std::to_string(o.line) + ")");
      cur_.options.push_back(RawOption{std::string(key), std::string(rest), vf_.file, lineNo});
    } else if (keyword == "subvolumes") {
      if (rest.empty())
        fail(lineNo, "volume '" + cur_.name + "': 'subvolumes' needs at least one name");
      if (!cur_.subvolumes.empty())
        fail(lineNo, "volume '" + cur_.name + "': 'subvolumes' given twice");
      std::set<std::string> seen;
      while (!rest.empty()) {
        std::string name(nextWord(rest));
        if (name == cur_.name)
          fail(lineNo, "volume '" + cur_.name + "' lists itself as a subvolume (cycle)");
        if (!seen.insert(name).second)
          fail(lineNo, "volume '" + cur_.name + "': subvolume '" + name + "' listed twice");
        if (!defined_.count(name)) {
          std::string what = "volume '" + cur_.name + "': subvolume '" + name + "'";
          Ahead ahead = lookAhead();
          if (leadsBack(ahead, name))
            fail(lineNo, what + " refers back to '" + cur_.name + "' (cycle)");
          if (auto it = ahead.find(name); it != ahead.end())
            fail(lineNo, what + " is not defined before use (it is defined at line " +
                             std::to_string(it->second.first) + "; define it earlier)");
          fail(lineNo, what + " is not defined (no volume of that name in the file)");
        }
        cur_.subvolumes.emplace_back(name, lineNo);
      }
    } else {
      fail(lineNo, "unknown keyword '" + std::string(keyword) +
                       "' (expected volume, type, option, subvolumes or end-volume)");
    }
  }

  // The volumes of the whole text, read loosely (name -> line, subvolumes), to tell a cycle or
  // a later definition from a missing volume in the error message.
  using Ahead = std::map<std::string, std::pair<int, std::vector<std::string>>>;
  Ahead lookAhead() const {
    Ahead out;
    std::istringstream in{std::string(text_)};
    std::string line, current;
    for (int n = 1; std::getline(in, line); ++n) {
      std::string_view rest = trimRight(stripComment(line));
      std::string_view kw = nextWord(rest);
      if (kw == "volume") {
        current = std::string(nextWord(rest));
        out.emplace(current, std::make_pair(n, std::vector<std::string>{}));
      } else if (kw == "end-volume") {
        current.clear();
      } else if (!current.empty() && kw == "subvolumes") {
        while (!rest.empty()) out[current].second.emplace_back(nextWord(rest));
      }
    }
    return out;
  }

  // Whether `name`, through the subvolumes of the volumes in `ahead`, leads to the current one.
  bool leadsBack(const Ahead& ahead, const std::string& name) const {
    std::set<std::string> seen;
    std::vector<std::string> todo{name};
    while (!todo.empty()) {
      std::string v = std::move(todo.back());
      todo.pop_back();
      if (v == cur_.name) return true;
      if (!seen.insert(v).second) continue;
      if (auto it = ahead.find(v); it != ahead.end())
        for (const auto& s : it->second.second) todo.push_back(s);
    }
    return false;
  }

  std::string_view text_;
  Volfile vf_;
  VolumeDecl cur_;
  bool open_ = false;
  std::map<std::string, int> defined_;
};

}  // namespace

Volfile parseVolfile(std::string_view text, const std::string& file) {
  return Parser(text, file).run();
}

Volfile loadVolfile(const std::string& path) {
  // Plain read(2) so that every failure (a directory, EIO) is reported with its errno; an
  // ifstream opens a directory fine and then reads it as empty.
  auto cannot = [&](int err) {
    return VolfileError(path, 0, std::string("cannot read volfile: ") + std::strerror(err));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw cannot(errno);
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw cannot(err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxVolfileSize) {  // /dev/zero, a disk image: not a volfile
      ::close(fd);
      throw VolfileError(path, 0, "larger than " + std::to_string(kMaxVolfileSize >> 20) +
                                      " MiB: this is not a volfile");
    }
  }
  ::close(fd);
  return parseVolfile(text, path);
}

}  // namespace gf
