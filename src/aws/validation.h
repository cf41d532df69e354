// Input validation against the model, in one place for every awsJson and awsQuery operation
// (called by DecodeInput, so by the pipeline's decode stage): a handler only ever sees input
// whose members have the model's types and satisfy its required, length, range, enum and
// pattern traits. What AWS answers, per protocol and service:
// - awsJson type errors (a number where a string is expected, 1.5 or 1e400 for an integer, an
//   object for a list, bad base64 in a blob): SerializationException with Coral's message
//   ("NUMBER_VALUE can not be converted to a String", "Start of list found where not expected").
// - Constraint violations: "N validation error(s) detected: Value 'v' at 'path' failed to satisfy
//   constraint: Member must ...; ..." with the service's code: ValidationError (iam, sts),
//   ValidationException (kms), InvalidParameterException (logs). Sensitive values are not
//   echoed ("Value at 'password' ..."). CloudTrail answers bad values with its own exceptions
//   (InvalidTrailNameException...), so only its types are checked here.
// JSON `null` members count as absent and are removed; unknown members are ignored.
// Pure functions; thread-safe (the compiled patterns are cached once per shape).
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string>

#include "aws/model.h"
#include "common/status.h"

namespace kiroku::aws {

// Bounds of every JSON document read from a request (deeper or larger: SerializationException /
// RequestEntityTooLarge before any parsing work is spent on it).
inline constexpr size_t kMaxJsonDepth = 64;
inline constexpr size_t kMaxJsonBytes = 8 * 1024 * 1024;  // a full PutLogEvents batch, escaped
// Bounds of an awsQuery request: its form text and its number of parameters.
inline constexpr size_t kMaxQueryBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxQueryParams = 10000;

// awsJson: checks the types of `input` against `shape` (erasing null members), then its
// constraints. SerializationException for a type error, the service's validation code otherwise.
Status ValidateJsonInput(const ServiceModel& model, const Shape* shape, boost::json::object& input);

// awsQuery: the decoder produced the model's types already; checks required members and
// constraints (ValidationError).
Status ValidateQueryInput(const ServiceModel& model, const Shape* shape,
                          const boost::json::object& input);

// The model's (Java-style) pattern translated to RE2 syntax: \uXXXX escapes (surrogate pairs
// joined) become \x{...}. Exposed for tests.
std::string TranslatePattern(std::string_view java_pattern);

// Patterns of the embedded models RE2 cannot compile (e.g. lookahead), so they are not checked.
// Compiles every pattern of the given service's model on first use.
size_t UncheckablePatternCount(const ServiceModel& model);

}  // namespace kiroku::aws
