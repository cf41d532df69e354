// Frontend: the net::Handler behind the port. Serves the unauthenticated health document at
// GET /_kiroku/health, streams S3 REST requests (aws::IsS3Request) to the S3Service, and hands
// everything else to the AWS pipeline.
#pragma once

#include <string>
#include <vector>

#include "api/pipeline.h"
#include "net/server.h"

namespace kiroku::api {
class S3Service;
}

namespace kiroku::api {

struct FrontendOptions {
  std::vector<std::string> services;  // listed in the health document
  size_t max_body_bytes = 0;          // reported in RequestEntityTooLarge errors
};

class Frontend final : public net::Handler {
 public:
  // `pipeline` and `clock` must outlive the frontend.
  Frontend(const Pipeline& pipeline, const Clock& clock, FrontendOptions options);

  net::Response Handle(const net::Request& request) override;
  net::Response Reject(const net::Request& head, net::RejectReason reason) override;
  bool StreamsBody(const net::Request& head) override;
  net::Response HandleStream(const net::Request& head, net::BodyReader& body) override;

  // Serves S3 requests through `s3` (which must outlive the frontend). Call before serving.
  void SetS3(const S3Service* s3) { s3_ = s3; }

 private:
  net::Response Health() const;

  const Pipeline& pipeline_;
  const Clock& clock_;
  FrontendOptions options_;
  TimePoint started_;
  const S3Service* s3_ = nullptr;
};

}  // namespace kiroku::api
