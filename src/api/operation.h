// Operation: one row of a service's operation table — everything the request core needs to
// know about one served AWS operation, declared in src/services/<service>/<service>_service.cc:
//
//   {"kms", "Encrypt", "kms:Encrypt", Access::kRead, EventCategory::kManagement,
//    Handler(this, &KmsService::Encrypt), KeyAuthorization(...)}
//
// the service and operation name (as in the botocore model), the IAM action written out, whether
// it only reads (CloudTrail's readOnly) and its CloudTrail event category, the handler, and how
// the request is authorized: the resource ARN(s) it acts on, the operation's own condition keys
// and the resource's policy when it has one (KMS key policy, role trust policy, bucket policy).
// `grep -rn '"kms:Encrypt"' src` finds the row.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/request_context.h"
#include "common/status.h"
#include "policy/context.h"
#include "policy/policy.h"

namespace kiroku::api {

class RestRoute;

// Reads ctx.input (and principal, region), returns the output object.
using OperationFn = std::function<Result<boost::json::value>(RequestContext& ctx)>;

// CloudTrail's readOnly: kRead for operations that change nothing (Get*, List*, Describe*, and
// also Encrypt, Decrypt, GenerateDataKey, FilterLogEvents ...).
enum class Access { kRead, kWrite };
// CloudTrail's eventCategory: data events (object-level S3, CloudWatch Logs' data plane) are not
// management events and reach only trails that select them.
enum class EventCategory { kManagement, kData };

struct Authorization {
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
  std::string service;  // "kms": the model's service name
  std::string name;     // "Encrypt": the model's operation name
  // "kms:Encrypt", written out in the row. Empty only for the few operations AWS never denies
  // (sts:GetCallerIdentity): they skip authorization entirely.
  std::string action;
  Access access = Access::kWrite;
  EventCategory category = EventCategory::kManagement;
  OperationFn handler;
  Authorization authorization;
};

// A handler that is a const member function of a service object (which must outlive the table).
template <typename Service>
OperationFn Handler(const Service* service,
                    Result<boost::json::value> (Service::*fn)(RequestContext&) const) {
  return [service, fn](RequestContext& ctx) { return (service->*fn)(ctx); };
}

// A service: its operation table. Implemented by each src/services/<service>/ module; the rows
// may refer to the service object, which must outlive the OperationTable they are added to.
class Service {
 public:
  virtual ~Service() = default;
  virtual std::vector<Operation> Operations() const = 0;
  // The service's REST route when it is addressed by method and path (S3), else null.
  virtual const RestRoute* rest_route() const { return nullptr; }
};

// The served operations, keyed by (service, operation name). Built before serving, then
// read-only (thread-safe for reads).
class OperationTable {
 public:
  // Adds a row; a second row for the same (service, name) replaces the first.
  void Add(Operation op);
  void Add(std::vector<Operation> ops);
  const Operation* Find(std::string_view service, std::string_view operation) const;
  size_t size() const { return ops_.size(); }
  // Every row, ordered by (service, name).
  std::vector<const Operation*> All() const;

 private:
  std::map<std::pair<std::string, std::string>, Operation, std::less<>> ops_;
};

}  // namespace kiroku::api
