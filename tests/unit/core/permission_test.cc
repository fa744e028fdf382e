// SPDX-License-Identifier: GPL-3.0-or-later
// checkAccess: owner, group and other classes, supplementary groups and root's exceptions.
#include "glusterfs/core/permission.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace gf {
namespace {

Iatt file(uint32_t mode, uint32_t uid = 100, uint32_t gid = 200) {
  Iatt ia;
  ia.mode = S_IFREG | mode;
  ia.uid = uid;
  ia.gid = gid;
  return ia;
}

CallCtx user(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups = {}) {
  CallCtx c;
  c.uid = uid;
  c.gid = gid;
  if (!groups.empty()) c.groups = std::make_shared<const std::vector<uint32_t>>(std::move(groups));
  return c;
}

int check(const Iatt& ia, const CallCtx& c, int mask) { return checkAccess(ia, c, mask).errnum(); }

TEST(PermissionTest, ExistenceAlwaysPasses) { EXPECT_EQ(check(file(0000), user(1, 1), F_OK), 0); }

TEST(PermissionTest, OwnerBitsApplyToTheOwnerOnly) {
  Iatt ia = file(0700);
  EXPECT_EQ(check(ia, user(100, 1), R_OK | W_OK | X_OK), 0);
  EXPECT_EQ(check(ia, user(101, 200), R_OK), EACCES);
  // The owner class wins even when it grants less than the others.
  Iatt ownerLocked = file(0077);
  EXPECT_EQ(check(ownerLocked, user(100, 200), R_OK), EACCES);
  EXPECT_EQ(check(ownerLocked, user(101, 200), R_OK), 0);
}

TEST(PermissionTest, GroupBitsApplyToPrimaryAndSupplementaryGroups) {
  Iatt ia = file(0640);
  EXPECT_EQ(check(ia, user(101, 200), R_OK), 0);
  EXPECT_EQ(check(ia, user(101, 200), W_OK), EACCES);
  EXPECT_EQ(check(ia, user(101, 1, {5, 200}), R_OK), 0);
  EXPECT_EQ(check(ia, user(101, 1, {5, 6}), R_OK), EACCES);
}

TEST(PermissionTest, OtherBits) {
  Iatt ia = file(0604);
  EXPECT_EQ(check(ia, user(7, 7), R_OK), 0);
  EXPECT_EQ(check(ia, user(7, 7), R_OK | W_OK), EACCES);
  EXPECT_EQ(check(ia, user(7, 7), X_OK), EACCES);
}

TEST(PermissionTest, EveryRequestedBitMustBeGranted) {
  Iatt ia = file(0500);
  EXPECT_EQ(check(ia, user(100, 1), R_OK | X_OK), 0);
  EXPECT_EQ(check(ia, user(100, 1), R_OK | W_OK), EACCES);
}

TEST(PermissionTest, RootReadsAndWritesAnything) {
  EXPECT_EQ(check(file(0000), CallCtx::root(), R_OK | W_OK), 0);
}

TEST(PermissionTest, RootExecutesOnlyWithSomeExecuteBitOrADirectory) {
  EXPECT_EQ(check(file(0600), CallCtx::root(), X_OK), EACCES);
  EXPECT_EQ(check(file(0601), CallCtx::root(), X_OK), 0);
  EXPECT_EQ(check(file(0610), CallCtx::root(), X_OK), 0);
  Iatt dir = file(0000);
  dir.mode = S_IFDIR;
  EXPECT_EQ(check(dir, CallCtx::root(), X_OK), 0);
}

TEST(CallCtxTest, InGroupChecksPrimaryAndSupplementary) {
  CallCtx c = user(1, 10, {20, 30});
  EXPECT_TRUE(c.inGroup(10));
  EXPECT_TRUE(c.inGroup(30));
  EXPECT_FALSE(c.inGroup(40));
  EXPECT_FALSE(user(1, 10).inGroup(20));
}

}  // namespace
}  // namespace gf
