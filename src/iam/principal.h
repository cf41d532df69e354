// Principal: who a request acts as, resolved from its credentials. Plain value type.
#pragma once

#include <string>

namespace kiroku::iam {

struct Principal {
  enum class Type { kRoot, kUser, kAssumedRole, kService };

  Type type = Type::kRoot;
  std::string account_id;
  std::string arn;      // arn:aws:iam::<acct>:root, ...:user/<path><name>, ...
  std::string user_id;  // GetCallerIdentity's UserId: the account id for root, AIDA... for users
  std::string name;     // user name, role session name, or service name; empty for root
};

// The root principal of `account_id`.
Principal RootPrincipal(const std::string& account_id);

}  // namespace kiroku::iam
