// SPDX-License-Identifier: GPL-3.0-or-later
// The 2.0 volfile parser: accepted syntax, and every structural error with its line.
#include "glusterfs/core/volfile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace gf {
namespace {

struct ParseError {
  int line = -1;
  std::string file;
  std::string what;
};

// Parses `text`; returns the error (line -1 if it parsed).
ParseError errorOf(std::string_view text) {
  try {
    parseVolfile(text, "t.vol");
  } catch (const VolfileError& e) {
    return {e.line(), e.file(), e.what()};
  }
  return {};
}

#define EXPECT_VOLFILE_ERROR(text, wantLine, fragment)                                        \
  do {                                                                                        \
    ParseError e_ = errorOf(text);                                                            \
    EXPECT_EQ(e_.line, wantLine) << e_.what;                                                  \
    EXPECT_EQ(e_.file, "t.vol");                                                              \
    EXPECT_NE(e_.what.find(fragment), std::string::npos)                                      \
        << "message: " << e_.what << "\nwanted: " << fragment;                                \
    if (wantLine > 0)                                                                         \
      EXPECT_EQ(e_.what.rfind("t.vol:" + std::to_string(wantLine) + ": ", 0), 0u) << e_.what; \
  } while (0)

const char* kTwoVolumes =
    "# a comment line\n"
    "volume posix1\n"
    "  type storage/posix\n"
    "  option directory /data/export   # trailing comment\n"
    "  option note value with  inner spaces\n"
    "end-volume\n"
    "\n"
    "volume locks1\n"
    "\ttype features/locks\n"
    "\tsubvolumes posix1\n"
    "end-volume\n";

// ---- accepted syntax -------------------------------------------------------------------------

TEST(VolfileTest, ParsesVolumesInOrderWithLines) {
  Volfile vf = parseVolfile(kTwoVolumes, "t.vol");
  EXPECT_EQ(vf.file, "t.vol");
  ASSERT_EQ(vf.volumes.size(), 2u);
  const auto& a = vf.volumes[0];
  EXPECT_EQ(a.name, "posix1");
  EXPECT_EQ(a.type, "storage/posix");
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.typeLine, 3);
  ASSERT_EQ(a.options.size(), 2u);
  EXPECT_EQ(a.options[0].key, "directory");
  EXPECT_EQ(a.options[0].value, "/data/export");
  EXPECT_EQ(a.options[0].line, 4);
  EXPECT_EQ(a.options[0].file, "t.vol");
  EXPECT_EQ(a.options[1].value, "value with  inner spaces");
  EXPECT_TRUE(a.subvolumes.empty());
  const auto& b = vf.volumes[1];
  EXPECT_EQ(b.name, "locks1");
  EXPECT_EQ(b.type, "features/locks");
  EXPECT_EQ(b.line, 8);
  ASSERT_EQ(b.subvolumes.size(), 1u);
  EXPECT_EQ(b.subvolumes[0].first, "posix1");
  EXPECT_EQ(b.subvolumes[0].second, 10);
}

TEST(VolfileTest, SubvolumesKeepTheirOrder) {
  Volfile vf = parseVolfile(
      "volume a\n type t/a\nend-volume\nvolume b\n type t/b\nend-volume\n"
      "volume c\n type t/c\nend-volume\n"
      "volume top\n type cluster/x\n subvolumes c a  b\nend-volume\n",
      "t.vol");
  ASSERT_EQ(vf.volumes.back().subvolumes.size(), 3u);
  EXPECT_EQ(vf.volumes.back().subvolumes[0].first, "c");
  EXPECT_EQ(vf.volumes.back().subvolumes[1].first, "a");
  EXPECT_EQ(vf.volumes.back().subvolumes[2].first, "b");
}

TEST(VolfileTest, AcceptsCrlfTabsAndNoFinalNewline) {
  Volfile vf = parseVolfile(
      "volume v\r\n\ttype\tstorage/posix\r\n  option directory /x\r\nend-volume", "t.vol");
  ASSERT_EQ(vf.volumes.size(), 1u);
  EXPECT_EQ(vf.volumes[0].type, "storage/posix");
  EXPECT_EQ(vf.volumes[0].options[0].value, "/x");
}

TEST(VolfileTest, AcceptsAUtf8ByteOrderMark) {
  Volfile vf = parseVolfile("\xEF\xBB\xBFvolume v\n type a/b\nend-volume\n", "t.vol");
  ASSERT_EQ(vf.volumes.size(), 1u);
  EXPECT_EQ(vf.volumes[0].name, "v");
  EXPECT_EQ(vf.volumes[0].line, 1);
  EXPECT_VOLFILE_ERROR("\xEF\xBB\xBFvolume v\n type a/b\n", 1, "volume 'v' has no end-volume");
}

TEST(VolfileTest, HashInsideAWordIsNotAComment) {
  Volfile vf = parseVolfile(
      "volume v\n type a/b\n option pattern *.c#1:x # real comment\nend-volume\n", "t.vol");
  EXPECT_EQ(vf.volumes[0].options[0].value, "*.c#1:x");
}

TEST(VolfileTest, NamesAreCaseSensitive) {
  Volfile vf = parseVolfile(
      "volume Brick\n type a/b\nend-volume\nvolume brick\n type a/b\n subvolumes "
      "Brick\nend-volume\n",
      "t.vol");
  EXPECT_EQ(vf.volumes.size(), 2u);
  EXPECT_VOLFILE_ERROR(
      "volume brick\n type a/b\nend-volume\nvolume x\n type a/b\n subvolumes BRICK\nend-volume\n",
      6, "subvolume 'BRICK'");
}

TEST(VolfileTest, LongestAllowedLineIsAccepted) {
  std::string value(kMaxVolfileLine - std::string(" option k ").size(), 'v');
  std::string text = "volume v\n type a/b\n option k " + value + "\nend-volume\n";
  Volfile vf = parseVolfile(text, "t.vol");
  EXPECT_EQ(vf.volumes[0].options[0].value, value);
}

// ---- structural errors -----------------------------------------------------------------------

TEST(VolfileTest, MissingEndVolumeNamesTheOpenVolume) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n", 1, "volume 'a' has no end-volume");
}

TEST(VolfileTest, VolumeInsideAVolume) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\nvolume b\n type x/y\nend-volume\n", 3,
                       "'volume' inside volume 'a' (line 1 has no end-volume)");
}

TEST(VolfileTest, VolumeWithoutAName) {
  EXPECT_VOLFILE_ERROR("volume\n type x/y\nend-volume\n", 1, "'volume' needs a name");
}

TEST(VolfileTest, TextAfterTheVolumeName) {
  EXPECT_VOLFILE_ERROR("volume a b\n type x/y\nend-volume\n", 1,
                       "unexpected text after volume name: 'b'");
}

TEST(VolfileTest, InvalidVolumeName) {
  EXPECT_VOLFILE_ERROR("volume a/b\n type x/y\nend-volume\n", 1, "invalid volume name 'a/b'");
  EXPECT_VOLFILE_ERROR("volume a$\n type x/y\nend-volume\n", 1, "invalid volume name 'a$'");
}

TEST(VolfileTest, DuplicateVolumeNameNamesTheFirstDefinition) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\nend-volume\n\nvolume a\n type x/y\nend-volume\n", 5,
                       "volume 'a' is defined twice (first at line 1)");
}

TEST(VolfileTest, EndVolumeWithoutVolume) {
  EXPECT_VOLFILE_ERROR("# nothing open\nend-volume\n", 2,
                       "'end-volume' without a matching 'volume'");
}

TEST(VolfileTest, TextAfterEndVolume) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\nend-volume a\n", 3,
                       "unexpected text after end-volume: 'a'");
}

TEST(VolfileTest, VolumeWithoutType) {
  EXPECT_VOLFILE_ERROR("volume a\n option k v\nend-volume\n", 3, "volume 'a' has no 'type'");
}

TEST(VolfileTest, OptionOutsideAVolume) {
  EXPECT_VOLFILE_ERROR("option directory /tmp\nvolume a\n type x/y\nend-volume\n", 1,
                       "'option' outside of a volume block");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\nend-volume\n type x/z\n", 4,
                       "'type' outside of a volume block");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\nend-volume\nsubvolumes a\n", 4,
                       "'subvolumes' outside of a volume block");
}

TEST(VolfileTest, TypeErrors) {
  EXPECT_VOLFILE_ERROR("volume a\n type\nend-volume\n", 2, "volume 'a': 'type' needs a value");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y z\nend-volume\n", 2, "unexpected text after type");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n type x/z\nend-volume\n", 3,
                       "'type' given twice (first at line 2)");
  EXPECT_VOLFILE_ERROR("volume a\n type posix\nend-volume\n", 2,
                       "type 'posix' is not of the form category/name");
}

TEST(VolfileTest, OptionErrors) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n option\nend-volume\n", 3,
                       "'option' needs a key and a value");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n option directory\nend-volume\n", 3,
                       "option 'directory' has no value");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n option directory   # only a comment\nend-volume\n", 3,
                       "option 'directory' has no value");
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n option k 1\n option k 2\nend-volume\n", 4,
                       "option 'k' given twice (first at line 3)");
}

TEST(VolfileTest, SubvolumesErrors) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n subvolumes\nend-volume\n", 3,
                       "'subvolumes' needs at least one name");
  EXPECT_VOLFILE_ERROR(
      "volume a\n type x/y\nend-volume\nvolume b\n type x/y\n subvolumes a\n subvolumes a\n"
      "end-volume\n",
      7, "'subvolumes' given twice");
  EXPECT_VOLFILE_ERROR(
      "volume a\n type x/y\nend-volume\nvolume b\n type x/y\n subvolumes a a\nend-volume\n", 6,
      "subvolume 'a' listed twice");
}

TEST(VolfileTest, SubvolumeDefinedLater) {
  EXPECT_VOLFILE_ERROR(
      "volume top\n type x/y\n subvolumes leaf\nend-volume\nvolume leaf\n type x/y\nend-volume\n",
      3, "subvolume 'leaf' is not defined before use (it is defined at line 5; define it earlier)");
}

TEST(VolfileTest, SubvolumeNeverDefined) {
  EXPECT_VOLFILE_ERROR("volume top\n type x/y\n subvolumes ghost\nend-volume\n", 3,
                       "subvolume 'ghost' is not defined (no volume of that name in the file)");
}

TEST(VolfileTest, SelfReferenceIsACycle) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n subvolumes a\nend-volume\n", 3,
                       "volume 'a' lists itself as a subvolume (cycle)");
}

TEST(VolfileTest, TwoVolumeCycleIsNamedAsSuch) {
  EXPECT_VOLFILE_ERROR(
      "volume a\n type x/y\n subvolumes b\nend-volume\nvolume b\n type x/y\n subvolumes a\n"
      "end-volume\n",
      3, "subvolume 'b' refers back to 'a' (cycle)");
}

TEST(VolfileTest, LongerCycleIsNamedAsSuch) {
  EXPECT_VOLFILE_ERROR(
      "volume a\n type x/y\n subvolumes b\nend-volume\n"
      "volume b\n type x/y\n subvolumes c\nend-volume\n"
      "volume c\n type x/y\n subvolumes a\nend-volume\n",
      3, "subvolume 'b' refers back to 'a' (cycle)");
}

TEST(VolfileTest, ForwardReferenceIntoAnUnrelatedLoopIsNotACycleOfThisVolume) {
  // b and c point at each other, but nothing leads back to a: a's problem is the order.
  EXPECT_VOLFILE_ERROR(
      "volume a\n type x/y\n subvolumes b\nend-volume\n"
      "volume b\n type x/y\n subvolumes c\nend-volume\n"
      "volume c\n type x/y\n subvolumes b\nend-volume\n",
      3, "subvolume 'b' is not defined before use (it is defined at line 5");
}

TEST(VolfileTest, UnknownKeyword) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\n opton k v\nend-volume\n", 3,
                       "unknown keyword 'opton' (expected volume, type, option, subvolumes or "
                       "end-volume)");
}

TEST(VolfileTest, EmptyFileIsAnError) {
  EXPECT_VOLFILE_ERROR("", 1, "no volumes defined (empty volfile)");
}

TEST(VolfileTest, CommentsOnlyIsAnError) {
  EXPECT_VOLFILE_ERROR("# just\n# comments\n\n", 3, "no volumes defined");
}

TEST(VolfileTest, NulByteIsBinaryData) {
  EXPECT_VOLFILE_ERROR(std::string_view("volume a\n type x/y\n\0\nend-volume\n", 23), 3,
                       "binary data (NUL byte)");
}

TEST(VolfileTest, ControlCharacterIsBinaryData) {
  EXPECT_VOLFILE_ERROR("volume a\n type x/y\x01\nend-volume\n", 2,
                       "binary data (control character 1)");
  EXPECT_VOLFILE_ERROR("\x1f\x8b\x08\x00", 1, "binary data");  // a gzip header
}

TEST(VolfileTest, OverlongLine) {
  std::string text =
      "volume a\n type x/y\n option k " + std::string(kMaxVolfileLine, 'v') + "\nend-volume\n";
  EXPECT_VOLFILE_ERROR(text, 3, "line is longer than 4096 characters");
}

TEST(VolfileTest, ErrorLinesCountCommentsAndBlankLines) {
  EXPECT_VOLFILE_ERROR("# 1\n\n# 3\nvolume a\n\n type x/y\n\n bogus\nend-volume\n", 8,
                       "unknown keyword 'bogus'");
}

// ---- files -----------------------------------------------------------------------------------

TEST(VolfileTest, LoadReadsAFile) {
  std::string path = ::testing::TempDir() + "volfile_test_" + std::to_string(getpid()) + ".vol";
  {
    std::ofstream out(path);
    out << kTwoVolumes;
  }
  Volfile vf = loadVolfile(path);
  EXPECT_EQ(vf.file, path);
  EXPECT_EQ(vf.volumes.size(), 2u);
  std::remove(path.c_str());
}

TEST(VolfileTest, LoadOfAMissingFileNamesItAndTheReason) {
  try {
    loadVolfile("/nonexistent/dir/x.vol");
    FAIL() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/dir/x.vol");
    EXPECT_NE(std::string(e.what()).find("cannot read volfile"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
}

TEST(VolfileTest, LoadOfADirectoryIsAnError) {
  try {
    loadVolfile("/");
    FAIL() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_EQ(e.file(), "/");
    EXPECT_NE(std::string(e.what()).find("cannot read volfile"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Is a directory"), std::string::npos) << e.what();
  }
}

TEST(VolfileTest, LoadOfAnEndlessFileStops) {
  try {
    loadVolfile("/dev/zero");
    FAIL() << "no error";
  } catch (const VolfileError& e) {
    EXPECT_NE(std::string(e.what()).find("not a volfile"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gf
