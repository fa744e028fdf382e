// SPDX-License-Identifier: GPL-3.0-or-later
// Encode/decode of the name, attribute and xattr opcodes and INIT: each request laid out with
// the kernel's structs is decoded into the right Operations call, and each reply comes back in
// the kernel's reply struct.
#include <gtest/gtest.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "libfuse-patched/src/kernel_abi.h"
#include "tests/unit/lfp/lfp_test_util.h"

namespace lfp::test {
namespace {

void expectCannedEntry(const Reply& r, Ino parent) {
  ASSERT_EQ(r.error, 0);
  ASSERT_EQ(r.data.size(), sizeof(fuse_entry_out));
  auto e = r.as<fuse_entry_out>();
  EXPECT_EQ(e.nodeid, parent + 100);
  EXPECT_EQ(e.generation, 7u);
  EXPECT_EQ(e.entry_valid, 2u);
  EXPECT_EQ(e.entry_valid_nsec, 250000000u);
  EXPECT_EQ(e.attr_valid, 1u);
  EXPECT_EQ(e.attr_valid_nsec, 500000000u);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFREG | 0640));
  EXPECT_EQ(e.attr.size, 1234u);
  EXPECT_EQ(e.attr.uid, 11u);
  EXPECT_EQ(e.attr.blksize, 1u << 20);
  EXPECT_EQ(e.attr.mtime, 1700000000u);
  EXPECT_EQ(e.attr.mtimensec, 123456789u);
}

TEST(LfpCodecTest, LookupDecodesNameAndCredentialsAndEncodesEntry) {
  Harness t;
  Req r(FUSE_LOOKUP, 9);
  r.name("hello.txt");
  t.feed(r);
  ASSERT_EQ(t.ops.calls.size(), 1u);
  EXPECT_EQ(t.ops.last().op, "lookup");
  EXPECT_EQ(t.ops.last().ino, 9u);
  EXPECT_EQ(t.ops.last().name, "hello.txt");
  EXPECT_EQ(t.ops.last().ctx.uid, 1000u);
  EXPECT_EQ(t.ops.last().ctx.gid, 100u);
  EXPECT_EQ(t.ops.last().ctx.pid, 4242u);
  ASSERT_EQ(t.sink.replies.size(), 1u);
  EXPECT_EQ(t.reply().unique, r.unique());
  expectCannedEntry(t.reply(), 9);
}

TEST(LfpCodecTest, ForgetAndBatchForgetReachTheFilesystemWithoutReply) {
  Harness t;
  fuse_forget_in f{17};
  t.feed(Req(FUSE_FORGET, 33).arg(f));
  fuse_batch_forget_in b{3, 0};
  fuse_forget_one items[3] = {{5, 1}, {6, 2}, {7, 3}};
  Req br(FUSE_BATCH_FORGET, 0);
  br.arg(b);
  for (auto& i : items) br.arg(i);
  t.feed(br);
  ASSERT_EQ(t.ops.calls.size(), 2u);
  EXPECT_EQ(t.ops.calls[0].op, "forget");
  EXPECT_EQ(t.ops.calls[0].ino, 33u);
  EXPECT_EQ(t.ops.calls[0].a, 17u);
  EXPECT_EQ(t.ops.calls[1].op, "forgetMulti");
  EXPECT_EQ(t.ops.calls[1].data, "5:1;6:2;7:3;");
  EXPECT_TRUE(t.sink.replies.empty());
}

TEST(LfpCodecTest, GetattrPassesFileHandleOnlyWhenFlagged) {
  Harness t;
  fuse_getattr_in g{};
  g.fh = 77;
  t.feed(Req(FUSE_GETATTR, 4).arg(g));
  EXPECT_FALSE(t.ops.last().hasFi);
  g.getattr_flags = FUSE_GETATTR_FH;
  t.feed(Req(FUSE_GETATTR, 4).arg(g));
  EXPECT_TRUE(t.ops.last().hasFi);
  EXPECT_EQ(t.ops.last().fi.fh, 77u);
  auto a = t.reply().as<fuse_attr_out>();
  ASSERT_EQ(t.reply().data.size(), sizeof(fuse_attr_out));
  EXPECT_EQ(a.attr_valid, 3u);
  EXPECT_EQ(a.attr_valid_nsec, 500000000u);
  EXPECT_EQ(a.attr.ino, 104u);
  EXPECT_EQ(a.attr.size, 1234u);
}

TEST(LfpCodecTest, SetattrDecodesEveryField) {
  Harness t;
  fuse_setattr_in s{};
  s.valid = FATTR_MODE | FATTR_UID | FATTR_GID | FATTR_SIZE | FATTR_ATIME | FATTR_MTIME | FATTR_FH |
            FATTR_LOCKOWNER | FATTR_CTIME;
  s.fh = 12;
  s.size = 999;
  s.lock_owner = 0x55;
  s.atime = 100;
  s.atimensec = 1;
  s.mtime = 200;
  s.mtimensec = 2;
  s.ctime = 300;
  s.ctimensec = 3;
  s.mode = 0751;
  s.uid = 7;
  s.gid = 8;
  t.feed(Req(FUSE_SETATTR, 5).arg(s));
  const Call& c = t.ops.last();
  EXPECT_EQ(c.a, s.valid);
  EXPECT_TRUE(c.hasFi);
  EXPECT_EQ(c.fi.fh, 12u);
  EXPECT_EQ(c.fi.lockOwner, 0x55u);
  EXPECT_EQ(c.st.st_size, 999);
  EXPECT_EQ(c.st.st_mode, 0751u);
  EXPECT_EQ(c.st.st_uid, 7u);
  EXPECT_EQ(c.st.st_gid, 8u);
  EXPECT_EQ(c.st.st_atim.tv_sec, 100);
  EXPECT_EQ(c.st.st_atim.tv_nsec, 1);
  EXPECT_EQ(c.st.st_mtim.tv_sec, 200);
  EXPECT_EQ(c.st.st_ctim.tv_nsec, 3);
  EXPECT_EQ(kSetKillSuidgid, 1u << 11);
  EXPECT_EQ(kSetCtime, static_cast<uint32_t>(FATTR_CTIME));
}

TEST(LfpCodecTest, ReadlinkRepliesTargetWithoutNul) {
  Harness t;
  t.feed(Req(FUSE_READLINK, 6));
  EXPECT_EQ(t.ops.last().op, "readlink");
  EXPECT_EQ(t.reply().data, "target/of/link");
}

TEST(LfpCodecTest, SymlinkCarriesNameThenTarget) {
  Harness t;
  t.feed(Req(FUSE_SYMLINK, 2).name("link").name("../some/target"));
  EXPECT_EQ(t.ops.last().name, "link");
  EXPECT_EQ(t.ops.last().name2, "../some/target");
  expectCannedEntry(t.reply(), 2);
}

TEST(LfpCodecTest, MknodMkdirCarryModeRdevAndUmask) {
  Harness t;
  fuse_mknod_in m{S_IFCHR | 0600, (1u << 8) | 3, 022, 0};
  t.feed(Req(FUSE_MKNOD, 3).arg(m).name("dev"));
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(S_IFCHR | 0600));
  EXPECT_EQ(major(static_cast<dev_t>(t.ops.last().b)), 1u);
  EXPECT_EQ(minor(static_cast<dev_t>(t.ops.last().b)), 3u);
  EXPECT_EQ(t.ops.last().ctx.umask, 022u);
  fuse_mkdir_in d{0755, 077};
  t.feed(Req(FUSE_MKDIR, 3).arg(d).name("sub"));
  EXPECT_EQ(t.ops.last().name, "sub");
  EXPECT_EQ(t.ops.last().a, 0755u);
  EXPECT_EQ(t.ops.last().ctx.umask, 077u);
}

TEST(LfpCodecTest, UnlinkRmdirAnswerPlainErrors) {
  Harness t;
  t.feed(Req(FUSE_UNLINK, 3).name("f"));
  EXPECT_EQ(t.reply().error, 0);
  EXPECT_TRUE(t.reply().data.empty());
  t.feed(Req(FUSE_RMDIR, 3).name("d"));
  EXPECT_EQ(t.ops.last().op, "rmdir");
  EXPECT_EQ(t.reply().error, -ENOTEMPTY);
}

TEST(LfpCodecTest, RenameAndRename2CarryNewDirNamesAndFlags) {
  Harness t;
  fuse_rename_in r1{44};
  t.feed(Req(FUSE_RENAME, 3).arg(r1).name("a").name("b"));
  EXPECT_EQ(t.ops.last().ino2, 44u);
  EXPECT_EQ(t.ops.last().name, "a");
  EXPECT_EQ(t.ops.last().name2, "b");
  EXPECT_EQ(t.ops.last().a, 0u);
  fuse_rename2_in r2{45, RENAME_NOREPLACE, 0};
  t.feed(Req(FUSE_RENAME2, 3).arg(r2).name("c").name("d"));
  EXPECT_EQ(t.ops.last().ino2, 45u);
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(RENAME_NOREPLACE));
}

TEST(LfpCodecTest, LinkTakesOldNodeFromArgAndParentFromHeader) {
  Harness t;
  fuse_link_in l{88};
  t.feed(Req(FUSE_LINK, 3).arg(l).name("hard"));
  EXPECT_EQ(t.ops.last().ino, 88u);
  EXPECT_EQ(t.ops.last().ino2, 3u);
  EXPECT_EQ(t.ops.last().name, "hard");
}

TEST(LfpCodecTest, StatfsEncodesKstatfs) {
  Harness t;
  t.feed(Req(FUSE_STATFS, 1));
  ASSERT_EQ(t.reply().data.size(), sizeof(fuse_statfs_out));
  auto s = t.reply().as<fuse_statfs_out>();
  EXPECT_EQ(s.st.blocks, 1000u);
  EXPECT_EQ(s.st.bavail, 400u);
  EXPECT_EQ(s.st.ffree, 33u);
  EXPECT_EQ(s.st.bsize, 4096u);
  EXPECT_EQ(s.st.namelen, 255u);
}

TEST(LfpCodecTest, XattrOpcodesDecodeAndEncode) {
  Harness t;
  fuse_setxattr_in s{};  // 8 bytes on the wire without FUSE_SETXATTR_EXT
  s.size = 5;
  s.flags = XATTR_CREATE;
  t.feed(Req(FUSE_SETXATTR, 4)
             .bytes(std::string_view(reinterpret_cast<char*>(&s), 8))
             .name("user.k")
             .bytes(std::string_view("v\0lue", 5)));
  EXPECT_EQ(t.ops.last().name, "user.k");
  EXPECT_EQ(t.ops.last().data, std::string("v\0lue", 5));
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(XATTR_CREATE));
  fuse_getxattr_in g{0, 0};
  t.feed(Req(FUSE_GETXATTR, 4).arg(g).name("user.k"));
  EXPECT_EQ(t.reply().as<fuse_getxattr_out>().size, 5u);
  g.size = 64;
  t.feed(Req(FUSE_GETXATTR, 4).arg(g).name("user.k"));
  EXPECT_EQ(t.reply().data, "value");
  g.size = 0;
  t.feed(Req(FUSE_LISTXATTR, 4).arg(g));
  EXPECT_EQ(t.reply().as<fuse_getxattr_out>().size, 7u);
  t.feed(Req(FUSE_REMOVEXATTR, 4).name("user.k"));
  EXPECT_EQ(t.ops.last().name, "user.k");
  EXPECT_EQ(t.reply().error, -ENODATA);
}

TEST(LfpCodecTest, SetxattrExtUsesTheSixteenByteStruct) {
  Harness t;
  t.s->dctx.setxattrExt = true;
  fuse_setxattr_in s{3, 0, FUSE_SETXATTR_ACL_KILL_SGID, 0};
  t.feed(Req(FUSE_SETXATTR, 4).arg(s).name("system.posix_acl_access").bytes("abc"));
  EXPECT_EQ(t.ops.last().name, "system.posix_acl_access");
  EXPECT_EQ(t.ops.last().data, "abc");
}

TEST(LfpCodecTest, AccessPassesMask) {
  Harness t;
  fuse_access_in a{R_OK | X_OK, 0};
  t.feed(Req(FUSE_ACCESS, 4).arg(a));
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(R_OK | X_OK));
  EXPECT_EQ(t.reply().error, 0);
}

TEST(LfpCodecTest, InitNegotiatesCapabilitiesAndSizes) {
  Harness t(false);
  t.ops.addWant = kCapPosixLocks;
  t.s->requestedPages = 256;
  t.s->bufSize = 256 * 4096 + 4096;
  fuse_init_in in{};
  in.major = 7;
  in.minor = 45;
  in.max_readahead = 128 * 1024;
  in.flags = FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
             FUSE_DO_READDIRPLUS | FUSE_WRITEBACK_CACHE | FUSE_INIT_EXT | FUSE_HAS_IOCTL_DIR;
  in.flags2 = static_cast<uint32_t>(
      (abi::kDirectIoAllowMmap | abi::kPassthrough | abi::kOverIoUring) >> 32);
  t.feed(Req(FUSE_INIT, 0).arg(in));
  ASSERT_TRUE(t.ops.initCalled);
  const ConnectionInfo& c = t.ops.seenConn;
  EXPECT_EQ(c.protoMinor, 45u);
  EXPECT_TRUE(c.capable & kCapPassthrough);
  EXPECT_TRUE(c.capable & kCapIoUring);
  EXPECT_TRUE(c.capable & kCapDirectIoAllowMmap);
  EXPECT_TRUE(c.capable & kCapWritebackCache);
  EXPECT_FALSE(c.want & kCapWritebackCache);  // opt-in only
  EXPECT_FALSE(c.want & kCapIoUring);
  EXPECT_TRUE(c.want & kCapPosixLocks);  // added by init()
  ASSERT_TRUE(t.s->initialized.load());
  ASSERT_EQ(t.reply().data.size(), sizeof(abi::InitOut));
  auto out = t.reply().as<abi::InitOut>();
  EXPECT_EQ(out.major, 7u);
  EXPECT_EQ(out.minor, abi::kMinor);
  EXPECT_EQ(out.max_pages, 256u);
  EXPECT_EQ(out.max_write, 256u * 4096);
  EXPECT_EQ(out.max_readahead, 128u * 1024);
  EXPECT_TRUE(out.flags & FUSE_POSIX_LOCKS);
  EXPECT_TRUE(out.flags & FUSE_MAX_PAGES);
  EXPECT_TRUE(out.flags & FUSE_INIT_EXT);
  EXPECT_TRUE(out.flags & FUSE_HAS_IOCTL_DIR);
  EXPECT_FALSE(out.flags & FUSE_WRITEBACK_CACHE);
  EXPECT_TRUE((uint64_t{out.flags2} << 32) & abi::kDirectIoAllowMmap);
  EXPECT_FALSE((uint64_t{out.flags2} << 32) & abi::kPassthrough);
  EXPECT_EQ(out.max_stack_depth, 0u);
  EXPECT_EQ(t.s->conn.ioBlockSize, 1u << 20);
  EXPECT_EQ(ioBlockSize(t.s->conn), 1u << 20);
}

TEST(LfpCodecTest, InitWithPassthroughSetsStackDepthAndDropsWriteback) {
  Harness t(false);
  t.s->opts.passthrough = true;
  t.s->opts.writebackCache = true;
  t.s->requestedPages = 256;
  fuse_init_in in{};
  in.major = 7;
  in.minor = 41;
  in.flags = FUSE_WRITEBACK_CACHE | FUSE_INIT_EXT | FUSE_MAX_PAGES;
  in.flags2 = static_cast<uint32_t>(abi::kPassthrough >> 32);
  t.feed(Req(FUSE_INIT, 0).arg(in));
  auto out = t.reply().as<abi::InitOut>();
  EXPECT_TRUE((uint64_t{out.flags2} << 32) & abi::kPassthrough);
  EXPECT_FALSE(out.flags & FUSE_WRITEBACK_CACHE);
  EXPECT_EQ(out.max_stack_depth, 1u);
  EXPECT_EQ(t.s->conn.protoMinor, 41u);
}

TEST(LfpCodecTest, InitFromAnOldKernelWithoutFlags2IsAccepted) {
  Harness t(false);
  t.s->requestedPages = 256;
  struct {
    uint32_t major, minor, readahead, flags;
  } old{7, 31, 65536, FUSE_ASYNC_READ | FUSE_MAX_PAGES};
  t.feed(Req(FUSE_INIT, 0).arg(old));
  ASSERT_EQ(t.reply().error, 0);
  EXPECT_EQ(t.s->conn.protoMinor, 31u);
  EXPECT_TRUE(t.s->conn.want & kCapAsyncRead);
  EXPECT_EQ(t.reply().as<abi::InitOut>().flags2, 0u);
}

TEST(LfpCodecTest, InitRejectsTooOldProtocolAndAnswersNewerMajorWithOurs) {
  Harness t(false);
  fuse_init_in in{};
  in.major = 7;
  in.minor = 20;
  t.feed(Req(FUSE_INIT, 0).arg(in));
  EXPECT_EQ(t.reply().error, -EPROTO);
  EXPECT_FALSE(t.s->initialized.load());
  in.major = 8;
  t.feed(Req(FUSE_INIT, 0).arg(in));
  ASSERT_EQ(t.reply().error, 0);
  ASSERT_EQ(t.reply().data.size(), 8u);
  EXPECT_EQ(t.reply().as<abi::InitOut>().major, 7u);
  EXPECT_FALSE(t.s->initialized.load());
}

}  // namespace
}  // namespace lfp::test
