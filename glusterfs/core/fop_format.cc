// SPDX-License-Identifier: GPL-3.0-or-later
// Formatting of fop requests/replies by walking their field lists.
#include "glusterfs/core/fop_format.h"

#include <cinttypes>
#include <cstdio>
#include <type_traits>

namespace gf {
namespace {

template <class T>
concept HasFields = requires(const T& t) { forEachField(t, [](const char*, const auto&) {}); };

void escape(std::string& out, std::string_view s, size_t limit = 64) {
  out.push_back('"');
  for (size_t i = 0; i < s.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > limit) out += "...";
  out.push_back('"');
}

struct Formatter {
  std::string& out;

  void value(bool b) { out += b ? "true" : "false"; }
  template <class T>
    requires std::is_integral_v<T>
  void value(T v) {
    out += std::to_string(v);
  }
  template <class T>
    requires std::is_enum_v<T>
  void value(T v) {
    out += std::to_string(static_cast<std::underlying_type_t<T>>(v));
  }
  void value(const std::string& s) { escape(out, s); }
  void value(const Gfid& g) { out += g.str(); }
  void value(const Timespec& t) {
    char buf[48];
    snprintf(buf, sizeof buf, "%" PRId64 ".%09u", t.sec, t.nsec);
    out += buf;
  }
  void value(const Iatt& ia) {
    char buf[160];
    snprintf(buf, sizeof buf, "{ino=%" PRIu64 " mode=0%o nlink=%u uid=%u gid=%u size=%" PRIu64 "}",
             ia.ino, ia.mode, ia.nlink, ia.uid, ia.gid, ia.size);
    out += buf;
  }
  void value(const Loc& loc) {
    out += "{path=";
    escape(out, loc.path(), 256);
    if (loc.inode && loc.inode->linked()) out += " gfid=" + loc.inode->gfid().str();
    out += "}";
  }
  void value(const FdPtr& fd) {
    if (!fd) {
      out += "null";
      return;
    }
    char buf[48];
    snprintf(buf, sizeof buf, "%p", static_cast<const void*>(fd.get()));
    out += buf;
    if (fd->inode()) out += "(" + fd->inode()->gfid().str() + ")";
  }
  void value(const Payload& p) { out += "<" + std::to_string(p.size()) + " bytes>"; }
  void value(const Dict& d) {
    out += "{";
    bool first = true;
    for (const auto& [k, v] : d) {
      if (!first) out += ", ";
      first = false;
      out += k + "=";
      escape(out, v, 32);
    }
    out += "}";
  }
  template <class T>
  void value(const std::vector<T>& v) {
    out += "[" + std::to_string(v.size()) + "]";
  }
  template <class T>
    requires HasFields<T>
  void value(const T& t) {
    out += "{";
    bool first = true;
    forEachField(t, [&](const char* name, const auto& f) {
      if (!first) out += ", ";
      first = false;
      out += name;
      out += "=";
      value(f);
    });
    out += "}";
  }
};

template <class T>
std::string format(const T& t) {
  std::string out;
  Formatter{out}.value(t);
  return out;
}

struct IattWalker {
  const std::function<void(Iatt&)>& fn;
  void walk(Iatt& ia) { fn(ia); }
  void walk(DirEntry& e) { fn(e.stat); }
  template <class T>
  void walk(std::vector<T>& v) {
    for (auto& x : v) walk(x);
  }
  template <class T>
  void walk(T& t) {
    if constexpr (HasFields<T>) forEachField(t, [&](const char*, auto& f) { walk(f); });
  }
};

struct InodeCollector {
  std::vector<InodePtr>& out;
  void add(const InodePtr& i) {
    if (i) out.push_back(i);
  }
  void walk(const Loc& l) {
    add(l.inode);
    add(l.parent);
  }
  void walk(const FdPtr& fd) {
    if (fd) add(fd->inode());
  }
  template <class T>
  void walk(const T& t) {
    if constexpr (HasFields<T>) forEachField(t, [&](const char*, const auto& f) { walk(f); });
  }
};

struct FdCollector {
  std::vector<FdPtr>& out;
  void walk(const FdPtr& fd) {
    if (fd) out.push_back(fd);
  }
  template <class T>
  void walk(const T& t) {
    if constexpr (HasFields<T>) forEachField(t, [&](const char*, const auto& f) { walk(f); });
  }
};

}  // namespace

std::vector<FdPtr> fdsOf(FopId id, const void* req) {
  std::vector<FdPtr> out;
  FdCollector c{out};
  switch (id) {
#define GF_FDS_(name, Req, Rep, flags) \
  case FopId::name:                    \
    c.walk(*static_cast<const Req*>(req)); \
    break;
    GF_FOP_LIST(GF_FDS_)
#undef GF_FDS_
  }
  return out;
}

std::vector<InodePtr> inodesOf(FopId id, const void* req) {
  std::vector<InodePtr> out;
  InodeCollector c{out};
  switch (id) {
#define GF_INODES_(name, Req, Rep, flags) \
  case FopId::name:                       \
    c.walk(*static_cast<const Req*>(req)); \
    break;
    GF_FOP_LIST(GF_INODES_)
#undef GF_INODES_
  }
  return out;
}

std::string formatRequest(FopId id, const void* req) {
  switch (id) {
#define GF_FMT_REQ_(name, Req, Rep, flags) \
  case FopId::name:                        \
    return format(*static_cast<const Req*>(req));
    GF_FOP_LIST(GF_FMT_REQ_)
#undef GF_FMT_REQ_
  }
  return "?";
}

std::string formatReply(FopId id, const void* reply) {
  if (!reply) return "null";
  switch (id) {
#define GF_FMT_REP_(name, Req, Rep, flags) \
  case FopId::name:                        \
    return format(*static_cast<const Rep*>(reply));
    GF_FOP_LIST(GF_FMT_REP_)
#undef GF_FMT_REP_
  }
  return "?";
}

void forEachIatt(FopId id, void* reply, const std::function<void(Iatt&)>& fn) {
  if (!reply) return;
  IattWalker w{fn};
  switch (id) {
#define GF_WALK_(name, Req, Rep, flags) \
  case FopId::name:                     \
    w.walk(*static_cast<Rep*>(reply));  \
    return;
    GF_FOP_LIST(GF_WALK_)
#undef GF_WALK_
  }
}

}  // namespace gf
