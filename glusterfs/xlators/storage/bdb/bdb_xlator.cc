// SPDX-License-Identifier: GPL-3.0-or-later
// storage/bdb: options, the embedded posix brick, open files, and the fops on names.
#include "glusterfs/xlators/storage/bdb/bdb_xlator.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <cstdlib>
#include <cstring>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/storage/bdb/bdb_data.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {

namespace {
constexpr const char* kEnvDir = ".bdb";

Timespec now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return {ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

Loc inodeLoc(const InodePtr& inode) { return Loc{nullptr, {}, inode}; }
}  // namespace

const OptionTable<BdbXlator::Config>& BdbXlator::optionTable() {
  using C = Config;
  static const auto table =
      OptionTable<C>()
          .path("directory", &C::directory, "", "Brick directory.")
          .required()
          .choice("mode", &C::mode, "persistent", {"persistent", "cache"},
                  "persistent: every change logged, survives a crash; cache: faster, only what "
                  "a checkpoint or clean stop wrote survives.")
          .time("checkpoint-interval", &C::checkpointInterval, "30", 1000, 86400000,
                "How often the database is checkpointed.")
          .alias("checkpoint-timeout")
          .add({"access-mode",
                {},
                OptionKind::kString,
                "",
                INT64_MIN,
                INT64_MAX,
                {},
                false,
                "Accepted for 2.0 volfiles (btree is always used)."},
               [](C&, const OptionValue&) {});
  return table;
}

BdbPin::BdbPin(const Gfid& g, std::shared_ptr<BdbHolders> h) : gfid_(g), holders_(std::move(h)) {
  std::lock_guard lock(holders_->mutex);
  ++holders_->counts[gfid_];
}

BdbPin::~BdbPin() {
  std::lock_guard lock(holders_->mutex);
  auto it = holders_->counts.find(gfid_);
  if (it == holders_->counts.end() || --it->second > 0) return;
  holders_->counts.erase(it);
  if (holders_->unlinked.erase(gfid_) && holders_->reap) holders_->reap(gfid_);
}

BdbXlator::BdbXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)) {
  XlatorArgs inner;
  inner.name = args.name + "-dirs";
  inner.type = "storage/posix";
  inner.graph = args.graph;
  PosixXlator::Config pc;
  pc.directory = config_.directory;
  posix_ = std::make_unique<PosixXlator>(inner, pc);
}

BdbXlator::~BdbXlator() {
  stop();
  {
    std::lock_guard lock(holders_->mutex);
    holders_->reap = nullptr;
  }
  store_.close();
}

Status BdbXlator::init() {
  GF_CHECK(posix_->init());
  std::string why;
  Status st = store_.open(config_.directory + "/" + kEnvDir, config_.mode == "persistent", &why);
  if (!st) {
    GF_LOG_ERROR(name(), "%s", why.c_str());
    return st;
  }
  sweepOrphans();
  holders_->reap = [this](const Gfid& g) { reapIfOrphan(g); };
  return {};
}

void BdbXlator::start() {
  checkpointer_ = std::thread([this] {
    auto next = std::chrono::steady_clock::now() + config_.checkpointInterval;
    while (!stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (std::chrono::steady_clock::now() < next) continue;
      if (Status s = store_.checkpoint(); !s)
        GF_LOG_WARNING(name(), "checkpoint failed: %s", s.error().message().c_str());
      next = std::chrono::steady_clock::now() + config_.checkpointInterval;
    }
  });
  notifyParents(EventType::kChildUp);
}

void BdbXlator::stop() {
  stopping_ = true;
  if (checkpointer_.joinable()) checkpointer_.join();
}

bool BdbXlator::hidden(const Loc& loc) const {
  return loc.parent && loc.parent->isRoot() && loc.name == kEnvDir;
}

void BdbXlator::remember(const InodePtr& inode, std::optional<Gfid> dbGfid) {
  if (!inode) return;
  if (auto old = inode->ctx().get<BdbInodeCtx>(this))
    if (old->pin ? dbGfid && old->pin->gfid() == *dbGfid : !dbGfid) return;  // already known
  auto c = std::make_shared<BdbInodeCtx>();
  if (dbGfid) c->pin.emplace(*dbGfid, holders_);
  inode->ctx().set(this, c);
}

std::optional<Gfid> BdbXlator::dbFile(const Loc& loc) {
  if (loc.inode) {
    if (auto c = loc.inode->ctx().get<BdbInodeCtx>(this)) {
      if (c->pin) return c->pin->gfid();
      return std::nullopt;
    }
    // Known by gfid (a server that restarted, a nameless lookup): the files table says.
    if (Gfid g = loc.inode->gfid(); !g.isNull()) {
      std::optional<Gfid> found;
      if (store_.file(nullptr, g)) found = g;
      remember(loc.inode, found);
      return found;
    }
  }
  if (!loc.parent || loc.name.empty()) return std::nullopt;
  auto g = store_.entry(nullptr, loc.parent->gfid(), loc.name);
  if (!g) return std::nullopt;
  remember(loc.inode, *g);
  return *g;
}

std::optional<Gfid> BdbXlator::dbFile(const FdPtr& fd) {
  if (auto c = fd->ctx().get<BdbFdCtx>(this)) return c->pin.gfid();
  return std::nullopt;
}

Status BdbXlator::parentIsDir(const Loc& loc) {
  if (loc.parent && dbFile(inodeLoc(loc.parent))) return fail(ENOTDIR);
  return {};
}

void BdbXlator::attachFd(const FdPtr& fd, const Gfid& gfid) {
  fd->ctx().set(this, std::make_shared<BdbFdCtx>(gfid, holders_));
}

Result<BdbRecord> BdbXlator::record(const Gfid& gfid) { return store_.file(nullptr, gfid); }

Result<Iatt> BdbXlator::updateFile(const Gfid& gfid,
                                   const std::function<Status(BdbTxn*, BdbRecord&)>& change) {
  return withTxn([&](BdbTxn* t) -> Result<Iatt> {
    GF_TRY(BdbRecord rec, store_.file(t, gfid, true));
    GF_CHECK(change(t, rec));
    GF_CHECK(store_.putFile(t, rec));
    rec.attr.blocks = (rec.allocated + 511) / 512;
    return rec.attr;
  });
}

// Called with the holders' mutex held.
void BdbXlator::reapIfOrphan(const Gfid& gfid) {
  auto r = withTxn([&](BdbTxn* t) -> Result<Empty> {
    GF_TRY(BdbRecord rec, store_.file(t, gfid, true));
    if (rec.attr.nlink > 0) return Empty{};
    GF_CHECK(BdbData(store_, t, rec).erase());
    GF_CHECK(store_.delFile(t, gfid));
    return Empty{};
  });
  if (!r && r.errnum() != ENOENT)
    GF_LOG_WARNING(name(), "cannot remove unlinked file %s: %s", gfid.str().c_str(),
                   r.error().message().c_str());
}

// Files unlinked while open when the brick stopped have no name left: drop them.
void BdbXlator::sweepOrphans() {
  auto all = store_.allFiles();
  if (!all) return;
  size_t n = 0;
  for (const auto& rec : *all)
    if (rec.attr.nlink == 0) {
      reapIfOrphan(rec.attr.gfid);
      ++n;
    }
  if (n) GF_LOG_INFO(name(), "removed %zu files unlinked while open before the last stop", n);
}

Result<Iatt> BdbXlator::dirStat(const InodePtr& dir) {
  GF_TRY(AttrReply a, posix_->statSync(CallCtx::root(), StatReq{inodeLoc(dir)}));
  return a.stat;
}

// Names of database files live outside the directory on disk, so its times are set here.
void BdbXlator::touchDir(const InodePtr& dir) {
  if (!dir) return;
  SetattrReq r;
  r.loc = inodeLoc(dir);
  r.valid = kSetMtimeNow;
  (void)posix_->setattrSync(CallCtx::root(), r);
}

Result<EntryReply> BdbXlator::lookupSync(const CallCtx& c, const LookupReq& r) {
  if (hidden(r.loc)) return fail(ENOENT);
  GF_CHECK(parentIsDir(r.loc));
  // By name whenever there is one: an inode's memory of the name may be out of date.
  std::optional<Gfid> g;
  if (r.loc.parent && !r.loc.name.empty()) {
    if (auto e = store_.entry(nullptr, r.loc.parent->gfid(), r.loc.name)) g = *e;
  } else {
    g = dbFile(r.loc);
  }
  if (!g) {
    GF_TRY(EntryReply out, posix_->lookupSync(c, r));
    if (r.loc.inode && (!r.loc.inode->linked() || r.loc.inode->gfid() == out.stat.gfid))
      remember(r.loc.inode, std::nullopt);
    return out;
  }
  BdbRecord rec;
  std::string content;
  GF_CHECK(withTxn(
      [&](BdbTxn* t) -> Result<Empty> {
        GF_TRY(rec, store_.file(t, *g));
        for (const auto& w : r.xattrs)
          if (w.rfind(kLookupContentPrefix, 0) == 0 &&
              rec.attr.size <=
                  std::strtoull(w.c_str() + std::strlen(kLookupContentPrefix), nullptr, 10)) {
            GF_TRY(content, BdbData(store_, t, rec).read(0, rec.attr.size));
          }
        return Empty{};
      },
      false));
  if (r.loc.inode && (!r.loc.inode->linked() || r.loc.inode->gfid() == *g))
    remember(r.loc.inode, *g);
  EntryReply out{rec.attr, {}};
  pickXattrs(rec.xattrs, r.xattrs, out.xdata);
  for (const auto& w : r.xattrs)
    if (w.rfind(kLookupContentPrefix, 0) == 0 &&
        rec.attr.size <= std::strtoull(w.c_str() + std::strlen(kLookupContentPrefix), nullptr, 10))
      out.xdata[w] = content;
  return out;
}

Result<EntryReply> BdbXlator::createFile(const CallCtx& c, const Loc& loc, uint32_t mode,
                                         uint32_t umask, const Gfid& wanted, bool exclusive) {
  if (hidden(loc)) return fail(EPERM);
  if (!loc.parent) return fail(EINVAL);
  GF_CHECK(parentIsDir(loc));
  // A real directory, symlink or special file of that name wins.
  LookupReq probe{Loc{loc.parent, loc.name, nullptr}, {}};
  if (posix_->lookupSync(c, probe)) return fail(EEXIST);
  GF_TRY(Iatt parentAttr, dirStat(loc.parent));
  Gfid parent = loc.parent->gfid();
  bool made = false;
  auto r = withTxn([&](BdbTxn* t) -> Result<EntryReply> {
    made = false;
    if (auto existing = store_.entry(t, parent, loc.name)) {
      if (exclusive) return fail(EEXIST);
      GF_TRY(BdbRecord rec, store_.file(t, *existing));
      return EntryReply{rec.attr, {}};
    }
    BdbRecord rec;
    rec.attr.gfid = wanted.isNull() ? Gfid::random() : wanted;
    rec.attr.ino = rec.attr.gfid.ino();
    rec.attr.mode = S_IFREG | (mode & ~umask & 07777);
    rec.attr.uid = c.uid;
    // BSD group semantics under a setgid directory, as every Linux filesystem does.
    rec.attr.gid = (parentAttr.mode & S_ISGID) ? parentAttr.gid : c.gid;
    if ((rec.attr.mode & S_ISGID) && c.uid != 0 && !c.inGroup(rec.attr.gid))
      rec.attr.mode &= ~S_ISGID;
    rec.attr.nlink = 1;
    rec.attr.blksize = kBdbBlockSize;
    rec.attr.atime = rec.attr.mtime = rec.attr.ctime = now();
    GF_CHECK(store_.putFile(t, rec));
    GF_CHECK(store_.putEntry(t, parent, loc.name, rec.attr.gfid));
    made = true;
    return EntryReply{rec.attr, {}};
  });
  if (!r) return r;
  remember(loc.inode, r->stat.gfid);
  if (made) touchDir(loc.parent);
  return r;
}

Result<EntryReply> BdbXlator::createSync(const CallCtx& c, const CreateReq& r) {
  GF_TRY(EntryReply made, createFile(c, r.loc, r.mode, r.umask, r.gfid, r.flags & O_EXCL));
  if ((r.flags & O_TRUNC) && made.stat.size) {
    GF_TRY(made.stat, updateFile(made.stat.gfid, [this](BdbTxn* t, BdbRecord& rec) -> Status {
             rec.attr.mtime = rec.attr.ctime = now();
             return BdbData(store_, t, rec).truncate(0);
           }));
  }
  attachFd(r.fd, made.stat.gfid);
  return made;
}

Result<EntryReply> BdbXlator::mknodSync(const CallCtx& c, const MknodReq& r) {
  if (S_ISREG(r.mode)) return createFile(c, r.loc, r.mode, r.umask, r.gfid, true);
  GF_CHECK(parentIsDir(r.loc));
  if (store_.entry(nullptr, r.loc.parent->gfid(), r.loc.name)) return fail(EEXIST);
  return posix_->mknodSync(c, r);
}

Result<EntryReply> BdbXlator::mkdirSync(const CallCtx& c, const MkdirReq& r) {
  if (hidden(r.loc)) return fail(EPERM);
  GF_CHECK(parentIsDir(r.loc));
  if (store_.entry(nullptr, r.loc.parent->gfid(), r.loc.name)) return fail(EEXIST);
  return posix_->mkdirSync(c, r);
}

Result<EntryReply> BdbXlator::symlinkSync(const CallCtx& c, const SymlinkReq& r) {
  if (hidden(r.loc)) return fail(EPERM);
  GF_CHECK(parentIsDir(r.loc));
  if (store_.entry(nullptr, r.loc.parent->gfid(), r.loc.name)) return fail(EEXIST);
  return posix_->symlinkSync(c, r);
}

// Removes one name of a file; the record and blocks go with its last name unless it is open
// (then with its last holder). The holders' mutex is held by the caller.
Result<Empty> BdbXlator::dropName(BdbTxn* t, const Gfid& parent, const std::string& name,
                                  const Gfid& file) {
  GF_CHECK(store_.delEntry(t, parent, name));
  GF_TRY(BdbRecord rec, store_.file(t, file, true));
  rec.attr.nlink = rec.attr.nlink > 0 ? rec.attr.nlink - 1 : 0;
  rec.attr.ctime = now();
  if (rec.attr.nlink == 0 && !holders_->counts.count(file)) {
    GF_CHECK(BdbData(store_, t, rec).erase());
    GF_CHECK(store_.delFile(t, file));
  } else {
    GF_CHECK(store_.putFile(t, rec));
    if (rec.attr.nlink == 0) holders_->unlinked.insert(file);  // goes with its last holder
  }
  return Empty{};
}

Result<Empty> BdbXlator::unlinkSync(const CallCtx& c, const UnlinkReq& r) {
  if (hidden(r.loc)) return fail(EPERM);
  GF_CHECK(parentIsDir(r.loc));
  std::optional<Gfid> g;
  if (auto e = store_.entry(nullptr, r.loc.parent->gfid(), r.loc.name)) g = *e;
  if (!g) return posix_->unlinkSync(c, r);
  {
    std::lock_guard lock(holders_->mutex);
    GF_CHECK(withTxn([&](BdbTxn* t) { return dropName(t, r.loc.parent->gfid(), r.loc.name, *g); }));
  }
  touchDir(r.loc.parent);
  return Empty{};
}

Result<Empty> BdbXlator::rmdirSync(const CallCtx& c, const RmdirReq& r) {
  if (hidden(r.loc)) return fail(EPERM);
  GF_CHECK(parentIsDir(r.loc));
  if (store_.entry(nullptr, r.loc.parent->gfid(), r.loc.name)) return fail(ENOTDIR);
  // Files of this directory live in the database, not on disk: check there first.
  LookupReq probe{Loc{r.loc.parent, r.loc.name, nullptr}, {}};
  GF_TRY(EntryReply dir, posix_->lookupSync(c, probe));
  if (!dir.stat.isDir()) return fail(ENOTDIR);
  GF_TRY(auto files, store_.list(nullptr, dir.stat.gfid, "", 1));
  if (!files.empty()) return fail(ENOTEMPTY);
  return posix_->rmdirSync(c, r);
}

// Renames where the source is a real object on disk (directory, symlink, special file).
Result<AttrReply> BdbXlator::renameDiskObject(const CallCtx& c, const RenameReq& r) {
  auto dst = store_.entry(nullptr, r.newLoc.parent->gfid(), r.newLoc.name);
  if (!dst) {
    // A directory replacing an empty-looking directory must really be empty.
    LookupReq probe{Loc{r.newLoc.parent, r.newLoc.name, nullptr}, {}};
    if (auto there = posix_->lookupSync(c, probe);
        there && there->stat.isDir() && !(r.flags & RENAME_EXCHANGE)) {
      GF_TRY(auto files, store_.list(nullptr, there->stat.gfid, "", 1));
      if (!files.empty()) return fail(ENOTEMPTY);
    }
    return posix_->renameSync(c, r);
  }
  if (r.flags & RENAME_NOREPLACE) return fail(EEXIST);
  LookupReq src{Loc{r.oldLoc.parent, r.oldLoc.name, nullptr}, {}};
  GF_TRY(EntryReply s, posix_->lookupSync(c, src));
  if (s.stat.isDir()) return fail(ENOTDIR);
  // The new object takes the name first (lookups prefer the database, so readers still see
  // the old file), then the database name goes: no moment without either.
  RenameReq onto = r;
  onto.flags |= RENAME_NOREPLACE;
  GF_TRY(AttrReply moved, posix_->renameSync(c, onto));
  std::lock_guard lock(holders_->mutex);
  GF_CHECK(withTxn(
      [&](BdbTxn* t) { return dropName(t, r.newLoc.parent->gfid(), r.newLoc.name, *dst); }));
  return moved;
}

Result<AttrReply> BdbXlator::renameSync(const CallCtx& c, const RenameReq& r) {
  if (hidden(r.oldLoc) || hidden(r.newLoc)) return fail(EPERM);
  GF_CHECK(parentIsDir(r.oldLoc));
  GF_CHECK(parentIsDir(r.newLoc));
  if (r.flags & RENAME_EXCHANGE) {
    if (r.flags & RENAME_NOREPLACE) return fail(EINVAL);
    GF_TRY(AttrReply out, exchange(c, r));
    touchDir(r.oldLoc.parent);
    if (r.newLoc.parent != r.oldLoc.parent) touchDir(r.newLoc.parent);
    return out;
  }
  std::optional<Gfid> src;
  if (auto e = store_.entry(nullptr, r.oldLoc.parent->gfid(), r.oldLoc.name)) src = *e;
  Result<AttrReply> out = fail(EIO);
  if (!src) {
    out = renameDiskObject(c, r);
  } else {
    LookupReq probe{Loc{r.newLoc.parent, r.newLoc.name, nullptr}, {}};
    auto there = posix_->lookupSync(c, probe);
    if (there) {
      if (r.flags & RENAME_NOREPLACE) return fail(EEXIST);
      if (there->stat.isDir()) return fail(EISDIR);
    }
    {
      std::lock_guard lock(holders_->mutex);
      out = withTxn([&](BdbTxn* t) -> Result<AttrReply> {
        Gfid oldParent = r.oldLoc.parent->gfid(), newParent = r.newLoc.parent->gfid();
        if (auto existing = store_.entry(t, newParent, r.newLoc.name)) {
          if (r.flags & RENAME_NOREPLACE) return fail(EEXIST);
          if (*existing == *src) {  // two names of one file: nothing changes
            GF_TRY(BdbRecord same, store_.file(t, *src, true));
            return AttrReply{same.attr};
          }
          GF_CHECK(dropName(t, newParent, r.newLoc.name, *existing));
        }
        GF_CHECK(store_.delEntry(t, oldParent, r.oldLoc.name));
        GF_CHECK(store_.putEntry(t, newParent, r.newLoc.name, *src));
        GF_TRY(BdbRecord rec, store_.file(t, *src, true));
        rec.attr.ctime = now();
        GF_CHECK(store_.putFile(t, rec));
        return AttrReply{rec.attr};
      });
    }
    // The database name now hides whatever was on disk there: remove it.
    if (out && there) {
      UnlinkReq rm{Loc{r.newLoc.parent, r.newLoc.name, nullptr}};
      (void)posix_->unlinkSync(CallCtx::root(), rm);
    }
  }
  if (out) {
    touchDir(r.oldLoc.parent);
    if (r.newLoc.parent != r.oldLoc.parent) touchDir(r.newLoc.parent);
  }
  return out;
}

// RENAME_EXCHANGE. Two database files swap entries in one transaction and two disk objects
// are the disk brick's business. A database file and a disk object cross over in steps that
// never leave either name empty: the file's entry is added under the object's name (lookups
// prefer the database, so for a moment both names show the file), the object moves on disk to
// the file's old name, and only then does the file's old entry go.
Result<AttrReply> BdbXlator::exchange(const CallCtx& c, const RenameReq& r) {
  Gfid oldParent = r.oldLoc.parent->gfid(), newParent = r.newLoc.parent->gfid();
  auto a = store_.entry(nullptr, oldParent, r.oldLoc.name);
  auto b = store_.entry(nullptr, newParent, r.newLoc.name);
  if (!a && !b) return posix_->renameSync(c, r);
  auto touch = [&](BdbTxn* t, const Gfid& g) -> Result<BdbRecord> {
    GF_TRY(BdbRecord rec, store_.file(t, g, true));
    rec.attr.ctime = now();
    GF_CHECK(store_.putFile(t, rec));
    return rec;
  };
  if (a && b) {
    return withTxn([&](BdbTxn* t) -> Result<AttrReply> {
      GF_TRY(Gfid x, store_.entry(t, oldParent, r.oldLoc.name));
      GF_TRY(Gfid y, store_.entry(t, newParent, r.newLoc.name));
      GF_CHECK(store_.putEntry(t, oldParent, r.oldLoc.name, y));
      GF_CHECK(store_.putEntry(t, newParent, r.newLoc.name, x));
      GF_TRY(BdbRecord rx, touch(t, x));
      if (y != x) GF_CHECK(touch(t, y));
      return AttrReply{rx.attr};
    });
  }
  const Loc& fileLoc = a ? r.oldLoc : r.newLoc;
  const Loc& objLoc = a ? r.newLoc : r.oldLoc;
  Gfid file = a ? *a : *b;
  LookupReq probe{Loc{objLoc.parent, objLoc.name, nullptr}, {}};
  GF_CHECK(posix_->lookupSync(c, probe));
  GF_CHECK(withTxn([&](BdbTxn* t) -> Result<Empty> {
    GF_CHECK(store_.putEntry(t, objLoc.parent->gfid(), objLoc.name, file));
    return Empty{};
  }));
  RenameReq move;
  move.oldLoc = Loc{objLoc.parent, objLoc.name, nullptr};
  move.newLoc = Loc{fileLoc.parent, fileLoc.name, nullptr};
  move.flags = RENAME_NOREPLACE;
  auto moved = posix_->renameSync(c, move);
  if (!moved) {
    // A directory cannot go beneath itself, for one: the object keeps its name.
    (void)withTxn([&](BdbTxn* t) -> Result<Empty> {
      GF_CHECK(store_.delEntry(t, objLoc.parent->gfid(), objLoc.name));
      return Empty{};
    });
    return fail(moved.error());
  }
  GF_TRY(BdbRecord rec, withTxn([&](BdbTxn* t) -> Result<BdbRecord> {
           GF_CHECK(store_.delEntry(t, fileLoc.parent->gfid(), fileLoc.name));
           return touch(t, file);
         }));
  return AttrReply{a ? rec.attr : moved->stat};
}

Result<EntryReply> BdbXlator::linkSync(const CallCtx& c, const LinkReq& r) {
  GF_CHECK(parentIsDir(r.newLoc));
  auto src = dbFile(r.oldLoc);
  if (!src) return posix_->linkSync(c, r);
  LookupReq probe{Loc{r.newLoc.parent, r.newLoc.name, nullptr}, {}};
  if (posix_->lookupSync(c, probe)) return fail(EEXIST);
  GF_TRY(EntryReply out, withTxn([&](BdbTxn* t) -> Result<EntryReply> {
           if (store_.entry(t, r.newLoc.parent->gfid(), r.newLoc.name)) return fail(EEXIST);
           GF_TRY(BdbRecord rec, store_.file(t, *src, true));
           if (rec.attr.nlink == 0) return fail(ENOENT);  // unlinked while open
           ++rec.attr.nlink;
           rec.attr.ctime = now();
           GF_CHECK(store_.putFile(t, rec));
           GF_CHECK(store_.putEntry(t, r.newLoc.parent->gfid(), r.newLoc.name, *src));
           return EntryReply{rec.attr, {}};
         }));
  remember(r.newLoc.inode, *src);
  touchDir(r.newLoc.parent);
  return out;
}

Result<StatfsReply> BdbXlator::statfsSync(const CallCtx& c, const StatfsReq& r) {
  return posix_->statfsSync(c, r);
}

Result<ReadlinkReply> BdbXlator::readlinkSync(const CallCtx& c, const ReadlinkReq& r) {
  if (dbFile(r.loc)) return fail(EINVAL);
  return posix_->readlinkSync(c, r);
}

// Locks belong to features/locks above the brick.
Result<LkReply> BdbXlator::lkSync(const CallCtx& c, const LkReq& r) { return posix_->lkSync(c, r); }
Result<Empty> BdbXlator::inodelkSync(const CallCtx& c, const InodelkReq& r) {
  return posix_->inodelkSync(c, r);
}
Result<Empty> BdbXlator::finodelkSync(const CallCtx& c, const FinodelkReq& r) {
  return posix_->finodelkSync(c, r);
}
Result<Empty> BdbXlator::entrylkSync(const CallCtx& c, const EntrylkReq& r) {
  return posix_->entrylkSync(c, r);
}
Result<Empty> BdbXlator::fentrylkSync(const CallCtx& c, const FentrylkReq& r) {
  return posix_->fentrylkSync(c, r);
}

}  // namespace gf
