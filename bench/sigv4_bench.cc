// SigV4 verification: the cost every request pays before any service work.
#include <benchmark/benchmark.h>

#include "aws/sigv4.h"
#include "common/encoding.h"
#include "crypto/hash.h"

namespace kiroku::aws {
namespace {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint Now() const override { return t_; }

 private:
  TimePoint t_;
};

class OneKey final : public CredentialLookup {
 public:
  Result<Credential> Lookup(std::string_view id) const override {
    if (id != "AKIAKIROKUBENCH00001") return Status::NotFound("no key");
    return Credential{"bench-secret-0123456789abcdefghijklmnopqr", {}, {}};
  }
};

// A PutLogEvents-shaped JSON request of `body_bytes`, signed the way botocore signs it.
net::Request SignedRequest(size_t body_bytes, const std::string& amz_date) {
  net::Request r;
  r.method = "POST";
  r.target = "/";
  r.body = R"({"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":")" +
           std::string(body_bytes, 'x') + "\"}]}";
  r.headers = {{"Host", "127.0.0.1:4747"},
               {"Content-Type", "application/x-amz-json-1.1"},
               {"User-Agent", "aws-cli/1.45.11 Python/3.11.7 Linux botocore/1.43.11"},
               {"X-Amz-Date", amz_date},
               {"X-Amz-Target", "Logs_20140328.PutLogEvents"}};
  std::vector<std::string> signed_headers = {"content-type", "host", "x-amz-date", "x-amz-target"};
  CanonicalInput in{r.method, "/", "", r.headers, signed_headers, HexEncode(crypto::Sha256(r.body)),
                    false};
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/ap-northeast-1/logs/aws4_request";
  std::string sig =
      Sign(SigningKey("bench-secret-0123456789abcdefghijklmnopqr", date, "ap-northeast-1", "logs"),
           StringToSign(amz_date, scope, CanonicalRequest(in)));
  r.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAKIROKUBENCH00001/" +
                                            scope +
                                            ", SignedHeaders=content-type;host;x-amz-date;"
                                            "x-amz-target, Signature=" +
                                            sig});
  return r;
}

void BM_VerifySigV4(benchmark::State& state) {
  const std::string amz_date = "20261126T213114Z";
  FixedClock clock(*ParseAmzDate(amz_date));
  OneKey keys;
  net::Request request = SignedRequest(static_cast<size_t>(state.range(0)), amz_date);
  for (auto _ : state) {
    auto identity = VerifySigV4(request, "logs", keys, clock);
    if (!identity.ok()) state.SkipWithError(identity.status().ToString().c_str());
    benchmark::DoNotOptimize(identity);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(request.body.size()));
}
BENCHMARK(BM_VerifySigV4)->Arg(0)->Arg(1024)->Arg(64 * 1024)->Arg(1024 * 1024);

}  // namespace
}  // namespace kiroku::aws

BENCHMARK_MAIN();
