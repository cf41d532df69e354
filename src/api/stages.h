// The fixed stages of the AWS request path:
//   RouteStage        which service / protocol / operation name (X-Amz-Target or Action=)
//   AuthenticateStage SigV4 -> access key -> principal; the scope's region is the request's
//   DecodeStage       the operation's model and its input as one JSON object
//   DispatchStage     the service handler for (service, operation)
// Each stage is built once and shared by all requests; all are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "api/stage.h"
#include "aws/sigv4.h"
#include "iam/identity_store.h"

namespace kiroku::api {

class RouteStage final : public Stage {
 public:
  Status Run(RequestContext& ctx) override;
};

class AuthenticateStage final : public Stage {
 public:
  // All arguments must outlive the stage.
  AuthenticateStage(const iam::IdentityStore& identities, const Clock& clock);
  Status Run(RequestContext& ctx) override;

 private:
  const iam::IdentityStore& identities_;
  const Clock& clock_;
};

class DecodeStage final : public Stage {
 public:
  Status Run(RequestContext& ctx) override;
};

// A service operation: reads ctx.input (and principal, region), returns the output object.
using OperationFn = std::function<Result<boost::json::value>(RequestContext& ctx)>;

// The handlers of every implemented operation, keyed by (service, operation).
class OperationTable {
 public:
  void Add(std::string service, std::string operation, OperationFn fn);
  const OperationFn* Find(std::string_view service, std::string_view operation) const;
  size_t size() const { return ops_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, OperationFn, std::less<>> ops_;
};

class DispatchStage final : public Stage {
 public:
  // `table` must outlive the stage.
  explicit DispatchStage(const OperationTable& table) : table_(table) {}
  Status Run(RequestContext& ctx) override;

 private:
  const OperationTable& table_;
};

}  // namespace kiroku::api
