#include "api/frontend.h"

#include <boost/json.hpp>

namespace kiroku::api {

Frontend::Frontend(const Pipeline& pipeline, const Clock& clock, FrontendOptions options)
    : pipeline_(pipeline), clock_(clock), options_(std::move(options)), started_(clock.Now()) {}

net::Response Frontend::Handle(const net::Request& request) {
  if (request.path() == "/_kiroku/health" &&
      (request.method == "GET" || request.method == "HEAD")) {
    return Health();
  }
  return pipeline_.Handle(request);
}

bool Frontend::StreamsBody(const net::Request& head) {
  for (const RestRoute* route : options_.rest_routes) {
    if (route->Matches(head)) return true;
  }
  return false;
}

net::Response Frontend::HandleStream(const net::Request& head, net::BodyReader& body) {
  return pipeline_.Handle(head, &body);
}

net::Response Frontend::Reject(const net::Request& head, net::RejectReason reason) {
  if (reason == net::RejectReason::kBodyTimeout) {
    // S3's words for a body that stalled; every protocol answers it with this code (400).
    return pipeline_.RejectRequest(
        head, Status::InvalidArgument("Your socket connection to the server was not read from or "
                                      "written to within the timeout period. Idle connections "
                                      "will be closed.")
                  .WithAwsCode("RequestTimeout"));
  }
  return pipeline_.RejectTooLarge(head, options_.max_body_bytes);
}

net::Response Frontend::Health() const {
  boost::json::array services;
  for (const std::string& s : options_.services) services.emplace_back(s);
  double uptime = std::chrono::duration<double>(clock_.Now() - started_).count();
  boost::json::object body{{"status", "ok"},
                           {"version", KIROKU_VERSION},
                           {"services", std::move(services)},
                           {"uptimeSeconds", uptime}};
  net::Response response;
  response.SetHeader("Content-Type", "application/json");
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace kiroku::api
