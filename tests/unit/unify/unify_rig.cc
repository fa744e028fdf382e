// SPDX-License-Identifier: GPL-3.0-or-later
// UnifyRig: the unify test graph, fault controls and direct reads of children and namespace.
#include "tests/unit/unify/unify_rig.h"

#include "glusterfs/xlators/debug/common/fop_set.h"
#include "tests/unit/support/test_graph.h"

namespace gf::test {

std::string UnifyRig::volfile(const UnifyRigOptions& o) {
  std::string text = volume("nsm", "storage/memory") +
                     volume("ns", "debug/error-gen", {{"failure", "0"}, {"random-seed", "1"}},
                            {"nsm"});
  std::string kids;
  for (size_t i = 0; i < o.children; ++i) {
    std::string n = std::to_string(i);
    auto ms = o.maxSize.find(i);
    if (ms != o.maxSize.end())
      text += volume("m" + n, "storage/memory", {{"max-size", ms->second}});
    else
      text += volume("m" + n, "storage/memory");
    text += volume("p" + n, "test/probe", {}, {"m" + n});
    text += volume("c" + n, "debug/error-gen", {{"failure", "0"}, {"random-seed", "1"}},
                   {"p" + n});
    kids += " c" + n;
  }
  text += "volume unify\n  type cluster/unify\n  option namespace ns\n";
  for (const auto& [k, v] : o.options) text += "  option " + k + " " + v + "\n";
  return text + "  subvolumes" + kids + "\nend-volume\n";
}

UnifyRig::UnifyRig(UnifyRigOptions options)
    : options_(std::move(options)), graph_(volfile(options_)), client_(graph_.get("unify")) {}

TestClient UnifyRig::leaf(size_t i) const {
  return TestClient(graph_.get("m" + std::to_string(i)));
}
TestClient UnifyRig::nsLeaf() const { return TestClient(graph_.get("nsm")); }
ProbeXlator& UnifyRig::probe(size_t i) const {
  return graph_.get<ProbeXlator>("p" + std::to_string(i));
}
ErrorGenXlator& UnifyRig::faults(size_t i) const {
  return graph_.get<ErrorGenXlator>("c" + std::to_string(i));
}
ErrorGenXlator& UnifyRig::nsFaults() const { return graph_.get<ErrorGenXlator>("ns"); }

namespace {
ErrorGenXlator::Config quiet() {
  ErrorGenXlator::Config c;
  c.failure = 0;
  c.seed = 1;
  return c;
}
}  // namespace

void UnifyRig::failOnce(ErrorGenXlator& x, std::string_view fop, int err, int64_t skip) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fop);
  c.skip = skip;
  c.maxFailures = 1;
  x.reconfigure(c);
}

void UnifyRig::failAlways(ErrorGenXlator& x, std::string_view fops, int err) {
  ErrorGenXlator::Config c = quiet();
  c.failure = 100;
  c.errorNo = err;
  c.enabled = debug::parseFopList(fops);
  x.reconfigure(c);
}

void UnifyRig::clear(ErrorGenXlator& x) { x.reconfigure(quiet()); }

void UnifyRig::down(size_t i) {
  failAlways(faults(i), "all", ENOTCONN);
  faults(i).notifyParents(EventType::kChildDown, "test: child gone");
}

void UnifyRig::up(size_t i) {
  clear(faults(i));
  faults(i).notifyParents(EventType::kChildUp);
}

std::vector<size_t> UnifyRig::on(std::string_view path) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < children(); ++i) {
    TestClient l = leaf(i);
    if (l.lookup(path)) out.push_back(i);
  }
  return out;
}

bool UnifyRig::inNamespace(std::string_view path) const {
  TestClient n = nsLeaf();
  return n.lookup(path).ok();
}

}  // namespace gf::test
