// The IAM policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy,
// GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy, answered by the same
// policy engine that authorizes every request (docs/sts.md, "Policy simulator").
//
// Simulator contract (the conventions of the shared IAM corpus):
//   - the request context is exactly the given ContextEntries: no global keys are added, and a
//     key that is not given is absent (absent-key rules apply); key names ignore case;
//   - `date` values are ISO 8601 in UTC or epoch seconds; aws:EpochTime may be `numeric` too;
//   - a ResourcePolicy for an arn:aws:kms: resource is a KMS key policy (must allow explicitly),
//     otherwise a resource-based policy; CallerArn (an IAM user) is required with it;
//   - ResourceOwner (account id or arn:aws:iam::<account>:root) names the resource's account.
#pragma once

#include "api/operation.h"
#include "iam/identity_store.h"

namespace kiroku::api {

// `identities` must outlive the table.
void AddIamSimulatorOperations(OperationTable& table, const iam::IdentityStore& identities);

}  // namespace kiroku::api
