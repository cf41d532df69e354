// Operation: what the pipeline needs to know about one served AWS operation, declared next to
// its handler (api/<service>_service.cc): the handler itself, and how the request is
// authorized — the IAM action, the resource ARN(s) it acts on, the operation's own condition
// keys, and the resource's policy when it has one (KMS key policy, role trust policy, ...).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/request_context.h"
#include "common/status.h"
#include "policy/context.h"
#include "policy/policy.h"

namespace kiroku::api {

// Reads ctx.input (and principal, region), returns the output object.
using OperationFn = std::function<Result<boost::json::value>(RequestContext& ctx)>;

struct Authorization {
  // "iam:CreateUser". Empty only for the few operations AWS never denies
  // (sts:GetCallerIdentity): they skip authorization entirely.
  std::string action;
  // The ARNs the action is checked against (each must be allowed); "*" when not set or empty.
  // May fail with the service's error, e.g. an invalid name in the input.
  std::function<Result<std::vector<std::string>>(const RequestContext&)> resources;
  // Adds the operation's own condition keys (aws:RequestTag/*, kms:EncryptionContext:*, ...).
  std::function<void(const RequestContext&, policy::ContextKeys&)> context;
  // The policy of `resource` itself (resource-based, KMS key or role trust policy), if any.
  std::function<Result<std::optional<policy::Policy>>(const RequestContext&,
                                                       const std::string& resource)>
      resource_policy;
  // Grants (KMS): whether a grant to the caller allows the action on `resource` when no policy
  // did (an explicit deny still wins).
  std::function<bool(const RequestContext&, const std::string& resource)> grants;
};

struct Operation {
  OperationFn handler;
  Authorization authorization;
};

// The served operations, keyed by (service, operation name). Built before serving, then
// read-only (thread-safe for reads).
class OperationTable {
 public:
  void Add(std::string service, std::string operation, Operation op);
  const Operation* Find(std::string_view service, std::string_view operation) const;
  size_t size() const { return ops_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, Operation, std::less<>> ops_;
};

}  // namespace kiroku::api
