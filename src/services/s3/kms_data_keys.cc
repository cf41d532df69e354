#include "services/s3/kms_data_keys.h"

#include "api/json_members.h"
#include "common/arn.h"
#include "common/encoding.h"

namespace kiroku::services {
namespace json = boost::json;
namespace {

// KMS's encryption context for an object: the caller's pairs and aws:s3:arn.
json::object KmsContext(std::string_view bucket, std::string_view key,
                        const std::map<std::string, std::string>& context) {
  json::object out;
  for (const auto& [k, v] : context) out[k] = v;
  out["aws:s3:arn"] = Arn::S3(std::string(bucket) + "/" + std::string(key)).ToString();
  return out;
}

}  // namespace

api::InternalCall SseKmsDataKeys::KmsCall(std::string operation, json::object input) const {
  api::InternalCall call;
  call.principal = requester_.principal;
  call.account = requester_.account;
  call.region = requester_.region;
  call.service = "kms";
  call.operation = std::move(operation);
  call.input = std::move(input);
  // A service calling S3 for a resource of its own (CloudTrail for a trail) names it; KMS sees
  // the same aws:SourceArn / aws:SourceAccount when S3 asks for the data key on its behalf.
  if (!requester_.source_arn.empty()) call.input["SourceArn"] = requester_.source_arn;
  if (!requester_.source_account.empty()) {
    call.input["SourceAccount"] = requester_.source_account;
  }
  return call;
}

Result<s3::NewDataKey> SseKmsDataKeys::Generate(std::string_view bucket, std::string_view key,
                                                const s3::Protection& protection) {
  if (protection.sse != "aws:kms") {
    return sse_s3_.Generate(bucket, key, {"AES256", protection.kms_key_id, protection.context});
  }
  ASSIGN_OR_RETURN(
      json::value result,
      kms_.Call(KmsCall(
          "GenerateDataKey",
          {{"KeyId", protection.kms_key_id.empty() ? "alias/aws/s3" : protection.kms_key_id},
           {"KeySpec", "AES_256"},
           {"EncryptionContext", KmsContext(bucket, key, protection.context)}})));
  s3::NewDataKey out;
  out.segment.sse = "aws:kms";
  out.segment.encryption_context = protection.context;
  std::string plain = Base64Decode(api::Str(result.as_object(), "Plaintext")).value_or("");
  out.plaintext = crypto::SecretBytes::TakeFrom(&plain);
  out.segment.wrapped_key =
      Base64Decode(api::Str(result.as_object(), "CiphertextBlob")).value_or("");
  out.segment.kms_key_id = api::Str(result.as_object(), "KeyId");
  return out;
}

Status SseKmsDataKeys::Seal(const crypto::SecretBytes& plaintext, s3::Segment& segment) {
  if (segment.sse == "aws:kms") return Status::Ok();  // KMS wrapped it in Generate
  return sse_s3_.Seal(plaintext, segment);
}

Result<crypto::SecretBytes> SseKmsDataKeys::Open(std::string_view bucket, std::string_view key,
                                                 const s3::Segment& segment) {
  if (segment.sse != "aws:kms") return sse_s3_.Open(bucket, key, segment);
  ASSIGN_OR_RETURN(
      json::value result,
      kms_.Call(KmsCall("Decrypt", {{"CiphertextBlob", Base64Encode(segment.wrapped_key)},
                                    {"EncryptionContext",
                                     KmsContext(bucket, key, segment.encryption_context)}})));
  std::string plain = Base64Decode(api::Str(result.as_object(), "Plaintext")).value_or("");
  return crypto::SecretBytes::TakeFrom(&plain);
}

}  // namespace kiroku::services
