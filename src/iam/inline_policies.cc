// Inline policies of users, groups and roles: one record per (entity, policy name).
#include <algorithm>
#include <cctype>

#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

// AWS's quotas on the aggregate size of an entity's inline policies (whitespace not counted).
size_t MaxInlineBytes(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return 2048;
    case EntityKind::kGroup:
      return 5120;
    case EntityKind::kRole:
      return 10240;
  }
  return 0;
}

size_t PolicySize(std::string_view document) {
  return std::count_if(document.begin(), document.end(),
                       [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace

Status IdentityStore::PutInlinePolicy(EntityKind kind, std::string_view entity,
                                      std::string_view policy_name, std::string_view document) {
  RETURN_IF_ERROR(ValidateName(policy_name, "policyName", 128));
  RETURN_IF_ERROR(ValidatePolicyDocument(document, policy::PolicyKind::kIdentity));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  size_t total = PolicySize(document);
  std::string own_key = InlineKey(kind, name, policy_name);
  RETURN_IF_ERROR(
      ScanPrefix(db_, InlinePrefix(kind, name), [&](std::string_view k, std::string_view v) {
        if (k == own_key) return;  // replaced by this call
        Result<json::object> record = ReadJsonRecord(v, "inline policy");
        if (!record.ok()) return;  // an unreadable record counts for nothing
        if (const json::value* doc = record->if_contains("document")) {
          if (doc->is_string()) total += PolicySize(doc->as_string());
        }
      }));
  if (total > MaxInlineBytes(kind)) {
    return Status::LimitExceeded("Maximum policy size of " + std::to_string(MaxInlineBytes(kind)) +
                                 " bytes exceeded for " + EntityKindName(kind) + " " + name);
  }
  json::object record{{"name", policy_name}, {"document", document}};
  return db_.Put(kCf, own_key, json::serialize(record));
}

Result<InlinePolicy> IdentityStore::GetInlinePolicy(EntityKind kind, std::string_view entity,
                                                    std::string_view policy_name) const {
  RETURN_IF_ERROR(ValidateName(policy_name, "policyName", 128));
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, InlineKey(kind, name, policy_name)));
  if (!record) {
    return Status::NotFound("The " + std::string(EntityKindName(kind)) + " policy with name " +
                            std::string(policy_name) + " cannot be found.");
  }
  return InlinePolicy{std::string(record->at("name").as_string()),
                      std::string(record->at("document").as_string()), name};
}

Result<std::vector<std::string>> IdentityStore::ListInlinePolicies(EntityKind kind,
                                                                   std::string_view entity) const {
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  std::vector<std::string> names;
  RETURN_IF_ERROR(
      ScanPrefix(db_, InlinePrefix(kind, name), [&](std::string_view, std::string_view v) {
        Result<json::object> record = ReadJsonRecord(v, "inline policy");
        if (record.ok()) names.emplace_back(record->at("name").as_string());
      }));
  return names;
}

Status IdentityStore::DeleteInlinePolicy(EntityKind kind, std::string_view entity,
                                         std::string_view policy_name) {
  RETURN_IF_ERROR(ValidateName(policy_name, "policyName", 128));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  std::string key = InlineKey(kind, name, policy_name);
  ASSIGN_OR_RETURN(auto record, db_.Get(kCf, key));
  if (!record) {
    return Status::NotFound("The " + std::string(EntityKindName(kind)) + " policy with name " +
                            std::string(policy_name) + " cannot be found.");
  }
  return db_.Delete(kCf, key);
}

}  // namespace kiroku::iam
