// RequestRouter: the one net::Handler behind the port. Requests for the console's URLs
// (console::Console::Serves: /console…, /signin…) go to the console; everything else — every
// AWS API call, S3 path- and virtual-hosted-style requests, the health document — goes to the
// AWS frontend. Thread-safe as its two handlers are.
#pragma once

#include "console/console.h"
#include "net/server.h"

namespace kiroku::app {

class RequestRouter final : public net::Handler {
 public:
  // Both handlers must outlive the router.
  RequestRouter(console::Console& console, net::Handler& aws) : console_(console), aws_(aws) {}

  net::Response Handle(const net::Request& request) override {
    return console::Console::Serves(request) ? console_.Handle(request) : aws_.Handle(request);
  }
  net::Response Reject(const net::Request& head, net::RejectReason reason) override {
    return console::Console::Serves(head) ? console_.Reject(head, reason)
                                          : aws_.Reject(head, reason);
  }
  bool StreamsBody(const net::Request& head) override {
    return !console::Console::Serves(head) && aws_.StreamsBody(head);
  }
  net::Response HandleStream(const net::Request& head, net::BodyReader& body) override {
    return aws_.HandleStream(head, body);
  }

 private:
  console::Console& console_;
  net::Handler& aws_;
};

}  // namespace kiroku::app
