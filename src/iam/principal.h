// Principal: who a request acts as, resolved from its credentials. It is the policy engine's
// principal type, so what iam resolves is exactly what policies are evaluated against.
#pragma once

#include <string>

#include "policy/context.h"

namespace kiroku::iam {

using Principal = policy::Principal;
using PrincipalType = policy::PrincipalType;

// The root user of `account_id`: arn:aws:iam::<acct>:root, user id = the account id.
Principal RootPrincipal(const std::string& account_id);

}  // namespace kiroku::iam
