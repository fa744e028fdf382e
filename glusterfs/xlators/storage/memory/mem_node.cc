// SPDX-License-Identifier: GPL-3.0-or-later
// MemNode attributes and DirEntries bookkeeping.
#include "glusterfs/xlators/storage/memory/mem_node.h"

#include <time.h>

namespace gf {

NodePtr DirEntries::find(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second.node;
}

void DirEntries::add(const std::string& name, NodePtr node) {
  remove(name);
  uint64_t off = next_++;
  byName_.insert_or_assign(name, Slot{off, std::move(node)});
  byOffset_.emplace(off, name);
}

NodePtr DirEntries::remove(const std::string& name) {
  auto it = byName_.find(name);
  if (it == byName_.end()) return nullptr;
  NodePtr node = std::move(it->second.node);
  byOffset_.erase(it->second.offset);
  byName_.erase(it);
  return node;
}

MemNode::MemNode(std::shared_ptr<MemUsage> usage) : usage_(std::move(usage)) {
  usage_->inodes.fetch_add(1, std::memory_order_relaxed);
}

MemNode::~MemNode() {
  usage_->blocks.fetch_sub(static_cast<int64_t>(data.blockCount()), std::memory_order_relaxed);
  usage_->inodes.fetch_sub(1, std::memory_order_relaxed);
}

void MemNode::accountBlocks(uint64_t blocksBefore) {
  int64_t delta = static_cast<int64_t>(data.blockCount()) - static_cast<int64_t>(blocksBefore);
  usage_->blocks.fetch_add(delta, std::memory_order_relaxed);
}

Iatt MemNode::iatt() const {
  Iatt ia;
  ia.gfid = gfid;
  ia.ino = gfid.ino();
  ia.mode = mode;
  ia.nlink = nlink;
  ia.uid = uid;
  ia.gid = gid;
  ia.rdev = rdev;
  ia.blksize = SparseData::kBlockSize;
  if (isReg()) {
    ia.size = data.size();
    ia.blocks = data.blockCount() * (SparseData::kBlockSize / 512);
  } else if (isLink()) {
    ia.size = target.size();
  } else if (isDir()) {
    ia.size = SparseData::kBlockSize;
    ia.blocks = SparseData::kBlockSize / 512;
  }
  ia.atime = atime;
  ia.mtime = mtime;
  ia.ctime = ctime;
  return ia;
}

Timespec nowTimespec() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Timespec{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

}  // namespace gf
