// SPDX-License-Identifier: GPL-3.0-or-later
// Internal logging of both lfp backends through the sink set with lfp::setLogSink.
#pragma once

#include "lfp/lfp.h"

namespace lfp::detail {

void log(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace lfp::detail
