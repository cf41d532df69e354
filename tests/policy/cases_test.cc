// Data-file tests (DuckDB sqllogictest style): every tests/policy/cases/*.test file is one gtest.
// A file holds cases; a case is directives, a `----` line, and the expectation:
//
//   # comment
//   case <name>
//   policy <identity|boundary|session|resource|key|trust> <name> <JSON document on one line>
//   principal <ARN> | principal service <service> | principal anonymous
//   principal-tag <key> <value>    principal-federated <identity provider>
//   principal-keys                 (adds the principal's global keys, as the pipeline does)
//   action <service:Action>
//   resource <ARN or *>
//   resource-account <account id>
//   context <key> <type> <JSON list of values>
//   ----
//   allowed <ref> | explicitDeny <ref> | implicitDeny <policy type>
//   matched <ref> ...               (optional: exactly these statements matched, in order)
//   missing <key> ...               (optional: exactly these missing context keys)
//   message <AccessDenied message>  (optional)
//   contextkeys <policy name> <key> ...  (optional: GetContextKeys of that policy)
//
// <ref> is <policy name>#<statement index> or "-". A case whose policy must be rejected writes
// `error <text the message must contain>` after `----` instead of a decision.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "policy/evaluator.h"

namespace kiroku::policy {
namespace {

namespace json = boost::json;

std::string CasesDir() { return KIROKU_POLICY_CASES_DIR; }

std::vector<std::string> ListCaseFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(CasesDir(), ec)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) files.push_back("no_case_files_found");
  return files;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? "" : s.substr(start);
}

// Splits off the first word of `rest`.
std::string Word(std::string& rest) {
  rest = Trim(rest);
  size_t space = rest.find(' ');
  std::string word = rest.substr(0, space);
  rest = space == std::string::npos ? "" : Trim(rest.substr(space + 1));
  return word;
}

std::string RefText(const std::optional<StatementRef>& ref) {
  if (!ref) return "-";
  return ref->policy_name + "#" + std::to_string(ref->index);
}

const char* TypeToken(PolicyType type) {
  switch (type) {
    case PolicyType::kIdentity:
      return "identity";
    case PolicyType::kResource:
      return "resource";
    case PolicyType::kRoleTrust:
      return "trust";
    case PolicyType::kPermissionsBoundary:
      return "boundary";
    case PolicyType::kSession:
      return "session";
  }
  return "?";
}

struct Case {
  std::string name;
  int line = 0;
  std::vector<std::string> setup;   // directive lines
  std::vector<std::string> expect;  // lines after ----
};

std::vector<Case> ParseFile(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open " + path;
    return {};
  }
  std::vector<Case> cases;
  std::string line;
  int lineno = 0;
  bool in_expect = false;
  while (std::getline(in, line)) {
    ++lineno;
    line = Trim(line);
    if (line.empty() || line[0] == '#') {
      if (line.empty()) in_expect = false;
      continue;
    }
    std::string rest = line;
    std::string head = Word(rest);
    if (head == "case") {
      cases.push_back({rest, lineno, {}, {}});
      in_expect = false;
      continue;
    }
    if (cases.empty()) {
      error = path + ":" + std::to_string(lineno) + ": directive before the first `case`";
      return {};
    }
    if (line == "----") {
      in_expect = true;
      continue;
    }
    (in_expect ? cases.back().expect : cases.back().setup).push_back(line);
  }
  return cases;
}

// Runs one case; returns an empty string on success, else what went wrong.
std::string RunCase(const Case& c) {
  PolicySet set;
  std::map<std::string, Policy> by_name;
  RequestContext request;
  bool principal_keys = false;
  std::string parse_error;
  for (const std::string& line : c.setup) {
    std::string rest = line;
    std::string head = Word(rest);
    if (head == "policy") {
      std::string slot = Word(rest);
      std::string name = Word(rest);
      PolicyKind kind = slot == "resource" ? PolicyKind::kResource
                        : slot == "key"    ? PolicyKind::kKeyPolicy
                        : slot == "trust"  ? PolicyKind::kTrustPolicy
                                           : PolicyKind::kIdentity;
      Result<Policy> p = ParsePolicy(rest, {kind, name});
      if (!p.ok()) {
        if (p.status().aws_code() != "MalformedPolicyDocument" ||
            p.status().code() != Code::kInvalidArgument) {
          return "policy " + name + ": wrong error kind: " + p.status().ToString();
        }
        parse_error = p.status().message();
        continue;
      }
      by_name[name] = *p;
      if (slot == "identity") {
        set.identity.push_back(*p);
      } else if (slot == "boundary") {
        set.permissions_boundary = *p;
      } else if (slot == "session") {
        set.session.push_back(*p);
      } else if (slot == "resource" || slot == "key" || slot == "trust") {
        set.resource = *p;
      } else {
        return "unknown policy slot " + slot;
      }
    } else if (head == "principal") {
      if (rest.starts_with("service ")) {
        Word(rest);
        request.principal = ServicePrincipal(rest);
      } else if (rest == "anonymous") {
        request.principal = Principal();
      } else {
        Result<Principal> p = PrincipalFromArn(rest);
        if (!p.ok()) return p.status().ToString();
        request.principal = *p;
      }
    } else if (head == "principal-tag") {
      std::string key = Word(rest);
      request.principal.tags[key] = rest;
    } else if (head == "principal-federated") {
      request.principal.federated_provider = rest;
    } else if (head == "principal-keys") {
      principal_keys = true;
    } else if (head == "action") {
      request.action = rest;
    } else if (head == "resource") {
      request.resource = rest;
    } else if (head == "resource-account") {
      set.resource_account = rest;
    } else if (head == "context") {
      std::string key = Word(rest);
      Result<ContextType> type = ParseContextType(Word(rest));
      if (!type.ok()) return type.status().ToString();
      json::error_code ec;
      json::value values = json::parse(rest, ec);
      if (ec || !values.is_array()) return "context values must be a JSON list: " + rest;
      std::vector<std::string> list;
      for (const json::value& v : values.as_array()) {
        if (!v.is_string()) return "context values must be strings: " + rest;
        list.emplace_back(v.as_string().c_str());
      }
      request.keys.Set(key, *type, std::move(list));
    } else {
      return "unknown directive: " + line;
    }
  }
  if (principal_keys) AddPrincipalKeys(request.principal, request.keys);
  if (c.expect.empty()) return "no expectation after ----";

  std::string first = c.expect[0];
  std::string verdict = Word(first);
  if (verdict == "error") {
    if (parse_error.empty()) return "expected a MalformedPolicyDocument error, policy parsed";
    if (parse_error.find(first) == std::string::npos) {
      return "error message \"" + parse_error + "\" does not contain \"" + first + "\"";
    }
    return "";
  }
  if (!parse_error.empty()) return "unexpected parse error: " + parse_error;

  Decision d = Evaluate(set, request, {.collect_matched = true, .collect_missing_keys = true});
  Decision fast = Evaluate(set, request);
  if (fast.decision != d.decision || RefText(fast.deciding) != RefText(d.deciding)) {
    return "fast path disagrees: " + std::string(EvalDecisionName(fast.decision)) + " " +
           RefText(fast.deciding);
  }
  std::string got =
      std::string(EvalDecisionName(d.decision)) + " " +
      (d.decision == EvalDecision::kImplicitDeny ? TypeToken(d.denied_by) : RefText(d.deciding));
  std::string want = verdict + " " + Trim(first);
  if (got != want) return "decision: got `" + got + "`, want `" + want + "`";
  for (size_t i = 1; i < c.expect.size(); ++i) {
    std::string rest = c.expect[i];
    std::string head = Word(rest);
    if (head == "matched") {
      std::string matched;
      for (const StatementRef& r : d.matched) matched += (matched.empty() ? "" : " ") + RefText(r);
      if (matched != rest) return "matched: got `" + matched + "`, want `" + rest + "`";
    } else if (head == "missing") {
      std::string missing;
      for (const std::string& k : d.missing_context_keys)
        missing += (missing.empty() ? "" : " ") + k;
      if (missing != rest) return "missing: got `" + missing + "`, want `" + rest + "`";
    } else if (head == "message") {
      std::string msg = AccessDeniedMessage(request, d);
      if (msg != rest) return "message: got `" + msg + "`, want `" + rest + "`";
    } else if (head == "contextkeys") {
      std::string name = Word(rest);
      auto it = by_name.find(name);
      if (it == by_name.end()) return "contextkeys: no policy " + name;
      std::string keys;
      for (const std::string& k : GetContextKeys(it->second)) keys += (keys.empty() ? "" : " ") + k;
      if (keys != rest) return "contextkeys: got `" + keys + "`, want `" + rest + "`";
    } else {
      return "unknown expectation: " + c.expect[i];
    }
  }
  return "";
}

class CaseFileTest : public testing::TestWithParam<std::string> {};

TEST_P(CaseFileTest, AllCasesPass) {
  std::string error;
  std::string path = CasesDir() + "/" + GetParam();
  std::vector<Case> cases = ParseFile(path, error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_FALSE(cases.empty()) << path << " has no cases";
  for (const Case& c : cases) {
    std::string failure = RunCase(c);
    EXPECT_TRUE(failure.empty()) << GetParam() << ":" << c.line << " case " << c.name << ": "
                                 << failure;
  }
}

INSTANTIATE_TEST_SUITE_P(policy_cases, CaseFileTest, testing::ValuesIn(ListCaseFiles()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           if (name.ends_with(".test")) name.resize(name.size() - 5);
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace kiroku::policy
