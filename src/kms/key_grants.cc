// Grants: create (idempotent by name), list, revoke and retire.
#include <boost/json.hpp>

#include "common/arn.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "kms/key_store.h"
#include "kms/key_store_internal.h"

namespace kiroku::kms {
namespace json = boost::json;
using namespace internal;  // NOLINT: kms' own record helpers

Result<Grant> KeyStore::CreateGrant(const Scope& scope, std::string_view key_ref, Grant grant) {
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  if (r.meta.state == KeyState::kPendingDeletion) {
    return InvalidState(r.meta.arn + " is pending deletion.");
  }
  if (grant.grantee_principal.empty() || grant.operations.empty()) {
    return Validation("GranteePrincipal and Operations are required");
  }
  // Same name and key: AWS returns the existing grant (CreateGrant is idempotent by name).
  if (!grant.name.empty()) {
    ASSIGN_OR_RETURN(std::vector<Grant> existing, ListGrants(scope, r.meta.key_id));
    for (Grant& g : existing) {
      if (g.name == grant.name && g.grantee_principal == grant.grantee_principal &&
          g.operations == grant.operations) {
        return g;
      }
    }
  }
  grant.grant_id = HexEncode(crypto::RandomBytes(32));
  grant.key_id = r.meta.key_id;
  grant.issuing_account = Arn::AccountRoot(scope.account).ToString();
  grant.creation_date = clock_.Now();
  json::array ops;
  for (const std::string& op : grant.operations) ops.emplace_back(op);
  json::object o{{"grantId", grant.grant_id},
                 {"keyId", grant.key_id},
                 {"name", grant.name},
                 {"grantee", grant.grantee_principal},
                 {"retiring", grant.retiring_principal},
                 {"operations", std::move(ops)},
                 {"contextEquals", StringMapJson(grant.context_equals)},
                 {"contextSubset", StringMapJson(grant.context_subset)},
                 {"created", Seconds(grant.creation_date)}};
  RETURN_IF_ERROR(db_.Put(kColumnFamily, GrantRecordKey(scope, grant.key_id, grant.grant_id),
                          json::serialize(o)));
  return grant;
}

Result<std::vector<Grant>> KeyStore::ListGrants(const Scope& scope, std::string_view key_ref) {
  ASSIGN_OR_RETURN(std::string key_id, ResolveKeyId(scope, key_ref));
  std::vector<Grant> grants;
  RETURN_IF_ERROR(ScanRecords(db_, store::Range::Prefix(GrantPrefix(scope, key_id)), "KMS grant",
                              [&](std::string_view, const json::object& o) {
                                Grant g;
                                g.grant_id = std::string(o.at("grantId").as_string());
                                g.key_id = std::string(o.at("keyId").as_string());
                                g.name = std::string(o.at("name").as_string());
                                g.grantee_principal = std::string(o.at("grantee").as_string());
                                g.retiring_principal = std::string(o.at("retiring").as_string());
                                g.issuing_account = Arn::AccountRoot(scope.account).ToString();
                                for (const json::value& op : o.at("operations").as_array()) {
                                  g.operations.emplace_back(op.as_string());
                                }
                                g.context_equals = StringMapOf(o.at("contextEquals"));
                                g.context_subset = StringMapOf(o.at("contextSubset"));
                                g.creation_date = FromSeconds(o.at("created").as_int64());
                                grants.push_back(std::move(g));
                                return true;
                              }));
  return grants;
}

Status KeyStore::RevokeGrant(const Scope& scope, std::string_view key_ref,
                             std::string_view grant_id) {
  ASSIGN_OR_RETURN(std::string key_id, ResolveKeyId(scope, key_ref));
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   db_.Get(kColumnFamily, GrantRecordKey(scope, key_id, grant_id)));
  if (!raw) return NotFound("Grant ID " + std::string(grant_id) + " not found");
  return db_.Delete(kColumnFamily, GrantRecordKey(scope, key_id, grant_id));
}

Result<Grant> KeyStore::RetireGrant(const Scope& scope, std::string_view key_ref,
                                    std::string_view grant_id) {
  ASSIGN_OR_RETURN(std::vector<Grant> grants, ListGrants(scope, key_ref));
  for (Grant& g : grants) {
    if (g.grant_id == grant_id) {
      RETURN_IF_ERROR(db_.Delete(kColumnFamily, GrantRecordKey(scope, g.key_id, g.grant_id)));
      return g;
    }
  }
  return NotFound("Grant ID " + std::string(grant_id) + " not found");
}

}  // namespace kiroku::kms
