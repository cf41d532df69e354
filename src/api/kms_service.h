// KMS operations (awsJson 1.1, TrentService): keys, key policies, aliases, rotation, deletion,
// grants, tags and cryptography, each declared with its IAM action, the key ARN it acts on,
// the key policy as the resource policy (which must allow explicitly, as on AWS), its grants,
// and the KMS condition keys (kms:EncryptionContext:*, kms:EncryptionContextKeys,
// kms:CallerAccount, kms:RequestAlias, kms:ViaService, kms:GrantIsForAWSResource).
#pragma once

#include "api/operation.h"
#include "iam/identity_store.h"
#include "kms/key_store.h"

namespace kiroku::api {

// `keys` and `identities` must outlive the table.
void AddKmsOperations(OperationTable& table, kms::KeyStore& keys,
                      const iam::IdentityStore& identities);

}  // namespace kiroku::api
