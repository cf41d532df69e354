// Cryptography: Encrypt, Decrypt, ReEncrypt (with its second check, kms:ReEncryptTo on the
// destination key), GenerateDataKey with and without plaintext, GenerateRandom. Plaintext is
// cleansed from memory once encoded.
#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/secret.h"
#include "policy/evaluator.h"
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

using Json = Result<json::value>;

Json KmsService::Encrypt(RequestContext& ctx) const {
  std::string ref = Str(ctx.input, "KeyId");
  ASSIGN_OR_RETURN(std::string plaintext, Blob(ctx.input, "Plaintext"));
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.DescribeKey(ScopeOf(ctx), ref));
  ASSIGN_OR_RETURN(std::string blob, keys_.Encrypt(ScopeOf(ctx), ref, plaintext,
                                                   Context(ctx.input, "EncryptionContext")));
  crypto::Cleanse(plaintext);
  return json::value{{"CiphertextBlob", Base64Encode(blob)},
                     {"KeyId", key.arn},
                     {"EncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
}

Json KmsService::Decrypt(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string blob, Blob(ctx.input, "CiphertextBlob"));
  ASSIGN_OR_RETURN(kms::DecryptResult result,
                   keys_.Decrypt(ScopeOf(ctx), blob, Context(ctx.input, "EncryptionContext"),
                                 Str(ctx.input, "KeyId")));
  json::value out{{"KeyId", result.key_arn},
                  {"Plaintext", Base64Encode(result.plaintext)},
                  {"EncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
                  {"KeyMaterialId", result.key_material_id}};
  crypto::Cleanse(result.plaintext);
  return out;
}

// The pipeline checked kms:ReEncryptFrom on the source key (the row's action); the destination
// needs kms:ReEncryptTo, checked here through the same evaluator, key policy and grants.
Json KmsService::ReEncrypt(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string blob, Blob(ctx.input, "CiphertextBlob"));
  std::string destination = Str(ctx.input, "DestinationKeyId");
  ASSIGN_OR_RETURN(kms::KeyMetadata dest, keys_.DescribeKey(ScopeOf(ctx), destination));
  {
    ASSIGN_OR_RETURN(policy::PolicySet set, identities_.PoliciesFor(ctx.principal));
    ASSIGN_OR_RETURN(set.resource, KeyPolicyOf(ctx, dest.arn));
    policy::RequestContext request;
    request.principal = ctx.principal;
    request.action = "kms:ReEncryptTo";
    request.resource = dest.arn;
    policy::AddPrincipalKeys(ctx.principal, request.keys);
    KmsContextKeys(ctx, request.keys);
    policy::Decision d = policy::Evaluate(set, request);
    if (!d.allowed() && !GrantAllows(ctx, dest.arn, "ReEncryptTo")) {
      return policy::AccessDeniedError(request, d);
    }
  }
  ASSIGN_OR_RETURN(kms::DecryptResult source,
                   keys_.Decrypt(ScopeOf(ctx), blob, Context(ctx.input, "SourceEncryptionContext"),
                                 Str(ctx.input, "SourceKeyId")));
  ASSIGN_OR_RETURN(std::string out_blob,
                   keys_.Encrypt(ScopeOf(ctx), destination, source.plaintext,
                                 Context(ctx.input, "DestinationEncryptionContext")));
  crypto::Cleanse(source.plaintext);
  return json::value{{"CiphertextBlob", Base64Encode(out_blob)},
                     {"SourceKeyId", source.key_arn},
                     {"KeyId", dest.arn},
                     {"SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
                     {"DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
}

Json KmsService::GenerateDataKey(RequestContext& ctx) const { return NewDataKey(ctx, true); }

Json KmsService::GenerateDataKeyWithoutPlaintext(RequestContext& ctx) const {
  return NewDataKey(ctx, false);
}

Json KmsService::NewDataKey(RequestContext& ctx, bool with_plaintext) const {
  std::string spec = Str(ctx.input, "KeySpec");
  std::optional<int64_t> n = Int(ctx.input, "NumberOfBytes");
  if (!spec.empty() && n) return Validation("Specify either KeySpec or NumberOfBytes, not both");
  if (spec.empty() && !n) return Validation("Specify either KeySpec or NumberOfBytes");
  size_t bytes = n ? static_cast<size_t>(*n) : spec == "AES_256" ? 32 : spec == "AES_128" ? 16 : 0;
  if (bytes == 0) return Validation("KeySpec must be AES_256 or AES_128");
  ASSIGN_OR_RETURN(kms::DataKey key,
                   keys_.GenerateDataKey(ScopeOf(ctx), Str(ctx.input, "KeyId"), bytes,
                                         Context(ctx.input, "EncryptionContext"), with_plaintext));
  json::object out{{"CiphertextBlob", Base64Encode(key.ciphertext_blob)}, {"KeyId", key.key_arn}};
  if (with_plaintext) {
    out["Plaintext"] = Base64Encode(key.plaintext);
    crypto::Cleanse(key.plaintext);
  }
  return json::value(std::move(out));
}

Json KmsService::GenerateRandom(RequestContext& ctx) const {
  int64_t n = Int(ctx.input, "NumberOfBytes").value_or(0);
  if (n < 1 || n > 1024) return Validation("NumberOfBytes must be between 1 and 1024");
  return json::value{{"Plaintext", Base64Encode(crypto::RandomBytes(static_cast<size_t>(n)))}};
}

}  // namespace kiroku::services
