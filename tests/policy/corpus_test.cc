// Runs every case of tests/data/policy/iam_policies.jsonl (the shared IAM conformance corpus,
// see ../shared/docs/iam-corpus.md) in-process, one test per case id. The mapping is the
// simulator's: identity policies, at most one boundary, an optional resource policy (a KMS key
// policy when the resource is a KMS key), the caller ARN, and exactly the given context entries.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy/evaluator.h"

namespace kiroku::policy {
namespace {

namespace json = boost::json;

std::string TestDataDir() {
  if (const char* dir = std::getenv("KIROKU_TESTDATA"); dir != nullptr && *dir != '\0') return dir;
  return KIROKU_TESTDATA_DEFAULT;  // test discovery runs without the environment
}

struct CorpusCase {
  std::string id;
  std::string line;
};

std::vector<CorpusCase> LoadCorpus() {
  std::vector<CorpusCase> cases;
  std::ifstream in(TestDataDir() + "/policy/iam_policies.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json::error_code ec;
    json::value v = json::parse(line, ec);
    std::string id = (!ec && v.is_object() && v.as_object().contains("id"))
                         ? std::string(v.at("id").as_string().c_str())
                         : "unparsable_line_" + std::to_string(cases.size() + 1);
    cases.push_back({id, line});
  }
  if (cases.empty()) cases.push_back({"corpus_file_missing", ""});
  return cases;
}

std::string Str(const json::value& v) { return std::string(v.as_string().c_str()); }

class CorpusTest : public testing::TestWithParam<CorpusCase> {};

TEST_P(CorpusTest, MatchesExpectedDecision) {
  const CorpusCase& c = GetParam();
  ASSERT_FALSE(c.line.empty()) << "cannot read " << TestDataDir() << "/policy/iam_policies.jsonl";
  json::value root = json::parse(c.line);
  const json::object& o = root.as_object();

  PolicySet set;
  const json::array& identity = o.at("identity_policies").as_array();
  for (size_t i = 0; i < identity.size(); ++i) {
    Result<Policy> p = ParsePolicy(json::serialize(identity[i]),
                                   {PolicyKind::kIdentity, "identity[" + std::to_string(i) + "]"});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    set.identity.push_back(*p);
  }
  if (const json::value* b = o.if_contains("boundary_policies")) {
    ASSERT_LE(b->as_array().size(), 1u);
    for (const json::value& doc : b->as_array()) {
      Result<Policy> p = ParsePolicy(json::serialize(doc), {PolicyKind::kIdentity, "boundary"});
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      set.permissions_boundary = *p;
    }
  }
  const std::string resource = Str(o.at("resource"));
  if (const json::value* r = o.if_contains("resource_policy"); r != nullptr && !r->is_null()) {
    PolicyKind kind =
        resource.starts_with("arn:aws:kms:") ? PolicyKind::kKeyPolicy : PolicyKind::kResource;
    Result<Policy> p = ParsePolicy(json::serialize(*r), {kind, "resource"});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    set.resource = *p;
  }

  RequestContext request;
  std::string caller = "arn:aws:iam::123456789012:user/simulated-caller";
  if (const json::value* a = o.if_contains("caller_arn"); a != nullptr && a->is_string()) {
    caller = Str(*a);
  }
  Result<Principal> principal = PrincipalFromArn(caller);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  request.principal = *principal;
  request.action = Str(o.at("action"));
  request.resource = resource;
  for (const json::value& entry : o.at("context").as_array()) {
    Result<ContextType> type = ParseContextType(Str(entry.at("type")));
    ASSERT_TRUE(type.ok()) << type.status().ToString();
    std::vector<std::string> values;
    for (const json::value& v : entry.at("values").as_array()) values.push_back(Str(v));
    request.keys.Set(Str(entry.at("key")), *type, std::move(values));
  }

  Decision d = Evaluate(set, request, {.collect_matched = true, .collect_missing_keys = true});
  EXPECT_EQ(EvalDecisionName(d.decision), Str(o.at("expected")))
      << "note: " << Str(o.at("note")) << "\nsource: " << Str(o.at("source"));
  // The fast path (nothing collected) must reach the same decision.
  EXPECT_EQ(Evaluate(set, request).decision, d.decision);
  if (d.decision == EvalDecision::kAllowed) {
    EXPECT_TRUE(d.deciding.has_value());
    EXPECT_FALSE(d.matched.empty());
  }
  if (d.decision == EvalDecision::kExplicitDeny) {
    ASSERT_TRUE(d.deciding.has_value());
    EXPECT_NE(std::find(d.matched.begin(), d.matched.end(), *d.deciding), d.matched.end());
  }
}

INSTANTIATE_TEST_SUITE_P(policy_corpus, CorpusTest, testing::ValuesIn(LoadCorpus()),
                         [](const testing::TestParamInfo<CorpusCase>& info) {
                           std::string name = info.param.id;
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace kiroku::policy
