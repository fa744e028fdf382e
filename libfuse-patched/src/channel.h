// SPDX-License-Identifier: GPL-3.0-or-later
// One /dev/fuse file descriptor (the mount's own or a FUSE_DEV_IOC_CLONE of it) as the sink of
// the replies to the requests read from it; data replies may be spliced from a file.
#pragma once

#include "libfuse-patched/src/session_impl.h"

namespace lfp::detail {

class Channel : public ReplySink {
 public:
  // `owned`: close `fd` on destruction.
  Channel(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~Channel() override;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Opens /dev/fuse again and attaches it to `master`'s connection. nullptr on failure.
  static std::unique_ptr<Channel> cloneOf(int master, std::string* error);

  int fd() const { return fd_; }
  // Replies of at least this many bytes are spliced file -> pipe -> /dev/fuse (0: never).
  void setSpliceThreshold(size_t bytes) { spliceThreshold_ = bytes; }

  int send(uint64_t unique, int error, const struct iovec* iov, int count) override;
  int sendFd(uint64_t unique, int fd, off_t offset, size_t size) override;

 private:
  int spliceFd(uint64_t unique, int fd, off_t offset, size_t size);

  int fd_;
  bool owned_;
  size_t spliceThreshold_ = 0;
};

// Writes a notification (unique 0, error = notify code) to `fd`. 0 or -errno.
int writeNotify(int fd, int code, const struct iovec* iov, int count);

}  // namespace lfp::detail
