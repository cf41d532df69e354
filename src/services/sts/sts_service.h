// STS operations: GetCallerIdentity, GetSessionToken and AssumeRole (docs/sts.md).
#pragma once

#include "api/stages.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"

namespace kiroku::api {

// `identities` and `sessions` must outlive the table.
void AddStsOperations(OperationTable& table, const iam::IdentityStore& identities,
                      iam::SessionStore& sessions);

}  // namespace kiroku::api
