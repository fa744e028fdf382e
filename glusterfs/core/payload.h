// SPDX-License-Identifier: GPL-3.0-or-later
// Payload: file data moving through the graph as shared slices, never copied between layers.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gf {

class Payload {
 public:
  struct Slice {
    std::shared_ptr<const void> owner;  // keeps the bytes alive
    const char* data = nullptr;
    size_t size = 0;
  };

  Payload() = default;
  // A fresh writable buffer of `size` bytes (contents uninitialised); see mutableData().
  static Payload allocate(size_t size);
  static Payload copyOf(std::string_view bytes);

  void append(Slice s) {
    if (s.size == 0) return;
    size_ += s.size;
    slices_.push_back(std::move(s));
  }
  void append(const Payload& p) {
    for (const auto& s : p.slices_) append(s);
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::vector<Slice>& slices() const { return slices_; }

  // Writable start of a buffer made by allocate() (single slice).
  char* mutableData() { return const_cast<char*>(slices_.empty() ? nullptr : slices_[0].data); }
  // Shrinks to the first `n` bytes (after a short read into an allocated buffer).
  void truncate(size_t n);
  // Bytes [off, off+len) as slices sharing this payload's buffers.
  Payload sub(size_t off, size_t len) const;

  std::string str() const;  // flattened copy (tests, small values)
  void copyTo(char* out) const;
  std::vector<iovec> iovecs() const;

  friend bool operator==(const Payload& a, const Payload& b) { return a.str() == b.str(); }

 private:
  std::vector<Slice> slices_;
  size_t size_ = 0;
};

}  // namespace gf
