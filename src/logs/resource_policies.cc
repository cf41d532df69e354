// Account resource policies: put (size and count limits), delete, describe.
#include <boost/json.hpp>

#include "logs/log_store.h"
#include "logs/log_store_internal.h"
#include "store/json_record.h"

namespace kiroku::logs {
namespace json = boost::json;
using namespace internal;  // NOLINT: logs' own record helpers

// --- resource policies ----------------------------------------------------------------------

Result<ResourcePolicy> LogStore::PutResourcePolicy(const Scope& scope, std::string_view name,
                                                   std::string_view document) {
  if (name.empty()) return InvalidParameter("policyName is required");
  boost::system::error_code ec;
  json::value doc = json::parse(document, ec);
  if (ec || !doc.is_object()) {
    return InvalidParameter("Policy document is not valid JSON.");
  }
  if (document.size() > 5120) {
    return InvalidParameter(
        "1 validation error detected: Value at 'policyDocument' failed to "
        "satisfy constraint: Member must have length less than or equal to 5120");
  }
  std::string key = PolicyKey(scope, name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  if (!existing) {
    ASSIGN_OR_RETURN(std::vector<ResourcePolicy> all, DescribeResourcePolicies(scope));
    if (static_cast<int>(all.size()) >= kMaxResourcePolicies) {
      return Status::LimitExceeded("Resource limit exceeded.")
          .WithAwsCode("LimitExceededException");
    }
  }
  ResourcePolicy p{std::string(name), std::string(document), clock_.NowMillis()};
  json::object o{{"name", p.name}, {"document", p.document}, {"updated", p.last_updated_time}};
  RETURN_IF_ERROR(db_.Put(kMeta, key, json::serialize(o)));
  return p;
}

Status LogStore::DeleteResourcePolicy(const Scope& scope, std::string_view name) {
  std::string key = PolicyKey(scope, name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  if (!existing) {
    return Status::NotFound("Policy with name [" + std::string(name) + "] does not exist")
        .WithAwsCode("ResourceNotFoundException");
  }
  return db_.Delete(kMeta, key);
}

Result<std::vector<ResourcePolicy>> LogStore::DescribeResourcePolicies(const Scope& scope) const {
  std::vector<ResourcePolicy> out;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(PoliciesPrefix(scope)),
                           [&](std::string_view, std::string_view v) {
                             if (auto o = store::ReadJsonRecord(v, "resource policy"); o.ok()) {
                               out.push_back({S(*o, "name"), S(*o, "document"), I(*o, "updated")});
                             }
                             return true;
                           }));
  return out;
}

}  // namespace kiroku::logs
