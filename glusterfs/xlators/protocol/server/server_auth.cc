// SPDX-License-Identifier: GPL-3.0-or-later
// auth/addr and auth/login rules.
#include "glusterfs/xlators/protocol/server/server_auth.h"

#include <fnmatch.h>

#include <sstream>

namespace gf {
namespace {

enum class Vote { kDontCare, kAccept, kReject };

bool listMatches(const std::string& list, const std::string& value) {
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, e - b + 1);
    if (fnmatch(item.c_str(), value.c_str(), 0) == 0) return true;
  }
  return false;
}

Vote addrVote(const AuthRules& r, const std::string& vol, const std::string& peer,
              std::string& why) {
  auto rej = r.addrReject.find(vol);
  if (rej != r.addrReject.end() && listMatches(rej->second, peer)) {
    why = "address " + peer + " is rejected for volume " + vol;
    return Vote::kReject;
  }
  auto allow = r.addrAllow.find(vol);
  if (allow == r.addrAllow.end()) return Vote::kDontCare;
  if (listMatches(allow->second, peer)) {
    why = "address " + peer + " allowed";
    return Vote::kAccept;
  }
  why = "address " + peer + " is not allowed for volume " + vol;
  return Vote::kReject;
}

Vote loginVote(const AuthRules& r, const std::string& vol, const std::string& user,
               const std::string& pass, std::string& why) {
  auto allow = r.loginAllow.find(vol);
  if (allow == r.loginAllow.end() || user.empty()) return Vote::kDontCare;
  if (!listMatches(allow->second, user)) {
    why = "user '" + user + "' is not allowed for volume " + vol;
    return Vote::kReject;
  }
  auto pw = r.passwords.find(user);
  if (pw == r.passwords.end()) {
    why = "unknown user '" + user + "' (no auth.login." + user + ".password)";
    return Vote::kReject;
  }
  if (pw->second != pass) {
    why = "wrong password for user '" + user + "'";
    return Vote::kReject;
  }
  why = "user '" + user + "' authenticated";
  return Vote::kAccept;
}

}  // namespace

AuthVerdict authenticate(const AuthRules& rules, const std::string& volume,
                         const std::string& peerAddress, const std::string& username,
                         const std::string& password) {
  std::string addrWhy, loginWhy;
  Vote a = addrVote(rules, volume, peerAddress, addrWhy);
  Vote l = loginVote(rules, volume, username, password, loginWhy);
  if (a == Vote::kReject) return {false, addrWhy};
  if (l == Vote::kReject) return {false, loginWhy};
  if (a == Vote::kAccept || l == Vote::kAccept) return {true, a == Vote::kAccept ? addrWhy : loginWhy};
  return {false, "no authentication rule allows volume " + volume +
                     " (set auth.addr." + volume + ".allow or auth.login." + volume + ".allow)"};
}

}  // namespace gf
