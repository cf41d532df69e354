// Reading the KMS awsJson input and writing the KeyMetadata shape (kms_service_internal.h).
#include "common/encoding.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services::kms_internal {

Status Validation(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("ValidationException");
}

std::optional<int64_t> Int(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<int64_t>();
}

bool Bool(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  return v != nullptr && v->is_bool() && v->as_bool();
}

Result<std::string> Blob(const json::object& in, std::string_view name) {
  std::string text = Str(in, name);
  if (text.empty()) {
    std::string field = LowerFirst(name);  // "CiphertextBlob" -> "ciphertextBlob", as AWS names it
    return Validation("1 validation error detected: Value null at '" + field +
                      "' failed to satisfy constraint: Member must not be null");
  }
  auto bytes = Base64Decode(text);
  if (!bytes) {
    return Status::InvalidArgument("Invalid base64 in " + std::string(name))
        .WithAwsCode("SerializationException");
  }
  return *bytes;
}

kms::EncryptionContext Context(const json::object& in, std::string_view name) {
  kms::EncryptionContext context;
  if (const json::value* v = in.if_contains(name); v != nullptr && v->is_object()) {
    for (const auto& [k, val] : v->as_object()) {
      if (val.is_string()) context[std::string(k)] = std::string(val.as_string());
    }
  }
  return context;
}

kms::Tags TagList(const json::object& in) {
  kms::Tags tags;
  if (const json::value* v = in.if_contains("Tags"); v != nullptr && v->is_array()) {
    for (const json::value& t : v->as_array()) {
      if (t.is_object()) tags[Str(t.as_object(), "TagKey")] = Str(t.as_object(), "TagValue");
    }
  }
  return tags;
}

Scope ScopeOf(const api::RequestContext& ctx) { return Scope{ctx.account, ctx.region}; }

json::object MetadataJson(const kms::KeyMetadata& m) {
  json::object o{{"AWSAccountId", m.account_id},
                 {"KeyId", m.key_id},
                 {"Arn", m.arn},
                 {"CreationDate", EpochSeconds(m.creation_date)},
                 {"Enabled", m.state == kms::KeyState::kEnabled},
                 {"Description", m.description},
                 {"KeyUsage", m.key_usage},
                 {"KeyState", kms::KeyStateName(m.state)},
                 {"Origin", "AWS_KMS"},
                 {"KeyManager", "CUSTOMER"},
                 {"CustomerMasterKeySpec", m.key_spec},
                 {"KeySpec", m.key_spec},
                 {"EncryptionAlgorithms", json::array{"SYMMETRIC_DEFAULT"}},
                 {"MultiRegion", false},
                 {"CurrentKeyMaterialId", m.current_key_material_id}};
  if (m.deletion_date) {
    o["DeletionDate"] = EpochSeconds(*m.deletion_date);
    o["PendingDeletionWindowInDays"] = m.pending_window_days;
  }
  return o;
}

}  // namespace kiroku::services::kms_internal
