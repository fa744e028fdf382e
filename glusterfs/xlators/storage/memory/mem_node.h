// SPDX-License-Identifier: GPL-3.0-or-later
// MemNode: one file, directory, symlink or special file of storage/memory, and DirEntries,
// a directory's names with offsets that stay valid while entries come and go.
//
// Nodes are shared: a directory entry owns its node, and so does every open fd, so an
// unlinked file stays readable until its last fd goes. Not thread-safe: storage/memory
// serialises all access with one mutex.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "glusterfs/core/types.h"
#include "glusterfs/xlators/storage/memory/sparse_data.h"

namespace gf {

struct MemNode;
using NodePtr = std::shared_ptr<MemNode>;

// Space in use by a store: nodes update it as they grow, shrink and die.
struct MemUsage {
  std::atomic<int64_t> blocks{0};
  std::atomic<int64_t> inodes{0};
};

// Directory entries. Each name gets the next offset of its directory when it is added and
// keeps it, so a reader continuing after offset N neither skips nor repeats surviving entries
// when others are removed. Offsets 1 and 2 are "." and "..".
class DirEntries {
 public:
  static constexpr uint64_t kDotOffset = 1;
  static constexpr uint64_t kDotDotOffset = 2;

  NodePtr find(const std::string& name) const;
  void add(const std::string& name, NodePtr node);
  NodePtr remove(const std::string& name);
  size_t size() const { return byName_.size(); }
  bool empty() const { return byName_.empty(); }

  // Calls fn(name, offset, node) for entries with offsets above `after`, in offset order,
  // until fn returns false.
  template <class Fn>
  void forEachAfter(uint64_t after, Fn&& fn) const {
    for (auto it = byOffset_.upper_bound(after); it != byOffset_.end(); ++it) {
      const auto& slot = byName_.at(it->second);
      if (!fn(it->second, it->first, slot.node)) return;
    }
  }

 private:
  struct Slot {
    uint64_t offset;
    NodePtr node;
  };
  std::unordered_map<std::string, Slot> byName_;
  std::map<uint64_t, std::string> byOffset_;
  uint64_t next_ = kDotDotOffset + 1;
};

struct MemNode {
  explicit MemNode(std::shared_ptr<MemUsage> usage);
  ~MemNode();
  MemNode(const MemNode&) = delete;
  MemNode& operator=(const MemNode&) = delete;

  bool isDir() const { return S_ISDIR(mode); }
  bool isReg() const { return S_ISREG(mode); }
  bool isLink() const { return S_ISLNK(mode); }
  Iatt iatt() const;
  // Contents changed (data written, names added or removed): mtime and ctime move.
  void touchModified(Timespec now) { mtime = ctime = now; }
  // Grows or shrinks the store's block count after `data` changed from `blocksBefore`.
  void accountBlocks(uint64_t blocksBefore);

  Gfid gfid;
  uint32_t mode = 0;
  uint32_t nlink = 0;  // names for files; 2 + subdirectories for directories
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  Timespec atime, mtime, ctime;
  Dict xattrs;
  SparseData data;                // regular files
  std::string target;             // symlinks
  DirEntries entries;             // directories
  std::weak_ptr<MemNode> parent;  // directories: the one holding this one
  bool removed = false;           // a removed directory: takes no new entries

 private:
  std::shared_ptr<MemUsage> usage_;
};

Timespec nowTimespec();

}  // namespace gf
