// SPDX-License-Identifier: GPL-3.0-or-later
// Bounds-checked decoding of kernel requests, from a /dev/fuse buffer or from the two parts an
// io_uring entry delivers, driven by the one opcode table (op_table.cc).
#pragma once

#include <linux/fuse.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lfp::detail {

struct Decoded;
struct Dispatch;

// How the bytes after the fixed argument and the names are sized.
enum class Payload : uint8_t {
  kNone,         // anything left over is ignored (e.g. CREATE extensions we did not negotiate)
  kWrite,        // write_in.size bytes of data
  kXattrValue,   // setxattr_in.size bytes
  kIoctlIn,      // ioctl_in.in_size bytes
  kNotifyReply,  // notify_retrieve_in.size bytes
  kForgets,      // batch_forget_in.count fuse_forget_one records
};

using Handler = void (*)(Dispatch& d, const Decoded& in);

// One row of the opcode table: how to decode the request and who handles it.
struct OpSpec {
  uint16_t argSize = 0;     // the fixed struct (full size for protocol >= 7.26)
  uint16_t minArgSize = 0;  // shortest accepted (INIT from pre-7.36 kernels: 16 bytes)
  uint8_t names = 0;        // NUL-terminated strings after the struct
  Payload payload = Payload::kNone;
  bool noReply = false;  // FORGET, BATCH_FORGET, INTERRUPT, NOTIFY_REPLY
  Handler handler = nullptr;
};

// The table: nullptr for opcodes the kernel never sends (they are answered ENOSYS).
const OpSpec* opSpec(uint32_t opcode);

struct DecodeContext {
  uint32_t minor = 0;        // negotiated protocol minor (0 before INIT)
  bool setxattrExt = false;  // FUSE_SETXATTR_EXT negotiated: setxattr_in is 16 bytes
};

enum class DecodeStatus {
  kOk,
  kShortHeader,     // fewer bytes than a fuse_in_header
  kLengthMismatch,  // header.len disagrees with the bytes received
  kBadOpcode,       // opcode 0 or a CUSE/out-of-range number
  kUnknownOpcode,   // a plausible FUSE opcode this library does not know: answer ENOSYS
  kShortArg,        // the fixed struct is cut off
  kMissingName,     // a name without its terminating NUL
  kBadPayload,      // payload size disagrees with the struct's count/size field
};
const char* decodeStatusName(DecodeStatus s);

inline constexpr size_t kMaxArgSize = 128;

struct Decoded {
  fuse_in_header h{};
  const OpSpec* spec = nullptr;
  alignas(8) unsigned char arg[kMaxArgSize] = {};  // zero-filled beyond argLen
  uint32_t argLen = 0;
  const char* name = nullptr;
  const char* name2 = nullptr;
  const char* payload = nullptr;  // nullptr with payloadPipe >= 0 (splice)
  size_t payloadSize = 0;
  int payloadPipe = -1;

  template <class T>
  const T& as() const {
    static_assert(sizeof(T) <= kMaxArgSize);
    return *reinterpret_cast<const T*>(arg);
  }
};

// A contiguous /dev/fuse request of `len` bytes. On failure `out.h` holds as much of the
// header as was present (unique 0 if even that was cut off).
DecodeStatus decodeBuffer(const DecodeContext& ctx, const char* buf, size_t len, Decoded& out);

// A spliced WRITE: `len` bytes in memory (header + write_in) and `pipeBytes` data bytes still
// in `pipeFd`.
DecodeStatus decodeSplicedWrite(const DecodeContext& ctx, const char* buf, size_t len, int pipeFd,
                                size_t pipeBytes, Decoded& out);

// An io_uring request: header, the opcode's first argument (op/opLen) and the payload.
DecodeStatus decodeParts(const DecodeContext& ctx, const fuse_in_header& h, const char* op,
                         size_t opLen, const char* tail, size_t tailLen, Decoded& out);

// The fixed-argument size the kernel sends for `opcode` under `ctx` (0 for unknown opcodes).
size_t argSizeFor(const DecodeContext& ctx, uint32_t opcode);

}  // namespace lfp::detail
