// SPDX-License-Identifier: GPL-3.0-or-later
// FUSE-over-io_uring (protocol 7.42+): one queue per possible CPU, each an io_uring with 128-byte
// SQEs and a set of registered entries; a request arrives as a completed REGISTER or
// COMMIT_AND_FETCH command, and its reply is committed together with the fetch of the next.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libfuse-patched/src/session_impl.h"

namespace lfp::detail {

class UringEngine {
 public:
  explicit UringEngine(Session::Impl& s);
  ~UringEngine();
  UringEngine(const UringEngine&) = delete;
  UringEngine& operator=(const UringEngine&) = delete;

  // Creates the queues, registers every entry and starts one thread per queue (pinned to its
  // CPU). False, with a reason, when io_uring cannot be used (the caller falls back).
  bool start(std::string* error);
  void stop();
  unsigned queues() const;

  struct Queue;

 private:
  Session::Impl& s_;
  std::vector<std::unique_ptr<Queue>> queues_;
};

// Number of possible CPUs (the kernel makes one queue per possible CPU).
unsigned possibleCpus();

}  // namespace lfp::detail
