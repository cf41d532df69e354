// Request routing and the per-protocol envelope: which service, protocol and operation a request
// is for (X-Amz-Target for awsJson 1.1, Action= for awsQuery), its input as one JSON object
// whatever the protocol, and the success response in the protocol's encoding.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "aws/model.h"
#include "aws/query_codec.h"
#include "common/status.h"
#include "net/http.h"

namespace kiroku::aws {

struct Route {
  Protocol protocol = Protocol::kQuery;
  const ServiceModel* model = nullptr;  // null when the service could not be identified
  std::string operation_name;
  QueryParams params;  // awsQuery: URL query and form body parameters (auth parameters removed)
};

// Identifies the request. The Route is filled as far as possible even on failure, so the error
// can be rendered in the right protocol; the Status says what is missing (InvalidAction /
// UnknownOperationException, MissingAction, MalformedQueryString).
Status IdentifyRoute(const net::Request& request, Route& route);

// The operation named by the route, or InvalidAction / UnknownOperationException.
Result<const Operation*> FindOperation(const Route& route);

// The operation's input as a JSON object (awsJson: the body; awsQuery: decoded by shape),
// validated against the operation's input shape (aws/validation.h): types, required members,
// lengths, ranges, enums and patterns. SerializationException when the body does not parse or
// a member has the wrong type; the service's validation error for a constraint.
Result<boost::json::object> DecodeInput(const Route& route, const Operation& operation,
                                        const net::Request& request);

// Parses a JSON document from a request, bounded: at most kMaxJsonBytes (else
// RequestEntityTooLarge) and kMaxJsonDepth levels of nesting (else SerializationException).
Result<boost::json::value> ParseJsonDocument(std::string_view text);

// The success response: 200 with the protocol's content type and x-amzn-RequestId.
net::Response RenderResult(const Route& route, const Operation& operation,
                           const boost::json::value& output, std::string_view request_id);

}  // namespace kiroku::aws
