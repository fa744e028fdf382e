// SPDX-License-Identifier: GPL-3.0-or-later
// Authentication of clients for one exported volume, as GlusterFS 2.0's auth/addr and
// auth/login modules: a connection is accepted only when no module rejects it and at least
// one accepts it; with no rules at all, every client is refused.
#pragma once

#include <map>
#include <string>

namespace gf {

struct AuthRules {
  // volume -> comma list of address patterns ('*' and '?' wildcards)
  std::map<std::string, std::string> addrAllow, addrReject;
  // volume -> comma list of user names; user -> password
  std::map<std::string, std::string> loginAllow, passwords;
};

struct AuthVerdict {
  bool accepted = false;
  std::string reason;  // why it was refused (or which rule accepted it)
};

AuthVerdict authenticate(const AuthRules& rules, const std::string& volume,
                         const std::string& peerAddress, const std::string& username,
                         const std::string& password);

}  // namespace gf
