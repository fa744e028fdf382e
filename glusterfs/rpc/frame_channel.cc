// SPDX-License-Identifier: GPL-3.0-or-later
// FrameChannel: buffered frame reading and batched, ordered frame writing.
#include "glusterfs/rpc/frame_channel.h"

#include <cstring>
#include <vector>

namespace gf::rpc {

namespace {
constexpr size_t kRxBuffer = 64 * 1024;
}

FrameChannel::FrameChannel(std::unique_ptr<Stream> stream)
    : stream_(std::move(stream)), rx_(new char[kRxBuffer]) {}

FrameChannel::~FrameChannel() { stream_->close(); }

Task<Status> FrameChannel::fill(char* out, size_t n) {
  size_t have = rxEnd_ - rxPos_;
  size_t take = std::min(have, n);
  std::memcpy(out, rx_.get() + rxPos_, take);
  rxPos_ += take;
  out += take;
  n -= take;
  if (n == 0) co_return Status{};
  // Large remainders go straight to their destination; small ones through the buffer.
  if (n >= kRxBuffer / 2) co_return co_await stream_->readExact(out, n);
  rxPos_ = rxEnd_ = 0;
  while (rxEnd_ < n) {
    auto got = co_await stream_->readSome(rx_.get() + rxEnd_, kRxBuffer - rxEnd_);
    if (!got) co_return fail(got.error());
    rxEnd_ += *got;
  }
  std::memcpy(out, rx_.get(), n);
  rxPos_ = n;
  co_return Status{};
}

Task<Result<Frame>> FrameChannel::read(std::string* why) {
  char hdr[kHeaderSize];
  Status st = co_await fill(hdr, kHeaderSize);
  if (!st) {
    if (why) *why = "connection closed";
    co_return fail(st.error());
  }
  Frame f;
  std::string reason;
  if (!decodeHeader(hdr, f.header, reason)) {
    if (why) *why = reason;
    co_return fail(EPROTO);
  }
  if (f.header.bodyLen > maxBody_ || f.header.dataLen > maxData_) {
    if (why)
      *why = "frame of " + std::to_string(f.header.bodyLen) + "+" +
             std::to_string(f.header.dataLen) + " bytes exceeds this connection's limit of " +
             std::to_string(maxBody_) + "+" + std::to_string(maxData_);
    co_return fail(EPROTO);
  }
  f.body.resize(f.header.bodyLen);
  if (f.header.bodyLen) {
    st = co_await fill(f.body.data(), f.header.bodyLen);
    if (!st) {
      if (why) *why = "connection closed inside a frame";
      co_return fail(st.error());
    }
  }
  if (f.header.dataLen) {
    f.data = Payload::allocate(f.header.dataLen);
    st = co_await fill(f.data.mutableData(), f.header.dataLen);
    if (!st) {
      if (why) *why = "connection closed inside a frame";
      co_return fail(st.error());
    }
  }
  co_return f;
}

void FrameChannel::send(FrameHeader h, std::string body, Payload data) {
  h.bodyLen = static_cast<uint32_t>(body.size());
  h.dataLen = static_cast<uint32_t>(data.size());
  Outgoing o;
  encodeHeader(h, o.header);
  o.body = std::move(body);
  o.data = std::move(data);
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    queue_.push_back(std::move(o));
    if (!writing_) writing_ = start = true;
  }
  if (start) spawn(writeLoop(shared_from_this()), "rpc-write");
}

Task<void> FrameChannel::writeLoop(std::shared_ptr<FrameChannel> self) {
  while (true) {
    std::deque<Outgoing> batch;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty() || closed_) {
        writing_ = false;
        co_return;
      }
      batch.swap(queue_);
    }
    std::vector<iovec> iov;
    iov.reserve(batch.size() * 3);
    for (auto& o : batch) {
      iov.push_back({o.header, kHeaderSize});
      if (!o.body.empty()) iov.push_back({o.body.data(), o.body.size()});
      for (const auto& s : o.data.slices()) iov.push_back({const_cast<char*>(s.data), s.size});
    }
    Status st = co_await stream_->writeAll(iov);
    if (!st) {
      close();
      std::lock_guard lock(mutex_);
      writing_ = false;
      co_return;
    }
  }
}

void FrameChannel::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    queue_.clear();
  }
  // Once only: the server's stop() and a connection ending on its own may both get here, on
  // two threads at once.
  stream_->close();
}

bool FrameChannel::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace gf::rpc
