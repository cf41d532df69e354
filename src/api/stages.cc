#include "api/stages.h"

namespace kiroku::api {

Status RouteStage::Run(RequestContext& ctx) {
  for (const RestRoute* rest : rest_routes_) {
    if (rest->Matches(ctx.http)) {
      ctx.rest_route = rest;
      return rest->Route(ctx);
    }
  }
  RETURN_IF_ERROR(aws::IdentifyRoute(ctx.http, ctx.route));
  // One endpoint serves iam and sts: a query request's Version names the service it was meant
  // for, so one signed for the other service fails its signature check
  // (SignatureDoesNotMatch, "scoped to correct service") instead of reaching the other
  // service's operation table (InvalidAction).
  if (ctx.route.protocol == aws::Protocol::kQuery) {
    if (auto version = ctx.route.params.find("Version"); version != ctx.route.params.end()) {
      for (const char* name : {"iam", "sts"}) {
        const aws::ServiceModel* model = aws::ServiceModel::Find(name);
        if (model != nullptr && model != ctx.route.model &&
            model->api_version() == version->second) {
          ctx.route.model = model;
        }
      }
    }
  }
  return Status::Ok();
}

namespace {

// The signature check asks for the secret of the request's access key; this lookup keeps the
// key it found, so the principal comes from the same single read of the store. Temporary
// credentials (ASIA…) come from the session store with their token digest and expiration, so
// SigV4 refuses a wrong or missing token (InvalidClientTokenId) and an expired session
// (ExpiredToken).
class KeepingLookup final : public aws::CredentialLookup {
 public:
  KeepingLookup(const iam::IdentityStore& identities, const iam::SessionStore& sessions)
      : identities_(identities), sessions_(sessions) {}

  Result<aws::Credential> Lookup(std::string_view access_key_id) const override {
    if (access_key_id.starts_with("ASIA")) {
      ASSIGN_OR_RETURN(iam::Session session, sessions_.Lookup(access_key_id));
      aws::Credential credential{std::string(session.secret.view()), session.token_sha256,
                                 session.expiration};
      principal_ = session.principal;  // the session keeps it too (CheckSessionPrincipal)
      session_ = std::move(session);
      return credential;
    }
    ASSIGN_OR_RETURN(iam::AccessKey key, identities_.LookupAccessKey(access_key_id));
    if (!key.active) return Status::NotFound("inactive access key");
    aws::Credential credential{std::string(key.secret.view()), std::nullopt, std::nullopt};
    principal_ = std::move(key.principal);
    return credential;
  }

  iam::Principal& principal() const { return principal_; }
  std::optional<iam::Session>& session() const { return session_; }

 private:
  const iam::IdentityStore& identities_;
  const iam::SessionStore& sessions_;
  mutable iam::Principal principal_;
  mutable std::optional<iam::Session> session_;
};

}  // namespace

AuthenticateStage::AuthenticateStage(const iam::IdentityStore& identities,
                                     const iam::SessionStore& sessions, const Clock& clock)
    : identities_(identities), sessions_(sessions), clock_(clock) {}

Status AuthenticateStage::Run(RequestContext& ctx) {
  // The signing name of all five services equals the model's service name.
  // (Both branches are string_views: mixing std::string and "" would make a temporary string.)
  std::string_view service = ctx.route.model != nullptr
                                 ? std::string_view(ctx.route.model->service())
                                 : std::string_view();
  aws::SigV4Options options;
  if (ctx.route.protocol == aws::Protocol::kRestXml) {
    service = "s3";
    options.s3 = true;
    options.max_skew = std::chrono::minutes(15);
    options.expected_region = ctx.signing_region;  // the bucket's region, empty when none
  }
  KeepingLookup lookup(identities_, sessions_);
  Result<aws::SignedIdentity> verified =
      options.s3 && aws::IsS3PresignedV2(ctx.http)
          ? aws::VerifyS3PresignedV2(ctx.http, ctx.s3_virtual_host_bucket, lookup, clock_)
          : aws::VerifySigV4(ctx.http, service, lookup, clock_, options);
  ASSIGN_OR_RETURN(aws::SignedIdentity identity, std::move(verified));
  if (std::optional<iam::Session>& session = lookup.session()) {
    // A session acts only while its role (or IAM user) exists with the unique id it was issued
    // for: a deleted, or deleted and re-created, identity's sessions are refused like an
    // invalid token.
    if (Status bound = iam::CheckSessionPrincipal(identities_, *session); !bound.ok()) {
      if (options.s3 && bound.code() == Code::kUnauthenticated) {
        return Status::InvalidArgument("The provided token is malformed or otherwise invalid.")
            .WithAwsCode("InvalidToken");
      }
      return bound;
    }
    // GetSessionToken credentials without MFA cannot call IAM at all: AWS answers as if the
    // token were invalid.
    if (session->kind == iam::SessionKind::kSessionToken && service == "iam") {
      return Status::Unauthenticated("The security token included in the request is invalid.")
          .WithAwsCode("InvalidClientTokenId");
    }
    ctx.session_kind = session->kind;
    ctx.session_issued = session->issued;
    ctx.session_source_identity = std::move(session->source_identity);
    ctx.session_policies = std::move(session->policies);
  }
  ctx.access_key_id = identity.access_key_id;
  ctx.signature = identity;
  ctx.region = identity.region.empty() ? ctx.region : identity.region;
  ctx.principal = std::move(lookup.principal());
  ctx.account = ctx.principal.account;
  return Status::Ok();
}

Status DecodeStage::Run(RequestContext& ctx) {
  // A REST route named the operation and decoded its input already (ctx.input); the model's
  // operation is looked up for the record, and may be missing.
  if (ctx.rest_route != nullptr) {
    ctx.operation = ctx.route.model->FindOperation(ctx.route.operation_name);
  } else {
    ASSIGN_OR_RETURN(ctx.operation, aws::FindOperation(ctx.route));
  }
  const std::string& name =
      ctx.operation != nullptr ? ctx.operation->name : ctx.route.operation_name;
  ctx.served = table_.Find(ctx.route.model->service(), name);
  if (ctx.served == nullptr) {
    // A real AWS operation that this kiroku version does not serve: the client gets the
    // protocol's unknown-operation error rather than a fabricated answer.
    return Status::InvalidArgument("Operation " + name + " of " + ctx.route.model->service() +
                                   " is not supported by this kiroku version")
        .WithAwsCode("InvalidAction");
  }
  if (ctx.rest_route != nullptr) return Status::Ok();
  // Decoding validates the input against the operation's model shape (aws/validation.h), in
  // this one place for every awsJson and awsQuery operation: types, required members, lengths,
  // ranges, enums and patterns, before authorization and before any handler runs.
  ASSIGN_OR_RETURN(ctx.input, aws::DecodeInput(ctx.route, *ctx.operation, ctx.http));
  return Status::Ok();
}

AuthorizeStage::AuthorizeStage(const iam::IdentityStore& identities, const Clock& clock)
    : identities_(identities), clock_(clock) {}

Status AuthorizeStage::Authorize(RequestContext& ctx) const {
  const Authorization& auth = ctx.served->authorization;
  const std::string& action = ctx.served->action;
  if (action.empty()) return Status::Ok();
  std::vector<std::string> resources = {"*"};
  if (auth.resources) {
    ASSIGN_OR_RETURN(resources, auth.resources(ctx));
    if (resources.empty()) resources = {"*"};
  }
  ASSIGN_OR_RETURN(policy::PolicySet policies, identities_.PoliciesFor(ctx.principal));
  policies.session.insert(policies.session.end(), ctx.session_policies.begin(),
                          ctx.session_policies.end());

  policy::RequestContext request;
  request.principal = ctx.principal;
  request.action = action;
  policy::AddPrincipalKeys(ctx.principal, request.keys);
  TimePoint now = clock_.Now();
  request.keys.SetDate("aws:CurrentTime", now);
  request.keys.SetNumber(
      "aws:EpochTime",
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  request.keys.SetBool("aws:SecureTransport", ctx.http.secure);
  request.keys.SetString("aws:RequestedRegion", ctx.region);
  if (!ctx.http.remote_address.empty()) request.keys.SetIp("aws:SourceIp", ctx.http.remote_address);
  if (ctx.session_issued) request.keys.SetDate("aws:TokenIssueTime", *ctx.session_issued);
  if (ctx.session_source_identity) {
    request.keys.SetString("aws:SourceIdentity", *ctx.session_source_identity);
  }
  if (auth.context) auth.context(ctx, request.keys);

  for (const std::string& resource : resources) {
    if (resource != "*") ctx.resources.push_back(resource);
    request.resource = resource;
    policies.resource.reset();
    if (auth.resource_policy) {
      ASSIGN_OR_RETURN(policies.resource, auth.resource_policy(ctx, resource));
    }
    policy::Decision decision = policy::Evaluate(policies, request);
    if (decision.decision == policy::EvalDecision::kImplicitDeny && auth.grants &&
        auth.grants(ctx, resource)) {
      decision.decision = policy::EvalDecision::kAllowed;
    }
    if (!decision.allowed()) {
      ctx.decision = decision;
      return policy::AccessDeniedError(request, decision);
    }
    ctx.decision = std::move(decision);
  }
  // Handlers that authorize further (AssumeRole's trust check) reuse the same keys.
  ctx.condition_keys = std::move(request.keys);
  return Status::Ok();
}

void OperationTable::Add(Operation op) {
  std::pair<std::string, std::string> key(op.service, op.name);
  ops_[std::move(key)] = std::move(op);
}

void OperationTable::Add(std::vector<Operation> ops) {
  for (Operation& op : ops) Add(std::move(op));
}

std::vector<const Operation*> OperationTable::All() const {
  std::vector<const Operation*> out;
  out.reserve(ops_.size());
  for (const auto& [key, op] : ops_) out.push_back(&op);
  return out;
}

const Operation* OperationTable::Find(std::string_view service, std::string_view operation) const {
  auto it = ops_.find(std::pair<std::string, std::string>(service, operation));
  return it == ops_.end() ? nullptr : &it->second;
}

Status DispatchStage::Run(RequestContext& ctx) {
  ASSIGN_OR_RETURN(ctx.output, ctx.served->handler(ctx));
  return Status::Ok();
}

}  // namespace kiroku::api
