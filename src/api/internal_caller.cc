#include "api/internal_caller.h"

namespace kiroku::api {

InternalCaller::InternalCaller(const OperationTable& table, const iam::IdentityStore& identities,
                               const Clock& clock)
    : table_(table), authorize_(identities, clock) {}

namespace {

const net::Request kNoHttp;  // internal calls have no HTTP request

// The context an HTTP request would have after authentication and decoding.
RequestContext ContextOf(const InternalCall& call, const Operation* op) {
  RequestContext ctx(kNoHttp);
  ctx.principal = call.principal;
  ctx.account = call.account;
  ctx.region = call.region;
  ctx.served = op;
  ctx.input = call.input;
  return ctx;
}

}  // namespace

Result<const Operation*> InternalCaller::Find(const InternalCall& call) const {
  const Operation* op = table_.Find(call.service, call.operation);
  if (op == nullptr) {
    return Status::InvalidArgument("Operation " + call.operation + " of " + call.service +
                                   " is not served")
        .WithAwsCode("InvalidAction");
  }
  return op;
}

Result<boost::json::value> InternalCaller::Call(const InternalCall& call) const {
  ASSIGN_OR_RETURN(const Operation* op, Find(call));
  RequestContext ctx = ContextOf(call, op);
  RETURN_IF_ERROR(authorize_.Authorize(ctx));
  return op->handler(ctx);
}

Status InternalCaller::Authorize(const InternalCall& call) const {
  ASSIGN_OR_RETURN(const Operation* op, Find(call));
  RequestContext ctx = ContextOf(call, op);
  return authorize_.Authorize(ctx);
}

}  // namespace kiroku::api
