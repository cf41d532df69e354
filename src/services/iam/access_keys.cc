// IAM access keys (UserName defaults to the caller) and their last use.
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {

json::object AccessKeyJson(const iam::AccessKeyInfo& key) {
  json::object o{
      {"AccessKeyId", key.access_key_id}, {"Status", key.status}, {"CreateDate", key.create_date}};
  if (!key.user_name.empty()) o["UserName"] = key.user_name;
  return o;
}

}  // namespace

IamService::Json IamService::CreateAccessKey(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
  ASSIGN_OR_RETURN(iam::NewAccessKey key, identities_.CreateAccessKey(name));
  json::object o = AccessKeyJson(key.info);
  o["SecretAccessKey"] = key.secret_access_key;
  return Out({{"AccessKey", std::move(o)}});
}

IamService::Json IamService::ListAccessKeys(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
  ASSIGN_OR_RETURN(auto keys, identities_.ListAccessKeys(name));
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::AccessKeyInfo& k : keys) items.emplace_back(k.access_key_id, AccessKeyJson(k));
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "AccessKeyMetadata", out));
  return Out(std::move(out));
}

IamService::Json IamService::UpdateAccessKey(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
  RETURN_IF_ERROR(
      identities_.UpdateAccessKey(name, Str(ctx.input, "AccessKeyId"), Str(ctx.input, "Status")));
  return Out();
}

IamService::Json IamService::DeleteAccessKey(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
  RETURN_IF_ERROR(identities_.DeleteAccessKey(name, Str(ctx.input, "AccessKeyId")));
  return Out();
}

IamService::Json IamService::GetAccessKeyLastUsed(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::AccessKeyLastUsed used,
                   identities_.GetAccessKeyLastUsed(Str(ctx.input, "AccessKeyId")));
  json::object last{{"ServiceName", used.service_name}, {"Region", used.region}};
  if (used.last_used_date) last["LastUsedDate"] = *used.last_used_date;
  json::object out{{"AccessKeyLastUsed", std::move(last)}};
  if (!used.user_name.empty()) out["UserName"] = used.user_name;
  return Out(std::move(out));
}

}  // namespace kiroku::services
