// libFuzzer target for awsJson input decoding with model validation (aws::DecodeInput, as the
// pipeline's decode stage calls it): the first byte picks an operation of logs, kms or
// cloudtrail, the rest is the request body. Any body must decode to an object or be refused
// with a 4xx error of the protocol: never a crash, never a 5xx.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "aws/errors.h"
#include "aws/protocol.h"

namespace {

constexpr const char* kTargets[] = {
    "Logs_20140328.PutLogEvents",
    "Logs_20140328.CreateLogGroup",
    "Logs_20140328.DescribeLogStreams",
    "Logs_20140328.PutMetricFilter",
    "Logs_20140328.FilterLogEvents",
    "TrentService.Encrypt",
    "TrentService.CreateKey",
    "TrentService.CreateGrant",
    "TrentService.ListKeys",
    "TrentService.TagResource",
    "CloudTrail_20131101.LookupEvents",
    "CloudTrail_20131101.CreateTrail",
    "CloudTrail_20131101.PutEventSelectors",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  namespace aws = kiroku::aws;
  kiroku::net::Request request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"X-Amz-Target", kTargets[data[0] % std::size(kTargets)]},
                     {"Content-Type", "application/x-amz-json-1.1"}};
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  aws::Route route;
  if (!aws::IdentifyRoute(request, route).ok()) std::abort();
  auto op = aws::FindOperation(route);
  if (!op.ok()) std::abort();
  auto input = aws::DecodeInput(route, **op, request);
  if (!input.ok()) {
    aws::AwsError error = aws::MapError(route.model, route.protocol, input.status());
    if (error.http_status < 400 || error.http_status >= 500 || error.code.empty()) std::abort();
  }
  return 0;
}
