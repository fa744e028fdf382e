// SPDX-License-Identifier: GPL-3.0-or-later
// performance/io-threads: fops reach the translators below on the worker pool; lock fops,
// which never block a thread, go down on the thread that brought them.
#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

#include "tests/unit/performance/perf_rig.h"
#include "tests/unit/support/result_assertions.h"

namespace gf::test {
namespace {

TEST(IoThreadsTest, FopsGoDownOnTheWorkersAndLocksWhereTheyCameFrom) {
  PerfRig rig("performance/io-threads", {{"thread-count", "2"}});
  std::thread caller([&] {
    pthread_setname_np(pthread_self(), "iot-caller");
    TestClient& fs = rig.client();
    ASSERT_OK(fs.writeFile("/f", "data"));
    auto loc = fs.loc("/f");
    ASSERT_OK(loc);
    Flock whole{F_WRLCK, SEEK_SET, 0, 0};
    (void)fs.call(InodelkReq{"test", *loc, LockCmd::kSet, whole});  // no lock manager below
    ASSERT_OK(fs.stat("/f"));
  });
  caller.join();
  EXPECT_EQ(rig.probe().lastThread("stat").rfind("gf-iot", 0), 0u) << rig.probe().lastThread("stat");
  EXPECT_EQ(rig.probe().lastThread("writev").rfind("gf-iot", 0), 0u);
  EXPECT_EQ(rig.probe().lastThread("inodelk"), "iot-caller");
}

}  // namespace
}  // namespace gf::test
