// KmsService: the KMS operations (awsJson 1.1, TrentService) over kms::KeyStore — keys, key
// policies, rotation and tags, aliases, grants and cryptography (docs/kms.md). Each operation is
// declared in kms_service.cc with its IAM action, the key ARN it acts on, the key policy as the
// resource policy (which must allow explicitly, as on AWS), its grants, and the KMS condition
// keys (kms:EncryptionContext:*, kms:EncryptionContextKeys, kms:CallerAccount,
// kms:RequestAlias, kms:ViaService, aws:RequestTag/*, aws:ResourceTag/*). The handlers are split
// by resource: keys.cc, key_settings.cc (key policies, rotation, tags), aliases.cc, grants.cc
// and cryptography.cc; authorization.cc holds what the rows' authorization shares.
//
// Thread-safe: handlers and authorization callbacks may run concurrently (the stores are, and
// the key policy cache has its own lock).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/operation.h"
#include "iam/identity_store.h"
#include "kms/key_store.h"
#include "policy/policy.h"

namespace kiroku::services {

class KmsService : public api::Service {
 public:
  // `keys` and `identities` must outlive the service.
  KmsService(kms::KeyStore& keys, const iam::IdentityStore& identities);
  ~KmsService() override;

  // The rows refer to this object, which must outlive the table they are added to.
  std::vector<api::Operation> Operations() const override;

 private:
  using RequestContext = api::RequestContext;
  using Json = Result<boost::json::value>;
  class KeyPolicyCache;

  // keys.cc
  Json CreateKey(RequestContext& ctx) const;
  Json DescribeKey(RequestContext& ctx) const;
  Json ListKeys(RequestContext& ctx) const;
  Json EnableKey(RequestContext& ctx) const;
  Json DisableKey(RequestContext& ctx) const;
  Json UpdateKeyDescription(RequestContext& ctx) const;
  Json ScheduleKeyDeletion(RequestContext& ctx) const;
  Json CancelKeyDeletion(RequestContext& ctx) const;
  // custom_key_stores.cc
  Json DescribeCustomKeyStores(RequestContext& ctx) const;
  // key_settings.cc: key policies, rotation, tags
  Json GetKeyPolicy(RequestContext& ctx) const;
  Json ListKeyPolicies(RequestContext& ctx) const;
  Json PutKeyPolicy(RequestContext& ctx) const;
  Json EnableKeyRotation(RequestContext& ctx) const;
  Json DisableKeyRotation(RequestContext& ctx) const;
  Json GetKeyRotationStatus(RequestContext& ctx) const;
  Json RotateKeyOnDemand(RequestContext& ctx) const;
  Json ListKeyRotations(RequestContext& ctx) const;
  Json TagResource(RequestContext& ctx) const;
  Json UntagResource(RequestContext& ctx) const;
  Json ListResourceTags(RequestContext& ctx) const;
  // aliases.cc
  Json CreateAlias(RequestContext& ctx) const;
  Json UpdateAlias(RequestContext& ctx) const;
  Json DeleteAlias(RequestContext& ctx) const;
  Json ListAliases(RequestContext& ctx) const;
  // grants.cc
  Json CreateGrant(RequestContext& ctx) const;
  Json ListGrants(RequestContext& ctx) const;
  Json RevokeGrant(RequestContext& ctx) const;
  Json RetireGrant(RequestContext& ctx) const;
  // cryptography.cc
  Json Encrypt(RequestContext& ctx) const;
  Json Decrypt(RequestContext& ctx) const;
  Json ReEncrypt(RequestContext& ctx) const;
  Json GenerateDataKey(RequestContext& ctx) const;
  Json GenerateDataKeyWithoutPlaintext(RequestContext& ctx) const;
  Json GenerateRandom(RequestContext& ctx) const;
  Json NewDataKey(RequestContext& ctx, bool with_plaintext) const;

  // authorization.cc: how the rows are authorized.
  // On the key named by the input member `key_member`, with its key policy, its grants, the
  // KMS condition keys and aws:ResourceTag/* of that key.
  api::Authorization KeyAuthorization(std::string key_member = "KeyId") const;
  // Decrypt, ReEncrypt: on the key named by the ciphertext (or by KeyId / SourceKeyId).
  api::Authorization CiphertextKeyAuthorization() const;
  // CreateAlias, UpdateAlias: on the alias and on the key TargetKeyId names.
  api::Authorization AliasAndKeyAuthorization() const;
  // DeleteAlias: on the alias only.
  api::Authorization AliasAuthorization() const;
  // CreateKey, ListKeys, ListAliases, GenerateRandom: on "*", with the KMS condition keys.
  api::Authorization AccountAuthorization() const;

  // The ARN of the key the input member `member` names ("*" when the member is empty).
  Result<std::vector<std::string>> KeyNamedBy(const RequestContext& ctx,
                                              std::string_view member) const;
  // The key policy of a key ARN `resource` (none for other resources).
  Result<std::optional<policy::Policy>> KeyPolicyOf(const RequestContext& ctx,
                                                    const std::string& resource) const;
  // Whether a grant to the caller on the key `resource` lists `grant_operation` ("Decrypt")
  // and its encryption-context constraints hold.
  bool GrantAllows(const RequestContext& ctx, const std::string& resource,
                   std::string_view grant_operation) const;
  // The lockout safety check: unless the request bypasses it, a new key policy must still let
  // the caller call kms:PutKeyPolicy on `key_arn`. MalformedPolicyDocumentException if not.
  Status CheckLockout(const RequestContext& ctx, const policy::Policy& new_policy,
                      const std::string& key_arn) const;

  kms::KeyStore& keys_;
  const iam::IdentityStore& identities_;
  std::unique_ptr<KeyPolicyCache> policy_cache_;
};

}  // namespace kiroku::services
