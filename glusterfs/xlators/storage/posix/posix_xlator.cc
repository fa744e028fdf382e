// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: options, start-up checks, and the fops that are not about one file family.
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "glusterfs/core/log.h"
#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"

namespace gf {

const OptionTable<PosixXlator::Config>& PosixXlator::optionTable() {
  static const auto table =
      OptionTable<Config>()
          .path("directory", &Config::directory, "", "Brick directory holding the files.")
          .required()
          .boolean("o-direct", &Config::oDirect, false,
                   "Open files with O_DIRECT on the brick (bypass the server's page cache).")
          .boolean("export-statfs-size", &Config::exportStatfs, true,
                   "Report the brick filesystem's size in statfs (off: report zero).")
          .boolean("mandate-attribute", &Config::mandateAttribute, true,
                   "Refuse to start on a filesystem without extended attributes (always on).");
  return table;
}

PosixXlator::PosixXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)), handles_(std::make_unique<PosixHandles>(this)) {}

PosixXlator::~PosixXlator() = default;

Status PosixXlator::init() {
  // New files must get exactly the mode the client asked for; the client applied its umask.
  umask(0);
  std::string why;
  Status st = handles_->openRoot(config_.directory, &why);
  if (!st) {
    GF_LOG_ERROR(name(), "%s", why.c_str());
    return st;
  }
  GF_LOG_INFO(name(), "brick %s ready", config_.directory.c_str());
  return {};
}

void PosixXlator::start() { notifyParents(EventType::kChildUp); }

Result<Empty> PosixXlator::accessSync(const CallCtx& c, const AccessReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  GF_TRY(Iatt ia, handles_->statHandle(*h));
  GF_CHECK(checkAccess(ia, c, r.mask));
  return Empty{};
}

Result<StatfsReply> PosixXlator::statfsSync(const CallCtx&, const StatfsReq&) {
  struct statvfs sv;
  if (fstatvfs(handles_->root()->fd, &sv) < 0) return fail(errno);
  StatfsReply out;
  auto& s = out.stat;
  s.bsize = sv.f_bsize;
  s.frsize = sv.f_frsize;
  s.namemax = sv.f_namemax;
  s.fsid = sv.f_fsid;
  s.flag = sv.f_flag;
  if (config_.exportStatfs) {
    s.blocks = sv.f_blocks;
    s.bfree = sv.f_bfree;
    s.bavail = sv.f_bavail;
    s.files = sv.f_files;
    s.ffree = sv.f_ffree;
    s.favail = sv.f_favail;
  }
  return out;
}

// Locks are features/locks' business; a brick without it has no lock manager.
namespace {
Failure noLockManager(const std::string& name) {
  GF_LOG_WARNING(name, "lock request on storage/posix: load features/locks above this brick");
  return fail(ENOLCK);
}
}  // namespace

Result<LkReply> PosixXlator::lkSync(const CallCtx&, const LkReq&) { return noLockManager(name()); }
Result<Empty> PosixXlator::inodelkSync(const CallCtx&, const InodelkReq&) {
  return noLockManager(name());
}
Result<Empty> PosixXlator::finodelkSync(const CallCtx&, const FinodelkReq&) {
  return noLockManager(name());
}
Result<Empty> PosixXlator::entrylkSync(const CallCtx&, const EntrylkReq&) {
  return noLockManager(name());
}
Result<Empty> PosixXlator::fentrylkSync(const CallCtx&, const FentrylkReq&) {
  return noLockManager(name());
}

}  // namespace gf
