#include "api/sts_service.h"

namespace kiroku::api {
namespace json = boost::json;

namespace {

Result<json::value> GetCallerIdentity(RequestContext& ctx) {
  return json::value{{"UserId", ctx.principal.user_id},
                     {"Account", ctx.principal.account_id},
                     {"Arn", ctx.principal.arn}};
}

}  // namespace

void AddStsOperations(OperationTable& table) {
  table.Add("sts", "GetCallerIdentity", GetCallerIdentity);
}

}  // namespace kiroku::api
