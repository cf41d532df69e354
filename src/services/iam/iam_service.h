// IAM operations (users, groups, roles, inline and managed policies, access keys, login
// profiles, virtual MFA devices, account alias and password policy, tags,
// GetAccountAuthorizationDetails), each with its authorization as the AWS Service Authorization
// Reference declares it. Handlers read the decoded input object and answer the output object;
// iam::IdentityStore does the work.
#pragma once

#include "api/operation.h"
#include "iam/identity_store.h"

namespace kiroku::api {

// `identities` must outlive the table.
void AddIamOperations(OperationTable& table, iam::IdentityStore& identities);

}  // namespace kiroku::api
