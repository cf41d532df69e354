// libFuzzer target for SigV4 verification, header and presigned forms, with S3's rules and
// without, and S3's legacy SigV2 presigned URLs. Input: the request line's method and target
// on the first two lines, then "Name: value" header lines up to an empty line, then the body.
// Credentials are a fixed lookup (a long-term AKIA key, a session ASIA key with its token) and
// the clock is fixed at the seeds' signing time, so the seeds (valid signed requests) reach
// the signature comparison and mutations explore every refusal. Any outcome other than an
// identity of a known key or an authentication / argument error is a failure.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "testing/fake_clock.h"

namespace {

using kiroku::aws::CredentialLookup;

class FixedLookup final : public CredentialLookup {
 public:
  kiroku::Result<kiroku::aws::Credential> Lookup(std::string_view id) const override {
    if (id == "AKIAFUZZ000000000001") return kiroku::aws::Credential{"fuzz-secret-1", {}, {}};
    if (id == "ASIAFUZZ000000000002") {
      return kiroku::aws::Credential{"fuzz-secret-2", kiroku::crypto::Sha256("fuzz-token"),
                                     *kiroku::ParseAmzDate("20261127T000000Z")};
    }
    return kiroku::Status::NotFound("no such key");
  }
};

kiroku::net::Request Parse(std::string_view input) {
  kiroku::net::Request r;
  auto line = [&]() {
    size_t nl = input.find('\n');
    std::string_view l = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  r.method = std::string(line());
  r.target = std::string(line());
  while (!input.empty()) {
    std::string_view h = line();
    if (h.empty()) break;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.push_back({std::string(h.substr(0, colon)), std::string(value)});
  }
  r.body = std::string(input);
  return r;
}

void Check(const kiroku::Result<kiroku::aws::SignedIdentity>& result) {
  if (result.ok()) {
    if (result->access_key_id != "AKIAFUZZ000000000001" &&
        result->access_key_id != "ASIAFUZZ000000000002") {
      std::abort();
    }
    return;
  }
  kiroku::Code code = result.status().code();
  if (code != kiroku::Code::kUnauthenticated && code != kiroku::Code::kInvalidArgument) {
    std::abort();
  }
  if (result.status().aws_code().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const FixedLookup lookup;
  static const kiroku::testing::FakeClock clock(*kiroku::ParseAmzDate("20261126T213114Z"));
  const kiroku::net::Request request =
      Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  Check(kiroku::aws::VerifySigV4(request, "", lookup, clock));
  Check(kiroku::aws::VerifySigV4(request, "iam", lookup, clock));
  kiroku::aws::SigV4Options s3;
  s3.s3 = true;
  s3.max_skew = std::chrono::minutes(15);
  Check(kiroku::aws::VerifySigV4(request, "s3", lookup, clock, s3));
  s3.expected_region = "ap-northeast-1";
  Check(kiroku::aws::VerifySigV4(request, "s3", lookup, clock, s3));
  if (kiroku::aws::IsS3PresignedV2(request)) {
    Check(kiroku::aws::VerifyS3PresignedV2(request, "", lookup, clock));
    Check(kiroku::aws::VerifyS3PresignedV2(request, "bucket", lookup, clock));
  }
  (void)kiroku::aws::HasSigV4(request);
  return 0;
}
