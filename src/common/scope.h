// Scope: whose resources a call acts on and where — the caller's account and the request's
// region. One type for every service (KMS keys, log groups, trails are all looked up in one).
#pragma once

#include <string>

namespace kiroku {

struct Scope {
  std::string account;
  std::string region;
};

}  // namespace kiroku
