// SPDX-License-Identifier: GPL-3.0-or-later
// Encode/decode of the open-file, directory, lock and housekeeping opcodes, and the io_uring
// layout (fixed struct and payload apart) decoding to the same request as /dev/fuse's.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/file.h>

#include <climits>

#include "libfuse-patched/src/kernel_abi.h"
#include "tests/unit/lfp/lfp_test_util.h"

namespace lfp::test {
namespace {

TEST(LfpCodecTest, OpenDecodesFlagsAndEncodesOpenOut) {
  Harness t;
  fuse_open_in o{O_RDWR | O_TRUNC, FUSE_OPEN_KILL_SUIDGID};
  t.feed(Req(FUSE_OPEN, 8).arg(o));
  EXPECT_EQ(t.ops.last().fi.flags, O_RDWR | O_TRUNC);
  EXPECT_TRUE(t.ops.last().fi.killSuidgid);
  auto out = t.reply().as<abi::OpenOut>();
  ASSERT_EQ(t.reply().data.size(), sizeof(abi::OpenOut));
  EXPECT_EQ(out.fh, 0xabcu);
  EXPECT_EQ(out.open_flags, static_cast<uint32_t>(FOPEN_KEEP_CACHE | FOPEN_PARALLEL_DIRECT_WRITES));
  EXPECT_EQ(out.backing_id, 0);
}

TEST(LfpCodecTest, ReplyOpenWithBackingIdAsksForPassthrough) {
  Harness t;
  t.ops.hold = true;
  t.feed(Req(FUSE_OPEN, 8).arg(fuse_open_in{O_RDONLY, 0}));
  FileInfo fi;
  fi.fh = 5;
  fi.backingId = 3;
  t.ops.held.back().replyOpen(fi);
  auto out = t.reply().as<abi::OpenOut>();
  EXPECT_EQ(out.open_flags, abi::kFopenPassthrough);
  EXPECT_EQ(out.backing_id, 3);
}

TEST(LfpCodecTest, ReadDecodesSizeOffsetHandleAndLockOwner) {
  Harness t;
  fuse_read_in r{};
  r.fh = 21;
  r.offset = 1ull << 33;
  r.size = 1 << 20;
  r.read_flags = FUSE_READ_LOCKOWNER;
  r.lock_owner = 0x99;
  r.flags = O_RDONLY;
  t.feed(Req(FUSE_READ, 8).arg(r));
  const Call& c = t.ops.last();
  EXPECT_EQ(c.a, 1u << 20);
  EXPECT_EQ(c.b, 1ull << 33);
  EXPECT_EQ(c.fi.fh, 21u);
  EXPECT_EQ(c.fi.lockOwner, 0x99u);
  EXPECT_EQ(t.reply().data, std::string(16, 'r'));
  EXPECT_EQ(t.s->readRequests.load(), 1u);
  EXPECT_EQ(t.s->maxReadSize.load(), 1u << 20);
}

TEST(LfpCodecTest, WriteCarriesPayloadAndEncodesWriteOut) {
  Harness t;
  std::string data(3000, 'w');
  fuse_write_in w{};
  w.fh = 22;
  w.offset = 4096;
  w.size = static_cast<uint32_t>(data.size());
  w.write_flags = FUSE_WRITE_KILL_SUIDGID;
  t.feed(Req(FUSE_WRITE, 8).arg(w).bytes(data));
  EXPECT_EQ(t.ops.last().data, data);
  EXPECT_EQ(t.ops.last().b, 4096u);
  EXPECT_TRUE(t.ops.last().fi.killSuidgid);
  EXPECT_EQ(t.reply().as<fuse_write_out>().size, 3000u);
  SizeHistogram h = t.s->histogram.snapshot();
  ASSERT_NE(h.find(FUSE_WRITE), nullptr);
  EXPECT_EQ(h.find(FUSE_WRITE)->maxSize, 3000u);
  EXPECT_EQ(h.find(FUSE_WRITE)->buckets[12], 1u);  // (2048, 4096]
}

TEST(LfpCodecTest, WriteDataOwnerKeepsBufferAliveForZeroCopy) {
  Harness t;
  t.ops.hold = true;
  auto buf = std::make_shared<std::string>(
      Req(FUSE_WRITE, 8).arg(fuse_write_in{1, 0, 4, 0, 0, 0, 0}).bytes("data").build());
  detail::processBuffer(*t.s, t.sink, buf->data(), buf->size(), buf);
  EXPECT_EQ(buf.use_count(), 1);  // RecordingOps copied the data and kept no owner
  t.ops.held.back().replyWrite(4);
}

TEST(LfpCodecTest, FlushReleaseFsyncDecodeHandlesAndFlags) {
  Harness t;
  fuse_flush_in f{};
  f.fh = 31;
  f.lock_owner = 0x77;
  t.feed(Req(FUSE_FLUSH, 8).arg(f));
  EXPECT_EQ(t.ops.last().fi.fh, 31u);
  EXPECT_EQ(t.ops.last().fi.lockOwner, 0x77u);
  fuse_release_in r{32, O_WRONLY, FUSE_RELEASE_FLUSH | FUSE_RELEASE_FLOCK_UNLOCK, 0x78};
  t.feed(Req(FUSE_RELEASE, 8).arg(r));
  EXPECT_EQ(t.ops.last().op, "release");
  EXPECT_TRUE(t.ops.last().fi.flush);
  EXPECT_TRUE(t.ops.last().fi.flockRelease);
  EXPECT_EQ(t.ops.last().fi.flags, O_WRONLY);
  fuse_fsync_in s{33, FUSE_FSYNC_FDATASYNC, 0};
  t.feed(Req(FUSE_FSYNC, 8).arg(s));
  EXPECT_EQ(t.ops.last().a, 1u);
  EXPECT_EQ(t.ops.last().fi.fh, 33u);
}

TEST(LfpCodecTest, DirectoryOpcodesDecodeAndEncodeDirents) {
  Harness t;
  t.feed(Req(FUSE_OPENDIR, 1).arg(fuse_open_in{O_RDONLY | O_DIRECTORY, 0}));
  EXPECT_EQ(t.reply().as<abi::OpenOut>().open_flags, static_cast<uint32_t>(FOPEN_CACHE_DIR));
  fuse_read_in r{};
  r.fh = 0xd1;
  r.size = 4096;
  r.offset = 0;
  t.feed(Req(FUSE_READDIR, 1).arg(r));
  EXPECT_EQ(t.ops.last().fi.fh, 0xd1u);
  const std::string& d = t.reply().data;
  ASSERT_EQ(d.size(), 2 * FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + 3));
  fuse_dirent de;
  std::memcpy(&de, d.data(), sizeof de);
  EXPECT_EQ(de.ino, 5u);
  EXPECT_EQ(de.off, 1u);
  EXPECT_EQ(de.namelen, 3u);
  EXPECT_EQ(de.type, static_cast<uint32_t>(DT_REG));
  EXPECT_EQ(std::string(d.data() + FUSE_NAME_OFFSET, 3), "one");
  t.feed(Req(FUSE_READDIRPLUS, 1).arg(r));
  EXPECT_EQ(t.ops.last().op, "readdirplus");
  fuse_direntplus dp;
  std::memcpy(&dp, t.reply().data.data(), sizeof dp);
  EXPECT_EQ(dp.entry_out.nodeid, 101u);
  EXPECT_EQ(dp.dirent.namelen, 4u);
  EXPECT_EQ(t.reply().data.size(), FUSE_DIRENTPLUS_SIZE(&dp));
  t.feed(Req(FUSE_RELEASEDIR, 1).arg(fuse_release_in{0xd1, 0, 0, 0}));
  EXPECT_EQ(t.ops.last().op, "releasedir");
  t.feed(Req(FUSE_FSYNCDIR, 1).arg(fuse_fsync_in{0xd1, 0, 0}));
  EXPECT_EQ(t.ops.last().op, "fsyncdir");
  EXPECT_EQ(t.ops.last().a, 0u);
}

TEST(LfpCodecTest, LocksDecodeRangesAndFlockOperations) {
  Harness t;
  fuse_lk_in l{};
  l.fh = 40;
  l.owner = 0x41;
  l.lk = {100, 199, F_RDLCK, 555};
  t.feed(Req(FUSE_GETLK, 8).arg(l));
  EXPECT_EQ(t.ops.last().lk.l_start, 100);
  EXPECT_EQ(t.ops.last().lk.l_len, 100);
  EXPECT_EQ(t.ops.last().fi.lockOwner, 0x41u);
  auto out = t.reply().as<fuse_lk_out>();
  EXPECT_EQ(out.lk.type, static_cast<uint32_t>(F_WRLCK));
  EXPECT_EQ(out.lk.start, 100u);
  EXPECT_EQ(out.lk.end, 199u);
  EXPECT_EQ(out.lk.pid, 99u);
  l.lk = {0, static_cast<uint64_t>(LLONG_MAX), F_WRLCK, 1};
  t.feed(Req(FUSE_SETLKW, 8).arg(l));
  EXPECT_EQ(t.ops.last().op, "setlk");
  EXPECT_EQ(t.ops.last().lk.l_len, 0);  // to end of file
  EXPECT_EQ(t.ops.last().a, 1u);
  l.lk_flags = FUSE_LK_FLOCK;
  t.feed(Req(FUSE_SETLK, 8).arg(l));
  EXPECT_EQ(t.ops.last().op, "flock");
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(LOCK_EX | LOCK_NB));
  l.lk.type = F_UNLCK;
  t.feed(Req(FUSE_SETLKW, 8).arg(l));
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(LOCK_UN));
}

TEST(LfpCodecTest, CreateAndTmpfileDecodeModeFlagsUmask) {
  Harness t;
  fuse_create_in c{O_WRONLY | O_CREAT | O_EXCL, S_IFREG | 0644, 002, 0};
  t.feed(Req(FUSE_CREATE, 3).arg(c).name("new"));
  EXPECT_EQ(t.ops.last().name, "new");
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(S_IFREG | 0644));
  EXPECT_EQ(t.ops.last().fi.flags, O_WRONLY | O_CREAT | O_EXCL);
  EXPECT_EQ(t.ops.last().ctx.umask, 002u);
  ASSERT_EQ(t.reply().data.size(), sizeof(fuse_entry_out) + sizeof(abi::OpenOut));
  abi::OpenOut o;
  std::memcpy(&o, t.reply().data.data() + sizeof(fuse_entry_out), sizeof o);
  EXPECT_EQ(o.fh, 0xc4u);
  EXPECT_EQ(o.open_flags, static_cast<uint32_t>(FOPEN_DIRECT_IO));
  t.feed(Req(abi::kOpTmpfile, 3).arg(c).name("/"));
  EXPECT_EQ(t.ops.last().op, "tmpfile");
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(S_IFREG | 0644));
}

TEST(LfpCodecTest, BmapIoctlPollEncode) {
  Harness t;
  fuse_bmap_in b{12, 4096, 0};
  t.feed(Req(FUSE_BMAP, 8).arg(b));
  EXPECT_EQ(t.reply().as<fuse_bmap_out>().block, 24u);
  fuse_ioctl_in i{};
  i.fh = 3;
  i.cmd = 0x1234;
  i.arg = 0xfeed;
  i.in_size = 4;
  i.out_size = 16;
  t.feed(Req(FUSE_IOCTL, 8).arg(i).bytes("abcd"));
  EXPECT_EQ(t.ops.last().a, 0x1234u);
  EXPECT_EQ(t.ops.last().b, 0xfeedu);
  EXPECT_EQ(t.ops.last().d, 16u);
  EXPECT_EQ(t.ops.last().data, "abcd");
  auto io = t.reply().as<fuse_ioctl_out>();
  EXPECT_EQ(io.result, 3);
  EXPECT_EQ(t.reply().data.substr(sizeof io), "out");
  fuse_poll_in p{3, 0x5151, FUSE_POLL_SCHEDULE_NOTIFY, POLLIN};
  t.feed(Req(FUSE_POLL, 8).arg(p));
  EXPECT_EQ(t.ops.last().a, 0x5151u);
  EXPECT_EQ(t.ops.last().b, static_cast<uint64_t>(POLLIN));
  EXPECT_EQ(t.reply().as<fuse_poll_out>().revents, 5u);
  p.flags = 0;
  t.feed(Req(FUSE_POLL, 8).arg(p));
  EXPECT_EQ(t.ops.last().a, 0u);  // no notification wanted
}

TEST(LfpCodecTest, FallocateLseekCopyFileRangeSyncfs) {
  Harness t;
  fuse_fallocate_in f{9, 100, 200, FALLOC_FL_KEEP_SIZE, 0};
  t.feed(Req(FUSE_FALLOCATE, 8).arg(f));
  EXPECT_EQ(t.ops.last().a, static_cast<uint64_t>(FALLOC_FL_KEEP_SIZE));
  EXPECT_EQ(t.ops.last().b, 100u);
  EXPECT_EQ(t.ops.last().c, 200u);
  fuse_lseek_in l{9, 4096, SEEK_DATA, 0};
  t.feed(Req(FUSE_LSEEK, 8).arg(l));
  EXPECT_EQ(t.ops.last().b, static_cast<uint64_t>(SEEK_DATA));
  EXPECT_EQ(t.reply().as<fuse_lseek_out>().offset, 4097u);
  fuse_copy_file_range_in c{1, 10, 2, 3, 20, 3000, 0};
  t.feed(Req(FUSE_COPY_FILE_RANGE, 8).arg(c));
  EXPECT_EQ(t.ops.last().ino2, 2u);
  EXPECT_EQ(t.ops.last().fi.fh, 1u);
  EXPECT_EQ(t.ops.last().fi2.fh, 3u);
  EXPECT_EQ(t.ops.last().c, 3000u);
  ASSERT_EQ(t.reply().data.size(), sizeof(fuse_write_out));
  t.feed(Req(abi::kOpCopyFileRange64, 8).arg(c));
  ASSERT_EQ(t.reply().data.size(), sizeof(abi::CopyFileRangeOut));
  EXPECT_EQ(t.reply().as<abi::CopyFileRangeOut>().bytes_copied, 3000u);
  t.feed(Req(abi::kOpSyncfs, 1).arg(fuse_syncfs_in{0}));
  EXPECT_EQ(t.ops.last().op, "syncfs");
}

TEST(LfpCodecTest, DaxMappingsAndStatxAreAnsweredEnosys) {
  Harness t;
  t.feed(Req(abi::kOpSetupMapping, 8).arg(fuse_setupmapping_in{}));
  EXPECT_EQ(t.reply().error, -ENOSYS);
  t.feed(Req(abi::kOpRemoveMapping, 8).arg(fuse_removemapping_in{}));
  EXPECT_EQ(t.reply().error, -ENOSYS);
  t.feed(Req(abi::kOpStatx, 8).arg(abi::StatxIn{}));
  EXPECT_EQ(t.reply().error, -ENOSYS);
  EXPECT_TRUE(t.ops.calls.empty());
}

TEST(LfpCodecTest, DestroyCallsDestroyOnceAndReplies) {
  Harness t;
  t.feed(Req(FUSE_DESTROY, 0));
  EXPECT_TRUE(t.ops.destroyCalled);
  EXPECT_EQ(t.reply().error, 0);
  EXPECT_TRUE(t.s->destroyed.load());
}

TEST(LfpCodecTest, UringLayoutDecodesLikeDevFuse) {
  detail::DecodeContext ctx{45, false};
  std::string data(5000, 'z');
  fuse_write_in w{};
  w.fh = 7;
  w.size = 5000;
  Req r(FUSE_WRITE, 8);
  r.arg(w).bytes(data);
  std::string wire = r.build();
  detail::Decoded a, b;
  ASSERT_EQ(detail::decodeBuffer(ctx, wire.data(), wire.size(), a), detail::DecodeStatus::kOk);
  fuse_in_header h;
  std::memcpy(&h, wire.data(), sizeof h);
  char op[128] = {};
  std::memcpy(op, &w, sizeof w);
  ASSERT_EQ(detail::decodeParts(ctx, h, op, sizeof op, data.data(), data.size(), b),
            detail::DecodeStatus::kOk);
  EXPECT_EQ(b.payloadSize, a.payloadSize);
  EXPECT_EQ(std::memcmp(b.arg, a.arg, sizeof(fuse_write_in)), 0);
  Req l(FUSE_LOOKUP, 1);
  l.name("x");
  wire = l.build();
  std::memcpy(&h, wire.data(), sizeof h);
  ASSERT_EQ(detail::decodeParts(ctx, h, op, sizeof op, "x", 2, b), detail::DecodeStatus::kOk);
  EXPECT_STREQ(b.name, "x");
  // NOTIFY_REPLY keeps an empty first argument: its struct leads the payload.
  fuse_notify_retrieve_in ri{};
  ri.size = 3;
  std::string payload = std::string(reinterpret_cast<char*>(&ri), sizeof ri) + "abc";
  Req nr(FUSE_NOTIFY_REPLY, 9);
  nr.bytes(payload);
  wire = nr.build();
  std::memcpy(&h, wire.data(), sizeof h);
  ASSERT_EQ(detail::decodeParts(ctx, h, op, sizeof op, payload.data(), payload.size(), b),
            detail::DecodeStatus::kOk);
  EXPECT_EQ(b.payloadSize, 3u);
  EXPECT_EQ(std::string(b.payload, 3), "abc");
  wire = l.build();
  std::memcpy(&h, wire.data(), sizeof h);
  h.len += 200;  // says the op area held 200 bytes: more than it can
  EXPECT_EQ(detail::decodeParts(ctx, h, op, sizeof op, "x", 2, b),
            detail::DecodeStatus::kLengthMismatch);
}

}  // namespace
}  // namespace lfp::test
