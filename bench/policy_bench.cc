// Policy evaluation on a realistic account: N identity policies of 10 statements each (mixed
// services, wildcards, ARNs with variables, conditions, a few Denies), a KMS key policy, and a
// request context of ~12 keys. Target (issue 3): well under 10 us per authorization at N = 50.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "policy/evaluator.h"

namespace kiroku::policy {
namespace {

const char* kServices[] = {"s3",     "ec2",        "iam",        "sqs", "sns", "dynamodb",
                           "lambda", "cloudwatch", "cloudtrail", "kms", "logs"};

std::string Statement(int p, int s) {
  const std::string svc = kServices[(p * 7 + s) % 11];
  const std::string region = (s % 2 == 0) ? "us-east-1" : "ap-northeast-1";
  std::string st = "{\"Sid\":\"P" + std::to_string(p) + "S" + std::to_string(s) + "\",";
  st += (p % 10 == 3 && s == 9) ? "\"Effect\":\"Deny\"," : "\"Effect\":\"Allow\",";
  switch (s % 5) {
    case 0:
      st += "\"Action\":[\"" + svc + ":Get*\",\"" + svc + ":List*\",\"" + svc + ":Describe*\"],";
      st += "\"Resource\":\"*\"";
      break;
    case 1:
      st += "\"Action\":\"" + svc + ":Put*\",\"Resource\":\"arn:aws:" + svc + ":" + region +
            ":111122223333:team-" + std::to_string(p) + "/*\"";
      break;
    case 2:
      st += "\"Action\":[\"" + svc + ":Create*\",\"" + svc +
            ":Delete*\"],\"Resource\":\"arn:aws:" + svc + ":*:111122223333:${aws:username}/*\",";
      st += "\"Condition\":{\"StringEquals\":{\"aws:RequestedRegion\":[\"us-east-1\",\"" + region +
            "\"]},\"Bool\":{\"aws:SecureTransport\":\"true\"}}";
      break;
    case 3:
      st += "\"Action\":\"" + svc + ":*\",\"Resource\":\"arn:aws:" + svc +
            ":*:111122223333:*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10." +
            std::to_string(p) +
            ".0.0/16\",\"2001:db8::/32\"]},\"StringLike\":{\"aws:PrincipalTag/team\":\"t" +
            std::to_string(p % 7) + "*\"}}";
      break;
    default:
      st += "\"Action\":\"" + svc + ":Update*\",\"Resource\":\"arn:aws:" + svc + ":" + region +
            ":111122223333:shared/"
            "*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
            "\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*:111122223333:trail/*\"}}";
      break;
  }
  return st + "}";
}

std::string Document(int p) {
  std::string doc = "{\"Version\":\"2012-10-17\",\"Statement\":[";
  for (int s = 0; s < 10; ++s) {
    if (s > 0) doc.push_back(',');
    doc.append(Statement(p, s));
  }
  doc.append("]}");
  return doc;
}

PolicySet Account(int policies) {
  PolicySet set;
  for (int p = 0; p < policies; ++p) {
    std::string name = "p";
    name.append(std::to_string(p));
    set.identity.push_back(*ParsePolicy(Document(p), {PolicyKind::kIdentity, name}));
  }
  return set;
}

RequestContext Request(std::string action, std::string resource) {
  RequestContext r;
  r.principal = *PrincipalFromArn("arn:aws:iam::111122223333:user/alice");
  r.principal.user_id = "AIDAEXAMPLE";
  r.principal.tags["team"] = "t3-core";
  r.action = std::move(action);
  r.resource = std::move(resource);
  AddPrincipalKeys(r.principal, r.keys);
  r.keys.SetIp("aws:SourceIp", "10.3.1.7");
  r.keys.SetBool("aws:SecureTransport", true);
  r.keys.SetString("aws:RequestedRegion", "ap-northeast-1");
  r.keys.Set("aws:CurrentTime", ContextType::kDate, {"2026-11-26T22:00:00Z"});
  r.keys.SetNumber("aws:EpochTime", 1795730400);
  return r;
}

// Allowed by a conditional statement of policy p3 (IpAddress + StringLike on a principal tag);
// the other policies' iam statements and all Denies still run.
void BM_EvaluateAllowed(benchmark::State& state) {
  PolicySet set = Account(static_cast<int>(state.range(0)));
  RequestContext r = Request("iam:UpdateUser", "arn:aws:iam::111122223333:user/alice");
  if (!Evaluate(set, r).allowed()) state.SkipWithError("expected an allow");
  for (auto _ : state) benchmark::DoNotOptimize(Evaluate(set, r));
}
BENCHMARK(BM_EvaluateAllowed)->Arg(10)->Arg(50)->Arg(200);

// Nothing matches the resource: every candidate statement runs (worst case for an allow search).
void BM_EvaluateImplicitDeny(benchmark::State& state) {
  PolicySet set = Account(static_cast<int>(state.range(0)));
  RequestContext r = Request("s3:PutObject", "arn:aws:s3:::unrelated-bucket/k");
  if (Evaluate(set, r).decision != EvalDecision::kImplicitDeny)
    state.SkipWithError("expected deny");
  for (auto _ : state) benchmark::DoNotOptimize(Evaluate(set, r));
}
BENCHMARK(BM_EvaluateImplicitDeny)->Arg(10)->Arg(50)->Arg(200);

// The tutorial's KMS call: the logs service principal against a key policy with a condition.
void BM_EvaluateKeyPolicyServicePrincipal(benchmark::State& state) {
  PolicySet set;
  set.resource = *ParsePolicy(
      R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"Service":"logs.ap-northeast-1.amazonaws.com"},"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Resource":"*","Condition":{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/cloudtrail/t"}}}]})",
      {PolicyKind::kKeyPolicy, "key"});
  RequestContext r;
  r.principal = ServicePrincipal("logs.ap-northeast-1.amazonaws.com");
  r.action = "kms:GenerateDataKey";
  r.resource = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  r.keys.SetString("kms:EncryptionContext:aws:logs:arn",
                   "arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/cloudtrail/t");
  if (!Evaluate(set, r).allowed()) state.SkipWithError("expected an allow");
  for (auto _ : state) benchmark::DoNotOptimize(Evaluate(set, r));
}
BENCHMARK(BM_EvaluateKeyPolicyServicePrincipal);

// The simulator path: matched statements and missing keys collected.
void BM_EvaluateSimulator(benchmark::State& state) {
  PolicySet set = Account(50);
  RequestContext r = Request("logs:PutLogEvents",
                             "arn:aws:logs:ap-northeast-1:111122223333:log-group:g:log-stream:s");
  EvalOptions options{.collect_matched = true, .collect_missing_keys = true};
  for (auto _ : state) benchmark::DoNotOptimize(Evaluate(set, r, options));
}
BENCHMARK(BM_EvaluateSimulator);

// Building the request context per call, as the pipeline does, plus the decision.
void BM_BuildContextAndEvaluate(benchmark::State& state) {
  PolicySet set = Account(50);
  for (auto _ : state) {
    RequestContext r = Request("logs:PutLogEvents",
                               "arn:aws:logs:ap-northeast-1:111122223333:log-group:g:log-stream:s");
    benchmark::DoNotOptimize(Evaluate(set, r));
  }
}
BENCHMARK(BM_BuildContextAndEvaluate);

void BM_ParsePolicy(benchmark::State& state) {
  std::string doc = Document(3);
  for (auto _ : state) benchmark::DoNotOptimize(ParsePolicy(doc));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_ParsePolicy);

}  // namespace
}  // namespace kiroku::policy

BENCHMARK_MAIN();
