// SPDX-License-Identifier: GPL-3.0-or-later
// Open files of protocol/client: the server's number for each, which connection it belongs
// to, and what is needed to reopen it (and take its locks again) after a reconnect. Releasing
// an Fd tells the server to close its side.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "glusterfs/core/fops.h"

namespace gf {

class ClientConnection;

// State protocol/client shares with its open files (which may outlive the translator).
struct ClientShared {
  std::mutex mutex;
  std::shared_ptr<ClientConnection> conn;  // the live connection, if any
  uint64_t generation = 0;                 // of the latest connection
  bool stopping = false;
  std::vector<std::weak_ptr<struct ClientFdCtx>> openFiles;
};

struct ClientFdCtx {
  struct LockRecord {
    LkReq req;  // fd left null
    uint64_t lkOwner;
  };
  std::weak_ptr<ClientShared> shared;
  std::atomic<uint64_t> remoteId{0};
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> lost{false};  // could not be reopened: calls fail with EBADF
  InodePtr inode;
  int32_t flags = 0;
  bool directory = false;
  std::mutex lockMutex;
  std::vector<LockRecord> locks;  // lock requests granted, replayed in order after reconnect
  ~ClientFdCtx();
};

void attachClientFd(Fd& fd, const void* key, const std::shared_ptr<ClientShared>& shared,
                    uint64_t remoteId, uint64_t generation, int32_t flags, bool directory);
void recordLock(Fd& fd, const void* key, const LkReq& req, uint64_t lkOwner);

}  // namespace gf
