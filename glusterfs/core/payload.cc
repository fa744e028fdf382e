// SPDX-License-Identifier: GPL-3.0-or-later
// Payload buffer management.
#include "glusterfs/core/payload.h"

#include <algorithm>

namespace gf {

Payload Payload::allocate(size_t size) {
  Payload p;
  if (size == 0) return p;
  std::shared_ptr<char[]> buf(new char[size]);
  p.append(Slice{std::shared_ptr<const void>(buf, buf.get()), buf.get(), size});
  return p;
}

Payload Payload::copyOf(std::string_view bytes) {
  Payload p = allocate(bytes.size());
  if (!bytes.empty()) std::memcpy(p.mutableData(), bytes.data(), bytes.size());
  return p;
}

void Payload::truncate(size_t n) {
  if (n >= size_) return;
  size_t keep = 0;
  size_t i = 0;
  for (; i < slices_.size(); ++i) {
    if (keep + slices_[i].size >= n) {
      slices_[i].size = n - keep;
      break;
    }
    keep += slices_[i].size;
  }
  slices_.resize(slices_[i].size ? i + 1 : i);
  size_ = n;
}

Payload Payload::sub(size_t off, size_t len) const {
  Payload out;
  for (const auto& s : slices_) {
    if (len == 0) break;
    if (off >= s.size) {
      off -= s.size;
      continue;
    }
    size_t take = std::min(len, s.size - off);
    out.append(Slice{s.owner, s.data + off, take});
    len -= take;
    off = 0;
  }
  return out;
}

std::string Payload::str() const {
  std::string out(size_, '\0');
  copyTo(out.data());
  return out;
}

void Payload::copyTo(char* out) const {
  for (const auto& s : slices_) {
    std::memcpy(out, s.data, s.size);
    out += s.size;
  }
}

std::vector<iovec> Payload::iovecs() const {
  std::vector<iovec> v;
  v.reserve(slices_.size());
  for (const auto& s : slices_) v.push_back(iovec{const_cast<char*>(s.data), s.size});
  return v;
}

}  // namespace gf
