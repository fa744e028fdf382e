// SPDX-License-Identifier: GPL-3.0-or-later
// InodeTable: linking, hard links, unlink/rename, path building, LRU, lifetimes and threads.
#include "glusterfs/core/inode.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <random>
#include <thread>

namespace gf {
namespace {

Iatt attrs(const Gfid& g, uint32_t type) {
  Iatt ia;
  ia.gfid = g;
  ia.ino = g.ino();
  ia.mode = type | 0755;
  return ia;
}

// Links a fresh inode for a new gfid under `parent/name`.
InodePtr mk(InodeTable& t, const InodePtr& parent, std::string_view name, uint32_t type = S_IFREG) {
  return t.link(t.create(), parent, name, attrs(Gfid::random(), type));
}

// Runs `fn` on another thread; a table operation that deadlocks on its own mutex never returns,
// so after a generous timeout the whole test binary is aborted with a message.
void expectNoDeadlock(const char* what, std::function<void()> fn) {
  auto fut = std::async(std::launch::async, std::move(fn));
  if (fut.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    std::fprintf(stderr, "DEADLOCK: %s did not return within 20 s\n", what);
    std::fflush(stderr);
    std::abort();
  }
  fut.get();
}

TEST(InodeTableTest, RootIsLinkedDirectoryWithInodeNumberOne) {
  InodeTable t;
  auto root = t.root();
  ASSERT_NE(root, nullptr);
  EXPECT_TRUE(root->isRoot());
  EXPECT_TRUE(root->isDir());
  EXPECT_TRUE(root->linked());
  EXPECT_EQ(root->ino(), 1u);
  EXPECT_EQ(t.path(*root), "/");
  EXPECT_EQ(t.find(Gfid::root()), root);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTableTest, CreatedInodeIsUnlinkedAndNotIndexed) {
  InodeTable t;
  auto i = t.create();
  EXPECT_FALSE(i->linked());
  EXPECT_TRUE(i->gfid().isNull());
  EXPECT_EQ(i->type(), 0u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTableTest, LinkIndexesByGfidAndByName) {
  InodeTable t;
  Gfid g = Gfid::random();
  auto fresh = t.create();
  auto linked = t.link(fresh, t.root(), "file", attrs(g, S_IFREG));
  EXPECT_EQ(linked, fresh);
  EXPECT_TRUE(linked->linked());
  EXPECT_EQ(linked->gfid(), g);
  EXPECT_EQ(linked->ino(), g.ino());
  EXPECT_EQ(linked->type(), static_cast<uint32_t>(S_IFREG));
  EXPECT_EQ(t.find(g), linked);
  EXPECT_EQ(t.child(*t.root(), "file"), linked);
  EXPECT_EQ(t.child(*t.root(), "other"), nullptr);
  EXPECT_EQ(t.find(Gfid::random()), nullptr);
  EXPECT_EQ(t.size(), 2u);
}

TEST(InodeTableTest, LinkWithNullInodeMakesOne) {
  InodeTable t;
  Gfid g = Gfid::random();
  auto i = t.link(nullptr, t.root(), "x", attrs(g, S_IFDIR));
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->gfid(), g);
  EXPECT_TRUE(i->isDir());
  EXPECT_EQ(t.child(*t.root(), "x"), i);
}

TEST(InodeTableTest, LinkOfKnownGfidReturnsTheExistingInode) {
  InodeTable t;
  Gfid g = Gfid::random();
  auto first = t.link(t.create(), t.root(), "a", attrs(g, S_IFREG));
  // A racing lookup built its own inode for the same file: the table's one wins.
  auto racer = t.create();
  auto second = t.link(racer, t.root(), "a", attrs(g, S_IFREG));
  EXPECT_EQ(second, first);
  EXPECT_NE(second, racer);
  EXPECT_FALSE(racer->linked());
  EXPECT_EQ(t.size(), 2u);
}

TEST(InodeTableTest, LinkWithAnInodeOfAnotherGfidMakesANewInode) {
  InodeTable t;
  auto a = mk(t, t.root(), "a");
  Gfid other = Gfid::random();
  auto b = t.link(a, t.root(), "b", attrs(other, S_IFREG));
  EXPECT_NE(b, a);
  EXPECT_EQ(b->gfid(), other);
  EXPECT_NE(a->gfid(), other);
  EXPECT_EQ(t.child(*t.root(), "a"), a);
  EXPECT_EQ(t.child(*t.root(), "b"), b);
}

TEST(InodeTableTest, HardLinksShareOneInode) {
  InodeTable t;
  auto d1 = mk(t, t.root(), "d1", S_IFDIR);
  auto d2 = mk(t, t.root(), "d2", S_IFDIR);
  Gfid g = Gfid::random();
  auto a = t.link(t.create(), d1, "a", attrs(g, S_IFREG));
  auto b = t.link(t.create(), d2, "b", attrs(g, S_IFREG));
  EXPECT_EQ(a, b);
  EXPECT_EQ(t.child(*d1, "a"), a);
  EXPECT_EQ(t.child(*d2, "b"), a);
  EXPECT_EQ(a->ino(), b->ino());
  EXPECT_EQ(t.path(*a), "/d1/a");  // the first name
  // Unlinking the first name leaves the other as the path.
  t.unlink(*d1, "a");
  EXPECT_EQ(t.child(*d1, "a"), nullptr);
  EXPECT_EQ(t.child(*d2, "b"), a);
  EXPECT_EQ(t.path(*a), "/d2/b");
  EXPECT_EQ(t.find(g), a);
}

TEST(InodeTableTest, LinkingTheSameNameTwiceKeepsOneDentry) {
  InodeTable t;
  auto a = mk(t, t.root(), "a");
  t.link(a, t.root(), "a", attrs(a->gfid(), S_IFREG));
  t.unlink(*t.root(), "a");
  EXPECT_EQ(t.child(*t.root(), "a"), nullptr);
  // No second dentry survived the unlink: the path falls back to the gfid.
  EXPECT_EQ(t.path(*a), "<gfid:" + a->gfid().str() + ">");
}

TEST(InodeTableTest, LinkOverAnExistingNameReplacesTheEntry) {
  InodeTable t;
  auto old = mk(t, t.root(), "x");
  auto replacement = mk(t, t.root(), "x");
  EXPECT_EQ(t.child(*t.root(), "x"), replacement);
  EXPECT_EQ(t.path(*replacement), "/x");
  EXPECT_EQ(t.path(*old), "<gfid:" + old->gfid().str() + ">");
  EXPECT_EQ(t.find(old->gfid()), old);  // still known by gfid while referenced
}

TEST(InodeTableTest, GfidOnlyLinkHasNoName) {
  InodeTable t;
  Gfid g = Gfid::random();
  auto i = t.link(nullptr, nullptr, "", attrs(g, S_IFDIR));
  EXPECT_EQ(t.find(g), i);
  EXPECT_EQ(t.path(*i), "<gfid:" + g.str() + ">");
  InodePtr parent;
  std::string name;
  EXPECT_FALSE(i->firstDentry(parent, name));
}

TEST(InodeTableTest, UnlinkRemovesTheNameButNotTheReferencedInode) {
  InodeTable t;
  auto f = mk(t, t.root(), "f");
  Gfid g = f->gfid();
  t.unlink(*t.root(), "f");
  EXPECT_EQ(t.child(*t.root(), "f"), nullptr);
  EXPECT_EQ(t.find(g), f);
  t.unlink(*t.root(), "f");        // unlinking a missing name is harmless
  t.unlink(*t.root(), "missing");  // as is a name never linked
  EXPECT_EQ(t.find(g), f);
}

TEST(InodeTableTest, LastReferenceGoneForgetsTheInode) {
  InodeTable t;  // no LRU
  auto f = mk(t, t.root(), "f");
  Gfid g = f->gfid();
  std::weak_ptr<Inode> w = f;
  EXPECT_EQ(t.size(), 2u);
  f.reset();
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(t.find(g), nullptr);
  EXPECT_EQ(t.child(*t.root(), "f"), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTableTest, ChildrenKeepTheirParentsAlive) {
  InodeTable t;
  auto d = mk(t, t.root(), "d", S_IFDIR);
  auto e = mk(t, d, "e", S_IFDIR);
  auto f = mk(t, e, "f");
  Gfid dg = d->gfid(), eg = e->gfid();
  d.reset();
  e.reset();
  EXPECT_EQ(t.path(*f), "/d/e/f");
  EXPECT_NE(t.find(dg), nullptr);
  EXPECT_NE(t.find(eg), nullptr);
  // Once the leaf goes, the whole chain is released.
  f.reset();
  EXPECT_EQ(t.find(dg), nullptr);
  EXPECT_EQ(t.find(eg), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTableTest, PathOfParentAndName) {
  InodeTable t;
  auto d = mk(t, t.root(), "dir", S_IFDIR);
  EXPECT_EQ(t.path(*t.root(), "x"), "/x");
  EXPECT_EQ(t.path(*d, "x"), "/dir/x");
  auto orphan = t.link(nullptr, nullptr, "", attrs(Gfid::random(), S_IFDIR));
  EXPECT_EQ(t.path(*orphan, "x"), "<gfid:" + orphan->gfid().str() + ">/x");
}

TEST(InodeTableTest, PathFallsBackToTheNearestKnownAncestorGfid) {
  InodeTable t;
  // A directory found by gfid alone (e.g. a handle from an NFS-style lookup), then names below.
  auto anchor = t.link(nullptr, nullptr, "", attrs(Gfid::random(), S_IFDIR));
  auto sub = mk(t, anchor, "sub", S_IFDIR);
  auto file = mk(t, sub, "file");
  EXPECT_EQ(t.path(*file), "<gfid:" + anchor->gfid().str() + ">/sub/file");
  EXPECT_EQ(t.path(*sub), "<gfid:" + anchor->gfid().str() + ">/sub");
}

TEST(InodeTableTest, PathOfAnUnlinkedInodeUsesItsNullGfid) {
  InodeTable t;
  auto i = t.create();
  EXPECT_EQ(t.path(*i), "<gfid:00000000-0000-0000-0000-000000000000>");
}

TEST(InodeTableTest, RenameMovesTheEntryAndTheSubtreePaths) {
  InodeTable t;
  auto a = mk(t, t.root(), "a", S_IFDIR);
  auto b = mk(t, t.root(), "b", S_IFDIR);
  auto d = mk(t, a, "d", S_IFDIR);
  auto f = mk(t, d, "f");
  t.rename(*a, "d", b, "moved");
  EXPECT_EQ(t.child(*a, "d"), nullptr);
  EXPECT_EQ(t.child(*b, "moved"), d);
  EXPECT_EQ(t.path(*d), "/b/moved");
  EXPECT_EQ(t.path(*f), "/b/moved/f");
  InodePtr parent;
  std::string name;
  ASSERT_TRUE(d->firstDentry(parent, name));
  EXPECT_EQ(parent, b);
  EXPECT_EQ(name, "moved");
}

TEST(InodeTableTest, RenameOverAnExistingNameDropsTheTarget) {
  InodeTable t;
  auto src = mk(t, t.root(), "src");
  auto dst = mk(t, t.root(), "dst");
  t.rename(*t.root(), "src", t.root(), "dst");
  EXPECT_EQ(t.child(*t.root(), "src"), nullptr);
  EXPECT_EQ(t.child(*t.root(), "dst"), src);
  EXPECT_EQ(t.path(*src), "/dst");
  EXPECT_EQ(t.path(*dst), "<gfid:" + dst->gfid().str() + ">");
}

TEST(InodeTableTest, RenameOfAnUnknownSourceStillRemovesTheTarget) {
  InodeTable t;
  auto dst = mk(t, t.root(), "dst");
  t.rename(*t.root(), "never-looked-up", t.root(), "dst");
  EXPECT_EQ(t.child(*t.root(), "dst"), nullptr);
  EXPECT_EQ(t.child(*t.root(), "never-looked-up"), nullptr);
}

TEST(InodeTableTest, RenameOntoItselfKeepsTheEntry) {
  InodeTable t;
  auto f = mk(t, t.root(), "f");
  t.rename(*t.root(), "f", t.root(), "f");
  EXPECT_EQ(t.child(*t.root(), "f"), f);
  EXPECT_EQ(t.path(*f), "/f");
}

TEST(InodeTableTest, FirstDentryIsTheFirstName) {
  InodeTable t;
  auto d = mk(t, t.root(), "d", S_IFDIR);
  auto f = mk(t, d, "f");
  InodePtr parent;
  std::string name;
  ASSERT_TRUE(f->firstDentry(parent, name));
  EXPECT_EQ(parent, d);
  EXPECT_EQ(name, "f");
  EXPECT_FALSE(t.root()->firstDentry(parent, name));
}

TEST(InodeTableTest, LocPathPrefersTheInodeThenParentAndName) {
  InodeTable t;
  auto d = mk(t, t.root(), "d", S_IFDIR);
  auto f = mk(t, d, "f");
  EXPECT_EQ((Loc{d, "f", f}).path(), "/d/f");
  EXPECT_EQ((Loc{d, "new", t.create()}).path(), "/d/new");  // creating: inode not linked yet
  EXPECT_EQ((Loc{t.root(), "top", nullptr}).path(), "/top");
  EXPECT_EQ((Loc{nullptr, "bare", nullptr}).path(), "bare");
  EXPECT_EQ((Loc{nullptr, "", f}).path(), "/d/f");
  Loc loc{d, "f", f};
  EXPECT_EQ(loc.gfid(), f->gfid());
  EXPECT_EQ(loc.parentGfid(), d->gfid());
  EXPECT_TRUE(Loc{}.gfid().isNull());
}

TEST(InodeTableTest, LruLimitZeroKeepsNothingUnreferenced) {
  InodeTable t(0);
  Gfid g = mk(t, t.root(), "f")->gfid();
  EXPECT_EQ(t.find(g), nullptr);
  EXPECT_EQ(t.child(*t.root(), "f"), nullptr);
}

TEST(InodeTableTest, LruKeepsTheMostRecentUnreferencedInodes) {
  InodeTable t(3);
  std::vector<Gfid> g;
  for (int i = 0; i < 5; ++i) g.push_back(mk(t, t.root(), "f" + std::to_string(i))->gfid());
  EXPECT_EQ(t.find(g[0]), nullptr);
  EXPECT_EQ(t.find(g[1]), nullptr);
  EXPECT_EQ(t.child(*t.root(), "f0"), nullptr);
  for (int i = 2; i < 5; ++i) {
    auto i2 = t.find(g[i]);
    ASSERT_NE(i2, nullptr) << i;
    EXPECT_EQ(t.path(*i2), "/f" + std::to_string(i));
  }
  EXPECT_EQ(t.size(), 4u);  // root + 3
}

TEST(InodeTableTest, LruUseRefreshesAnInode) {
  InodeTable t(2);
  Gfid a = mk(t, t.root(), "a")->gfid();
  Gfid b = mk(t, t.root(), "b")->gfid();
  ASSERT_NE(t.find(a), nullptr);  // a is now the most recent
  Gfid c = mk(t, t.root(), "c")->gfid();
  EXPECT_NE(t.find(a), nullptr);
  EXPECT_EQ(t.find(b), nullptr);
  EXPECT_NE(t.find(c), nullptr);
  // A lookup by name refreshes too.
  ASSERT_NE(t.child(*t.root(), "c"), nullptr);
  Gfid d = mk(t, t.root(), "d")->gfid();
  EXPECT_EQ(t.find(a), nullptr);
  EXPECT_NE(t.find(c), nullptr);
  EXPECT_NE(t.find(d), nullptr);
}

TEST(InodeTableTest, LruEvictionNeverFreesAReferencedInode) {
  InodeTable t(1);
  auto held = mk(t, t.root(), "held");
  for (int i = 0; i < 10; ++i) mk(t, t.root(), "n" + std::to_string(i));
  EXPECT_EQ(t.find(held->gfid()), held);
  EXPECT_EQ(t.child(*t.root(), "held"), held);
  EXPECT_EQ(t.path(*held), "/held");
}

TEST(InodeTableTest, LruNeverHoldsTheRoot) {
  InodeTable t(1);
  ASSERT_NE(t.find(Gfid::root()), nullptr);
  Gfid g = mk(t, t.root(), "f")->gfid();
  ASSERT_NE(t.find(Gfid::root()), nullptr);  // touching the root must not evict f
  EXPECT_NE(t.find(g), nullptr);
}

TEST(InodeTableTest, InodesOutliveTheirTable) {
  InodePtr f;
  Gfid g;
  {
    InodeTable t(4);
    auto d = mk(t, t.root(), "d", S_IFDIR);
    f = mk(t, d, "f");
    g = f->gfid();
  }
  EXPECT_EQ(f->gfid(), g);
  f.reset();  // must not touch freed table state (checked under ASan)
}

TEST(InodeTableTest, LruInodesAreReleasedWithTheTable) {
  std::weak_ptr<Inode> w;
  {
    InodeTable t(8);
    w = mk(t, t.root(), "f");
    EXPECT_FALSE(w.expired());
  }
  EXPECT_TRUE(w.expired());
}

struct DtorProbe {
  explicit DtorProbe(std::atomic<int>* c) : count(c) {}
  ~DtorProbe() { ++*count; }
  std::atomic<int>* count;
};

TEST(InodeTableTest, ContextIsReleasedWithTheInode) {
  InodeTable t;
  std::atomic<int> released{0};
  int owner = 0;
  auto f = mk(t, t.root(), "f");
  f->ctx().set(&owner, std::make_shared<DtorProbe>(&released));
  EXPECT_NE(f->ctx().get<DtorProbe>(&owner), nullptr);
  f.reset();
  EXPECT_EQ(released.load(), 1);
}

// ---- the last reference dropping inside a table operation ----------------------------------

TEST(InodeTableTest, NoDeadlockWhenUnlinkReleasesTheLastParentReference) {
  expectNoDeadlock("unlink", [] {
    InodeTable t;
    auto d = mk(t, t.root(), "d", S_IFDIR);
    auto f = mk(t, d, "f");
    Gfid dg = d->gfid();
    Inode* dir = d.get();
    d.reset();  // only f's dentry keeps the directory alive now
    t.unlink(*dir, "f");
    EXPECT_EQ(t.find(dg), nullptr);
    EXPECT_EQ(t.path(*f), "<gfid:" + f->gfid().str() + ">");
  });
}

TEST(InodeTableTest, NoDeadlockWhenRenameReleasesTheLastParentReference) {
  expectNoDeadlock("rename", [] {
    InodeTable t;
    auto d = mk(t, t.root(), "d", S_IFDIR);
    auto f = mk(t, d, "f");
    Gfid dg = d->gfid();
    Inode* dir = d.get();
    d.reset();
    t.rename(*dir, "f", t.root(), "g");
    EXPECT_EQ(t.find(dg), nullptr);
    EXPECT_EQ(t.path(*f), "/g");
  });
}

TEST(InodeTableTest, NoDeadlockWhenLruEvictionReleasesAChain) {
  expectNoDeadlock("LRU eviction", [] {
    InodeTable t(1);
    {
      auto a = mk(t, t.root(), "a", S_IFDIR);
      auto b = mk(t, a, "b", S_IFDIR);
      mk(t, b, "c");  // the LRU now holds only c; c holds b holds a
    }
    // Linking anything else evicts c, which releases b and a from inside link().
    auto other = mk(t, t.root(), "other");
    EXPECT_EQ(t.child(*t.root(), "a"), nullptr);
    EXPECT_EQ(t.size(), 2u);
  });
}

TEST(InodeTableTest, NoDeadlockWhenRelinkingANameOverAnEvictedInode) {
  expectNoDeadlock("link over name", [] {
    InodeTable t(1);
    mk(t, t.root(), "x");           // held only by the LRU
    auto y = mk(t, t.root(), "x");  // replaces the dentry and evicts the old inode
    EXPECT_EQ(t.child(*t.root(), "x"), y);
    EXPECT_EQ(t.size(), 2u);
  });
}

TEST(InodeTableTest, NoDeadlockWhenFirstDentryOverwritesTheCallersLastReference) {
  expectNoDeadlock("firstDentry", [] {
    InodeTable t;
    auto f = mk(t, t.root(), "f");
    // The caller's `parent` variable holds the only reference to another inode of this table;
    // firstDentry() overwrites it.
    InodePtr parent = mk(t, t.root(), "scratch");
    std::string name;
    ASSERT_TRUE(f->firstDentry(parent, name));
    EXPECT_EQ(parent, t.root());
    EXPECT_EQ(name, "f");
    EXPECT_EQ(t.child(*t.root(), "scratch"), nullptr);
  });
}

TEST(InodeTableTest, NoDeadlockWhenTheTableGoesWithLruChains) {
  expectNoDeadlock("table destructor", [] {
    InodeTable t(100);
    InodePtr dir = t.root();
    for (int i = 0; i < 50; ++i) dir = mk(t, dir, "d" + std::to_string(i), S_IFDIR);
    dir.reset();
  });
}

// ---- threads ---------------------------------------------------------------------------------

TEST(InodeTableTest, ConcurrentOperationsKeepTheTableConsistent) {
  InodeTable t(32);
  constexpr int kThreads = 4;
  constexpr int kIters = 20000;
  std::vector<Gfid> dirs;
  std::vector<InodePtr> pinned;
  for (int i = 0; i < 4; ++i) {
    pinned.push_back(mk(t, t.root(), "dir" + std::to_string(i), S_IFDIR));
    dirs.push_back(pinned.back()->gfid());
  }
  // A few gfids shared by all threads so that links race on the same identity (hard links).
  std::vector<Gfid> shared(8);
  for (auto& g : shared) g = Gfid::random();

  std::atomic<int> problems{0};
  auto worker = [&](int seed) {
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    std::vector<InodePtr> held;
    for (int i = 0; i < kIters; ++i) {
      InodePtr dir = pinned[pick(pinned.size())];
      std::string name = "n" + std::to_string(pick(16));
      switch (pick(8)) {
        case 0: {
          Gfid g = pick(2) ? shared[pick(shared.size())] : Gfid::random();
          auto in = t.link(t.create(), dir, name, attrs(g, S_IFREG));
          if (!in || in->gfid() != g) ++problems;
          if (pick(4) == 0) held.push_back(in);
          break;
        }
        case 1:
          t.unlink(*dir, name);
          break;
        case 2:
          t.rename(*dir, name, pinned[pick(pinned.size())], "n" + std::to_string(pick(16)));
          break;
        case 3:
          if (auto c = t.child(*dir, name)) {
            std::string p = t.path(*c);
            if (p.empty() || (p[0] != '/' && p.rfind("<gfid:", 0) != 0)) ++problems;
          }
          break;
        case 4:
          if (auto c = t.find(shared[pick(shared.size())])) {
            InodePtr parent;
            std::string n;
            if (c->firstDentry(parent, n) && (!parent || n.empty())) ++problems;
          }
          break;
        case 5:
          if (!held.empty()) held.erase(held.begin() + static_cast<long>(pick(held.size())));
          break;
        case 6: {
          Loc loc{dir, name, t.child(*dir, name)};
          if (loc.path().empty()) ++problems;
          break;
        }
        default:
          if (t.find(dirs[pick(dirs.size())]) == nullptr) ++problems;  // pinned: always found
          break;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker, 1000 + i);
  for (auto& th : threads) th.join();
  EXPECT_EQ(problems.load(), 0);
  EXPECT_EQ(t.path(*t.root()), "/");
  for (size_t i = 0; i < pinned.size(); ++i)
    EXPECT_EQ(t.path(*pinned[i]), "/dir" + std::to_string(i));
  pinned.clear();
  // With everything released, only the root and what the LRU keeps (at most 32 entries plus the
  // directories they pin) remain.
  EXPECT_LE(t.size(), 1u + 32u + 4u);
}

}  // namespace
}  // namespace gf
