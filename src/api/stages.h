// The fixed stages of the AWS request path:
//   RouteStage        which service / protocol / operation name (a RestRoute's, else
//                     X-Amz-Target or Action=)
//   AuthenticateStage SigV4 -> access key -> principal; the scope's region is the request's
//   DecodeStage       the operation's model, its served handler, its input as one JSON object
//                     (a RestRoute decoded it already)
//   AuthorizeStage    the policy engine's decision for the operation's action and resources
//   DispatchStage     the service handler for (service, operation)
// Each stage is built once and shared by all requests; all are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/operation.h"
#include "api/rest_route.h"
#include "api/stage.h"
#include "aws/sigv4.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"

namespace kiroku::api {

class RouteStage final : public Stage {
 public:
  // The REST routes are asked in order, before the awsJson / awsQuery routing; each must
  // outlive the stage.
  explicit RouteStage(std::vector<const RestRoute*> rest_routes = {})
      : rest_routes_(std::move(rest_routes)) {}
  // Adds a REST route (which must outlive the stage). Call before serving.
  void Add(const RestRoute& route) { rest_routes_.push_back(&route); }
  Status Run(RequestContext& ctx) override;

 private:
  std::vector<const RestRoute*> rest_routes_;
};

class AuthenticateStage final : public Stage {
 public:
  // All arguments must outlive the stage. ASIA… keys are looked up in `sessions`, the others
  // in `identities`.
  AuthenticateStage(const iam::IdentityStore& identities, const iam::SessionStore& sessions,
                    const Clock& clock);
  Status Run(RequestContext& ctx) override;

 private:
  const iam::IdentityStore& identities_;
  const iam::SessionStore& sessions_;
  const Clock& clock_;
};

// Finds the operation in the model and in the served table, and decodes its input.
class DecodeStage final : public Stage {
 public:
  // `table` must outlive the stage.
  explicit DecodeStage(const OperationTable& table) : table_(table) {}
  Status Run(RequestContext& ctx) override;

 private:
  const OperationTable& table_;
};

// Evaluates the caller's policies (and the resource's) for the operation's action on each of
// its resources; the first denial ends the request with AWS's AccessDenied message. The
// session policies of temporary credentials take part as PolicySet::session.
class AuthorizeStage final : public Stage {
 public:
  // Both must outlive the stage.
  AuthorizeStage(const iam::IdentityStore& identities, const Clock& clock);
  Status Run(RequestContext& ctx) override { return Authorize(ctx); }
  // The same decision for callers that hold the stage as const (InternalCaller).
  Status Authorize(RequestContext& ctx) const;

 private:
  const iam::IdentityStore& identities_;
  const Clock& clock_;
};

// Runs the handler the DecodeStage found. A REST handler prepares the streamed body itself
// (S3: checksums, aws-chunked decoding, x-amz-content-sha256) and sets ctx.reply.
class DispatchStage final : public Stage {
 public:
  Status Run(RequestContext& ctx) override;
};

}  // namespace kiroku::api
