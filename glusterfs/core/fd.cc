// SPDX-License-Identifier: GPL-3.0-or-later
// FdTable: a slot map from small integers to open fds.
#include "glusterfs/core/fd.h"

namespace gf {

// Slot 0 is never handed out so that 0 can mean "no fd" on the wire and in FUSE.
uint64_t FdTable::add(FdPtr fd) {
  std::lock_guard lock(mutex_);
  if (slots_.empty()) slots_.resize(1);
  uint64_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    slots_[id] = std::move(fd);
  } else {
    id = slots_.size();
    slots_.push_back(std::move(fd));
  }
  ++used_;
  return id;
}

FdPtr FdTable::get(uint64_t id) const {
  std::lock_guard lock(mutex_);
  if (id == 0 || id >= slots_.size()) return nullptr;
  return slots_[id];
}

FdPtr FdTable::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  if (id == 0 || id >= slots_.size() || !slots_[id]) return nullptr;
  FdPtr fd = std::move(slots_[id]);
  slots_[id] = nullptr;
  free_.push_back(id);
  --used_;
  return fd;
}

std::vector<FdPtr> FdTable::removeAll() {
  std::lock_guard lock(mutex_);
  std::vector<FdPtr> out;
  for (auto& s : slots_)
    if (s) out.push_back(std::move(s));
  slots_.clear();
  free_.clear();
  used_ = 0;
  return out;
}

size_t FdTable::size() const {
  std::lock_guard lock(mutex_);
  return used_;
}

}  // namespace gf
