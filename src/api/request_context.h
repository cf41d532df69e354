// RequestContext: everything one AWS request accumulates on its way through the pipeline
// stages (STYLE.md §7). Owned by the pipeline for the request's duration; single-threaded.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "aws/protocol.h"
#include "aws/sigv4.h"
#include "common/clock.h"
#include "iam/principal.h"
#include "iam/session_store.h"
#include "net/http.h"
#include "policy/evaluator.h"

namespace kiroku::api {

struct Operation;
class RestRoute;

struct RequestContext {
  explicit RequestContext(const net::Request& request) : http(request) {}

  const net::Request& http;
  // The body still to be read when it streams (a request a RestRoute claimed, served through
  // Frontend::HandleStream); null when the whole body is in http.body. Valid during the request.
  net::BodyReader* body = nullptr;
  std::string request_id;
  TimePoint received_at;

  aws::Route route;                       // RouteStage
  const RestRoute* rest_route = nullptr;  // RouteStage: the REST route that claimed the request
  // RouteStage, REST routes: the region a signature must be scoped to (S3: the addressed
  // bucket's); empty when any region will do.
  std::string signing_region;
  std::string access_key_id;           // AuthenticateStage
  aws::SignedIdentity signature;       // AuthenticateStage (S3 chains aws-chunked from it)
  std::string s3_virtual_host_bucket;  // S3: the bucket named by the Host header, if any
  // AuthenticateStage: the signature's scope region (a REST route sets the region a call without
  // one is recorded in: S3, the bucket's or us-east-1).
  std::string region;
  std::string account;       // whose resources the call acts on (the caller's)
  iam::Principal principal;  // AuthenticateStage
  // AuthenticateStage, for temporary credentials (ASIA… keys): how the session was issued, when,
  // and its session policies, which narrow what the principal may do (policy::PolicySet::session).
  std::optional<iam::SessionKind> session_kind;
  std::optional<TimePoint> session_issued;
  std::optional<std::string> session_source_identity;  // aws:SourceIdentity
  std::vector<policy::Policy> session_policies;
  const aws::Operation* operation = nullptr;  // DecodeStage: the model's operation
  const Operation* served = nullptr;          // DecodeStage: kiroku's handler and authorization
  boost::json::object input;                  // DecodeStage
  std::optional<policy::Decision> decision;   // AuthorizeStage (unset when not evaluated)
  policy::ContextKeys condition_keys;         // AuthorizeStage: the keys it evaluated with
  // AuthorizeStage: the resource ARNs the call was authorized on (CloudTrail's "resources").
  std::vector<std::string> resources;
  boost::json::value output;  // DispatchStage
  // DispatchStage: the response in the request's protocol, when the handler wrote it itself
  // (REST-XML: status, headers, an inline or streamed body); sent instead of `output` rendered.
  std::optional<net::Response> reply;
};

}  // namespace kiroku::api
