// RestRoute: a service addressed by REST calls — method, path, query and headers name the
// operation, as S3's REST-XML does — rather than by an awsJson target or an awsQuery Action.
// RouteStage asks the routes before the awsJson / awsQuery routing; the Frontend streams the
// body of a request a route claims (RequestContext::body), so a handler may read it while it
// arrives. The claimed request then takes the same stages as every other call: authenticate,
// decode (the route already produced the input), authorize, dispatch, and the audit hook.
// Implemented by services::S3Service (src/services/s3/s3_service.h).
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include "api/request_context.h"
#include "common/status.h"
#include "net/http.h"

namespace kiroku::api {

class RestRoute {
 public:
  virtual ~RestRoute() = default;

  // Whether the request belongs to this route, judged from its head alone (the body may not
  // have been read). Called on an I/O thread: must not block.
  virtual bool Matches(const net::Request& head) const = 0;

  // Routes a request Matches() claimed: sets ctx.route (protocol, model, operation name) — also
  // when it fails, so that the error is rendered in the route's protocol —, ctx.input (the
  // operation's input as one JSON object), ctx.region, and ctx.signing_region when the signature
  // must be scoped to one region. Fails with the route's error for a request it cannot serve
  // (S3: InvalidURI, MethodNotAllowed, NotImplemented, KeyTooLongError).
  virtual Status Route(RequestContext& ctx) const = 0;

  // Adds to the rendered error `response` what the route's error documents carry beyond the
  // protocol's (S3: <Region>, <ServerTime>, ...; no body for HEAD). Called for every failed
  // request the route claimed, whichever stage failed.
  virtual void DecorateError(const RequestContext& ctx, const Status& status,
                             net::Response& response) const = 0;
};

}  // namespace kiroku::api
