// SPDX-License-Identifier: GPL-3.0-or-later
// DhtRig: the distribute test graph, fault controls and direct reads of every leaf.
#include "tests/unit/distribute/dht_rig.h"

#include <sys/stat.h>

#include "glusterfs/xlators/cluster/distribute/dht_hash.h"
#include "glusterfs/xlators/debug/common/fop_set.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {

std::string DhtRig::volfile(const DhtRigOptions& o) {
  std::string text, children, all;
  for (size_t i = 0; i < o.children + o.spare; ++i) {
    std::string n = std::to_string(i);
    auto ms = o.maxSize.find(i);
    if (ms != o.maxSize.end())
      text += volume("m" + n, "storage/memory", {{"max-size", ms->second}});
    else
      text += volume("m" + n, "storage/memory");
    text += volume("p" + n, "test/probe", {}, {"m" + n});
    text += volume("c" + n, "debug/error-gen", {{"failure", "0"}, {"random-seed", "1"}},
                   {"p" + n});
    if (i < o.children) children += " c" + n;
    all += " c" + n;
  }
  auto dhtVolume = [&](const std::string& name, const std::string& kids) {
    std::string v = "volume " + name + "\n  type " + o.type + "\n";
    for (const auto& [k, val] : o.options) v += "  option " + k + " " + val + "\n";
    return v + "  subvolumes" + kids + "\nend-volume\n";
  };
  if (o.spare > 0) text += dhtVolume("wide", all);
  text += dhtVolume("dht", children);
  return text;
}

DhtRig::DhtRig(DhtRigOptions options)
    : options_(std::move(options)), graph_(volfile(options_)), client_(graph_.get("dht")) {}

TestClient DhtRig::leaf(size_t i) const { return TestClient(graph_.get("m" + std::to_string(i))); }

ProbeXlator& DhtRig::probe(size_t i) const {
  return graph_.get<ProbeXlator>("p" + std::to_string(i));
}

ErrorGenXlator& DhtRig::faults(size_t i) const {
  return graph_.get<ErrorGenXlator>("c" + std::to_string(i));
}

namespace {
ErrorGenXlator::Config quiet() {
  ErrorGenXlator::Config c;
  c.failure = 0;
  c.seed = 1;
  return c;
}
}  // namespace

void DhtRig::failOnce(size_t i, std::string_view fop, int err, int64_t skip) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fop);
  c.skip = skip;
  c.maxFailures = 1;
  faults(i).reconfigure(c);
}

void DhtRig::failAlways(size_t i, std::string_view fops, int err) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fops);
  faults(i).reconfigure(c);
}

void DhtRig::failAfter(size_t i, std::string_view fops, int err, int64_t skip) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fops);
  c.skip = skip;
  faults(i).reconfigure(c);
}

void DhtRig::clearFaults(size_t i) { faults(i).reconfigure(quiet()); }

void DhtRig::down(size_t i) {
  failAlways(i, "all", ENOTCONN);
  faults(i).notifyParents(EventType::kChildDown, "test: child gone");
}

void DhtRig::up(size_t i) {
  clearFaults(i);
  faults(i).notifyParents(EventType::kChildUp);
}

namespace {
struct LeafEntry {
  bool present = false;
  Iatt stat;
  Dict xdata;
};

LeafEntry leafEntry(const DhtRig& rig, size_t i, std::string_view path) {
  TestClient fs = rig.leaf(i);
  auto l = fs.loc(path);
  if (!l) return {};
  auto r = fs.call(LookupReq{*l, {dht::kLinktoKey, dht::kLayoutKey}});
  if (!r) return {};
  return LeafEntry{true, r->stat, r->xdata};
}
}  // namespace

std::vector<size_t> DhtRig::dataOn(std::string_view path) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < leaves(); ++i) {
    auto e = leafEntry(*this, i, path);
    if (e.present && !e.stat.isDir() && !dht::isLinkfile(e.stat, e.xdata)) out.push_back(i);
  }
  return out;
}

std::vector<size_t> DhtRig::linkfilesOn(std::string_view path) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < leaves(); ++i) {
    auto e = leafEntry(*this, i, path);
    if (e.present && dht::isLinkfile(e.stat, e.xdata)) out.push_back(i);
  }
  return out;
}

std::vector<size_t> DhtRig::presentOn(std::string_view path) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < leaves(); ++i)
    if (leafEntry(*this, i, path).present) out.push_back(i);
  return out;
}

std::string DhtRig::linktoOn(size_t i, std::string_view path) const {
  auto e = leafEntry(*this, i, path);
  auto it = e.xdata.find(dht::kLinktoKey);
  return it == e.xdata.end() ? "" : it->second;
}

std::optional<dht::Range> DhtRig::rangeOn(size_t i, std::string_view dir) const {
  auto e = leafEntry(*this, i, dir);
  auto it = e.xdata.find(dht::kLayoutKey);
  if (it == e.xdata.end()) return std::nullopt;
  return dht::decodeRange(it->second);
}

size_t DhtRig::hashedOf(std::string_view name, size_t n) {
  int c = dht::Layout::uniform(n).childFor(dht::nameHash(name, dht::HashRules{}));
  return static_cast<size_t>(c);
}

std::string nameHashingTo(size_t want, size_t n, std::string_view prefix, size_t k) {
  for (size_t i = 0;; ++i) {
    std::string name = std::string(prefix) + std::to_string(i);
    if (DhtRig::hashedOf(name, n) == want && k-- == 0) return name;
  }
}

std::string joinPath(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir == "/") return "/" + std::string(name);
  return std::string(dir) + "/" + std::string(name);
}

}  // namespace gf::test
