// libFuzzer target for awsQuery input decoding with model validation (aws::IdentifyRoute and
// aws::DecodeInput, as the pipeline's route and decode stages call them): the first byte picks
// an IAM or STS operation, the rest is the form body after its Action and Version. Any form must
// decode to an object or be refused with a 4xx error of the protocol, rendered as well-formed
// XML: never a crash, never a 5xx.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/errors.h"
#include "aws/protocol.h"
#include "aws/rest_xml.h"

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

// Only characters XML 1.0 allows: no control character but tab, LF, CR; well-formed UTF-8.
bool XmlChars(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

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
    // The error document the SDK parses stays well-formed XML whatever the request echoed.
    kiroku::net::Response response =
        aws::RenderError(route.model, route.protocol, status, "request-id");
    if (!aws::ParseXml(response.body).ok() || !XmlChars(response.body)) std::abort();
  }
  return 0;
}
