// SPDX-License-Identifier: GPL-3.0-or-later
// The explicit list of translator types this build knows, by their 2.0 volfile names.
#pragma once

#include "glusterfs/core/graph.h"

namespace gf {

const XlatorRegistry& builtinXlators();

}  // namespace gf
