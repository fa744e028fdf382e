// SPDX-License-Identifier: GPL-3.0-or-later
// TestClient: path resolution, inode linking and one wrapper per fop.
#include "tests/unit/support/fop_helpers.h"

#include <algorithm>

namespace gf::test {

TestClient::TestClient(Xlator& top, CallCtx ctx)
    : TestClient(top, std::make_shared<InodeTable>(), std::move(ctx)) {}

TestClient::TestClient(Xlator& top, std::shared_ptr<InodeTable> table, CallCtx ctx)
    : top_(&top), table_(std::move(table)), ctx_(std::move(ctx)) {}

TestClient TestClient::as(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups) const {
  CallCtx c = ctx_;
  c.uid = uid;
  c.gid = gid;
  c.groups = std::make_shared<const std::vector<uint32_t>>(std::move(groups));
  return TestClient(*top_, table_, c);
}

TestClient TestClient::withLockOwner(uint64_t lkOwner, uint64_t clientId) const {
  CallCtx c = ctx_;
  c.lkOwner = lkOwner;
  c.clientId = clientId;
  return TestClient(*top_, table_, c);
}

void TestClient::splitPath(std::string_view path, std::string_view& parent,
                           std::string_view& name) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    parent = "/";
    name = path;
  } else {
    parent = slash == 0 ? std::string_view("/") : path.substr(0, slash);
    name = path.substr(slash + 1);
  }
}

InodePtr TestClient::linkEntry(const Loc& loc, const Iatt& stat) {
  // "." and ".." are never dentries: as one they would make the parent chain a cycle.
  if (loc.name == "." || loc.name == "..") return table_->link(loc.inode, nullptr, "", stat);
  return table_->link(loc.inode, loc.parent, loc.name, stat);
}

Result<InodePtr> TestClient::resolve(std::string_view path) {
  InodePtr cur = table_->root();
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    Loc l{cur, std::string(part), table_->child(*cur, part)};
    if (!l.inode) l.inode = table_->create();
    auto r = call(LookupReq{l});
    if (!r) return fail(r.error());
    cur = linkEntry(l, r->stat);
  }
  return cur;
}

Result<Loc> TestClient::loc(std::string_view path) {
  std::string_view parentPath, name;
  splitPath(path, parentPath, name);
  if (name.empty()) return Loc{nullptr, "", table_->root()};
  GF_TRY(InodePtr parent, resolve(parentPath));
  Loc l{parent, std::string(name), table_->child(*parent, name)};
  if (!l.inode) l.inode = table_->create();
  auto r = call(LookupReq{l});
  if (!r) return fail(r.error());
  l.inode = linkEntry(l, r->stat);
  return l;
}

Result<Loc> TestClient::newLoc(std::string_view path) {
  std::string_view parentPath, name;
  splitPath(path, parentPath, name);
  if (name.empty()) return fail(EEXIST);
  GF_TRY(InodePtr parent, resolve(parentPath));
  return Loc{parent, std::string(name), table_->create()};
}

Result<Iatt> TestClient::lookup(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(LookupReq{l});
  if (!r) return fail(r.error());
  return r->stat;
}

Result<Iatt> TestClient::stat(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(StatReq{l});
  if (!r) return fail(r.error());
  return r->stat;
}

Result<Iatt> TestClient::mkdir(std::string_view path, uint32_t mode) {
  GF_TRY(Loc l, newLoc(path));
  auto r = call(MkdirReq{l, mode, 0, {}});
  if (!r) return fail(r.error());
  linkEntry(l, r->stat);
  return r->stat;
}

Result<Iatt> TestClient::mknod(std::string_view path, uint32_t mode, uint64_t rdev) {
  GF_TRY(Loc l, newLoc(path));
  auto r = call(MknodReq{l, mode, rdev, 0, {}});
  if (!r) return fail(r.error());
  linkEntry(l, r->stat);
  return r->stat;
}

Result<Iatt> TestClient::symlink(std::string_view target, std::string_view path) {
  GF_TRY(Loc l, newLoc(path));
  auto r = call(SymlinkReq{std::string(target), l, 0, {}});
  if (!r) return fail(r.error());
  linkEntry(l, r->stat);
  return r->stat;
}

Result<std::string> TestClient::readlink(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(ReadlinkReq{l});
  if (!r) return fail(r.error());
  return r->target;
}

Result<Iatt> TestClient::link(std::string_view existing, std::string_view newPath) {
  GF_TRY(Loc from, loc(existing));
  GF_TRY(Loc to, newLoc(newPath));
  auto r = call(LinkReq{from, to});
  if (!r) return fail(r.error());
  to.inode = from.inode;
  linkEntry(to, r->stat);
  return r->stat;
}

Status TestClient::unlink(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(UnlinkReq{l});
  if (!r) return fail(r.error());
  table_->unlink(*l.parent, l.name);
  return {};
}

Status TestClient::rmdir(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(RmdirReq{l});
  if (!r) return fail(r.error());
  table_->unlink(*l.parent, l.name);
  return {};
}

Result<Iatt> TestClient::rename(std::string_view from, std::string_view to, uint32_t flags) {
  GF_TRY(Loc src, loc(from));
  std::string_view parentPath, name;
  splitPath(to, parentPath, name);
  GF_TRY(InodePtr parent, resolve(parentPath));
  Loc dst{parent, std::string(name), table_->child(*parent, name)};
  auto r = call(RenameReq{src, dst, flags});
  if (!r) return fail(r.error());
  if (src.parent) table_->rename(*src.parent, src.name, dst.parent, dst.name);
  return r->stat;
}

Result<Iatt> TestClient::setattr(std::string_view path, const Iatt& attr, uint32_t valid) {
  GF_TRY(Loc l, loc(path));
  auto r = call(SetattrReq{l, attr, valid});
  if (!r) return fail(r.error());
  return r->stat;
}

Result<Iatt> TestClient::chmod(std::string_view path, uint32_t mode) {
  Iatt a;
  a.mode = mode;
  return setattr(path, a, kSetMode);
}

Result<Iatt> TestClient::chown(std::string_view path, uint32_t uid, uint32_t gid) {
  Iatt a;
  a.uid = uid;
  a.gid = gid;
  return setattr(path, a, kSetUid | kSetGid);
}

Result<Iatt> TestClient::truncate(std::string_view path, uint64_t size) {
  GF_TRY(Loc l, loc(path));
  auto r = call(TruncateReq{l, size});
  if (!r) return fail(r.error());
  return r->stat;
}

Status TestClient::access(std::string_view path, int mask) {
  GF_TRY(Loc l, loc(path));
  auto r = call(AccessReq{l, mask});
  if (!r) return fail(r.error());
  return {};
}

Result<Statvfs> TestClient::statfs(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(StatfsReq{l});
  if (!r) return fail(r.error());
  return r->stat;
}

Result<FdPtr> TestClient::create(std::string_view path, uint32_t mode, int32_t flags) {
  GF_TRY(Loc l, newLoc(path));
  FdPtr fd = makeFd(l.inode, flags | O_CREAT, ctx_.pid);
  auto r = call(CreateReq{l, flags | O_CREAT, mode, 0, fd, {}});
  if (!r) return fail(r.error());
  // If the name existed (no O_EXCL), the table keeps its known inode and `fd` stays on the
  // fresh one; layers that key on fd->inode()'s gfid need a lookup first (as the kernel does).
  linkEntry(l, r->stat);
  return fd;
}

Result<FdPtr> TestClient::open(std::string_view path, int32_t flags) {
  GF_TRY(Loc l, loc(path));
  FdPtr fd = makeFd(l.inode, flags, ctx_.pid);
  auto r = call(OpenReq{l, flags, fd});
  if (!r) return fail(r.error());
  return fd;
}

Result<uint64_t> TestClient::write(const FdPtr& fd, uint64_t offset, std::string_view data) {
  auto r = call(WritevReq{fd, Payload::copyOf(data), offset, 0});
  if (!r) return fail(r.error());
  return r->size;
}

Result<std::string> TestClient::read(const FdPtr& fd, uint64_t offset, uint64_t size) {
  auto r = call(ReadvReq{fd, size, offset, 0});
  if (!r) return fail(r.error());
  return r->data.str();
}

Status TestClient::flush(const FdPtr& fd) {
  auto r = call(FlushReq{fd});
  if (!r) return fail(r.error());
  return {};
}

Status TestClient::fsync(const FdPtr& fd) {
  auto r = call(FsyncReq{fd, false});
  if (!r) return fail(r.error());
  return {};
}

Result<Iatt> TestClient::fstat(const FdPtr& fd) {
  auto r = call(FstatReq{fd});
  if (!r) return fail(r.error());
  return r->stat;
}

Result<Iatt> TestClient::writeFile(std::string_view path, std::string_view data, uint32_t mode) {
  auto existing = loc(path);
  FdPtr fd;
  if (existing) {
    GF_TRY(fd, open(path, O_WRONLY | O_TRUNC));
  } else if (existing.errnum() == ENOENT) {
    GF_TRY(fd, create(path, mode, O_WRONLY | O_TRUNC));
  } else {
    return fail(existing.error());
  }
  uint64_t done = 0;
  while (done < data.size()) {
    GF_TRY(uint64_t n, write(fd, done, data.substr(done)));
    if (n == 0) return fail(EIO);
    done += n;
  }
  GF_CHECK(flush(fd));
  return fstat(fd);
}

Result<std::string> TestClient::readFile(std::string_view path) {
  GF_TRY(FdPtr fd, open(path, O_RDONLY));
  std::string out;
  constexpr uint64_t kChunk = 128 * 1024;
  for (;;) {
    GF_TRY(std::string part, read(fd, out.size(), kChunk));
    if (part.empty()) break;
    out += part;
  }
  GF_CHECK(flush(fd));
  return out;
}

Result<FdPtr> TestClient::opendir(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  FdPtr fd = makeFd(l.inode, O_RDONLY | O_DIRECTORY, ctx_.pid);
  auto r = call(OpendirReq{l, fd});
  if (!r) return fail(r.error());
  return fd;
}

Result<std::vector<DirEntry>> TestClient::readdirAll(std::string_view path, bool plus,
                                                     uint64_t bufSize,
                                                     const std::vector<std::string>& xattrs) {
  GF_TRY(FdPtr fd, opendir(path));
  std::vector<DirEntry> out;
  uint64_t offset = 0;
  for (;;) {
    Result<ReaddirReply> r =
        plus ? call(ReaddirpReq{fd, bufSize, offset, xattrs}) : call(ReaddirReq{fd, bufSize, offset});
    if (!r) return fail(r.error());
    if (r->entries.empty()) break;
    offset = r->entries.back().offset;
    for (auto& e : r->entries) out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<std::string>> TestClient::listDir(std::string_view path) {
  GF_TRY(auto entries, readdirAll(path));
  std::vector<std::string> names;
  for (const auto& e : entries)
    if (e.name != "." && e.name != "..") names.push_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

Status TestClient::setxattr(std::string_view path, const std::string& key, std::string_view value,
                            int32_t flags) {
  GF_TRY(Loc l, loc(path));
  auto r = call(SetxattrReq{l, Dict{{key, std::string(value)}}, flags});
  if (!r) return fail(r.error());
  return {};
}

Result<std::string> TestClient::getxattr(std::string_view path, const std::string& key) {
  GF_TRY(Loc l, loc(path));
  auto r = call(GetxattrReq{l, key});
  if (!r) return fail(r.error());
  auto it = r->xattrs.find(key);
  if (it == r->xattrs.end()) return fail(ENODATA);
  return it->second;
}

Result<std::vector<std::string>> TestClient::listxattr(std::string_view path) {
  GF_TRY(Loc l, loc(path));
  auto r = call(ListxattrReq{l});
  if (!r) return fail(r.error());
  auto names = r->names;
  std::sort(names.begin(), names.end());
  return names;
}

Status TestClient::removexattr(std::string_view path, const std::string& key) {
  GF_TRY(Loc l, loc(path));
  auto r = call(RemovexattrReq{l, key});
  if (!r) return fail(r.error());
  return {};
}

}  // namespace gf::test
