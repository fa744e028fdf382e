// SPDX-License-Identifier: GPL-3.0-or-later
// ReplicaRig: the replicate test graph, fault controls, and direct reads of every copy.
#include "tests/unit/replicate/replica_rig.h"

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "glusterfs/xlators/debug/common/fop_set.h"

namespace gf::test {

namespace {
ErrorGenXlator::Config quiet() {
  ErrorGenXlator::Config c;
  c.failure = 0;
  c.seed = 1;
  return c;
}
}  // namespace

std::string ReplicaRig::volfile(const RigOptions& o, const std::string& brickRoot) {
  std::string text;
  std::string children;
  for (size_t i = 0; i < o.copies; ++i) {
    std::string n = std::to_string(i);
    if (o.leaf == "posix" || o.leaf == "bdb") {
      std::string dir = brickRoot + "/b" + n;
      std::filesystem::create_directories(dir);
      text += volume("m" + n, "storage/" + o.leaf, {{"directory", dir}});
    } else {
      text += volume("m" + n, "storage/memory");
    }
    std::string below = "m" + n;
    if (!o.indexRoot.empty()) {
      std::string base = o.indexRoot + "/b" + n;
      text += volume("i" + n, "features/index", {{"index-base", base}}, {below});
      below = "i" + n;
    }
    text += volume("l" + n, "features/locks", {}, {below});
    text += volume("c" + n, "debug/error-gen", {{"failure", "0"}, {"random-seed", "1"}}, {"l" + n});
    children += " c" + n;
  }
  text += "volume afr\n  type cluster/replicate\n";
  bool daemonSet = false;
  for (const auto& [k, v] : o.afrOptions) {
    text += "  option " + k + " " + v + "\n";
    daemonSet = daemonSet || k == "self-heal-daemon";
  }
  if (!daemonSet) text += "  option self-heal-daemon off\n";
  text += "  subvolumes" + children + "\nend-volume\n";
  return text;
}

namespace {
std::unique_ptr<TempDir> brickDirs(const RigOptions& o) {
  return o.leaf != "memory" && o.brickRoot.empty() ? std::make_unique<TempDir>("afr-bricks")
                                                  : nullptr;
}
}  // namespace

ReplicaRig::ReplicaRig(RigOptions options)
    : options_(std::move(options)),
      bricks_(brickDirs(options_)),
      graph_(volfile(options_, bricks_ ? bricks_->path() : options_.brickRoot)),
      client_(TestClient(graph_.top()).withLockOwner(1, kClientId)) {}

TestClient ReplicaRig::leaf(size_t i) const {
  return TestClient(graph_.get("m" + std::to_string(i)));
}

ErrorGenXlator& ReplicaRig::faults(size_t i) const {
  return graph_.get<ErrorGenXlator>("c" + std::to_string(i));
}

void ReplicaRig::failOnce(size_t i, std::string_view fop, int err, int64_t skip) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fop);
  c.skip = skip;
  c.maxFailures = 1;
  faults(i).reconfigure(c);
}

void ReplicaRig::failAlways(size_t i, std::string_view fops, int err) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fops);
  faults(i).reconfigure(c);
}

void ReplicaRig::clearFaults(size_t i) { faults(i).reconfigure(quiet()); }

void ReplicaRig::clearAllFaults() {
  for (size_t i = 0; i < copies(); ++i) clearFaults(i);
}

void ReplicaRig::dropClientLocks(size_t i) {
  Event ev{EventType::kClientDisconnect, nullptr, kClientId, {}};
  graph_.get("l" + std::to_string(i)).notify(ev);
}

void ReplicaRig::down(size_t i) {
  failAlways(i, "all", ENOTCONN);
  dropClientLocks(i);
  faults(i).notifyParents(EventType::kChildDown, "test: brick gone");
}

void ReplicaRig::up(size_t i) {
  clearFaults(i);
  faults(i).notifyParents(EventType::kChildUp);
}

std::optional<std::vector<afr::Counts>> ReplicaRig::changelog(size_t i,
                                                              std::string_view path) const {
  TestClient fs = leaf(i);
  auto l = fs.loc(path);
  if (!l) return std::nullopt;
  auto r = fs.call(LookupReq{*l, {"trusted.afr.*"}});
  if (!r) return std::nullopt;
  std::vector<afr::Counts> row;
  for (size_t j = 0; j < copies(); ++j) {
    auto it = r->xdata.find(afr::changelogKey(childName(j)));
    row.push_back(it == r->xdata.end() ? afr::Counts{0, 0, 0} : afr::decodeCounts(it->second));
  }
  return row;
}

bool ReplicaRig::changelogClean(std::string_view path) const {
  for (size_t i = 0; i < copies(); ++i)
    if (auto row = changelog(i, path))
      for (const auto& c : *row)
        if (c != afr::Counts{0, 0, 0}) return false;
  return true;
}

std::string countsText(const afr::Counts& c) {
  std::ostringstream o;
  o << "[" << c[0] << " " << c[1] << " " << c[2] << "]";
  return o.str();
}

namespace {

Dict userXattrs(TestClient& fs, const Loc& l) {
  auto r = fs.call(GetxattrReq{l, ""});
  Dict out;
  if (r)
    for (auto& [k, v] : r->xattrs)
      if (!afr::isChangelogKey(k)) out[k] = v;
  return out;
}

std::string describe(const Dict& d) {
  std::string s;
  for (const auto& [k, v] : d) s += k + "(" + std::to_string(v.size()) + "B) ";
  return s;
}

// Compares copy `b` with the reference copy `a` at `path`, recursively.
std::string compareAt(TestClient& a, TestClient& b, const std::string& path, size_t ib) {
  std::string where = "copy " + std::to_string(ib) + " at \"" + path + "\": ";
  auto la = a.loc(path), lb = b.loc(path);
  if (!la || !lb) return where + (la ? "missing" : "missing on the reference copy");
  auto sa = a.call(LookupReq{*la, {}}), sb = b.call(LookupReq{*lb, {}});
  if (!sa || !sb) return where + "lookup failed";
  const Iatt &x = sa->stat, &y = sb->stat;
  if (x.gfid != y.gfid) return where + "gfid " + x.gfid.str() + " vs " + y.gfid.str();
  if (x.mode != y.mode)
    return where + "mode " + std::to_string(x.mode) + " vs " + std::to_string(y.mode);
  if (x.uid != y.uid || x.gid != y.gid) return where + "owner differs";
  if (!x.isDir() && x.nlink != y.nlink) return where + "link count differs";
  if (x.isReg() && x.size != y.size)
    return where + "size " + std::to_string(x.size) + " vs " + std::to_string(y.size);
  Dict xa = userXattrs(a, *la), xb = userXattrs(b, *lb);
  if (xa != xb) return where + "xattrs {" + describe(xa) + "} vs {" + describe(xb) + "}";
  if (x.isLink()) {
    auto ta = a.readlink(path), tb = b.readlink(path);
    if (!ta || !tb || *ta != *tb) return where + "symlink target differs";
  }
  if (x.isReg()) {
    auto ca = a.readFile(path), cb = b.readFile(path);
    if (!ca || !cb) return where + "cannot read";
    if (*ca != *cb) return where + "contents differ";
  }
  if (x.isDir()) {
    auto na = a.listDir(path), nb = b.listDir(path);
    if (!na || !nb) return where + "cannot list";
    if (*na != *nb) {
      std::string s = where + "names differ: {";
      for (auto& n : *na) s += n + " ";
      s += "} vs {";
      for (auto& n : *nb) s += n + " ";
      return s + "}";
    }
    for (const auto& n : *na) {
      std::string sub = path == "/" ? "/" + n : path + "/" + n;
      std::string d = compareAt(a, b, sub, ib);
      if (!d.empty()) return d;
    }
  }
  return "";
}

}  // namespace

std::string ReplicaRig::compareCopies(std::string_view path) const {
  TestClient ref = leaf(0);
  for (size_t i = 1; i < copies(); ++i) {
    TestClient other = leaf(i);
    std::string d = compareAt(ref, other, std::string(path), i);
    if (!d.empty()) return d;
  }
  return "";
}

Status ReplicaRig::healNow(std::string_view path) {
  return client_.setxattr(path, kHealNowKey, "now");
}

std::string ReplicaRig::healInfo() {
  auto r = client_.getxattr("/", kHealInfoKey);
  return r ? *r : std::string("heal-info failed: ") + r.error().message();
}

bool ReplicaRig::waitIdle() {
  // A bound against hangs, not a performance assertion.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = afr().healer().stats();
    std::string info = syncWait(afr().healer().info());
    if (!s.running && info.find("Heals in progress: 0") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace gf::test
