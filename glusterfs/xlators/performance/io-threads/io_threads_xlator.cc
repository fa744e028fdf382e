// SPDX-License-Identifier: GPL-3.0-or-later
// performance/io-threads: a hop onto the worker pool before each fop.
#include "glusterfs/xlators/performance/io-threads/io_threads_xlator.h"

namespace gf {

const OptionTable<IoThreadsXlator::Config>& IoThreadsXlator::optionTable() {
  static const auto table = OptionTable<Config>().integer(
      "thread-count", &Config::threadCount, 16, 1, 256, "Worker threads running the fops below.");
  return table;
}

IoThreadsXlator::IoThreadsXlator(const XlatorArgs& args, Config config)
    : HookXlator(args), config_(config) {}

IoThreadsXlator::~IoThreadsXlator() { stop(); }

Status IoThreadsXlator::init() {
  pool_ = std::make_unique<EventLoop>(static_cast<size_t>(config_.threadCount), "gf-iot");
  return {};
}

void IoThreadsXlator::stop() {
  if (pool_) pool_->stop();
}

namespace {
Task<Status> hop(EventLoop& pool) {
  co_await pool.schedule();
  co_return Status{};
}
}  // namespace

Task<Status> IoThreadsXlator::before(CallCtx&, const FopCall& call) {
  // Lock traffic never blocks a thread (features/locks queues waiters as suspended calls, and
  // a leaf without it answers at once): it stays on the thread that received it, sparing the
  // two thread switches that replicate's lock and unlock per transaction would cost.
  if (call.info().flags & kFopLock) return Task<Status>::ready(Status{});
  return hop(*pool_);
}

}  // namespace gf
