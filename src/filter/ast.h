// The parsed form of a filter pattern (internal to filter/). The parser builds a Program; the
// matchers (terms, JSON, delimited) evaluate it. Nothing here is visible outside the module.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "filter/filter_pattern.h"
#include "filter/literal_search.h"

namespace kiroku::filter::internal {

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

// The right-hand side of `=`, `!=`, `<`, ... in JSON and delimited conditions.
struct Value {
  enum class Kind { kString, kNumber, kRegex };
  Kind kind = Kind::kString;
  std::string text;   // unquoted, unescaped literal text (kString, kNumber)
  double number = 0;  // kNumber
  // kString: `*` is a wildcard only as the first and/or last character (open question Q3).
  bool match_any = false;  // the value is `*` (or `**`): any string
  bool star_prefix = false;
  bool star_suffix = false;
  std::string core;  // text without the leading/trailing wildcard
  int regex = -1;    // kRegex: index into Program::regexes
};

// One step of a JSON selector.
struct Step {
  enum class Kind { kKey, kIndex, kAnyKey, kAnyIndex };
  Kind kind = Kind::kKey;
  std::string key;                // kKey
  uint32_t index = 0;             // kIndex
  bool key_needs_escape = false;  // key holds '"', '\\' or a control char
};

struct Selector {
  std::string text;  // as written, e.g. "$.users[0].email"
  std::vector<Step> steps;
};

struct Condition {
  enum class Kind { kCompare, kIsNull, kIsTrue, kIsFalse, kNotExists, kAlways };
  Kind kind = Kind::kCompare;
  Selector selector;  // JSON only
  CmpOp op = CmpOp::kEq;
  Value value;
};

// A Boolean tree over conditions: leaves index Program::conditions (JSON) or
// FieldSpec::conditions (delimited).
struct Expr {
  enum class Kind { kAnd, kOr, kLeaf };
  Kind kind = Kind::kLeaf;
  std::vector<Expr> children;
  int leaf = -1;
};

struct Term {
  enum class Kind { kRequired, kExcluded, kOptional };
  Kind kind = Kind::kRequired;
  LiteralSearcher searcher;
};

// One slot of a space-delimited pattern.
struct FieldSpec {
  bool ellipsis = false;
  std::string name;
  std::vector<Condition> conditions;  // all about `name`
  bool has_expr = false;
  Expr expr;
};

// Literals of which at least one must occur in any matching event (empty: no prefilter).
struct Requirement {
  std::vector<std::string> any_of;
  bool has() const { return !any_of.empty(); }
};

struct Program {
  std::string text;
  PatternKind kind = PatternKind::kMatchAll;

  // kTerms: terms already reduced per the mixing rules (optional terms dropped when mixed).
  std::vector<Term> terms;
  bool any_of_terms = false;  // every term was `?term`: one must occur

  // kJson
  std::vector<Condition> conditions;
  Expr expr;

  // kDelimited
  std::vector<FieldSpec> fields;
  int ellipsis_at = -1;

  // kRegex uses regexes[0]; JSON/delimited regex values index this.
  std::vector<std::unique_ptr<RE2>> regexes;

  Requirement requirement;
  std::vector<LiteralSearcher> prefilter;  // one searcher per requirement literal
};

}  // namespace kiroku::filter::internal
