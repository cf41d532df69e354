// The STS operation table, GetCallerIdentity, and the input checks and output shapes the STS
// handlers share.
#include "services/sts/sts_service.h"

#include <chrono>

#include "common/encoding.h"
#include "services/sts/sts_service_internal.h"

namespace kiroku::services {
using api::Access;
using api::EventCategory;

namespace sts_internal {

Status ValidationError(std::string_view member, std::string_view value,
                       std::string_view constraint) {
  return Status::InvalidArgument("1 validation error detected: Value '" + std::string(value) +
                                 "' at '" + LowerFirst(member) +
                                 "' failed to satisfy constraint: " + std::string(constraint))
      .WithAwsCode("ValidationError");
}

Result<std::optional<int64_t>> OptionalInt(const json::object& input, std::string_view member,
                                           int64_t min, int64_t max) {
  const json::value* v = input.if_contains(member);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  boost::system::error_code ec;
  int64_t n = v->to_number<int64_t>(ec);
  if (ec) return ValidationError(member, json::serialize(*v), "Member must be an integer");
  if (n < min) {
    return ValidationError(
        member, std::to_string(n),
        "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (n > max) {
    return ValidationError(member, std::to_string(n),
                           "Member must have value less than or equal to " + std::to_string(max));
  }
  return std::optional<int64_t>(n);
}

json::object CredentialsJson(const iam::IssuedCredentials& c) {
  auto epoch = [](TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  return {{"AccessKeyId", c.access_key_id},
          {"SecretAccessKey", c.secret_access_key},
          {"SessionToken", c.session_token},
          {"Expiration", epoch(c.expiration)}};
}

}  // namespace sts_internal

StsService::Json StsService::GetCallerIdentity(RequestContext& ctx) const {
  return boost::json::value{{"UserId", ctx.principal.user_id},
                            {"Account", ctx.principal.account},
                            {"Arn", ctx.principal.arn}};
}

std::vector<api::Operation> StsService::Operations() const {
  return {
      // AWS answers GetCallerIdentity for every valid credential, even under an explicit deny:
      // no action, so the pipeline never authorizes it.
      {"sts",
       "GetCallerIdentity",
       "",
       Access::kRead,
       EventCategory::kManagement,
       api::Handler(this, &StsService::GetCallerIdentity),
       {}},
      // "sts:GetSessionToken" needs no permission ("No permissions are required for users to
      // perform this operation", STS API reference): no action here, so the pipeline does not
      // ask for an allow; the handler itself refuses an explicit deny of it, and nothing else.
      {"sts",
       "GetSessionToken",
       "",
       Access::kRead,
       EventCategory::kManagement,
       api::Handler(this, &StsService::GetSessionToken),
       {}},
      // The pipeline authorizes sts:AssumeRole against the role's trust policy; the handler then
      // goes through iam::SessionStore::AssumeRoleAs, whose trust check every role assumption
      // shares.
      {"sts", "AssumeRole", "sts:AssumeRole", Access::kWrite, EventCategory::kManagement,
       api::Handler(this, &StsService::AssumeRole), AssumeRoleAuthorization()},
  };
}

}  // namespace kiroku::services
