// SPDX-License-Identifier: GPL-3.0-or-later
// Extended attribute access for storage/posix through a handle's /proc entry or an open fd.
#pragma once

#include <sys/xattr.h>

#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/result.h"
#include "glusterfs/core/types.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"

namespace gf {

// The file identity is ours: clients may read it but never change or list it.
inline bool isProtected(std::string_view key) { return key == kGfidXattr; }

// Reads through either a path (the handle's /proc entry) or an open descriptor.
struct XattrTarget {
  std::string path;
  int fd = -1;
  ssize_t get(const char* key, void* buf, size_t size) const {
    return fd >= 0 ? fgetxattr(fd, key, buf, size) : getxattr(path.c_str(), key, buf, size);
  }
  int set(const char* key, const void* val, size_t size, int flags) const {
    return fd >= 0 ? fsetxattr(fd, key, val, size, flags)
                   : setxattr(path.c_str(), key, val, size, flags);
  }
  int remove(const char* key) const {
    return fd >= 0 ? fremovexattr(fd, key) : removexattr(path.c_str(), key);
  }
  ssize_t list(char* buf, size_t size) const {
    return fd >= 0 ? flistxattr(fd, buf, size) : listxattr(path.c_str(), buf, size);
  }
};

inline Result<std::string> getValue(const XattrTarget& t, const std::string& key) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    ssize_t n = t.get(key.c_str(), nullptr, 0);
    if (n < 0) return fail(errno);
    std::string v(static_cast<size_t>(n), '\0');
    ssize_t m = t.get(key.c_str(), v.data(), v.size());
    if (m >= 0) {
      v.resize(static_cast<size_t>(m));
      return v;
    }
    if (errno != ERANGE) return fail(errno);  // grew meanwhile: try again
  }
  return fail(ERANGE);
}

inline Result<std::vector<std::string>> listNames(const XattrTarget& t) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    ssize_t n = t.list(nullptr, 0);
    if (n < 0) return fail(errno);
    std::string buf(static_cast<size_t>(n), '\0');
    ssize_t m = t.list(buf.data(), buf.size());
    if (m < 0) {
      if (errno == ERANGE) continue;
      return fail(errno);
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < static_cast<size_t>(m);) {
      std::string name(buf.data() + i);
      i += name.size() + 1;
      if (!name.empty() && !isProtected(name)) names.push_back(std::move(name));
    }
    return names;
  }
  return fail(ERANGE);
}

// Values of the requested names ("name" or "prefix*") that exist, for lookup and readdirp
// replies. False when some name could not be read for another reason than not existing (or
// the filesystem having no xattrs), so that an absent name proves nothing.
inline bool collectXattrs(const XattrTarget& t, const std::vector<std::string>& wanted, Dict& out) {
  auto absent = [](int e) { return e == ENODATA || e == ENOTSUP; };
  bool complete = true;
  std::vector<std::string> names;
  bool listed = false;
  for (const auto& w : wanted) {
    if (!w.empty() && w.back() == '*') {
      if (!listed) {
        auto all = listNames(t);
        if (!all) {
          complete &= absent(all.errnum());
          continue;
        }
        names = std::move(*all);
        listed = true;
      }
      std::string_view prefix(w.data(), w.size() - 1);
      for (const auto& n : names)
        if (std::string_view(n).substr(0, prefix.size()) == prefix) {
          if (auto v = getValue(t, n)) out[n] = std::move(*v);
          else complete &= absent(v.errnum());
        }
    } else if (auto v = getValue(t, w)) {
      out[w] = std::move(*v);
    } else {
      complete &= absent(v.errnum());
    }
  }
  return complete;
}

}  // namespace gf
