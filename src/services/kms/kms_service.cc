// The KMS operation table: one row per operation with its IAM action, whether it only reads
// (CloudTrail's readOnly), its event category (every KMS operation is a management event), the
// handler and how it is authorized (authorization.cc).
#include "services/kms/kms_service.h"

namespace kiroku::services {

std::vector<api::Operation> KmsService::Operations() const {
  using api::Access;
  using api::EventCategory;
  using api::Handler;
  using S = KmsService;
  // clang-format off
  return {
      // Keys (keys.cc).
      {"kms", "CreateKey", "kms:CreateKey", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::CreateKey), AccountAuthorization()},
      {"kms", "DescribeKey", "kms:DescribeKey", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::DescribeKey), KeyAuthorization()},
      {"kms", "ListKeys", "kms:ListKeys", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::ListKeys), AccountAuthorization()},
      // Custom key stores (custom_key_stores.cc).
      {"kms", "DescribeCustomKeyStores", "kms:DescribeCustomKeyStores", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::DescribeCustomKeyStores),
       AccountAuthorization()},
      {"kms", "EnableKey", "kms:EnableKey", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::EnableKey), KeyAuthorization()},
      {"kms", "DisableKey", "kms:DisableKey", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::DisableKey), KeyAuthorization()},
      {"kms", "UpdateKeyDescription", "kms:UpdateKeyDescription", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::UpdateKeyDescription), KeyAuthorization()},
      {"kms", "ScheduleKeyDeletion", "kms:ScheduleKeyDeletion", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::ScheduleKeyDeletion), KeyAuthorization()},
      {"kms", "CancelKeyDeletion", "kms:CancelKeyDeletion", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::CancelKeyDeletion), KeyAuthorization()},

      // Key policies, rotation and tags (key_settings.cc).
      {"kms", "GetKeyPolicy", "kms:GetKeyPolicy", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::GetKeyPolicy), KeyAuthorization()},
      {"kms", "ListKeyPolicies", "kms:ListKeyPolicies", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::ListKeyPolicies), KeyAuthorization()},
      {"kms", "PutKeyPolicy", "kms:PutKeyPolicy", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::PutKeyPolicy), KeyAuthorization()},
      {"kms", "EnableKeyRotation", "kms:EnableKeyRotation", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::EnableKeyRotation), KeyAuthorization()},
      {"kms", "DisableKeyRotation", "kms:DisableKeyRotation", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::DisableKeyRotation), KeyAuthorization()},
      {"kms", "GetKeyRotationStatus", "kms:GetKeyRotationStatus", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::GetKeyRotationStatus), KeyAuthorization()},
      {"kms", "RotateKeyOnDemand", "kms:RotateKeyOnDemand", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::RotateKeyOnDemand), KeyAuthorization()},
      {"kms", "ListKeyRotations", "kms:ListKeyRotations", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::ListKeyRotations), KeyAuthorization()},
      {"kms", "TagResource", "kms:TagResource", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::TagResource), KeyAuthorization()},
      {"kms", "UntagResource", "kms:UntagResource", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::UntagResource), KeyAuthorization()},
      {"kms", "ListResourceTags", "kms:ListResourceTags", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::ListResourceTags), KeyAuthorization()},

      // Aliases (aliases.cc): CreateAlias and UpdateAlias are checked on the alias and the key.
      {"kms", "CreateAlias", "kms:CreateAlias", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::CreateAlias), AliasAndKeyAuthorization()},
      {"kms", "UpdateAlias", "kms:UpdateAlias", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::UpdateAlias), AliasAndKeyAuthorization()},
      {"kms", "DeleteAlias", "kms:DeleteAlias", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::DeleteAlias), AliasAuthorization()},
      {"kms", "ListAliases", "kms:ListAliases", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::ListAliases), AccountAuthorization()},

      // Grants (grants.cc).
      {"kms", "CreateGrant", "kms:CreateGrant", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::CreateGrant), KeyAuthorization()},
      {"kms", "ListGrants", "kms:ListGrants", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::ListGrants), KeyAuthorization()},
      {"kms", "RevokeGrant", "kms:RevokeGrant", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::RevokeGrant), KeyAuthorization()},
      // No action: RetireGrant is authorized by the grant itself (its retiring principal, or
      // its grantee when it lists RetireGrant), whatever the policies say; see grants.cc.
      {"kms", "RetireGrant", "", Access::kWrite, EventCategory::kManagement,
       Handler(this, &S::RetireGrant), {}},

      // Cryptography (cryptography.cc). ReEncrypt needs kms:ReEncryptFrom on the source key
      // (checked here) and kms:ReEncryptTo on the destination (checked by its handler).
      {"kms", "Encrypt", "kms:Encrypt", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::Encrypt), KeyAuthorization()},
      {"kms", "Decrypt", "kms:Decrypt", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::Decrypt), CiphertextKeyAuthorization()},
      {"kms", "ReEncrypt", "kms:ReEncryptFrom", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::ReEncrypt), CiphertextKeyAuthorization()},
      {"kms", "GenerateDataKey", "kms:GenerateDataKey", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::GenerateDataKey), KeyAuthorization()},
      {"kms", "GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext",
       Access::kRead, EventCategory::kManagement,
       Handler(this, &S::GenerateDataKeyWithoutPlaintext), KeyAuthorization()},
      {"kms", "GenerateRandom", "kms:GenerateRandom", Access::kRead, EventCategory::kManagement,
       Handler(this, &S::GenerateRandom), AccountAuthorization()},
  };
  // clang-format on
}

}  // namespace kiroku::services
