#include "api/sts_service.h"

namespace kiroku::api {
namespace json = boost::json;

namespace {

Result<json::value> GetCallerIdentity(RequestContext& ctx) {
  return json::value{{"UserId", ctx.principal.user_id},
                     {"Account", ctx.principal.account},
                     {"Arn", ctx.principal.arn}};
}

}  // namespace

void AddStsOperations(OperationTable& table) {
  // AWS answers GetCallerIdentity for every valid credential, even under an explicit deny.
  table.Add("sts", "GetCallerIdentity", {GetCallerIdentity, Authorization{}});
}

}  // namespace kiroku::api
