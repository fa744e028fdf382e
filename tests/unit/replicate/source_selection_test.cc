// SPDX-License-Identifier: GPL-3.0-or-later
// Replicate's changelog encoding and source selection (innocent / fool / wise, split-brain,
// all fools, favorite-child, missing changelogs, copies that are down), as tables.
#include <gtest/gtest.h>

#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"
#include "glusterfs/xlators/cluster/replicate/afr_source.h"

namespace gf::afr {
namespace {

const std::vector<std::string> kNames2 = {"c0", "c1"};
const std::vector<std::string> kNames3 = {"c0", "c1", "c2"};

TEST(AfrChangelogTest, CountersAreThreeBigEndianInt32) {
  std::string v = encodeCounts({1, 0x01020304, -1});
  ASSERT_EQ(v.size(), 12u);
  EXPECT_EQ(v, std::string("\0\0\0\1\1\2\3\4\xff\xff\xff\xff", 12));
  EXPECT_EQ(decodeCounts(v), (Counts{1, 0x01020304, -1}));
}

TEST(AfrChangelogTest, ShortOrMissingValuesCountAsZeros) {
  EXPECT_EQ(decodeCounts(""), (Counts{0, 0, 0}));
  EXPECT_EQ(decodeCounts(std::string("\0\0\0\5\0\0", 6)), (Counts{5, 0, 0}));
}

TEST(AfrChangelogTest, DeltaNamesOnlyTheChildrenItChanges) {
  Dict d = changelogDelta(kNames3, TxnKind::kMetadata, {0, -1, 2});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(decodeCounts(d.at("trusted.afr.c1")), (Counts{0, -1, 0}));
  EXPECT_EQ(decodeCounts(d.at("trusted.afr.c2")), (Counts{0, 2, 0}));
  EXPECT_TRUE(isChangelogKey("trusted.afr.c1"));
  EXPECT_FALSE(isChangelogKey("trusted.gfid"));
}

TEST(AfrChangelogTest, MatrixRowsComeFromEachCopysXattrs) {
  PendingMatrix m(2);
  m.setRow(0, Dict{{"trusted.afr.c1", encodeCounts({3, 0, 1})}, {"user.x", "y"}}, kNames2);
  m.setRow(1, Dict{}, kNames2);  // a copy with no changelog at all
  EXPECT_EQ(m.get(0, 1, TxnKind::kData), 3);
  EXPECT_EQ(m.get(0, 1, TxnKind::kEntry), 1);
  EXPECT_EQ(m.get(0, 0, TxnKind::kData), 0);
  EXPECT_EQ(m.get(1, 0, TxnKind::kData), 0);
  EXPECT_TRUE(m.answered(1));
  EXPECT_EQ(m.describe(TxnKind::kData, kNames2), "c0=[0 3] c1=[0 0]");
}

// One row per copy: counters for each child, or nullopt for a copy that did not answer.
using Rows = std::vector<std::optional<std::vector<int32_t>>>;
using R = CopyRole;

struct Case {
  const char* name;
  Rows rows;
  int favorite;
  std::vector<CopyRole> roles;
  bool needsHeal, splitBrain, allFools;
  std::vector<bool> sources, sinks;
};

PendingMatrix matrixOf(const Rows& rows) {
  PendingMatrix m(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    m.setAnswered(i, rows[i].has_value());
    if (rows[i])
      for (size_t j = 0; j < rows.size(); ++j) m.set(i, j, TxnKind::kData, (*rows[i])[j]);
  }
  return m;
}

const std::optional<std::vector<int32_t>> kDown;

// One row per case: name, rows, favorite, roles, needsHeal, splitBrain, allFools, sources, sinks.
// clang-format off
const Case kCases[] = {
    {"AllInnocent", {{{0, 0}}, {{0, 0}}}, -1, {R::kInnocent, R::kInnocent}, false, false, false,
     {true, true}, {false, false}},
    {"WiseAndFool", {{{0, 1}}, {{0, 1}}}, -1, {R::kWise, R::kFool}, true, false, false,
     {true, false}, {false, true}},
    {"WiseAndInnocent", {{{0, 1}}, {{0, 0}}}, -1, {R::kWise, R::kInnocent}, true, false, false,
     {true, false}, {false, true}},
    {"MissingChangelogIsInnocent", {{{0, 2}}, {{0, 0}}}, -1, {R::kWise, R::kInnocent}, true,
     false, false, {true, false}, {false, true}},
    {"SplitBrain", {{{0, 1}}, {{1, 0}}}, -1, {R::kWise, R::kWise}, true, true, false,
     {false, false}, {false, false}},
    {"SplitBrainSettledByFavorite", {{{0, 1}}, {{1, 0}}}, 1, {R::kWise, R::kWise}, true, false,
     false, {false, true}, {true, false}},
    {"FavoriteDoesNotOverruleAWiseSource", {{{0, 1}}, {{0, 1}}}, 1, {R::kWise, R::kFool}, true,
     false, false, {true, false}, {false, true}},
    {"AllFools", {{{1, 1}}, {{1, 1}}}, -1, {R::kFool, R::kFool}, true, false, true,
     {true, true}, {false, false}},
    {"AllFoolsFavoritePicksOne", {{{1, 1}}, {{1, 1}}}, 0, {R::kFool, R::kFool}, true, false,
     false, {true, false}, {false, true}},
    {"FoolWithoutWiseBeatsInnocent", {{{0, 0}}, {{1, 1}}}, -1, {R::kInnocent, R::kFool}, true,
     false, true, {false, true}, {true, false}},
    {"DownCopyIsNeitherSourceNorSink", {{{0, 1}}, kDown}, -1, {R::kWise, R::kDown}, true, false,
     false, {true, false}, {false, false}},
    {"NegativeCountersAccuseNobody", {{{0, -1}}, {{0, 0}}}, -1, {R::kInnocent, R::kInnocent},
     false, false, false, {true, true}, {false, false}},
    {"ThreeOneWiseTwoFools", {{{0, 1, 1}}, {{0, 1, 1}}, {{0, 1, 1}}}, -1,
     {R::kWise, R::kFool, R::kFool}, true, false, false, {true, false, false},
     {false, true, true}},
    {"ThreeTwoWiseAgree", {{{0, 0, 1}}, {{0, 0, 1}}, {{0, 0, 1}}}, -1,
     {R::kWise, R::kWise, R::kFool}, true, false, false, {true, true, false},
     {false, false, true}},
    {"ThreeTwoWiseAgreeThirdDown", {{{0, 0, 2}}, {{0, 0, 2}}, kDown}, -1,
     {R::kWise, R::kWise, R::kDown}, true, false, false, {true, true, false},
     {false, false, false}},
    {"ThreeWiseChain", {{{0, 1, 0}}, {{0, 0, 1}}, {{0, 0, 0}}}, -1,
     {R::kWise, R::kWise, R::kInnocent}, true, false, false, {true, false, false},
     {false, true, true}},
    {"ThreeSplitBrainBesideAnInnocent", {{{0, 1, 0}}, {{1, 0, 0}}, {{0, 0, 0}}}, -1,
     {R::kWise, R::kWise, R::kInnocent}, true, true, false, {false, false, false},
     {false, false, false}},
    {"ThreeSplitBrainFavoriteAmongTheWise", {{{0, 1, 1}}, {{1, 0, 1}}, {{0, 0, 1}}}, 1,
     {R::kWise, R::kWise, R::kFool}, true, false, false, {false, true, false},
     {true, false, true}},
    {"ThreeAllFools", {{{1, 1, 1}}, {{1, 1, 1}}, {{1, 1, 1}}}, -1,
     {R::kFool, R::kFool, R::kFool}, true, false, true, {true, true, true},
     {false, false, false}},
};
// clang-format on

class SelectSourcesTest : public ::testing::TestWithParam<Case> {};

TEST_P(SelectSourcesTest, Verdict) {
  const Case& c = GetParam();
  PendingMatrix m = matrixOf(c.rows);
  SourceVerdict v = selectSources(m, TxnKind::kData, c.favorite);
  EXPECT_EQ(v.roles, c.roles);
  EXPECT_EQ(v.needsHeal, c.needsHeal);
  EXPECT_EQ(v.splitBrain, c.splitBrain);
  EXPECT_EQ(v.allFools, c.allFools);
  EXPECT_EQ(v.sources, c.sources);
  EXPECT_EQ(v.sinks, c.sinks);
  // The other kinds carry nothing here: nothing to heal there.
  for (TxnKind k : {TxnKind::kMetadata, TxnKind::kEntry}) {
    SourceVerdict other = selectSources(m, k, c.favorite);
    EXPECT_FALSE(other.needsHeal) << kindName(k);
    EXPECT_FALSE(other.splitBrain) << kindName(k);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, SelectSourcesTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SelectSourcesKindsTest, EachKindIsJudgedOnItsOwnCounters) {
  PendingMatrix m(2);
  m.setAnswered(0, true);
  m.setAnswered(1, true);
  m.set(0, 1, TxnKind::kData, 1);      // c0 says c1 missed a write
  m.set(1, 0, TxnKind::kMetadata, 1);  // c1 says c0 missed a chmod
  EXPECT_EQ(selectSources(m, TxnKind::kData).sources, (std::vector<bool>{true, false}));
  EXPECT_EQ(selectSources(m, TxnKind::kMetadata).sources, (std::vector<bool>{false, true}));
  EXPECT_FALSE(selectSources(m, TxnKind::kData).splitBrain);
  EXPECT_FALSE(selectSources(m, TxnKind::kEntry).needsHeal);
}

}  // namespace
}  // namespace gf::afr
