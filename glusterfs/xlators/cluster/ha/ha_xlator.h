// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/ha: several connections (children) to the same server volume, e.g. over two network
// paths. Fops use the first live child; a fop failing with ENOTCONN is replayed on the next
// live one. Open files follow: an fd is opened on a child the first time it is used there,
// and its record locks are taken again. Replays of name changes are recognised: a replayed
// create that finds its own gfid (ha picks one when the caller leaves it to the server), or a
// replayed unlink that finds nothing, succeeded the first time.
#pragma once

#include <mutex>
#include <vector>

#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"

namespace gf {

class HaXlator : public Xlator {
 public:
  struct Config {
    std::string preferred;  // child to use while it is up (default: the first)
  };
  static const OptionTable<Config>& optionTable();
  HaXlator(const XlatorArgs& args, Config config);
  Status init() override;
  void notify(const Event& ev) override;

#define GF_HA_FOP_(name, Req, Rep, flags) \
  Task<Result<Rep>> name(const CallCtx& ctx, const Req& req) override;
  GF_FOP_LIST(GF_HA_FOP_)
#undef GF_HA_FOP_

  // Children to try, the preferred live one first.
  std::vector<size_t> order() const;
  size_t childCount() const { return children().size(); }

 private:
  Config config_;
  int preferred_ = 0;
  mutable std::mutex mutex_;
  std::vector<bool> up_;
  bool announcedUp_ = false;
};

}  // namespace gf
