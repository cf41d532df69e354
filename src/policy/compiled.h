// The compiled form of a policy, shared by the parser (which builds it) and the evaluator
// (which runs it). Internal to policy/: other modules use policy.h and evaluator.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/pattern.h"
#include "policy/policy.h"
#include "policy/values.h"

namespace kiroku::policy::internal {

// A string that may contain policy variables (${aws:username}, ${aws:PrincipalTag/team,
// 'default'}) and the escapes ${*} ${?} ${$}. Without variables it is compiled once.
struct Template {
  struct Piece {
    enum class Kind : uint8_t { kText, kStar, kQuestion, kVariable };
    Kind kind = Kind::kText;
    std::string text;      // kText: literal text; kVariable: the key, lower-case
    std::string key_name;  // kVariable: the key as written
    std::optional<std::string> default_value;  // kVariable: the default, if given
  };
  std::string source;  // the policy text
  std::vector<Piece> pieces;
  bool has_variables = false;
  Pattern pattern;  // the whole template as a pattern, when !has_variables
};

enum class Op : uint8_t {
  kStringEquals,
  kStringEqualsIgnoreCase,
  kStringLike,
  kNumericEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kArnLike,
  kNull,
};

enum class SetQualifier : uint8_t { kNone, kForAllValues, kForAnyValue };

struct ConditionValue {
  Template text;  // the value as a (possibly variable-bearing) template
  double number = 0;
  int64_t date_ms = 0;
  IpNet net;
  bool boolean = false;
  std::string binary;  // decoded bytes, or the raw text when it is not base64
};

struct Condition {
  Op op = Op::kStringEquals;
  bool negated = false;    // StringNotEquals, NotIpAddress, ArnNotLike, …: NOR of the values
  bool if_exists = false;  // …IfExists: true when the key is absent
  SetQualifier qualifier = SetQualifier::kNone;
  std::string op_name;   // as written, e.g. "ForAnyValue:StringLikeIfExists"
  std::string key;       // lower-case
  std::string key_name;  // as written
  std::vector<ConditionValue> values;
};

struct PrincipalSpec {
  bool any = false;                   // "Principal": "*"
  bool aws_any = false;               // {"AWS": "*"}
  std::vector<std::string> accounts;  // from "123456789012" and "arn:aws:iam::123456789012:root"
  std::vector<std::string> arns;      // users, roles, sessions (case-sensitive)
  std::vector<std::string> services;  // lower-case
  std::vector<std::string> federated;
  std::vector<std::string> canonical_users;
};

struct Statement {
  uint32_t index = 0;
  TextPosition start;  // of the statement object in the document
  TextPosition end;
  std::string sid;
  bool allow = true;
  bool not_action = false;
  std::vector<Pattern> actions;  // lower-case
  bool has_resource = false;     // trust policies may omit Resource
  bool not_resource = false;
  std::vector<Template> resources;
  bool has_principal = false;
  bool not_principal = false;
  PrincipalSpec principal;
  std::vector<Condition> conditions;
};

struct CompiledPolicy {
  std::string name;  // ParseOptions::name
  PolicyKind kind = PolicyKind::kIdentity;
  PolicyVersion version = PolicyVersion::kNone;
  std::string id;
  std::vector<Statement> statements;
  // Statement indices by service prefix (sorted by prefix), and the statements that must be
  // checked for every action (NotAction, "*", wildcards in the prefix).
  std::vector<std::pair<std::string, std::vector<uint32_t>>> by_service;
  std::vector<uint32_t> any_service;
  std::vector<std::string> context_keys;
};

}  // namespace kiroku::policy::internal
