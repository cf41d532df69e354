#include "api/pipeline.h"

#include "api/rest_route.h"
#include "aws/errors.h"
#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/hash.h"

namespace kiroku::api {

std::string NewRequestId() { return crypto::RandomUuid(); }

net::Response Pipeline::Handle(const net::Request& request, net::BodyReader* body) const {
  RequestContext ctx(request);
  ctx.body = body;
  ctx.request_id = NewRequestId();
  ctx.received_at = clock_.Now();
  Status status;
  for (const auto& stage : stages_) {
    status = stage->Run(ctx);
    if (!status.ok()) break;
  }
  net::Response response;
  if (!status.ok()) {
    response = aws::RenderError(ctx.route.model, ctx.route.protocol, status, ctx.request_id);
    if (ctx.rest_route != nullptr) ctx.rest_route->DecorateError(ctx, status, response);
  } else if (ctx.reply) {
    response = std::move(*ctx.reply);
    ctx.reply.reset();
  } else {
    response = aws::RenderResult(ctx.route, *ctx.operation, ctx.output, ctx.request_id);
  }
  for (const auto& hook : hooks_) hook->OnComplete(ctx, status);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now() - ctx.received_at).count();
  spdlog::debug(
      "{} {} {}.{} {} {} {}us principal={} request_id={}", request.remote_address, request.method,
      ctx.route.model ? ctx.route.model->service() : "-",
      ctx.route.operation_name.empty() ? "-" : ctx.route.operation_name, response.status,
      status.ok() ? "OK" : aws::MapError(ctx.route.model, ctx.route.protocol, status).code, micros,
      ctx.principal.arn.empty() ? "-" : ctx.principal.arn, ctx.request_id);
  return response;
}

net::Response Pipeline::RejectTooLarge(const net::Request& head, size_t limit) const {
  aws::Route route;
  (void)aws::IdentifyRoute(head, route);  // best effort: only the protocol is needed
  Status status = Status::InvalidArgument("Request body exceeds the limit of " +
                                          std::to_string(limit) + " bytes")
                      .WithAwsCode("RequestEntityTooLarge");
  spdlog::debug("{} {} rejected: body over {} bytes", head.remote_address, head.method, limit);
  return aws::RenderError(route.model, route.protocol, status, NewRequestId());
}

net::Response Pipeline::RejectRequest(const net::Request& head, const Status& status) const {
  aws::Route route;
  (void)aws::IdentifyRoute(head, route);  // best effort: only the protocol is needed
  spdlog::debug("{} {} rejected: {}", head.remote_address, head.method, status.message());
  return aws::RenderError(route.model, route.protocol, status, NewRequestId());
}

}  // namespace kiroku::api
