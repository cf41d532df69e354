// Aliases: create (for a key that is not pending deletion), repoint, delete and list; aliases of
// a deleted key go with it.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "kms/key_store.h"
#include "kms/key_store_internal.h"
#include "store/json_record.h"

namespace kiroku::kms {
namespace json = boost::json;
using namespace internal;  // NOLINT: kms' own record helpers

namespace {

Status ValidateAliasName(std::string_view name) {
  bool chars_ok = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '/' || c == '_' ||
           c == '-';
  });
  if (!name.starts_with("alias/") || name.size() <= 6 || name.size() > 256 || !chars_ok) {
    return Status::InvalidArgument(
               "Alias must start with the prefix \"alias/\" and contain only "
               "alphanumeric characters, '/', '_', '-' or ':'.")
        .WithAwsCode("InvalidAliasNameException");
  }
  if (name.starts_with("alias/aws/")) {
    return Status::InvalidArgument(
               "Alias names starting with alias/aws/ are reserved for AWS "
               "managed keys.")
        .WithAwsCode("NotAuthorizedException");
  }
  return Status::Ok();
}

}  // namespace

Status KeyStore::CreateAlias(const Scope& scope, std::string_view alias_name,
                             std::string_view key_ref) {
  RETURN_IF_ERROR(ValidateAliasName(alias_name));
  if (std::string_view(key_ref).starts_with("alias/") ||
      key_ref.find(":alias/") != std::string_view::npos) {
    return Validation("TargetKeyId must name a key, not an alias");
  }
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  if (r.meta.state == KeyState::kPendingDeletion) {
    return InvalidState(r.meta.arn + " is pending deletion.");
  }
  int64_t now = Seconds(clock_.Now());
  json::object alias{{"aliasName", alias_name},
                     {"targetKeyId", r.meta.key_id},
                     {"creationDate", now},
                     {"lastUpdatedDate", now}};
  Status s = db_.CompareAndSet(kColumnFamily, AliasRecordKey(scope, alias_name), std::nullopt,
                               json::serialize(alias));
  if (s.code() == Code::kConflict) {
    return Status::AlreadyExists("An alias with the name " + AliasArn(scope, alias_name) +
                                 " already exists")
        .WithAwsCode("AlreadyExistsException");
  }
  return s;
}

Status KeyStore::UpdateAlias(const Scope& scope, std::string_view alias_name,
                             std::string_view key_ref) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   db_.Get(kColumnFamily, AliasRecordKey(scope, alias_name)));
  if (!raw) return NotFound("Alias " + AliasArn(scope, alias_name) + " is not found.");
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  if (r.meta.state == KeyState::kPendingDeletion) {
    return InvalidState(r.meta.arn + " is pending deletion.");
  }
  ASSIGN_OR_RETURN(json::object alias,
                   store::ReadJsonRecord(*raw, "KMS " + std::string(alias_name)));
  alias["targetKeyId"] = r.meta.key_id;
  alias["lastUpdatedDate"] = Seconds(clock_.Now());
  return db_.CompareAndSet(kColumnFamily, AliasRecordKey(scope, alias_name), *raw,
                           json::serialize(alias));
}

Status KeyStore::DeleteAlias(const Scope& scope, std::string_view alias_name) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   db_.Get(kColumnFamily, AliasRecordKey(scope, alias_name)));
  if (!raw) return NotFound("Alias " + AliasArn(scope, alias_name) + " is not found.");
  return db_.Delete(kColumnFamily, AliasRecordKey(scope, alias_name));
}

Result<std::vector<Alias>> KeyStore::ListAliases(const Scope& scope, std::string_view key_ref) {
  std::string key_id;
  if (!key_ref.empty()) {
    ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
    key_id = r.meta.key_id;
  }
  std::vector<Alias> aliases;
  RETURN_IF_ERROR(ScanRecords(db_, store::Range::Prefix(AliasPrefix(scope)), "KMS alias",
                              [&](std::string_view, const json::object& o) {
                                Alias a;
                                a.name = std::string(o.at("aliasName").as_string());
                                a.arn = AliasArn(scope, a.name);
                                a.target_key_id = std::string(o.at("targetKeyId").as_string());
                                a.creation_date = FromSeconds(o.at("creationDate").as_int64());
                                a.last_updated_date =
                                    FromSeconds(o.at("lastUpdatedDate").as_int64());
                                if (key_id.empty() || a.target_key_id == key_id)
                                  aliases.push_back(a);
                                return true;
                              }));
  // Aliases of keys that were deleted go with them.
  std::vector<Alias> live;
  for (Alias& a : aliases) {
    Result<Record> r = LoadById(scope, a.target_key_id);
    if (r.ok()) {
      live.push_back(std::move(a));
    } else if (r.status().code() == Code::kNotFound) {
      RETURN_IF_ERROR(db_.Delete(kColumnFamily, AliasRecordKey(scope, a.name)));
    } else {
      return r.status();
    }
  }
  return live;
}

}  // namespace kiroku::kms
