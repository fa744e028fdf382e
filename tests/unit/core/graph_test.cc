// SPDX-License-Identifier: GPL-3.0-or-later
// Graph::build over a test-only registry: wiring, options, subvolume counts, overrides,
// --volume-name, lifecycle order, event routing and pass-through fops.
#include "glusterfs/core/graph.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace gf {
namespace {

// What the test translators did, in order ("init leaf", "up pass<-leaf", ...).
std::vector<std::string>& journal() {
  static std::vector<std::string> j;
  return j;
}
bool journalHas(const std::string& s) {
  return std::find(journal().begin(), journal().end(), s) != journal().end();
}
size_t journalIndex(const std::string& s) {
  auto it = std::find(journal().begin(), journal().end(), s);
  return static_cast<size_t>(it - journal().begin());
}

// Journals its lifecycle and every event it receives, then routes events the default way.
class Journaled : public Xlator {
 public:
  using Xlator::Xlator;
  ~Journaled() override { journal().push_back("destroy " + name()); }
  Status init() override {
    journal().push_back("init " + name());
    return {};
  }
  void start() override { journal().push_back("start " + name()); }
  void stop() override { journal().push_back("stop " + name()); }
  void notify(const Event& ev) override {
    journal().push_back(std::string(eventName(ev.type)) + " " + name() + "<-" +
                        (ev.from ? ev.from->name() : "?") +
                        (ev.clientId ? " client " + std::to_string(ev.clientId) : ""));
    Xlator::notify(ev);
  }
};

// test/leaf: answers stat with its configured size; announces CHILD_UP on start.
class TestLeaf : public Journaled {
 public:
  struct Config {
    int64_t size = 0;
    std::string label;
    bool failInit = false;
  };
  static const OptionTable<Config>& optionTable() {
    static const OptionTable<Config> t = [] {
      OptionTable<Config> t;
      t.size("size", &Config::size, "1KB", 0, int64_t{1} << 40, "Size reported by stat.");
      t.string("label", &Config::label, "", "Free text.");
      t.boolean("fail-init", &Config::failInit, false, "Make init() fail with EIO.");
      return t;
    }();
    return t;
  }
  TestLeaf(const XlatorArgs& args, Config c) : Journaled(args), config_(std::move(c)) {}
  const Config& config() const { return config_; }

  Status init() override {
    Journaled::init();
    if (config_.failInit) return fail(EIO);
    return {};
  }
  void start() override {
    Journaled::start();
    notifyParents(EventType::kChildUp);
  }
  Task<Result<AttrReply>> stat(const CallCtx& ctx, const StatReq& req) override {
    AttrReply r;
    r.stat.size = static_cast<uint64_t>(config_.size);
    r.stat.uid = ctx.uid;
    co_return r;
  }

 private:
  Config config_;
};

// test/pass, test/cluster, test/many: no options of their own, pass-through fops.
class TestNode : public Journaled {
 public:
  struct Config {};
  static const OptionTable<Config>& optionTable() {
    static const OptionTable<Config> t;
    return t;
  }
  TestNode(const XlatorArgs& args, Config) : Journaled(args) {}
};

const XlatorRegistry& testRegistry() {
  static const XlatorRegistry r({
      XlatorType{"test/leaf",
                 {"test/leaf-alias"},
                 "a leaf",
                 0,
                 0,
                 &optionsOf<TestLeaf>,
                 &makeXlator<TestLeaf>},
      XlatorType{"test/pass", {}, "one child", 1, 1, &optionsOf<TestNode>, &makeXlator<TestNode>},
      XlatorType{"test/cluster",
                 {},
                 "two or three children",
                 2,
                 3,
                 &optionsOf<TestNode>,
                 &makeXlator<TestNode>},
      XlatorType{"test/many",
                 {},
                 "one or more children",
                 1,
                 SIZE_MAX,
                 &optionsOf<TestNode>,
                 &makeXlator<TestNode>},
      XlatorType{"test/optional",
                 {},
                 "at most one child",
                 0,
                 1,
                 &optionsOf<TestNode>,
                 &makeXlator<TestNode>},
  });
  return r;
}

class GraphTest : public ::testing::Test {
 protected:
  void SetUp() override { journal().clear(); }
};

const char* kStack =
    "volume leaf\n"        // 1
    "  type test/leaf\n"   // 2
    "  option size 4KB\n"  // 3
    "end-volume\n"         // 4
    "volume pass\n"        // 5
    "  type test/pass\n"   // 6
    "  subvolumes leaf\n"  // 7
    "end-volume\n"         // 8
    "volume top\n"         // 9
    "  type test/many\n"   // 10
    "  subvolumes pass\n"  // 11
    "end-volume\n";        // 12

// A leaf shared by two parents joined again at the top.
const char* kDiamond =
    "volume leaf\n type test/leaf\nend-volume\n"
    "volume left\n type test/pass\n subvolumes leaf\nend-volume\n"
    "volume right\n type test/pass\n subvolumes leaf\nend-volume\n"
    "volume top\n type test/cluster\n subvolumes left right\nend-volume\n";

std::unique_ptr<Graph> build(std::string_view text, GraphOptions opts = {}) {
  return Graph::fromText(text, testRegistry(), opts, "g.vol");
}

// The VolfileError of building `text`; fails the test if it builds.
VolfileError buildError(std::string_view text, GraphOptions opts = {}) {
  try {
    build(text, std::move(opts));
  } catch (const VolfileError& e) {
    return e;
  }
  ADD_FAILURE() << "graph built without error";
  return VolfileError("", -1, "");
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

// ---- construction ----------------------------------------------------------------------------

TEST_F(GraphTest, BuildsInVolfileOrderAndTheLastVolumeIsTheTop) {
  auto g = build(kStack);
  ASSERT_EQ(g->xlators().size(), 3u);
  EXPECT_EQ(g->xlators()[0]->name(), "leaf");
  EXPECT_EQ(g->xlators()[1]->name(), "pass");
  EXPECT_EQ(g->xlators()[2]->name(), "top");
  EXPECT_EQ(g->top().name(), "top");
  EXPECT_EQ(g->top().type(), "test/many");
  EXPECT_EQ(g->volfile().file, "g.vol");
  for (const auto& x : g->xlators()) EXPECT_EQ(x->graph(), g.get());
}

TEST_F(GraphTest, WiresChildrenAndParents) {
  auto g = build(kStack);
  Xlator* leaf = g->find("leaf");
  Xlator* pass = g->find("pass");
  Xlator* top = g->find("top");
  ASSERT_TRUE(leaf && pass && top);
  EXPECT_TRUE(leaf->children().empty());
  ASSERT_EQ(pass->children().size(), 1u);
  EXPECT_EQ(&pass->child(), leaf);
  EXPECT_EQ(&top->child(0), pass);
  ASSERT_EQ(leaf->parents().size(), 1u);
  EXPECT_EQ(leaf->parents()[0], pass);
  EXPECT_EQ(pass->parents()[0], top);
  EXPECT_TRUE(top->parents().empty());
  EXPECT_THROW(leaf->child(0), std::out_of_range);
  EXPECT_EQ(g->find("nope"), nullptr);
}

TEST_F(GraphTest, SharedChildHasEveryParent) {
  auto g = build(kDiamond);
  Xlator* leaf = g->find("leaf");
  ASSERT_EQ(leaf->parents().size(), 2u);
  EXPECT_EQ(leaf->parents()[0]->name(), "left");
  EXPECT_EQ(leaf->parents()[1]->name(), "right");
  EXPECT_EQ(g->top().children()[0]->name(), "left");
  EXPECT_EQ(g->top().children()[1]->name(), "right");
}

TEST_F(GraphTest, AliasBuildsTheCanonicalType) {
  auto g = build("volume x\n type test/leaf-alias\nend-volume\n");
  EXPECT_EQ(g->top().type(), "test/leaf");
}

TEST_F(GraphTest, OptionsReachTheTranslator) {
  auto g = build(kStack);
  auto* leaf = dynamic_cast<TestLeaf*>(g->find("leaf"));
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(leaf->config().size, 4096);
  EXPECT_EQ(leaf->config().label, "");  // default
}

TEST_F(GraphTest, FopsPassThroughUntouchedLayersToTheLeaf) {
  auto g = build(kStack);
  CallCtx ctx;
  ctx.uid = 1234;
  StatReq req;
  auto r = syncWait(g->top().stat(ctx, req));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->stat.size, 4096u);
  EXPECT_EQ(r->stat.uid, 1234u);
  auto viaCallFop = syncWait(callFop(g->top(), ctx, req));
  ASSERT_TRUE(viaCallFop.ok());
  EXPECT_EQ(viaCallFop->stat.size, 4096u);
}

TEST_F(GraphTest, AFopNoLeafImplementsFailsWithEnotconn) {
  auto g = build(kStack);
  auto r = syncWait(g->top().readlink(CallCtx{}, ReadlinkReq{}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errnum(), ENOTCONN);
}

// ---- errors ----------------------------------------------------------------------------------

TEST_F(GraphTest, UnknownTypeNamesItsLineAndTheKnownTypes) {
  auto e = buildError("volume x\n\n  type test/nope\nend-volume\n");
  EXPECT_EQ(e.file(), "g.vol");
  EXPECT_EQ(e.line(), 3);
  EXPECT_CONTAINS(e.what(), "g.vol:3: volume 'x': unknown type 'test/nope'");
  EXPECT_CONTAINS(e.what(), "known types: test/leaf test/pass test/cluster test/many");
}

TEST_F(GraphTest, UnknownOptionNamesItsLineAndTheValidKeys) {
  auto e = buildError("volume x\n type test/leaf\n option colour red\nend-volume\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_CONTAINS(e.what(), "volume 'x': unknown option 'colour' (valid: size label fail-init)");
}

TEST_F(GraphTest, BadOptionValueNamesItsLine) {
  auto e =
      buildError("volume x\n type test/leaf\n option label ok\n option size 12QB\nend-volume\n");
  EXPECT_EQ(e.line(), 4);
  EXPECT_CONTAINS(e.what(), "option 'size': '12QB' is not a size");
}

TEST_F(GraphTest, OptionsOfATranslatorWithoutOptionsAreRejected) {
  auto e = buildError(
      "volume l\n type test/leaf\nend-volume\n"
      "volume p\n type test/pass\n option x y\n subvolumes l\nend-volume\n");
  EXPECT_EQ(e.line(), 6);
  EXPECT_CONTAINS(e.what(), "takes no options");
}

TEST_F(GraphTest, LeafWithSubvolumesIsRejected) {
  auto e = buildError(
      "volume a\n type test/leaf\nend-volume\n"
      "volume b\n type test/leaf\n subvolumes a\nend-volume\n");
  EXPECT_EQ(e.line(), 6);
  EXPECT_CONTAINS(e.what(), "volume 'b': test/leaf takes no subvolumes, got 1");
}

TEST_F(GraphTest, TooFewSubvolumesNamesTheVolumeLine) {
  auto e = buildError("volume p\n type test/pass\nend-volume\n");
  EXPECT_EQ(e.line(), 1);
  EXPECT_CONTAINS(e.what(), "volume 'p': test/pass takes 1 subvolume(s), got 0");
  e = buildError(
      "volume a\n type test/leaf\nend-volume\n"
      "volume c\n type test/cluster\n subvolumes a\nend-volume\n");
  EXPECT_EQ(e.line(), 6);
  EXPECT_CONTAINS(e.what(), "test/cluster takes 2 to 3 subvolumes, got 1");
  e = buildError("volume m\n type test/many\nend-volume\n");
  EXPECT_CONTAINS(e.what(), "test/many takes at least 1 subvolume(s), got 0");
}

TEST_F(GraphTest, TooManySubvolumesStatesTheMaximum) {
  std::string text;
  for (const char* n : {"a", "b", "c", "d"})
    text += "volume " + std::string(n) + "\n type test/leaf\nend-volume\n";
  auto e = buildError(text + "volume p\n type test/pass\n subvolumes a b\nend-volume\n");
  EXPECT_CONTAINS(e.what(), "test/pass takes 1 subvolume(s), got 2");
  e = buildError(text + "volume cl\n type test/cluster\n subvolumes a b c d\nend-volume\n");
  EXPECT_EQ(e.line(), 15);
  EXPECT_CONTAINS(e.what(), "test/cluster takes 2 to 3 subvolumes, got 4");
  e = buildError(text + "volume o\n type test/optional\n subvolumes a b\nend-volume\n");
  EXPECT_CONTAINS(e.what(), "test/optional takes at most 1 subvolume(s), got 2");
}

TEST_F(GraphTest, SubvolumeCountsWithinRangeBuild) {
  std::string text;
  for (const char* n : {"a", "b", "c"})
    text += "volume " + std::string(n) + "\n type test/leaf\nend-volume\n";
  EXPECT_NO_THROW(build(text + "volume c2\n type test/cluster\n subvolumes a b\nend-volume\n"));
  EXPECT_NO_THROW(build(text + "volume c3\n type test/cluster\n subvolumes a b c\nend-volume\n"));
  EXPECT_NO_THROW(build(text + "volume m\n type test/many\n subvolumes a b c\nend-volume\n"));
  EXPECT_NO_THROW(build(text + "volume o\n type test/optional\nend-volume\n"));
}

// ---- --volume-name and --xlator-option -------------------------------------------------------

TEST_F(GraphTest, VolumeNameSelectsTheTop) {
  GraphOptions o;
  o.volumeName = "pass";
  auto g = build(kStack, o);
  EXPECT_EQ(g->top().name(), "pass");
  EXPECT_EQ(g->xlators().size(), 3u);
}

TEST_F(GraphTest, UnknownVolumeNameIsAnError) {
  GraphOptions o;
  o.volumeName = "nosuch";
  auto e = buildError(kStack, o);
  EXPECT_EQ(e.file(), "g.vol");
  EXPECT_CONTAINS(e.what(), "--volume-name: no volume named 'nosuch'");
}

TEST_F(GraphTest, XlatorOptionReplacesAVolfileOption) {
  GraphOptions o;
  o.xlatorOptions = {"leaf.size=8KB"};
  auto g = build(kStack, o);
  EXPECT_EQ(dynamic_cast<TestLeaf*>(g->find("leaf"))->config().size, 8192);
  EXPECT_EQ(g->volfile().volumes[0].options.size(), 1u);
}

TEST_F(GraphTest, XlatorOptionAddsAnOptionAndTheValueMayContainDotsAndEquals) {
  GraphOptions o;
  o.xlatorOptions = {"leaf.label=a.b=c", "leaf.fail-init=off"};
  auto g = build(kStack, o);
  auto* leaf = dynamic_cast<TestLeaf*>(g->find("leaf"));
  EXPECT_EQ(leaf->config().label, "a.b=c");
  EXPECT_EQ(leaf->config().size, 4096);  // untouched volfile option
}

TEST_F(GraphTest, XlatorOptionReachesAVolumeWhoseNameHasDots) {
  GraphOptions o;
  o.xlatorOptions = {"brick.1.size=8KB", "brick.label=short"};
  auto g = build(
      "volume brick\n type test/leaf\nend-volume\n"
      "volume brick.1\n type test/leaf\nend-volume\n"
      "volume top\n type test/cluster\n subvolumes brick brick.1\nend-volume\n",
      o);
  auto* dotted = dynamic_cast<TestLeaf*>(g->find("brick.1"));
  auto* plain = dynamic_cast<TestLeaf*>(g->find("brick"));
  EXPECT_EQ(dotted->config().size, 8192);
  EXPECT_EQ(plain->config().size, 1024);
  EXPECT_EQ(plain->config().label, "short");
  EXPECT_EQ(dotted->config().label, "");
}

TEST_F(GraphTest, LaterXlatorOptionsWin) {
  GraphOptions o;
  o.xlatorOptions = {"leaf.size=8KB", "leaf.size=16KB"};
  auto g = build(kStack, o);
  EXPECT_EQ(dynamic_cast<TestLeaf*>(g->find("leaf"))->config().size, 16384);
}

TEST_F(GraphTest, MalformedXlatorOptionIsAnError) {
  for (const char* bad : {"leafsize=1", "leaf.size", ".size=1", "leaf.=1", "leaf=x.y"}) {
    GraphOptions o;
    o.xlatorOptions = {bad};
    auto e = buildError(kStack, o);
    EXPECT_EQ(e.file(), "--xlator-option") << bad;
    EXPECT_CONTAINS(e.what(), "'" + std::string(bad) + "' is not of the form VOLUME.KEY=VALUE");
  }
}

TEST_F(GraphTest, XlatorOptionForAnUnknownVolumeIsAnError) {
  GraphOptions o;
  o.xlatorOptions = {"ghost.size=1"};
  auto e = buildError(kStack, o);
  EXPECT_CONTAINS(e.what(), "--xlator-option: 'ghost.size=1': no volume named 'ghost'");
}

TEST_F(GraphTest, XlatorOptionWithAnUnknownKeyOrBadValueIsAnError) {
  GraphOptions o;
  o.xlatorOptions = {"leaf.colour=red"};
  auto e = buildError(kStack, o);
  EXPECT_EQ(e.file(), "--xlator-option");
  EXPECT_CONTAINS(e.what(), "unknown option 'colour'");
  o.xlatorOptions = {"leaf.size=lots"};
  e = buildError(kStack, o);
  EXPECT_EQ(e.file(), "--xlator-option");
  EXPECT_CONTAINS(e.what(), "option 'size': 'lots' is not a size");
}

// ---- lifecycle ---------------------------------------------------------------------------------

TEST_F(GraphTest, InitRunsBottomUp) {
  auto g = build(kStack);
  std::string err = "untouched";
  ASSERT_TRUE(g->init(&err).ok());
  EXPECT_EQ(err, "untouched");
  EXPECT_LT(journalIndex("init leaf"), journalIndex("init pass"));
  EXPECT_LT(journalIndex("init pass"), journalIndex("init top"));
}

TEST_F(GraphTest, InitFailureNamesTheVolumeAndStops) {
  auto g = build(
      "volume ok\n type test/leaf\nend-volume\n"
      "volume broken\n type test/leaf\n option fail-init on\nend-volume\n"
      "volume top\n type test/cluster\n subvolumes ok broken\nend-volume\n");
  std::string err;
  Status st = g->init(&err);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.errnum(), EIO);
  EXPECT_EQ(err, "volume 'broken' (test/leaf) failed to initialise: " +
                     std::error_code(EIO, std::generic_category()).message());
  EXPECT_TRUE(journalHas("init ok"));
  EXPECT_FALSE(journalHas("init top"));
}

TEST_F(GraphTest, StartRunsBottomUpAndChildUpReachesTheTop) {
  auto g = build(kStack);
  ASSERT_TRUE(g->init().ok());
  g->start();
  EXPECT_LT(journalIndex("start leaf"), journalIndex("start pass"));
  EXPECT_LT(journalIndex("start pass"), journalIndex("start top"));
  EXPECT_TRUE(journalHas("CHILD_UP pass<-leaf"));
  EXPECT_TRUE(journalHas("CHILD_UP top<-pass"));  // forwarded with the forwarder as sender
  EXPECT_LT(journalIndex("CHILD_UP pass<-leaf"), journalIndex("CHILD_UP top<-pass"));
}

TEST_F(GraphTest, ChildUpFromASharedLeafReachesEachParent) {
  auto g = build(kDiamond);
  g->start();
  EXPECT_TRUE(journalHas("CHILD_UP left<-leaf"));
  EXPECT_TRUE(journalHas("CHILD_UP right<-leaf"));
  EXPECT_EQ(std::count(journal().begin(), journal().end(), "CHILD_UP top<-left"), 1);
  EXPECT_EQ(std::count(journal().begin(), journal().end(), "CHILD_UP top<-right"), 1);
}

TEST_F(GraphTest, ChildDownTravelsUp) {
  auto g = build(kStack);
  g->find("leaf")->notifyParents(EventType::kChildDown);
  EXPECT_TRUE(journalHas("CHILD_DOWN pass<-leaf"));
  EXPECT_TRUE(journalHas("CHILD_DOWN top<-pass"));
}

TEST_F(GraphTest, TheTopsEventsGoToTheTopListenerWithTheirReason) {
  auto g = build(kStack);
  std::vector<std::string> heard;
  g->setTopListener([&](const Event& ev) {
    heard.push_back(std::string(eventName(ev.type)) + " from " + ev.from->name() + ": " +
                    ev.reason);
  });
  g->start();
  g->find("leaf")->notifyParents(EventType::kChildDown, "disk unplugged");
  EXPECT_EQ(heard, (std::vector<std::string>{"CHILD_UP from top: ",
                                             "CHILD_DOWN from top: disk unplugged"}));
  EXPECT_TRUE(journalHas("CHILD_DOWN pass<-leaf"));
}

TEST_F(GraphTest, TopChosenByVolumeNameStillReportsToTheListener) {
  // The volumes above the chosen top are built but unused; the consumer must still learn that
  // its volume came up.
  GraphOptions o;
  o.volumeName = "pass";
  auto g = build(kStack, o);
  std::vector<std::string> heard;
  g->setTopListener([&](const Event& ev) { heard.push_back(ev.from->name()); });
  g->start();
  EXPECT_EQ(heard, (std::vector<std::string>{"pass"}));
}

TEST_F(GraphTest, ClientDisconnectTravelsDownWithItsClient) {
  auto g = build(kDiamond);
  g->top().notify(Event{EventType::kClientDisconnect, nullptr, 77});
  EXPECT_TRUE(journalHas("CLIENT_DISCONNECT top<-? client 77"));
  EXPECT_TRUE(journalHas("CLIENT_DISCONNECT left<-top client 77"));
  EXPECT_TRUE(journalHas("CLIENT_DISCONNECT right<-top client 77"));
  EXPECT_TRUE(journalHas("CLIENT_DISCONNECT leaf<-left client 77"));
  EXPECT_TRUE(journalHas("CLIENT_DISCONNECT leaf<-right client 77"));
  // Nothing travels back up.
  for (const auto& line : journal()) EXPECT_EQ(line.find("CHILD_"), std::string::npos) << line;
}

TEST_F(GraphTest, StopRunsTopDownOnce) {
  auto g = build(kStack);
  g->start();
  g->stop();
  g->stop();
  EXPECT_EQ(std::count(journal().begin(), journal().end(), "stop top"), 1);
  EXPECT_LT(journalIndex("stop top"), journalIndex("stop pass"));
  EXPECT_LT(journalIndex("stop pass"), journalIndex("stop leaf"));
}

TEST_F(GraphTest, StopWithoutStartDoesNothing) {
  auto g = build(kStack);
  g->stop();
  g.reset();
  EXPECT_FALSE(journalHas("stop leaf"));
  EXPECT_TRUE(journalHas("destroy leaf"));
}

TEST_F(GraphTest, DestructionStopsAStartedGraphAndFreesParentsFirst) {
  auto g = build(kStack);
  g->start();
  g.reset();
  EXPECT_TRUE(journalHas("stop top"));
  EXPECT_LT(journalIndex("stop leaf"), journalIndex("destroy top"));
  EXPECT_LT(journalIndex("destroy top"), journalIndex("destroy pass"));
  EXPECT_LT(journalIndex("destroy pass"), journalIndex("destroy leaf"));
}

TEST_F(GraphTest, FromFileNamesTheFileInErrors) {
  std::string path = ::testing::TempDir() + "graph_test_" + std::to_string(getpid()) + ".vol";
  {
    std::ofstream out(path);
    out << "volume x\n type test/leaf\n option size 1XB\nend-volume\n";
  }
  try {
    Graph::fromFile(path, testRegistry());
    ADD_FAILURE() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 3);
  }
  {
    std::ofstream out(path);
    out << kStack;
  }
  auto g = Graph::fromFile(path, testRegistry());
  EXPECT_EQ(g->volfile().file, path);
  EXPECT_EQ(g->top().name(), "top");
  std::remove(path.c_str());
}

TEST_F(GraphTest, RegistryFindsByTypeAndAlias) {
  EXPECT_EQ(testRegistry().find("test/leaf")->type, "test/leaf");
  EXPECT_EQ(testRegistry().find("test/leaf-alias")->type, "test/leaf");
  EXPECT_EQ(testRegistry().find("test/none"), nullptr);
}

TEST(EventTest, Names) {
  EXPECT_STREQ(eventName(EventType::kChildUp), "CHILD_UP");
  EXPECT_STREQ(eventName(EventType::kChildDown), "CHILD_DOWN");
  EXPECT_STREQ(eventName(EventType::kClientDisconnect), "CLIENT_DISCONNECT");
}

}  // namespace
}  // namespace gf
