// SPDX-License-Identifier: GPL-3.0-or-later
// A thread serving /dev/fuse: reads a request (plainly or spliced), dispatches it, repeats.
#pragma once

#include <linux/fuse.h>
#include <pthread.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "libfuse-patched/src/channel.h"

namespace lfp::detail {

// Requests are read this far into their buffer so that a WRITE's data (after the 40-byte
// header and 40-byte write_in) starts on a page boundary: O_DIRECT backing files accept it as is.
inline constexpr size_t kRequestOffset = 4096 - sizeof(fuse_in_header) - sizeof(fuse_write_in);

// Page-aligned request buffers (kRequestOffset + the request size). A buffer the filesystem still
// holds (WriteData::owner) after its handler returned is not reused until released; the worker
// takes a fresh one meanwhile.
class BufferPool {
 public:
  explicit BufferPool(size_t size);
  std::shared_ptr<char> get();
  size_t size() const { return state_->size; }

 private:
  struct State {
    std::mutex mu;
    std::vector<char*> free;
    size_t size = 0;
    ~State();
  };
  std::shared_ptr<State> state_;
};

class Worker {
 public:
  // `channel` is borrowed (the session's master) or owned (a clone).
  Worker(Session::Impl& s, Channel* channel, std::unique_ptr<Channel> owned, BufferPool& pool);
  ~Worker();
  void start();
  // Interrupts a blocking read until the thread has ended, then joins it.
  void stopAndJoin();
  bool failed() const { return error_ != 0; }
  int error() const { return error_; }

 private:
  void run();
  bool setupSplice();
  // One spliced read; false when the loop should end.
  bool spliceOnce(std::shared_ptr<char>& buf);

  Session::Impl& s_;
  Channel* channel_;
  std::unique_ptr<Channel> owned_;
  BufferPool& pool_;
  std::thread thread_;
  pthread_t tid_{};
  std::atomic<bool> running_{false};
  std::atomic<bool> done_{false};
  int error_ = 0;
  int pipe_[2] = {-1, -1};
};

// The signal used to interrupt blocked threads (installed without SA_RESTART).
int wakeSignal();
void installWakeHandler();

}  // namespace lfp::detail
