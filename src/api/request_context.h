// RequestContext: everything one AWS request accumulates on its way through the pipeline
// stages (STYLE.md §7). Owned by the pipeline for the request's duration; single-threaded.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "aws/protocol.h"
#include "common/clock.h"
#include "iam/principal.h"
#include "net/http.h"

namespace kiroku::api {

struct RequestContext {
  explicit RequestContext(const net::Request& request) : http(request) {}

  const net::Request& http;
  std::string request_id;
  TimePoint received_at;

  aws::Route route;                         // RouteStage
  std::string access_key_id;                // AuthenticateStage
  std::string region;                       // AuthenticateStage: the signature's scope region
  iam::Principal principal;                 // AuthenticateStage
  const aws::Operation* operation = nullptr;  // DecodeStage
  boost::json::object input;                // DecodeStage
  boost::json::value output;                // DispatchStage
};

}  // namespace kiroku::api
