// Pipeline: runs the stages for one AWS request and renders the outcome — the output in the
// request's protocol, or the first failing stage's Status through aws/errors.cc. Logs one
// debug line per request. Thread-safe once built (Add is not; call it before serving).
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

  net::Response Handle(const net::Request& request) const;
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
