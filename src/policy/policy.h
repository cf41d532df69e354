// Policy: one parsed, validated and compiled IAM policy document (identity-based, permissions
// boundary, session, resource-based, KMS key or role trust policy). ParsePolicy() is the only
// way to build one; malformed documents are rejected with InvalidArgument carrying the AWS code
// "MalformedPolicyDocument" and a message that names the element (and, for JSON syntax errors,
// the line and column). A Policy is immutable and cheap to copy (shared compiled form);
// concurrent use from any number of threads is safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kiroku::policy {

namespace internal {
struct CompiledPolicy;
}  // namespace internal

// What the document is attached to; decides which elements are allowed and how the evaluator
// treats it.
enum class PolicyKind {
  kIdentity,     // identity-based, permissions boundary or session policy: no Principal
  kResource,     // resource-based (bucket, queue, log-group resource policy): Principal required
  kKeyPolicy,    // KMS key policy: resource-based, and it must allow explicitly
  kTrustPolicy,  // role trust policy: must allow explicitly; no NotPrincipal, no Resource
};

enum class PolicyVersion {
  kNone,        // no Version element: policy variables are literal text
  k2008_10_17,  // policy variables are literal text
  k2012_10_17,
};

struct ParseOptions {
  PolicyKind kind = PolicyKind::kIdentity;
  // How decisions name this policy ("alice/inline/s3-read", a policy ARN, "key-policy"). Free
  // text; not validated.
  std::string name;
};

// A 1-based line and column in a policy document (as the simulator's MatchedStatements report).
struct TextPosition {
  int line = 0;
  int column = 0;

  bool operator==(const TextPosition&) const = default;
};

class Policy {
 public:
  Policy();  // an empty identity policy: no statements, grants nothing

  PolicyKind kind() const;
  PolicyVersion version() const;
  const std::string& name() const;
  // The document's own Id element, or empty.
  const std::string& id() const;
  size_t statement_count() const;
  // The Sid of statement `index` (0-based), or empty. `index` < statement_count().
  const std::string& sid(size_t index) const;
  // Where statement `index` starts (its `{`) and ends (just after its `}`) in the document.
  TextPosition statement_start(size_t index) const;
  TextPosition statement_end(size_t index) const;

  // Internal: the compiled form the evaluator runs.
  const internal::CompiledPolicy& compiled() const { return *compiled_; }

 private:
  friend Result<Policy> ParsePolicy(std::string_view, const ParseOptions&);
  std::shared_ptr<const internal::CompiledPolicy> compiled_;
};

// Parses and validates `document` (JSON). Errors: InvalidArgument with aws_code
// "MalformedPolicyDocument" for invalid JSON, duplicate object keys, unknown or missing
// elements, bad values (Effect, Version, Action without a service prefix, Resource that is not an
// ARN or "*", unknown condition operators, unparsable numbers/dates/CIDRs/booleans), a Principal
// in an identity policy, a missing Principal in a resource policy, NotPrincipal or Resource in a
// trust policy. Never throws.
Result<Policy> ParsePolicy(std::string_view document, const ParseOptions& options = {});

// The condition keys `policy` uses, in first-use order without case-insensitive duplicates:
// every key under Condition plus every key named by a policy variable (${aws:username}) in
// Resource, NotResource or condition values. This is GetContextKeysForCustomPolicy.
std::vector<std::string> GetContextKeys(const Policy& policy);

}  // namespace kiroku::policy
