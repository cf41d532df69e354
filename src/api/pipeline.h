// Pipeline: runs the stages for one AWS request and renders the outcome — the output in the
// request's protocol (or the protocol response the handler wrote, RequestContext::reply), or
// the first failing stage's Status through aws/errors.cc, decorated by the request's RestRoute
// when one claimed it. Runs the completion hooks (the audit hook) and logs one debug line per
// request. Thread-safe once built (Add and OnComplete are not; call them before serving).
#pragma once

#include <memory>
#include <vector>

#include "api/stage.h"
#include "common/clock.h"
#include "net/http.h"

namespace kiroku::api {

class Pipeline {
 public:
  // `clock` must outlive the pipeline.
  explicit Pipeline(const Clock& clock) : clock_(clock) {}

  void Add(std::unique_ptr<Stage> stage) { stages_.push_back(std::move(stage)); }
  void OnComplete(std::unique_ptr<CompletionHook> hook) { hooks_.push_back(std::move(hook)); }

  // Serves `request`. `body`, when not null, delivers a body that streams (a request a
  // RestRoute claimed; request.body is then empty); it must stay valid during the call.
  net::Response Handle(const net::Request& request, net::BodyReader* body = nullptr) const;
  // The error response for a request refused before its body was read.
  net::Response RejectTooLarge(const net::Request& head, size_t limit) const;
  // The error response, in the request's protocol, for a request refused with `status`
  // before it was handled (its body too large or too slow).
  net::Response RejectRequest(const net::Request& head, const Status& status) const;

 private:
  const Clock& clock_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<std::unique_ptr<CompletionHook>> hooks_;
};

// A fresh request id in AWS's UUID form.
std::string NewRequestId();

}  // namespace kiroku::api
