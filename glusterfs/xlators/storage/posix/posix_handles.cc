// SPDX-License-Identifier: GPL-3.0-or-later
// Handle resolution beneath the brick root and gfid bookkeeping for storage/posix.
#include "glusterfs/xlators/storage/posix/posix_handles.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>

#include "glusterfs/core/fd.h"
#include "glusterfs/core/log.h"

namespace gf {

struct DevIno {
  dev_t dev;
  ino_t ino;
  friend bool operator==(const DevIno&, const DevIno&) = default;
};
struct DevInoHash {
  size_t operator()(const DevIno& k) const noexcept { return k.ino * 0x9e3779b97f4a7c15ULL ^ k.dev; }
};

struct HandleIndex {
  std::mutex mutex;
  std::unordered_map<DevIno, std::weak_ptr<PosixInodeCtx>, DevInoHash> byDevIno;
  std::atomic<size_t> live{0};
};

namespace {
// Brick handles may take an eighth of the descriptor limit (several bricks can share one
// process; open files, sockets and Berkeley DB need the rest).
size_t defaultHandleBudget() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 65536;
  return std::max<size_t>(256, static_cast<size_t>(rl.rlim_cur / 8));
}
}  // namespace

PosixInodeCtx::~PosixInodeCtx() {
  if (index && counted) --index->live;
  if (index) {
    std::lock_guard lock(index->mutex);
    auto it = index->byDevIno.find(DevIno{dev, ino});
    if (it != index->byDevIno.end() && it->second.expired()) index->byDevIno.erase(it);
  }
  if (fd >= 0) close(fd);
}

PosixFdCtx::~PosixFdCtx() {
  if (handle) --handle->opens;
  if (fd >= 0) close(fd);
}

PosixHandles::PosixHandles(const void* slotKey)
    : key_(slotKey), budget_(0), index_(std::make_shared<HandleIndex>()) {}

size_t PosixHandles::liveHandles() const { return index_->live; }

PosixHandles::~PosixHandles() = default;

std::string PosixHandles::procPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Status PosixHandles::checkName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return fail(EINVAL);
  if (name.size() > NAME_MAX) return fail(ENAMETOOLONG);
  return {};
}

Result<Gfid> PosixHandles::readGfid(int fd) {
  char raw[16];
  ssize_t n = getxattr(procPath(fd).c_str(), kGfidXattr, raw, sizeof raw);
  if (n < 0) return fail(errno);
  if (n != 16) return fail(ENODATA);
  return Gfid::fromBytes(std::string_view(raw, 16));
}

Status PosixHandles::openRoot(const std::string& dir, std::string* why) {
  int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *why = "cannot open brick directory " + dir + ": " + std::strerror(errno);
    return fail(errno);
  }
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    *why = "cannot stat brick directory " + dir + ": " + std::strerror(e);
    return fail(e);
  }
  // The brick must hold trusted.* xattrs: gfids and changelogs live there.
  std::string p = procPath(fd);
  const char* probe = "trusted.glusterfs.test";
  if (setxattr(p.c_str(), probe, "x", 1, 0) < 0) {
    int e = errno;
    close(fd);
    *why = "brick directory " + dir + " does not support trusted extended attributes (" +
           std::strerror(e) + "); use a filesystem with xattr support, as root";
    return fail(e);
  }
  removexattr(p.c_str(), probe);

  auto root = std::make_shared<PosixInodeCtx>();
  root->fd = fd;
  root->dev = st.st_dev;
  root->ino = st.st_ino;
  root->type = S_IFDIR;
  root->gfid = Gfid::root();
  auto existing = readGfid(fd);
  if (!existing) {
    std::string raw(root->gfid.raw());
    if (setxattr(p.c_str(), kGfidXattr, raw.data(), raw.size(), 0) < 0) {
      *why = "cannot set the gfid of brick directory " + dir + ": " + std::strerror(errno);
      return fail(errno);
    }
  } else if (!existing->isRoot()) {
    *why = "brick directory " + dir + " has gfid " + existing->str() +
           ", not the root gfid: it is a subdirectory of another brick";
    return fail(EINVAL);
  }
  root_ = std::move(root);  // the root is not indexed: lookups can never reach it by name
  if (budget_ == 0) budget_ = defaultHandleBudget();
  return {};
}

Result<PosixInodePtr> PosixHandles::handleFor(int fd, const struct stat& st) {
  // Reuse a live handle for the same file (then our new descriptor is redundant).
  {
    std::lock_guard lock(index_->mutex);
    auto it = index_->byDevIno.find(DevIno{st.st_dev, st.st_ino});
    if (it != index_->byDevIno.end())
      if (auto h = it->second.lock()) {
        close(fd);
        return h;
      }
  }
  auto h = std::make_shared<PosixInodeCtx>();
  h->fd = fd;
  h->dev = st.st_dev;
  h->ino = st.st_ino;
  h->type = st.st_mode & S_IFMT;
  auto g = readGfid(fd);
  if (g) {
    h->gfid = *g;
  } else if (g.errnum() == ENODATA) {
    // Data that predates the volume (or was copied in on the server): give it an identity.
    Gfid fresh = Gfid::random();
    std::string raw(fresh.raw());
    if (setxattr(procPath(fd).c_str(), kGfidXattr, raw.data(), raw.size(), XATTR_CREATE) == 0) {
      h->gfid = fresh;
    } else if (errno == EEXIST) {
      auto again = readGfid(fd);
      if (!again) return fail(again.error());
      h->gfid = *again;
    } else {
      return fail(errno);
    }
  } else {
    return fail(g.error());
  }
  return remember(std::move(h), st);
}

PosixInodePtr PosixHandles::remember(PosixInodePtr h, const struct stat& st) {
  h->index = index_;
  std::lock_guard lock(index_->mutex);
  auto& slot = index_->byDevIno[DevIno{st.st_dev, st.st_ino}];
  if (auto other = slot.lock()) return other;  // lost a race; ours closes on return
  slot = h;
  h->counted = true;
  ++index_->live;
  return h;
}

Result<PosixInodePtr> PosixHandles::lookupAt(const PosixInodeCtx& parent, std::string_view name,
                                             Iatt& out) {
  GF_CHECK(checkName(name));
  std::string n(name);
  struct stat st;
  if (fstatat(parent.fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return fail(errno);
  {
    std::lock_guard lock(index_->mutex);
    auto it = index_->byDevIno.find(DevIno{st.st_dev, st.st_ino});
    if (it != index_->byDevIno.end())
      if (auto h = it->second.lock()) {
        out = iattFromStat(st, h->gfid);
        return h;
      }
  }
  int fd = openat(parent.fd, n.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return fail(e);
  }
  auto h = handleFor(fd, st);
  if (!h) {
    close(fd);
    return h;
  }
  out = iattFromStat(st, (*h)->gfid);
  return h;
}

Result<PosixInodePtr> PosixHandles::resolveInode(const InodePtr& inode) {
  if (!inode) return fail(EINVAL);
  if (inode->isRoot()) return root_;
  if (auto h = inode->ctx().get<PosixInodeCtx>(key_)) return h;
  InodePtr parent;
  std::string name;
  if (!inode->firstDentry(parent, name)) return fail(ESTALE);
  auto ph = resolveInode(parent);
  if (!ph) return ph;
  Iatt ia;
  auto h = lookupAt(**ph, name, ia);
  if (!h) return h.errnum() == ENOENT ? fail(ESTALE) : h;
  if (inode->linked() && (*h)->gfid != inode->gfid()) return fail(ESTALE);
  attach(inode, *h);
  return h;
}

Result<PosixInodePtr> PosixHandles::resolve(const Loc& loc) {
  if (loc.inode) {
    if (loc.inode->isRoot()) return root_;
    if (auto h = loc.inode->ctx().get<PosixInodeCtx>(key_)) return h;
  }
  if (loc.parent && !loc.name.empty()) {
    auto ph = resolveInode(loc.parent);
    if (!ph) return ph;
    Iatt ia;
    auto h = lookupAt(**ph, loc.name, ia);
    if (!h) return h;
    if (loc.inode && loc.inode->linked()) {
      if ((*h)->gfid != loc.inode->gfid()) return fail(ESTALE);
      attach(loc.inode, *h);
    }
    return h;
  }
  if (loc.inode) return resolveInode(loc.inode);
  return fail(EINVAL);
}

Result<PosixInodePtr> PosixHandles::resolveParent(const Loc& loc) {
  GF_CHECK(checkName(loc.name));
  if (!loc.parent) return fail(EINVAL);
  auto ph = resolveInode(loc.parent);
  if (ph && (*ph)->type != S_IFDIR) return fail(ENOTDIR);
  return ph;
}

void PosixHandles::attach(const InodePtr& inode, const PosixInodePtr& h) {
  if (!inode || inode->isRoot()) return;
  inode->ctx().set(key_, h);
  {
    std::lock_guard lock(attachedMutex_);
    attached_.push_back(inode);
  }
  if (budget_ && index_->live > budget_) trimHandles();
}

bool PosixHandles::deleted(const PosixInodeCtx& h) {
  struct stat st;
  return fstat(h.fd, &st) == 0 && st.st_nlink == 0;
}

void PosixHandles::dropIfDeleted(const InodePtr& inode) {
  if (!inode || inode->isRoot()) return;
  auto h = inode->ctx().get<PosixInodeCtx>(key_);
  if (!h || h->opens > 0 || !deleted(*h)) return;
  h.reset();
  inode->ctx().take(key_);
}

void PosixHandles::trimHandles() {
  std::vector<std::shared_ptr<void>> dropped;  // closed after the lock is released
  std::lock_guard lock(attachedMutex_);
  // Each entry is looked at once per trim, the one just attached (at the back) not at all: its
  // caller is about to use it. An open file keeps its handle, and so does a nameless inode
  // whose file still has links (it could not be found again by name); a deleted file's
  // handle goes, which also gives its disk space back.
  for (size_t n = attached_.size(); n > 1 && index_->live > budget_ + dropped.size(); --n) {
    InodePtr inode = attached_.front().lock();
    attached_.pop_front();
    if (!inode) continue;
    InodePtr parent;
    std::string name;
    auto h = inode->ctx().get<PosixInodeCtx>(key_);
    if (!h) continue;
    bool keep = h->opens > 0 || (!inode->firstDentry(parent, name) && !deleted(*h));
    if (keep) {
      attached_.push_back(inode);
      continue;
    }
    if (auto taken = inode->ctx().take(key_)) dropped.push_back(std::move(taken));
  }
  // Forgotten inodes leave expired entries behind; sweep them when they dominate.
  if (attached_.size() > 2 * budget_ + 1024)
    std::erase_if(attached_, [](const std::weak_ptr<Inode>& w) { return w.expired(); });
}

PosixFdCtx* PosixHandles::fdCtx(const FdPtr& fd) const {
  if (!fd) return nullptr;
  return fd->ctx().get<PosixFdCtx>(key_).get();  // the Fd keeps the ctx alive
}

std::optional<Gfid> PosixHandles::knownGfid(dev_t dev, ino_t ino) const {
  std::lock_guard lock(index_->mutex);
  auto it = index_->byDevIno.find(DevIno{dev, ino});
  if (it == index_->byDevIno.end()) return std::nullopt;
  if (auto h = it->second.lock()) return h->gfid;
  return std::nullopt;
}

Result<Iatt> PosixHandles::statFd(int fd, const Gfid& gfid) {
  struct stat st;
  if (fstat(fd, &st) < 0) return fail(errno);
  return iattFromStat(st, gfid);
}

Result<PosixInodePtr> PosixHandles::handleOfOpenFile(int openFd, const Gfid& gfid) {
  int fd = ::open(procPath(openFd).c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return fail(e);
  }
  auto h = std::make_shared<PosixInodeCtx>();
  h->fd = fd;
  h->dev = st.st_dev;
  h->ino = st.st_ino;
  h->type = st.st_mode & S_IFMT;
  h->gfid = gfid;
  return remember(std::move(h), st);
}

Result<Iatt> PosixHandles::statHandle(const PosixInodeCtx& h) { return statFd(h.fd, h.gfid); }

Result<Iatt> PosixHandles::adoptNew(const PosixInodeCtx& parent, std::string_view name,
                                    const CallCtx& c, const Gfid& wanted, uint32_t requestedMode,
                                    int openFd) {
  int fd = openFd;
  bool ownFd = false;
  if (fd < 0) {
    fd = openat(parent.fd, std::string(name).c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail(errno);
    ownFd = true;
  }
  auto closeOwn = [&] {
    if (ownFd) close(fd);
  };
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    closeOwn();
    return fail(e);
  }
  // We create as root; give the file to the caller. A set-gid parent passes its group on.
  struct stat pst;
  uint32_t wantGid = c.gid;
  if (fstat(parent.fd, &pst) == 0 && (pst.st_mode & S_ISGID)) wantGid = pst.st_gid;
  if (st.st_uid != c.uid || st.st_gid != wantGid) {
    if (fchownat(fd, "", c.uid, wantGid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
      int e = errno;
      closeOwn();
      return fail(e);
    }
    st.st_uid = c.uid;
    st.st_gid = wantGid;
    // chown drops set-id bits; put back what the caller asked for.
    uint32_t setid = requestedMode & (S_ISUID | S_ISGID);
    if (setid && !S_ISLNK(st.st_mode) && (st.st_mode & setid) != setid) {
      if (chmod(procPath(fd).c_str(), (st.st_mode & 07777) | setid) == 0)
        st.st_mode |= setid;
    }
  }
  Gfid gfid = wanted.isNull() ? Gfid::random() : wanted;
  std::string raw(gfid.raw());
  int rc = openFd >= 0 ? fsetxattr(fd, kGfidXattr, raw.data(), raw.size(), XATTR_CREATE)
                       : setxattr(procPath(fd).c_str(), kGfidXattr, raw.data(), raw.size(),
                                  XATTR_CREATE);
  if (rc < 0) {
    int e = errno;
    closeOwn();
    return fail(e);
  }
  closeOwn();
  return iattFromStat(st, gfid);
}

}  // namespace gf
