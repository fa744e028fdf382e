// SPDX-License-Identifier: GPL-3.0-or-later
#include "glusterfs/mount/xattr_miss_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace gf {
namespace {

TEST(XattrMissCacheTest, RemembersANameForOneInodeUntilForgotten) {
  XattrMissCache c(60);
  EXPECT_FALSE(c.missing(7, "security.selinux"));
  c.remember(7, "security.selinux");
  EXPECT_TRUE(c.missing(7, "security.selinux"));
  EXPECT_FALSE(c.missing(7, "system.posix_acl_access"));  // only that name
  EXPECT_FALSE(c.missing(8, "security.selinux"));         // only that inode
  c.forget(7);
  EXPECT_FALSE(c.missing(7, "security.selinux"));
}

TEST(XattrMissCacheTest, AnswersExpireAfterTheTimeout) {
  XattrMissCache c(0.05);
  c.remember(1, "user.a");
  EXPECT_TRUE(c.missing(1, "user.a"));
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_FALSE(c.missing(1, "user.a"));
}

TEST(XattrMissCacheTest, ATimeoutOfZeroCachesNothing) {
  XattrMissCache c(0);
  c.remember(1, "user.a");
  EXPECT_FALSE(c.missing(1, "user.a"));
}

}  // namespace
}  // namespace gf
