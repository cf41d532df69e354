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
