// SPDX-License-Identifier: GPL-3.0-or-later
// Inodes, the table that names them (gfid -> inode, parent/name -> inode) and Loc.
//
// An Inode is shared (InodePtr); it lives while anyone holds it: the FUSE bridge (one ref per
// kernel lookup count), a Loc in flight, an fd, a child's dentry (children keep parents alive so
// a path can always be built), or the table's LRU of recently used inodes (servers). The table
// only indexes; it never owns an inode except through the LRU and the root.
// Thread-safe: one mutex per table.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/ctx_slots.h"
#include "glusterfs/core/gfid.h"
#include "glusterfs/core/types.h"

namespace gf {

class Inode;
class InodeTable;
using InodePtr = std::shared_ptr<Inode>;

namespace detail {
struct InodeTableState;
}

class Inode {
 public:
  ~Inode();
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  // Null until the inode is linked (its first successful lookup/create); then fixed.
  const Gfid& gfid() const { return gfid_; }
  uint64_t ino() const { return gfid_.ino(); }
  uint32_t type() const { return type_; }  // S_IFMT bits, 0 until linked
  bool isDir() const { return type_ == S_IFDIR; }
  bool isRoot() const { return gfid_.isRoot(); }
  bool linked() const { return !gfid_.isNull(); }
  CtxSlots& ctx() { return ctx_; }
  // One name of this inode (its first dentry): false if it has none (root, or gfid-only).
  bool firstDentry(InodePtr& parent, std::string& name) const;

 private:
  friend class InodeTable;
  friend struct Loc;
  friend struct detail::InodeTableState;
  explicit Inode(std::shared_ptr<detail::InodeTableState> table) : table_(std::move(table)) {}

  struct Dentry {
    InodePtr parent;
    std::string name;
  };
  std::shared_ptr<detail::InodeTableState> table_;
  Gfid gfid_;
  uint32_t type_ = 0;
  std::vector<Dentry> dentries_;  // guarded by the table mutex
  bool inLru_ = false;  // guarded by the table mutex, as is lruPos_
  std::list<InodePtr>::iterator lruPos_;
  CtxSlots ctx_;
};

class InodeTable {
 public:
  // `lruLimit` unreferenced inodes are kept alive after their last use (0: none).
  explicit InodeTable(size_t lruLimit = 0);
  ~InodeTable();
  InodeTable(const InodeTable&) = delete;
  InodeTable& operator=(const InodeTable&) = delete;

  InodePtr root() const;
  // A new inode not yet in the table; link() it once a fop has returned its attributes.
  InodePtr create();
  InodePtr find(const Gfid& gfid);
  InodePtr child(const Inode& parent, std::string_view name);

  // Records `parent/name` -> inode with attributes `st` and returns the inode to use from now
  // on: an inode already known under st.gfid wins over `inode` (hard links, racing lookups).
  // `inode` may be null (a new one is made); `parent` may be null (gfid-only lookup).
  InodePtr link(const InodePtr& inode, const InodePtr& parent, std::string_view name,
                const Iatt& st);
  void unlink(const Inode& parent, std::string_view name);
  void rename(const Inode& oldParent, std::string_view oldName, const InodePtr& newParent,
              std::string_view newName);
  // "/dir/name" built from dentries; "<gfid:UUID>/rest" where the chain to the root is unknown.
  std::string path(const Inode& inode) const;
  std::string path(const Inode& parent, std::string_view name) const;
  size_t size() const;

 private:
  std::shared_ptr<detail::InodeTableState> state_;
};

// The location a fop acts on: an existing inode, or a name in a parent directory (lookup and
// the creating fops), usually both. Layers below the FUSE bridge never see bare paths.
struct Loc {
  InodePtr parent;
  std::string name;
  InodePtr inode;

  Gfid gfid() const { return inode ? inode->gfid() : Gfid{}; }
  Gfid parentGfid() const { return parent ? parent->gfid() : Gfid{}; }
  // For logs and for protocol/client's path fallback.
  std::string path() const;
};

}  // namespace gf
