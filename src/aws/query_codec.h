// The awsQuery protocol (iam, sts), driven by the operation's shapes:
// - DecodeQueryInput turns form parameters (`Tags.member.1.Key=...`) into the same JSON object
//   an awsJson client would have sent, so handlers see one input form for every protocol.
//   Timestamps become epoch seconds, numbers and booleans typed values.
// - EncodeQueryOutput renders a handler's JSON output as the XML body botocore parses:
//   <OpResponse
//   xmlns=..><OpResult>..</OpResult><ResponseMetadata>..</ResponseMetadata></OpResponse>.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <string_view>

#include "aws/model.h"
#include "common/status.h"

namespace kiroku::aws {

using QueryParams = std::map<std::string, std::string, std::less<>>;

// Parses `a=1&b=2` (application/x-www-form-urlencoded) into `params`, later values winning.
// InvalidArgument on a malformed percent-escape.
Status ParseFormParams(std::string_view text, QueryParams& params);

// InvalidArgument (with the query protocol's message) when a value does not fit its shape.
Result<boost::json::object> DecodeQueryInput(const Shape* input, const QueryParams& params);

std::string EncodeQueryOutput(const ServiceModel& model, const Operation& operation,
                              const boost::json::value& output, std::string_view request_id);

// Escapes &, <, >, " and ' for XML text and attributes. Characters XML 1.0 cannot carry are
// replaced so any text gives a well-formed document: control characters other than tab, LF and
// CR are spelled \u0000, bytes that are not well-formed UTF-8 (and U+FFFE/U+FFFF) become U+FFFD.
std::string XmlEscape(std::string_view text);

}  // namespace kiroku::aws
