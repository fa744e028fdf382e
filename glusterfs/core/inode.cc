// SPDX-License-Identifier: GPL-3.0-or-later
// Inode table: indexes by gfid and by (parent, name); keeps an optional LRU of idle inodes.
#include "glusterfs/core/inode.h"

#include <list>
#include <mutex>
#include <unordered_map>

namespace gf {
namespace detail {

struct DentryKey {
  const Inode* parent;
  std::string name;
  friend bool operator==(const DentryKey&, const DentryKey&) = default;
};
struct DentryKeyHash {
  size_t operator()(const DentryKey& k) const noexcept {
    return std::hash<const void*>()(k.parent) ^ (std::hash<std::string>()(k.name) * 31);
  }
};

struct InodeTableState {
  mutable std::mutex mutex;
  std::unordered_map<Gfid, std::weak_ptr<Inode>, GfidHash> byGfid;
  std::unordered_map<DentryKey, std::weak_ptr<Inode>, DentryKeyHash> byName;
  std::list<InodePtr> lru;  // most recently used at the back
  size_t lruLimit = 0;
  InodePtr root;

  // Keeps `inode` alive for a while after its last user lets go. Evicted inodes are moved into
  // `graveyard` so they are destroyed after the mutex is released (destruction takes it again).
  void touch(const InodePtr& inode, std::vector<InodePtr>& graveyard) {
    if (lruLimit == 0 || inode->isRoot()) return;
    if (inode->inLru_) {
      lru.splice(lru.end(), lru, inode->lruPos_);
      return;
    }
    inode->inLru_ = true;
    lru.push_back(inode);
    inode->lruPos_ = std::prev(lru.end());
    while (lru.size() > lruLimit) {
      lru.front()->inLru_ = false;
      graveyard.push_back(std::move(lru.front()));
      lru.pop_front();
    }
  }

  void removeDentry(const Inode& parent, std::string_view name, std::vector<InodePtr>& graveyard) {
    auto it = byName.find(DentryKey{&parent, std::string(name)});
    if (it == byName.end()) return;
    if (auto child = it->second.lock()) {
      auto& ds = child->dentries_;
      for (auto d = ds.begin(); d != ds.end(); ++d)
        if (d->parent.get() == &parent && d->name == name) {
          graveyard.push_back(std::move(d->parent));
          ds.erase(d);
          break;
        }
      graveyard.push_back(std::move(child));
    }
    byName.erase(it);
  }

  void addDentry(const InodePtr& child, const InodePtr& parent, std::string_view name,
                 std::vector<InodePtr>& graveyard) {
    DentryKey key{parent.get(), std::string(name)};
    auto it = byName.find(key);
    if (it != byName.end()) {
      auto existing = it->second.lock();
      if (existing == child) return;
      removeDentry(*parent, name, graveyard);
    }
    byName.emplace(std::move(key), child);
    child->dentries_.push_back(Inode::Dentry{parent, std::string(name)});
  }

  // Called with the mutex held. Depth-limited so a corrupted (cyclic) chain cannot hang us.
  std::string pathLocked(const Inode& inode) const {
    std::vector<const std::string*> parts;
    const Inode* cur = &inode;
    for (int depth = 0; depth < 4096; ++depth) {
      if (cur->isRoot()) {
        std::string out;
        if (parts.empty()) return "/";
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
          out.push_back('/');
          out += **it;
        }
        return out;
      }
      if (cur->dentries_.empty()) break;
      parts.push_back(&cur->dentries_.front().name);
      cur = cur->dentries_.front().parent.get();
    }
    std::string out = "<gfid:" + cur->gfid().str() + ">";
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      out.push_back('/');
      out += **it;
    }
    return out;
  }
};

}  // namespace detail

Inode::~Inode() {
  std::vector<Dentry> dropped;
  if (table_) {
    std::lock_guard lock(table_->mutex);
    if (!gfid_.isNull()) {
      auto it = table_->byGfid.find(gfid_);
      if (it != table_->byGfid.end() && it->second.expired()) table_->byGfid.erase(it);
    }
    for (auto& d : dentries_) {
      auto it = table_->byName.find(detail::DentryKey{d.parent.get(), d.name});
      if (it != table_->byName.end() && it->second.expired()) table_->byName.erase(it);
    }
    dropped = std::move(dentries_);
  }
  // `dropped` releases the parents here, outside the lock.
}

bool Inode::firstDentry(InodePtr& parent, std::string& name) const {
  if (!table_) return false;
  InodePtr found;
  {
    std::lock_guard lock(table_->mutex);
    if (dentries_.empty()) return false;
    found = dentries_.front().parent;
    name = dentries_.front().name;
  }
  // Assigned outside the lock: `parent` may hold the last reference to an inode, whose
  // destructor takes the table mutex.
  parent = std::move(found);
  return true;
}

InodeTable::InodeTable(size_t lruLimit) : state_(std::make_shared<detail::InodeTableState>()) {
  state_->lruLimit = lruLimit;
  auto root = InodePtr(new Inode(state_));
  root->gfid_ = Gfid::root();
  root->type_ = S_IFDIR;
  state_->byGfid.emplace(root->gfid_, root);
  state_->root = std::move(root);
}

InodeTable::~InodeTable() {
  std::list<InodePtr> lru;
  InodePtr root;
  {
    std::lock_guard lock(state_->mutex);
    lru.swap(state_->lru);
    root = std::move(state_->root);
  }
  for (auto& i : lru) i->inLru_ = false;
}

InodePtr InodeTable::root() const {
  std::lock_guard lock(state_->mutex);
  return state_->root;
}

InodePtr InodeTable::create() { return InodePtr(new Inode(state_)); }

InodePtr InodeTable::find(const Gfid& gfid) {
  std::vector<InodePtr> graveyard;
  std::lock_guard lock(state_->mutex);
  auto it = state_->byGfid.find(gfid);
  if (it == state_->byGfid.end()) return nullptr;
  auto inode = it->second.lock();
  if (inode) state_->touch(inode, graveyard);
  return inode;
}

InodePtr InodeTable::child(const Inode& parent, std::string_view name) {
  std::vector<InodePtr> graveyard;
  std::lock_guard lock(state_->mutex);
  auto it = state_->byName.find(detail::DentryKey{&parent, std::string(name)});
  if (it == state_->byName.end()) return nullptr;
  auto inode = it->second.lock();
  if (inode) state_->touch(inode, graveyard);
  return inode;
}

InodePtr InodeTable::link(const InodePtr& inode, const InodePtr& parent, std::string_view name,
                          const Iatt& st) {
  std::vector<InodePtr> graveyard;
  std::lock_guard lock(state_->mutex);
  InodePtr result;
  auto it = state_->byGfid.find(st.gfid);
  if (it != state_->byGfid.end()) result = it->second.lock();
  if (!result) {
    result = (inode && (inode->gfid_.isNull() || inode->gfid_ == st.gfid))
                 ? inode
                 : InodePtr(new Inode(state_));
    result->gfid_ = st.gfid;
    result->type_ = st.type();
    state_->byGfid[st.gfid] = result;
  }
  if (parent && !name.empty()) state_->addDentry(result, parent, name, graveyard);
  state_->touch(result, graveyard);
  return result;
}

void InodeTable::unlink(const Inode& parent, std::string_view name) {
  std::vector<InodePtr> graveyard;
  std::lock_guard lock(state_->mutex);
  state_->removeDentry(parent, name, graveyard);
}

void InodeTable::rename(const Inode& oldParent, std::string_view oldName,
                        const InodePtr& newParent, std::string_view newName) {
  std::vector<InodePtr> graveyard;
  std::lock_guard lock(state_->mutex);
  auto it = state_->byName.find(detail::DentryKey{&oldParent, std::string(oldName)});
  InodePtr child = it == state_->byName.end() ? nullptr : it->second.lock();
  state_->removeDentry(oldParent, oldName, graveyard);
  state_->removeDentry(*newParent, newName, graveyard);
  if (child) state_->addDentry(child, newParent, newName, graveyard);
}

std::string InodeTable::path(const Inode& inode) const {
  std::lock_guard lock(state_->mutex);
  return state_->pathLocked(inode);
}

std::string InodeTable::path(const Inode& parent, std::string_view name) const {
  std::lock_guard lock(state_->mutex);
  std::string p = state_->pathLocked(parent);
  if (p != "/") p.push_back('/');
  p += name;
  return p;
}

size_t InodeTable::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->byGfid.size();
}

std::string Loc::path() const {
  auto pathOf = [](const Inode& i) {
    if (!i.table_) return std::string("<gfid:") + i.gfid().str() + ">";
    std::lock_guard lock(i.table_->mutex);
    return i.table_->pathLocked(i);
  };
  if (inode && inode->linked()) return pathOf(*inode);
  if (parent) {
    std::string p = pathOf(*parent);
    if (p != "/") p.push_back('/');
    return p + name;
  }
  return name;
}

}  // namespace gf
