// One step of handling an AWS request. Stages run in order; a non-OK Status ends the request
// and aws/errors.cc renders it in the request's protocol (Envoy's sendLocalReply).
#pragma once

#include "api/request_context.h"
#include "common/status.h"

namespace kiroku::api {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual Status Run(RequestContext& ctx) = 0;
};

}  // namespace kiroku::api

namespace kiroku::api {

// Runs after every request, whatever its outcome (Envoy's access log): `status` is the first
// failing stage's, or OK. Must not fail the request; called on the request's thread.
class CompletionHook {
 public:
  virtual ~CompletionHook() = default;
  virtual void OnComplete(const RequestContext& ctx, const Status& status) = 0;
};

}  // namespace kiroku::api
