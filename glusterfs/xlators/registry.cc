// SPDX-License-Identifier: GPL-3.0-or-later
// Registry of built-in translators: the one place that maps volfile type names to classes.
#include "glusterfs/xlators/registry.h"

#include <cstdint>

#include "glusterfs/xlators/debug/error-gen/error_gen_xlator.h"
#include "glusterfs/xlators/debug/trace/trace_xlator.h"
#include "glusterfs/xlators/features/filter/filter_xlator.h"
#include "glusterfs/xlators/cluster/distribute/distribute_xlator.h"
#include "glusterfs/xlators/cluster/ha/ha_xlator.h"
#include "glusterfs/xlators/cluster/replicate/replicate_xlator.h"
#include "glusterfs/xlators/cluster/stripe/stripe_xlator.h"
#include "glusterfs/xlators/cluster/unify/unify_xlator.h"
#include "glusterfs/xlators/features/index/index_xlator.h"
#include "glusterfs/xlators/features/locks/locks_xlator.h"
#include "glusterfs/xlators/performance/io-cache/io_cache_xlator.h"
#include "glusterfs/xlators/performance/io-threads/io_threads_xlator.h"
#include "glusterfs/xlators/performance/quick-read/quick_read_xlator.h"
#include "glusterfs/xlators/performance/read-ahead/read_ahead_xlator.h"
#include "glusterfs/xlators/performance/stat-prefetch/stat_prefetch_xlator.h"
#include "glusterfs/xlators/performance/write-behind/write_behind_xlator.h"
#include "glusterfs/xlators/protocol/client/client_xlator.h"
#include "glusterfs/xlators/protocol/server/server_xlator.h"
#include "glusterfs/xlators/storage/bdb/bdb_xlator.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {

namespace {
constexpr size_t kAny = SIZE_MAX;

template <class X>
XlatorType entry(std::string type, std::vector<std::string> aliases, size_t minChildren,
                 size_t maxChildren, std::string summary) {
  return XlatorType{std::move(type), std::move(aliases), std::move(summary), minChildren,
                    maxChildren,     &optionsOf<X>,      &makeXlator<X>};
}
}  // namespace

const XlatorRegistry& builtinXlators() {
  static const XlatorRegistry registry({
      // entry<Class>("category/name", {aliases}, minChildren, maxChildren, "summary"),
      entry<PosixXlator>("storage/posix", {}, 0, 0, "files in a local brick directory"),
      entry<BdbXlator>("storage/bdb", {}, 0, 0,
                       "small files in Berkeley DB, directories on disk"),
      entry<MemoryXlator>("storage/memory", {}, 0, 0, "a volume kept in memory (tests, scratch)"),
      entry<LocksXlator>("features/locks", {"features/posix-locks"}, 1, 1,
                         "fcntl and flock locks, inodelk and entrylk domains"),
      entry<FilterXlator>("features/filter", {}, 1, 1, "read-only volume, uid/gid squash and maps"),
      entry<TraceXlator>("debug/trace", {}, 1, 1, "logs every fop call and reply"),
      entry<ErrorGenXlator>("debug/error-gen", {}, 1, 1, "fails chosen fops (fault injection)"),
      entry<IoThreadsXlator>("performance/io-threads", {}, 1, 1,
                             "runs fops on worker threads (keep blocking calls off the network)"),
      entry<WriteBehindXlator>("performance/write-behind", {}, 1, 1,
                               "acknowledges writes at once, sends them behind, joined"),
      entry<ReadAheadXlator>("performance/read-ahead", {}, 1, 1,
                             "fetches ahead of sequential readers"),
      entry<IoCacheXlator>("performance/io-cache", {}, 1, 1,
                           "client-side page cache shared by all opens of a file"),
      entry<QuickReadXlator>("performance/quick-read", {}, 1, 1,
                             "small files read with their lookup"),
      entry<StatPrefetchXlator>("performance/stat-prefetch", {}, 1, 1,
                                "attributes from directory listings answer lookups"),
      entry<ClientXlator>("protocol/client", {}, 0, 0, "a remote subvolume on a glusterfsd"),
      entry<ServerXlator>("protocol/server", {}, 1, kAny, "exports subvolumes to clients"),
      entry<ReplicateXlator>("cluster/replicate", {"cluster/afr"}, 2, kAny,
                             "N-way replication with changelogs and self-heal"),
      entry<DistributeXlator>("cluster/distribute", {"cluster/dht"}, 1, kAny,
                              "one namespace over many children, files placed by name hash"),
      entry<NufaXlator>("cluster/nufa", {}, 1, kAny,
                        "distribute that creates new files on the local child"),
      entry<StripeXlator>("cluster/stripe", {}, 2, 256,
                          "a file's blocks spread round-robin over the children"),
      entry<HaXlator>("cluster/ha", {}, 2, kAny,
                      "several paths to one volume; calls move to a live path"),
      entry<UnifyXlator>("cluster/unify", {}, 1, kAny,
                         "files on one child each (by a scheduler), names in a namespace volume"),
      entry<IndexXlator>("features/index", {}, 1, 1,
                         "the brick's index of files with pending replication changes"),
  });
  return registry;
}

}  // namespace gf
