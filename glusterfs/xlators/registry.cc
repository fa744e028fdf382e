// SPDX-License-Identifier: GPL-3.0-or-later
// Registry of built-in translators: the one place that maps volfile type names to classes.
#include "glusterfs/xlators/registry.h"

#include <cstdint>

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
  });
  (void)kAny;
  return registry;
}

}  // namespace gf
