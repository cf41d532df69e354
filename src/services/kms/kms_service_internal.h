// Shared by the KMS handler files (keys.cc, key_settings.cc, aliases.cc, grants.cc,
// cryptography.cc), authorization.cc and the operation table (kms_service.cc): reading the
// awsJson input, the KeyMetadata output shape, the KMS condition keys and key policy parsing.
// Internal to services/kms/.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/json_members.h"
#include "api/request_context.h"
#include "common/scope.h"
#include "common/status.h"
#include "kms/key_store.h"
#include "policy/context.h"
#include "policy/policy.h"

namespace kiroku::services::kms_internal {

namespace json = boost::json;
using api::Str;

Status Validation(std::string message);  // ValidationException

// (Presence, type and length of the modelled members were checked by the decode stage.)
std::optional<int64_t> Int(const json::object& in, std::string_view name);
bool Bool(const json::object& in, std::string_view name);
// A blob member the operation needs even where the model leaves it optional (Decrypt's and
// ReEncrypt's CiphertextBlob, optional in the model for Recipient and DryRun calls): the
// decoded bytes, ValidationException when absent, SerializationException when not base64.
Result<std::string> Blob(const json::object& in, std::string_view name);
// An encryption context member ({"k": "v"}); empty when absent.
kms::EncryptionContext Context(const json::object& in, std::string_view name);
// Tags: [{TagKey, TagValue}] -> map.
kms::Tags TagList(const json::object& in);

Scope ScopeOf(const api::RequestContext& ctx);
json::object MetadataJson(const kms::KeyMetadata& m);

// Condition keys every KMS request carries: kms:CallerAccount, the encryption context's
// (kms:EncryptionContext:*, kms:EncryptionContextKeys), kms:RequestAlias, kms:ViaService (with
// aws:SourceArn / aws:SourceAccount for a service principal), aws:RequestTag/*, aws:TagKeys.
void KmsContextKeys(const api::RequestContext& ctx, policy::ContextKeys& keys);

// A key policy as PutKeyPolicy and CreateKey accept it; MalformedPolicyDocumentException when
// it is too long or does not parse.
Result<policy::Policy> ParseKeyPolicy(const std::string& text);

}  // namespace kiroku::services::kms_internal
