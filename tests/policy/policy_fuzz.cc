// libFuzzer target for ParsePolicy (and, for documents that parse, GetContextKeys and Evaluate).
// Built only with clang++: `ninja -C build/policy policy_fuzz`, then
//   build/policy/tests/policy/fuzz/policy_fuzz -max_total_time=60 tests/policy/fuzz_seeds
// Invariants checked: no crash or sanitizer report, no exception, and every rejection is
// InvalidArgument with the AWS code MalformedPolicyDocument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/evaluator.h"

namespace {

using namespace kiroku::policy;

const RequestContext& Request() {
  static const RequestContext* request = [] {
    auto* r = new RequestContext;
    r->principal = *PrincipalFromArn("arn:aws:sts::111122223333:assumed-role/R/s");
    r->action = "kms:GenerateDataKey";
    r->resource = "arn:aws:kms:ap-northeast-1:111122223333:key/k1";
    AddPrincipalKeys(r->principal, r->keys);
    r->keys.SetIp("aws:SourceIp", "2001:db8::7");
    r->keys.SetStrings("aws:TagKeys", {"a", "b*", "${x}"});
    r->keys.Set("aws:CurrentTime", ContextType::kDate, {"2026-11-26T22:00:00Z"});
    r->keys.SetString("kms:EncryptionContext:aws:logs:arn",
                      "arn:aws:logs:ap-northeast-1:111122223333:log-group:g");
    return r;
  }();
  return *request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the policy kind; the rest is the document.
  const PolicyKind kinds[] = {PolicyKind::kIdentity, PolicyKind::kResource, PolicyKind::kKeyPolicy,
                              PolicyKind::kTrustPolicy};
  PolicyKind kind = kinds[data[0] % 4];
  std::string_view doc(reinterpret_cast<const char*>(data + 1), size - 1);
  kiroku::Result<Policy> policy = ParsePolicy(doc, {kind, "fuzz"});
  if (!policy.ok()) {
    if (policy.status().code() != kiroku::Code::kInvalidArgument ||
        policy.status().aws_code() != "MalformedPolicyDocument" ||
        policy.status().message().empty()) {
      std::abort();
    }
    return 0;
  }
  (void)GetContextKeys(*policy);
  PolicySet set;
  if (kind == PolicyKind::kIdentity) {
    set.identity.push_back(*policy);
  } else {
    set.resource = *policy;
  }
  Decision d = Evaluate(set, Request(), {.collect_matched = true, .collect_missing_keys = true});
  if (Evaluate(set, Request()).decision != d.decision) std::abort();
  (void)AccessDeniedMessage(Request(), d);
  return 0;
}
