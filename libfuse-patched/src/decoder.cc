// SPDX-License-Identifier: GPL-3.0-or-later
// Bounds-checked request decoding: every length comes from the bytes actually received, never
// from a field of the request alone.
#include "libfuse-patched/src/decoder.h"

#include "libfuse-patched/src/kernel_abi.h"

namespace lfp::detail {
namespace {

constexpr size_t kHeader = sizeof(fuse_in_header);

// Reads the header fields that fit into `out.h` (so a reply can still name the unique).
void partialHeader(const char* buf, size_t len, Decoded& out) {
  out.h = fuse_in_header{};
  if (len) std::memcpy(&out.h, buf, len < kHeader ? len : kHeader);
}

DecodeStatus checkOpcode(uint32_t opcode, Decoded& out) {
  if (opcode == 0 || opcode >= 4096) return DecodeStatus::kBadOpcode;
  out.spec = opSpec(opcode);
  return out.spec ? DecodeStatus::kOk : DecodeStatus::kUnknownOpcode;
}

// Takes one NUL-terminated string from [p, end).
bool takeName(const char*& p, const char* end, const char*& name) {
  const void* nul = p < end ? std::memchr(p, '\0', static_cast<size_t>(end - p)) : nullptr;
  if (!nul) return false;
  name = p;
  p = static_cast<const char*>(nul) + 1;
  return true;
}

// The payload's size as announced by the fixed struct.
bool announcedPayload(const Decoded& d, uint64_t& size) {
  switch (d.spec->payload) {
    case Payload::kNone:
      return false;
    case Payload::kWrite:
      size = d.as<fuse_write_in>().size;
      return true;
    case Payload::kXattrValue:
      size = d.as<fuse_setxattr_in>().size;
      return true;
    case Payload::kIoctlIn:
      size = d.as<fuse_ioctl_in>().in_size;
      return true;
    case Payload::kNotifyReply:
      size = d.as<fuse_notify_retrieve_in>().size;
      return true;
    case Payload::kForgets:
      size = uint64_t{d.as<fuse_batch_forget_in>().count} * sizeof(fuse_forget_one);
      return true;
  }
  return false;
}

// Common part after the header: fixed struct from (op, opLen), names and payload from the tail.
DecodeStatus decodeRest(const DecodeContext& ctx, const char* op, size_t opLen, const char* tail,
                        size_t tailLen, Decoded& out) {
  size_t want = argSizeFor(ctx, out.h.opcode);
  size_t have = opLen < want ? opLen : want;
  if (have < out.spec->minArgSize || (have < want && out.spec->minArgSize == 0))
    return DecodeStatus::kShortArg;
  std::memset(out.arg, 0, sizeof out.arg);
  if (have) std::memcpy(out.arg, op, have);
  out.argLen = static_cast<uint32_t>(have);
  const char* p = tail;
  const char* end = tail + tailLen;
  if (out.spec->names >= 1 && !takeName(p, end, out.name)) return DecodeStatus::kMissingName;
  if (out.spec->names >= 2 && !takeName(p, end, out.name2)) return DecodeStatus::kMissingName;
  uint64_t size = 0;
  if (!announcedPayload(out, size)) return DecodeStatus::kOk;
  if (size != static_cast<uint64_t>(end - p)) return DecodeStatus::kBadPayload;
  out.payload = p;
  out.payloadSize = static_cast<size_t>(size);
  return DecodeStatus::kOk;
}

}  // namespace

size_t argSizeFor(const DecodeContext& ctx, uint32_t opcode) {
  const OpSpec* s = opSpec(opcode);
  if (!s) return 0;
  if (opcode == FUSE_SETXATTR && !ctx.setxattrExt) return FUSE_COMPAT_SETXATTR_IN_SIZE;
  return s->argSize;
}

const char* decodeStatusName(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::kOk:
      return "ok";
    case DecodeStatus::kShortHeader:
      return "short header";
    case DecodeStatus::kLengthMismatch:
      return "length disagrees with the bytes received";
    case DecodeStatus::kBadOpcode:
      return "invalid opcode";
    case DecodeStatus::kUnknownOpcode:
      return "unknown opcode";
    case DecodeStatus::kShortArg:
      return "argument cut off";
    case DecodeStatus::kMissingName:
      return "name without NUL";
    case DecodeStatus::kBadPayload:
      return "payload size mismatch";
  }
  return "?";
}

DecodeStatus decodeBuffer(const DecodeContext& ctx, const char* buf, size_t len, Decoded& out) {
  out = Decoded{};
  partialHeader(buf, len, out);
  if (len < kHeader) return DecodeStatus::kShortHeader;
  if (out.h.len != len) return DecodeStatus::kLengthMismatch;
  if (DecodeStatus s = checkOpcode(out.h.opcode, out); s != DecodeStatus::kOk) return s;
  size_t want = argSizeFor(ctx, out.h.opcode);
  size_t body = len - kHeader;
  size_t opLen = body < want ? body : want;
  return decodeRest(ctx, buf + kHeader, opLen, buf + kHeader + opLen, body - opLen, out);
}

DecodeStatus decodeSplicedWrite(const DecodeContext& ctx, const char* buf, size_t len, int pipeFd,
                                size_t pipeBytes, Decoded& out) {
  out = Decoded{};
  partialHeader(buf, len, out);
  if (len < kHeader) return DecodeStatus::kShortHeader;
  if (out.h.len != len + pipeBytes) return DecodeStatus::kLengthMismatch;
  if (out.h.opcode != FUSE_WRITE) return DecodeStatus::kBadOpcode;
  out.spec = opSpec(FUSE_WRITE);
  if (len - kHeader < sizeof(fuse_write_in)) return DecodeStatus::kShortArg;
  std::memcpy(out.arg, buf + kHeader, sizeof(fuse_write_in));
  out.argLen = sizeof(fuse_write_in);
  if (len != kHeader + sizeof(fuse_write_in)) return DecodeStatus::kLengthMismatch;
  if (out.as<fuse_write_in>().size != pipeBytes) return DecodeStatus::kBadPayload;
  out.payloadPipe = pipeFd;
  out.payloadSize = pipeBytes;
  return DecodeStatus::kOk;
}

DecodeStatus decodeParts(const DecodeContext& ctx, const fuse_in_header& h, const char* op,
                         size_t opLen, const char* tail, size_t tailLen, Decoded& out) {
  out = Decoded{};
  out.h = h;
  if (DecodeStatus s = checkOpcode(h.opcode, out); s != DecodeStatus::kOk) return s;
  // The kernel put its first argument (whatever size it had) into the op area: header.len
  // tells how big it was; it must fit the area the ring gave it.
  if (h.len < kHeader + tailLen) return DecodeStatus::kLengthMismatch;
  size_t sent = h.len - kHeader - tailLen;
  if (sent > opLen) return DecodeStatus::kLengthMismatch;
  size_t want = argSizeFor(ctx, h.opcode);
  if (sent == 0 && want > 0) {
    // Some requests (NOTIFY_REPLY) keep an empty first argument and carry their struct at the
    // head of the payload, as on /dev/fuse.
    size_t inTail = tailLen < want ? tailLen : want;
    return decodeRest(ctx, tail, inTail, tail + inTail, tailLen - inTail, out);
  }
  return decodeRest(ctx, op, sent, tail, tailLen, out);
}

}  // namespace lfp::detail
