// Frontend: the net::Handler behind the port. Serves the unauthenticated health document at
// GET /_kiroku/health and hands every other request to the AWS pipeline — streaming the body
// of a request a RestRoute claims (S3), so that it is read while the handler consumes it.
#pragma once

#include <string>
#include <vector>

#include "api/pipeline.h"
#include "api/rest_route.h"
#include "net/server.h"

namespace kiroku::api {

struct FrontendOptions {
  std::vector<std::string> services;  // listed in the health document
  size_t max_body_bytes = 0;          // reported in RequestEntityTooLarge errors
  // Requests one of these claims stream their body (the pipeline's RouteStage routes them);
  // each must outlive the frontend.
  std::vector<const RestRoute*> rest_routes;
};

class Frontend final : public net::Handler {
 public:
  // `pipeline` and `clock` must outlive the frontend.
  Frontend(const Pipeline& pipeline, const Clock& clock, FrontendOptions options);

  net::Response Handle(const net::Request& request) override;
  net::Response Reject(const net::Request& head, net::RejectReason reason) override;
  bool StreamsBody(const net::Request& head) override;
  net::Response HandleStream(const net::Request& head, net::BodyReader& body) override;

 private:
  net::Response Health() const;

  const Pipeline& pipeline_;
  const Clock& clock_;
  FrontendOptions options_;
  TimePoint started_;
};

}  // namespace kiroku::api
