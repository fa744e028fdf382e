// SPDX-License-Identifier: GPL-3.0-or-later
// TestClient: synchronous, path-based file operations over any translator, for unit tests.
//
// It plays the part of the FUSE bridge: resolves paths by lookups from the root (every
// component is looked up again, so changes made through another client are seen), links what
// it learns into its InodeTable, builds Locs and Fds, and waits for each fop with syncWait().
// Each call returns the fop's Result, so tests can assert both success and errno.
//
//   TestClient fs(graph.top());
//   ASSERT_OK(fs.mkdir("/mail"));
//   ASSERT_OK(fs.writeFile("/mail/1", "hello"));
//   EXPECT_EQ(*fs.readFile("/mail/1"), "hello");
//   TestClient bob = fs.as(1000, 1000);          // same inode table, another user
#pragma once

#include <fcntl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glusterfs/core/fops.h"
#include "glusterfs/core/xlator.h"

namespace gf::test {

class TestClient {
 public:
  explicit TestClient(Xlator& top, CallCtx ctx = CallCtx::root());
  TestClient(Xlator& top, std::shared_ptr<InodeTable> table, CallCtx ctx);

  // The same volume and inode table with other credentials or lock identity.
  TestClient as(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups = {}) const;
  TestClient withLockOwner(uint64_t lkOwner, uint64_t clientId = 0) const;

  CallCtx& ctx() { return ctx_; }
  InodeTable& table() { return *table_; }
  const std::shared_ptr<InodeTable>& sharedTable() const { return table_; }
  Xlator& xlator() { return *top_; }

  // Runs one fop with this client's context and waits for it.
  template <class Req>
  auto call(const Req& req) {
    return syncWait(callFop<Req>(*top_, ctx_, req));
  }

  // ---- names ----
  Result<InodePtr> resolve(std::string_view path);
  Result<Loc> loc(std::string_view path);     // an existing object (parent, name, inode)
  Result<Loc> newLoc(std::string_view path);  // parent resolved, fresh unlinked inode
  Result<Iatt> lookup(std::string_view path);
  Result<Iatt> stat(std::string_view path);
  Result<Iatt> mkdir(std::string_view path, uint32_t mode = 0755);
  Result<Iatt> mknod(std::string_view path, uint32_t mode, uint64_t rdev = 0);
  Result<Iatt> symlink(std::string_view target, std::string_view path);
  Result<std::string> readlink(std::string_view path);
  Result<Iatt> link(std::string_view existing, std::string_view newPath);
  Status unlink(std::string_view path);
  Status rmdir(std::string_view path);
  Result<Iatt> rename(std::string_view from, std::string_view to, uint32_t flags = 0);

  // ---- attributes ----
  Result<Iatt> setattr(std::string_view path, const Iatt& attr, uint32_t valid);
  Result<Iatt> chmod(std::string_view path, uint32_t mode);
  Result<Iatt> chown(std::string_view path, uint32_t uid, uint32_t gid);
  Result<Iatt> truncate(std::string_view path, uint64_t size);
  Status access(std::string_view path, int mask);
  Result<Statvfs> statfs(std::string_view path = "/");

  // ---- open files ----
  Result<FdPtr> create(std::string_view path, uint32_t mode = 0644, int32_t flags = O_RDWR);
  Result<FdPtr> open(std::string_view path, int32_t flags);
  Result<uint64_t> write(const FdPtr& fd, uint64_t offset, std::string_view data);
  Result<std::string> read(const FdPtr& fd, uint64_t offset, uint64_t size);
  Status flush(const FdPtr& fd);
  Status fsync(const FdPtr& fd);
  Result<Iatt> fstat(const FdPtr& fd);

  // Whole files: create (or truncate) and write; read everything.
  Result<Iatt> writeFile(std::string_view path, std::string_view data, uint32_t mode = 0644);
  Result<std::string> readFile(std::string_view path);

  // ---- directories ----
  Result<FdPtr> opendir(std::string_view path);
  // Every entry, "." and ".." included, reading `bufSize` bytes per readdir(p) call; readdirp
  // asks for `xattrs` with each entry.
  Result<std::vector<DirEntry>> readdirAll(std::string_view path, bool plus = false,
                                           uint64_t bufSize = 4096,
                                           const std::vector<std::string>& xattrs = {});
  // The names in a directory, sorted, without "." and "..".
  Result<std::vector<std::string>> listDir(std::string_view path);

  // ---- xattrs ----
  Status setxattr(std::string_view path, const std::string& key, std::string_view value,
                  int32_t flags = 0);
  Result<std::string> getxattr(std::string_view path, const std::string& key);
  Result<std::vector<std::string>> listxattr(std::string_view path);
  Status removexattr(std::string_view path, const std::string& key);

 private:
  // Splits "/a/b/c" into ("/a/b", "c"); the root has no name.
  static void splitPath(std::string_view path, std::string_view& parent, std::string_view& name);
  InodePtr linkEntry(const Loc& loc, const Iatt& stat);

  Xlator* top_;
  std::shared_ptr<InodeTable> table_;
  CallCtx ctx_;
};

}  // namespace gf::test
