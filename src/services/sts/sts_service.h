// StsService: the STS operations (awsQuery) — GetCallerIdentity, GetSessionToken and AssumeRole
// (docs/sts.md). Its operation table (sts_service.cc) declares each operation's IAM action and
// how it is authorized: AssumeRole against the role's trust policy as the resource policy;
// GetCallerIdentity never (AWS answers it for every valid credential); GetSessionToken needs no
// permission, so its handler refuses only an explicit deny (session_token.cc). iam::SessionStore
// issues the credentials.
//
// Thread-safe: the handlers keep no state of their own; the stores are thread-safe.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/operation.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"

namespace kiroku::services {

class StsService final : public api::Service {
 public:
  // `identities` and `sessions` must outlive this object, which must outlive the table its
  // operations are added to.
  StsService(const iam::IdentityStore& identities, iam::SessionStore& sessions)
      : identities_(identities), sessions_(sessions) {}

  std::vector<api::Operation> Operations() const override;

 private:
  using RequestContext = api::RequestContext;
  using Json = Result<boost::json::value>;

  Json GetCallerIdentity(RequestContext& ctx) const;  // sts_service.cc
  Json GetSessionToken(RequestContext& ctx) const;    // session_token.cc
  Json AssumeRole(RequestContext& ctx) const;         // assume_role.cc

  // AssumeRole's authorization: sts:AssumeRole on the role, with its trust policy as the
  // resource policy, after the request's syntax is checked (assume_role.cc).
  api::Authorization AssumeRoleAuthorization() const;
  // The role named by `arn`, or nullopt when there is none (which the trust check answers as
  // AccessDenied, exactly like a role that does not trust the caller).
  Result<std::optional<iam::Role>> FindRole(const std::string& arn) const;
  // For operations that need no permission but can be denied explicitly.
  Status RefuseExplicitDeny(const RequestContext& ctx, std::string_view action) const;

  const iam::IdentityStore& identities_;
  iam::SessionStore& sessions_;
};

}  // namespace kiroku::services
