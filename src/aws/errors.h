// The one place where a Status becomes an AWS error on the wire (STYLE.md §6): it picks the
// error code (the Status's own aws_code, else the service's name for the generic Code, in the
// protocol's spelling), the HTTP status (the model's error trait, else AWS's usual status), and
// renders the body each protocol's SDK parser expects.
#pragma once

#include <string>
#include <string_view>

#include "aws/model.h"
#include "common/status.h"
#include "net/http.h"

namespace kiroku::aws {

struct AwsError {
  int http_status;
  std::string code;
  std::string message;
  bool sender_fault;
};

// `model` may be null when the service is not known (the request could not be routed).
AwsError MapError(const ServiceModel* model, Protocol protocol, const Status& status);

// JSON: {"__type": code, "message": ...} with x-amzn-RequestId and x-amzn-ErrorType headers.
// Query: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
net::Response RenderError(const ServiceModel* model, Protocol protocol, const Status& status,
                          std::string_view request_id);

}  // namespace kiroku::aws
