// InternalCaller: how kiroku's own services call an AWS operation *as a principal* — the
// CloudWatch Logs engine calling KMS as logs.<region>.amazonaws.com, CloudTrail assuming a role
// as cloudtrail.amazonaws.com. The call takes the same path as an HTTP request after
// authentication: the operation's declared authorization is evaluated by AuthorizeStage (key
// policies, trust policies, grants, condition keys), then its handler runs. There is no bypass.
//
// Thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "api/operation.h"
#include "api/stages.h"

namespace kiroku::api {

struct InternalCall {
  iam::Principal principal;  // e.g. policy::ServicePrincipal("logs.ap-northeast-1.amazonaws.com")
  std::string account;       // the account whose resources are used
  std::string region;
  std::string service;        // "kms"
  std::string operation;      // "GenerateDataKey"
  boost::json::object input;  // as the awsJson client would send it
};

class InternalCaller {
 public:
  // All must outlive the caller.
  InternalCaller(const OperationTable& table, const iam::IdentityStore& identities,
                 const Clock& clock);

  // The operation's output, or the Status an HTTP caller would have received (AccessDenied,
  // DisabledException, ...). InvalidAction for an operation that is not served.
  Result<boost::json::value> Call(const InternalCall& call) const;

  // Only the authorization of Call(): OK if `call` would be allowed, else the AccessDenied an
  // HTTP caller would get. Nothing runs (CloudTrail checks a role's permissions this way).
  Status Authorize(const InternalCall& call) const;

 private:
  Result<const Operation*> Find(const InternalCall& call) const;

  const OperationTable& table_;
  AuthorizeStage authorize_;
};

}  // namespace kiroku::api
