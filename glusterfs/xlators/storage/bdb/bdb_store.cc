// SPDX-License-Identifier: GPL-3.0-or-later
// BdbStore: the Berkeley DB environment, its three databases, records.
#include "glusterfs/xlators/storage/bdb/bdb_store.h"

#include <sys/stat.h>

#include <cstring>

namespace gf {

namespace {

std::error_code dbError(int rc) {
  switch (rc) {
    case 0:
      return {};
    case DB_NOTFOUND:
      return errc(ENOENT);
    case DB_KEYEXIST:
      return errc(EEXIST);
    case DB_LOCK_DEADLOCK:
    case DB_LOCK_NOTGRANTED:
      return errc(EDEADLK);  // the caller retries the whole fop
    case ENOSPC:
      return errc(ENOSPC);
    default:
      return errc(rc > 0 ? rc : EIO);
  }
}

DBT dbt(const void* data, size_t size) {
  DBT d;
  std::memset(&d, 0, sizeof d);
  d.data = const_cast<void*>(data);
  d.size = static_cast<u_int32_t>(size);
  return d;
}

// Big-endian block numbers keep a file's blocks adjacent and in order in the B-tree.
std::string blockKey(const Gfid& gfid, uint64_t index) {
  std::string k(gfid.raw());
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((index >> (8 * i)) & 0xff));
  return k;
}

uint64_t blockIndex(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 16; i < 24 && i < key.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

// A cursor's current pair, freed on scope exit.
struct CursorItem {
  DBT key, val;
  CursorItem() {
    std::memset(&key, 0, sizeof key);
    std::memset(&val, 0, sizeof val);
    key.flags = val.flags = DB_DBT_MALLOC;
  }
  ~CursorItem() {
    free(key.data);
    free(val.data);
  }
  std::string_view k() const { return {static_cast<char*>(key.data), key.size}; }
  std::string_view v() const { return {static_cast<char*>(val.data), val.size}; }
};

std::string entryKey(const Gfid& parent, std::string_view name) {
  std::string k(parent.raw());
  k.append(name);
  return k;
}

void put32(std::string& o, uint32_t v) { o.append(reinterpret_cast<const char*>(&v), 4); }
void put64(std::string& o, uint64_t v) { o.append(reinterpret_cast<const char*>(&v), 8); }
void putStr(std::string& o, std::string_view s) {
  put64(o, s.size());
  o.append(s);
}

struct Cursor {
  std::string_view in;
  bool ok = true;
  template <class T>
  T get() {
    T v{};
    if (in.size() < sizeof v) {
      ok = false;
      return v;
    }
    std::memcpy(&v, in.data(), sizeof v);
    in.remove_prefix(sizeof v);
    return v;
  }
  std::string str() {
    uint64_t n = get<uint64_t>();
    if (!ok || n > in.size()) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};

}  // namespace

std::string encodeRecord(const BdbRecord& r) {
  std::string o;
  o.push_back(2);  // format version
  o.append(r.attr.gfid.raw());
  put32(o, r.attr.mode);
  put32(o, r.attr.uid);
  put32(o, r.attr.gid);
  put32(o, r.attr.nlink);
  for (const Timespec* t : {&r.attr.atime, &r.attr.mtime, &r.attr.ctime}) {
    put64(o, static_cast<uint64_t>(t->sec));
    put32(o, t->nsec);
  }
  put32(o, static_cast<uint32_t>(r.xattrs.size()));
  for (const auto& [k, v] : r.xattrs) {
    putStr(o, k);
    putStr(o, v);
  }
  put64(o, r.attr.size);
  put64(o, r.allocated);
  return o;
}

std::optional<BdbRecord> decodeRecord(std::string_view raw) {
  if (raw.empty() || raw[0] != 2 || raw.size() < 17) return std::nullopt;
  Cursor c{raw.substr(17)};
  BdbRecord r;
  r.attr.gfid = Gfid::fromBytes(raw.substr(1, 16));
  r.attr.ino = r.attr.gfid.ino();
  r.attr.mode = c.get<uint32_t>();
  r.attr.uid = c.get<uint32_t>();
  r.attr.gid = c.get<uint32_t>();
  r.attr.nlink = c.get<uint32_t>();
  for (Timespec* t : {&r.attr.atime, &r.attr.mtime, &r.attr.ctime}) {
    t->sec = static_cast<int64_t>(c.get<uint64_t>());
    t->nsec = c.get<uint32_t>();
  }
  uint32_t nx = c.get<uint32_t>();
  for (uint32_t i = 0; i < nx && c.ok; ++i) {
    std::string k = c.str();
    r.xattrs[k] = c.str();
  }
  r.attr.size = c.get<uint64_t>();
  r.allocated = c.get<uint64_t>();
  if (!c.ok) return std::nullopt;
  r.attr.blocks = (r.allocated + 511) / 512;
  r.attr.blksize = kBdbBlockSize;
  return r;
}

BdbStore::~BdbStore() { close(); }

Status BdbStore::open(const std::string& home, bool persistent, std::string* why) {
  persistent_ = persistent;
  ::mkdir(home.c_str(), 0700);
  int rc = db_env_create(&env_, 0);
  if (rc) {
    *why = db_strerror(rc);
    return dbError(rc);
  }
  env_->set_lk_detect(env_, DB_LOCK_DEFAULT);
  env_->set_cachesize(env_, 0, 64 << 20, 1);
  // One transaction may cover many blocks (a large write, the removal of a big file).
  env_->set_lk_max_locks(env_, 200000);
  env_->set_lk_max_objects(env_, 200000);
  env_->set_lk_max_lockers(env_, 20000);
  env_->set_lg_bsize(env_, 4 << 20);
  u_int32_t flags = DB_CREATE | DB_INIT_MPOOL | DB_THREAD;
  if (persistent) {
    flags |= DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG | DB_RECOVER;
    // Commits reach the log in the kernel's cache: a killed brick loses nothing; fsync (or a
    // checkpoint) makes them durable against power loss too.
    env_->set_flags(env_, DB_TXN_WRITE_NOSYNC, 1);
    env_->log_set_config(env_, DB_LOG_AUTO_REMOVE, 1);
  } else {
    flags |= DB_INIT_LOCK;
  }
  rc = env_->open(env_, home.c_str(), flags, 0600);
  if (rc) {
    *why =
        std::string("cannot open the Berkeley DB environment in ") + home + ": " + db_strerror(rc);
    return dbError(rc);
  }
  for (auto [db, name] : {std::pair{&entries_, "entries.db"}, std::pair{&files_, "files.db"},
                          std::pair{&blocks_, "blocks.db"}}) {
    rc = db_create(db, env_, 0);
    // On the largest pages a whole block fits beside its key in the leaf; on small ones each
    // block would take overflow pages of its own and about twice its size.
    if (!rc && db == &blocks_) rc = (*db)->set_pagesize(*db, 64 * 1024);
    if (!rc)
      rc = (*db)->open(*db, nullptr, name, nullptr, DB_BTREE,
                       DB_CREATE | DB_THREAD | (persistent ? DB_AUTO_COMMIT : 0), 0600);
    if (rc) {
      *why = std::string("cannot open ") + name + ": " + db_strerror(rc);
      return dbError(rc);
    }
  }
  return {};
}

void BdbStore::close() {
  if (!env_) return;
  if (entries_) entries_->close(entries_, 0);
  if (files_) files_->close(files_, 0);
  if (blocks_) blocks_->close(blocks_, 0);
  entries_ = files_ = blocks_ = nullptr;
  if (persistent_) env_->txn_checkpoint(env_, 0, 0, 0);
  env_->close(env_, 0);
  env_ = nullptr;
}

Status BdbStore::checkpoint() {
  if (!env_) return {};
  if (persistent_) return dbError(env_->txn_checkpoint(env_, 0, 0, 0));
  return dbError(env_->memp_sync(env_, nullptr));
}

Status BdbStore::flushLog() {
  if (!env_) return {};
  if (persistent_) return dbError(env_->log_flush(env_, nullptr));
  return dbError(env_->memp_sync(env_, nullptr));
}

Result<std::unique_ptr<BdbTxn>> BdbStore::begin(bool write) {
  DB_TXN* t = nullptr;
  if (!persistent_)
    return std::make_unique<BdbTxn>(
        t, write ? std::unique_lock(writer_) : std::unique_lock<std::mutex>());
  int rc = env_->txn_begin(env_, nullptr, &t, 0);
  if (rc) return fail(dbError(rc));
  return std::make_unique<BdbTxn>(t);
}

BdbTxn::~BdbTxn() {
  if (txn_ && !done_) txn_->abort(txn_);
}

Status BdbTxn::commit() {
  done_ = true;
  if (writer_.owns_lock()) writer_.unlock();
  if (!txn_) return {};
  return dbError(txn_->commit(txn_, 0));
}

Result<Gfid> BdbStore::entry(BdbTxn* t, const Gfid& parent, std::string_view name) {
  std::string k = entryKey(parent, name);
  DBT key = dbt(k.data(), k.size());
  char buf[16];
  DBT val = dbt(buf, 0);
  val.ulen = sizeof buf;
  val.flags = DB_DBT_USERMEM;
  int rc = entries_->get(entries_, t ? t->raw() : nullptr, &key, &val, 0);
  if (rc) return fail(dbError(rc));
  return Gfid::fromBytes(std::string_view(buf, val.size));
}

Status BdbStore::putEntry(BdbTxn* t, const Gfid& parent, std::string_view name, const Gfid& file) {
  std::string k = entryKey(parent, name);
  DBT key = dbt(k.data(), k.size()), val = dbt(file.bytes.data(), 16);
  return dbError(entries_->put(entries_, t ? t->raw() : nullptr, &key, &val, 0));
}

Status BdbStore::delEntry(BdbTxn* t, const Gfid& parent, std::string_view name) {
  std::string k = entryKey(parent, name);
  DBT key = dbt(k.data(), k.size());
  return dbError(entries_->del(entries_, t ? t->raw() : nullptr, &key, 0));
}

Result<std::vector<std::pair<std::string, Gfid>>> BdbStore::list(BdbTxn* t, const Gfid& parent,
                                                                 const std::string& after,
                                                                 size_t max) {
  DBC* cur = nullptr;
  int rc = entries_->cursor(entries_, t ? t->raw() : nullptr, &cur, 0);
  if (rc) return fail(dbError(rc));
  std::string prefix(parent.raw());
  std::string start = prefix + after;
  std::vector<std::pair<std::string, Gfid>> out;
  DBT key, val;
  std::memset(&key, 0, sizeof key);
  std::memset(&val, 0, sizeof val);
  key.data = start.data();
  key.size = static_cast<u_int32_t>(start.size());
  key.flags = DB_DBT_MALLOC;
  val.flags = DB_DBT_MALLOC;
  rc = cur->get(cur, &key, &val, DB_SET_RANGE);
  while (rc == 0 && out.size() < max) {
    std::string_view k(static_cast<char*>(key.data), key.size);
    std::string_view v(static_cast<char*>(val.data), val.size);
    bool inDir = k.substr(0, 16) == prefix;
    std::string name(k.substr(std::min<size_t>(16, k.size())));
    if (inDir && !(name == after && !after.empty())) out.emplace_back(name, Gfid::fromBytes(v));
    free(key.data);
    free(val.data);
    key.data = val.data = nullptr;
    if (!inDir) break;
    std::memset(&key, 0, sizeof key);
    std::memset(&val, 0, sizeof val);
    key.flags = DB_DBT_MALLOC;
    val.flags = DB_DBT_MALLOC;
    rc = cur->get(cur, &key, &val, DB_NEXT);
  }
  if (rc == 0) {  // a pair fetched past `max`, or past the directory, is ours to free
    free(key.data);
    free(val.data);
  }
  cur->close(cur);
  if (rc && rc != DB_NOTFOUND) return fail(dbError(rc));
  return out;
}

Result<BdbRecord> BdbStore::file(BdbTxn* t, const Gfid& gfid, bool forUpdate) {
  DBT key = dbt(gfid.bytes.data(), 16), val;
  std::memset(&val, 0, sizeof val);
  val.flags = DB_DBT_MALLOC;
  u_int32_t flags = forUpdate && t && t->raw() ? DB_RMW : 0;
  int rc = files_->get(files_, t ? t->raw() : nullptr, &key, &val, flags);
  if (rc) return fail(dbError(rc));
  auto r = decodeRecord(std::string_view(static_cast<char*>(val.data), val.size));
  free(val.data);
  if (!r) return fail(EIO);
  return std::move(*r);
}

Status BdbStore::putFile(BdbTxn* t, const BdbRecord& rec) {
  std::string v = encodeRecord(rec);
  DBT key = dbt(rec.attr.gfid.bytes.data(), 16), val = dbt(v.data(), v.size());
  return dbError(files_->put(files_, t ? t->raw() : nullptr, &key, &val, 0));
}

Status BdbStore::delFile(BdbTxn* t, const Gfid& gfid) {
  DBT key = dbt(gfid.bytes.data(), 16);
  return dbError(files_->del(files_, t ? t->raw() : nullptr, &key, 0));
}

Result<std::vector<BdbRecord>> BdbStore::allFiles() {
  DBC* cur = nullptr;
  int rc = files_->cursor(files_, nullptr, &cur, 0);
  if (rc) return fail(dbError(rc));
  std::vector<BdbRecord> out;
  for (;;) {
    CursorItem it;
    rc = cur->get(cur, &it.key, &it.val, DB_NEXT);
    if (rc) break;
    if (auto r = decodeRecord(it.v())) out.push_back(std::move(*r));
  }
  cur->close(cur);
  if (rc != DB_NOTFOUND) return fail(dbError(rc));
  return out;
}

Result<std::string> BdbStore::block(BdbTxn* t, const Gfid& gfid, uint64_t index) {
  std::string k = blockKey(gfid, index);
  DBT key = dbt(k.data(), k.size()), val;
  std::memset(&val, 0, sizeof val);
  val.flags = DB_DBT_MALLOC;
  int rc = blocks_->get(blocks_, t ? t->raw() : nullptr, &key, &val, 0);
  if (rc) return fail(dbError(rc));
  std::string out(static_cast<char*>(val.data), val.size);
  free(val.data);
  return out;
}

Status BdbStore::putBlock(BdbTxn* t, const Gfid& gfid, uint64_t index, std::string_view bytes) {
  std::string k = blockKey(gfid, index);
  DBT key = dbt(k.data(), k.size()), val = dbt(bytes.data(), bytes.size());
  return dbError(blocks_->put(blocks_, t ? t->raw() : nullptr, &key, &val, 0));
}

Status BdbStore::delBlock(BdbTxn* t, const Gfid& gfid, uint64_t index) {
  std::string k = blockKey(gfid, index);
  DBT key = dbt(k.data(), k.size());
  int rc = blocks_->del(blocks_, t ? t->raw() : nullptr, &key, 0);
  return rc == DB_NOTFOUND ? Status{} : dbError(rc);
}

Status BdbStore::forEachBlock(BdbTxn* t, const Gfid& gfid, uint64_t first, uint64_t last,
                              const std::function<Status(uint64_t, std::string_view)>& fn) {
  DBC* cur = nullptr;
  int rc = blocks_->cursor(blocks_, t ? t->raw() : nullptr, &cur, 0);
  if (rc) return dbError(rc);
  std::string start = blockKey(gfid, first);
  std::string_view prefix = gfid.raw();
  Status st;
  for (bool firstStep = true;; firstStep = false) {
    CursorItem it;
    if (firstStep) {
      it.key.data = start.data();
      it.key.size = static_cast<u_int32_t>(start.size());
      rc = cur->get(cur, &it.key, &it.val, DB_SET_RANGE);
      if (rc) it.key.data = nullptr;  // still ours, not malloc'ed
    } else {
      rc = cur->get(cur, &it.key, &it.val, DB_NEXT);
    }
    if (rc) break;
    if (it.k().substr(0, 16) != prefix) {
      if (firstStep && it.key.data == start.data()) it.key.data = nullptr;
      break;
    }
    uint64_t index = blockIndex(it.k());
    if (index > last) break;
    st = fn(index, it.v());
    if (!st) break;
  }
  cur->close(cur);
  if (!st) return st;
  if (rc && rc != DB_NOTFOUND) return dbError(rc);
  return {};
}

}  // namespace gf
