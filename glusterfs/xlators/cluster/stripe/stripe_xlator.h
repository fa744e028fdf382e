// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe: a file's blocks spread round-robin over the children.
//
// Block i (of the file's block size) lives on child i mod N, at its own offset: every child
// holds a sparse file, and after close each holds the full logical size (short pieces are grown
// at close without changing the file's times). The block size is chosen at create from
// `block-size` patterns ("*.mpg:1MB,*:128KB", first match wins) and kept with the file
// (trusted.stripe.block-size) so that every client agrees; that key is stripe's own: hidden
// from getxattr and listxattr, refused to setxattr and removexattr. Names, attributes and
// directories are on every child; reads and writes are cut at block boundaries and go to the
// children holding them in parallel. Offsets near 2^63 are handled without overflow.
//
// O_APPEND is not passed to the children (each would append to its own piece): an append is a
// write at the logical end of the file, made one at a time per file: in arrival order within
// this client, under an inode lock on child 0 against other clients (when child 0 has locks).
// Growing the pieces at close takes the same turn: measured before an append and truncated
// after it, a piece would lose that append.
//
// Child 0 decides whether a name exists. A create, mknod, mkdir, symlink or link that one child
// refuses is removed again from the others; an unlink or rmdir reaches child 0 last, so one
// that fails part way can be repeated. Listings come from child 0 with each regular file's
// attributes merged over its pieces; SEEK_DATA and SEEK_HOLE answer for the logical file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "glusterfs/core/async_event.h"
#include "glusterfs/core/inode.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"

namespace gf {

inline constexpr const char* kStripeBlockKey = "trusted.stripe.block-size";

class StripeXlator : public Xlator {
 public:
  struct Config {
    std::vector<std::pair<std::string, uint64_t>> blockSizes;  // pattern -> size
  };
  static const OptionTable<Config>& optionTable();
  StripeXlator(const XlatorArgs& args, Config config);

  void notify(const Event& ev) override;

#define GF_STRIPE_FOP_(name, Req, Rep, flags) \
  Task<Result<Rep>> name(const CallCtx& ctx, const Req& req) override;
  GF_FOP_LIST(GF_STRIPE_FOP_)
#undef GF_STRIPE_FOP_

  size_t childCount() const { return children().size(); }
  uint64_t blockSizeFor(std::string_view name) const;
  uint64_t blockSizeOf(const InodePtr& inode) const;
  void setBlockSize(const InodePtr& inode, uint64_t bs);
  // A place in the file's queue of appends: wait for `before` (if any), set `mine` when done.
  struct AppendTurn {
    std::shared_ptr<AsyncEvent> before, mine;
  };
  AppendTurn appendTurn(const InodePtr& inode);
  // The file's append turn, entered: this client's earlier appends are done and the append
  // lock on child 0 is held (when child 0 has locks). Destroying it lets the next one go;
  // leaveAppendTurn() first gives the lock back.
  struct AppendSection {
    std::shared_ptr<AsyncEvent> mine;
    CallCtx owner;
    bool locked = false;
    ~AppendSection() { mine->set(); }
  };
  Task<Result<std::unique_ptr<AppendSection>>> enterAppendTurn(const CallCtx& ctx, const FdPtr& fd);
  Task<void> leaveAppendTurn(AppendSection& section, const FdPtr& fd);
  // Grows every piece shorter than the logical size to it (at close, in the append turn).
  Task<void> growPieces(const CallCtx& ctx, const FdPtr& fd);
  bool allUp() const;
  // Inodes for the calls stripe makes on its own (marking, undoing), which need a gfid that
  // the caller's inode does not have yet while its create is in flight.
  InodeTable& ownTable() { return ownTable_; }

 private:
  Config config_;
  mutable std::mutex mutex_;
  std::vector<bool> up_;
  bool announcedUp_ = false;
  InodeTable ownTable_;
};

// Block arithmetic (also used by tests).
namespace stripe {
struct Piece {
  size_t child;
  uint64_t offset;  // the same on the child as in the file
  uint64_t length;
};
// Cuts [offset, offset + length) at block boundaries; length is clipped so the end does not
// pass 2^64 - 1.
std::vector<Piece> split(uint64_t offset, uint64_t length, uint64_t blockSize, size_t children);
size_t childOf(uint64_t offset, uint64_t blockSize, size_t children);
}  // namespace stripe

}  // namespace gf
