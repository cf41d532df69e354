// libFuzzer target for awsQuery input decoding with model validation (aws::IdentifyRoute and
// aws::DecodeInput, as the pipeline's route and decode stages call them): the first byte picks
// an IAM or STS operation, the rest is the form body after its Action and Version. Any form must
// decode to an object or be refused with a 4xx error of the protocol: never a crash, never a 5xx.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "aws/errors.h"
#include "aws/protocol.h"

namespace {

constexpr const char* kActions[] = {
    "Action=CreateUser&Version=2010-05-08",
    "Action=PutUserPolicy&Version=2010-05-08",
    "Action=CreateRole&Version=2010-05-08",
    "Action=TagRole&Version=2010-05-08",
    "Action=ListUsers&Version=2010-05-08",
    "Action=CreateLoginProfile&Version=2010-05-08",
    "Action=SimulatePrincipalPolicy&Version=2010-05-08",
    "Action=AssumeRole&Version=2011-06-15",
    "Action=GetSessionToken&Version=2011-06-15",
    "Action=GetFederationToken&Version=2011-06-15",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  namespace aws = kiroku::aws;
  kiroku::net::Request request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  // The fuzzed parameters come first so they cannot override Action/Version (later wins).
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  request.body += "&";
  request.body += kActions[data[0] % std::size(kActions)];
  aws::Route route;
  kiroku::Status status = aws::IdentifyRoute(request, route);
  if (status.ok()) {
    auto op = aws::FindOperation(route);
    if (!op.ok()) std::abort();
    auto input = aws::DecodeInput(route, **op, request);
    status = input.status();
  }
  if (!status.ok()) {
    aws::AwsError error = aws::MapError(route.model, route.protocol, status);
    if (error.http_status < 400 || error.http_status >= 500 || error.code.empty()) std::abort();
  }
  return 0;
}
