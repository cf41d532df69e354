#include "services/logs/logs_kms_adapter.h"

#include "common/encoding.h"
#include "crypto/aead.h"
#include "policy/context.h"

namespace kiroku::services {
namespace json = boost::json;
namespace {

// The first byte of a wrapped data key says what protects it.
constexpr char kByKms = 'K';
constexpr char kByServiceKey = 'S';

std::string ServiceLabel(const logs::KeyRef& ref) { return "logs-service-owned:" + ref.group_arn; }

api::InternalCall KmsCall(const logs::KeyRef& ref, std::string operation, json::object input) {
  api::InternalCall call;
  call.principal = policy::ServicePrincipal("logs." + ref.region + ".amazonaws.com");
  call.account = ref.account;
  call.region = ref.region;
  call.service = "kms";
  call.operation = std::move(operation);
  input["EncryptionContext"] = json::object{{"aws:logs:arn", ref.group_arn}};
  call.input = std::move(input);
  return call;
}

Status NotAllowed(const logs::KeyRef& ref) {
  return Status::AccessDenied(
             "The specified KMS key does not exist or is not allowed to be used "
             "with Arn '" +
             ref.group_arn + "'")
      .WithAwsCode("AccessDeniedException");
}

bool IsStateError(const Status& s) {
  return s.aws_code() == "DisabledException" || s.aws_code() == "KMSInvalidStateException";
}

Result<std::string> Blob(const json::value& out, std::string_view member) {
  const json::value* v = out.is_object() ? out.as_object().if_contains(member) : nullptr;
  if (v == nullptr || !v->is_string())
    return Status::Internal("kms answered without " + std::string(member));
  auto bytes = Base64Decode(v->as_string());
  if (!bytes) return Status::Internal("kms answered bad base64");
  return *bytes;
}

}  // namespace

Result<logs::GeneratedDataKey> LogsKmsDataKeys::Generate(const logs::KeyRef& ref) {
  logs::GeneratedDataKey key;
  if (ref.kms_key_id.empty()) {
    key.plaintext = crypto::SecretBytes::Random(32);
    ASSIGN_OR_RETURN(std::string wrapped,
                     crypto::WrapKey(master_key_, key.plaintext, ServiceLabel(ref)));
    key.wrapped = std::string(1, kByServiceKey) + wrapped;
    return key;
  }
  Result<json::value> out = caller_.Call(KmsCall(
      ref, "GenerateDataKey", json::object{{"KeyId", ref.kms_key_id}, {"KeySpec", "AES_256"}}));
  if (!out.ok()) {
    if (IsStateError(out.status())) {
      return Status::InvalidArgument("The specified KMS key is not usable: " +
                                     out.status().message())
          .WithAwsCode("InvalidParameterException");
    }
    if (out.status().code() == Code::kAccessDenied || out.status().code() == Code::kNotFound ||
        out.status().code() == Code::kInvalidArgument) {
      return NotAllowed(ref);
    }
    return out.status();
  }
  ASSIGN_OR_RETURN(std::string plaintext, Blob(*out, "Plaintext"));
  ASSIGN_OR_RETURN(std::string blob, Blob(*out, "CiphertextBlob"));
  key.plaintext = crypto::SecretBytes::TakeFrom(&plaintext);
  key.wrapped = std::string(1, kByKms) + blob;
  return key;
}

Result<crypto::SecretBytes> LogsKmsDataKeys::Decrypt(const logs::KeyRef& ref,
                                                     std::string_view wrapped) {
  if (wrapped.empty()) return Status::Internal("logs: empty wrapped data key");
  if (wrapped[0] == kByServiceKey) {
    return crypto::UnwrapKey(master_key_, wrapped.substr(1), ServiceLabel(ref));
  }
  if (wrapped[0] != kByKms) return Status::Internal("logs: unknown wrapped data key");
  json::object input{{"CiphertextBlob", Base64Encode(wrapped.substr(1))}};
  Result<json::value> out = caller_.Call(KmsCall(ref, "Decrypt", std::move(input)));
  if (!out.ok()) {
    if (IsStateError(out.status())) return out.status();
    if (out.status().code() == Code::kAccessDenied || out.status().code() == Code::kNotFound ||
        out.status().aws_code() == "InvalidCiphertextException") {
      return NotAllowed(ref);
    }
    return out.status();
  }
  ASSIGN_OR_RETURN(std::string plaintext, Blob(*out, "Plaintext"));
  return crypto::SecretBytes::TakeFrom(&plaintext);
}

}  // namespace kiroku::services
