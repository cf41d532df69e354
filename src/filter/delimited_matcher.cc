// Space-delimited patterns: split the event into fields, align the pattern's slots (around an
// optional `...`), and evaluate each slot's conditions on its field.
#include <string>
#include <vector>

#include "filter/lexer.h"
#include "filter/matchers.h"
#include "filter/parser.h"

namespace kiroku::filter::internal {
namespace {

struct Field {
  size_t value_begin;
  size_t value_end;
  size_t raw_begin;  // including the enclosing quotes or brackets
  size_t raw_end;
};

// Splits on runs of whitespace (Q16). A field starting with '"' runs to the next '"', one
// starting with '[' to the next ']'; the delimiters are not part of the value. An unclosed
// quote or bracket runs to the end of the event.
void SplitFields(std::string_view m, std::vector<Field>* fields) {
  fields->clear();
  size_t i = 0;
  while (true) {
    while (i < m.size() && IsSpace(m[i])) ++i;
    if (i >= m.size()) return;
    const char open = m[i];
    if (open == '"' || open == '[') {
      const char close = open == '"' ? '"' : ']';
      const size_t end = m.find(close, i + 1);
      if (end != std::string_view::npos) {
        fields->push_back({i + 1, end, i, end + 1});
        i = end + 1;
        continue;
      }
      fields->push_back({i + 1, m.size(), i, m.size()});
      return;
    }
    const size_t start = i;
    while (i < m.size() && !IsSpace(m[i])) ++i;
    fields->push_back({start, i, start, i});
  }
}

bool EvalFieldExpr(const Expr& e, const FieldSpec& spec, std::string_view value,
                   const Program& program) {
  switch (e.kind) {
    case Expr::Kind::kLeaf: {
      const Condition& c = spec.conditions[e.leaf];
      return c.kind == Condition::Kind::kAlways || CompareText(value, c, program, false);
    }
    case Expr::Kind::kAnd:
      for (const Expr& child : e.children) {
        if (!EvalFieldExpr(child, spec, value, program)) return false;
      }
      return true;
    case Expr::Kind::kOr:
      for (const Expr& child : e.children) {
        if (EvalFieldExpr(child, spec, value, program)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace

bool CompareText(std::string_view s, const Condition& c, const Program& program,
                 bool subject_is_json_string) {
  const Value& v = c.value;
  bool equal = false;
  switch (v.kind) {
    case Value::Kind::kString:
      if (v.match_any) {
        equal = true;
      } else if (v.star_prefix && v.star_suffix) {
        equal = s.find(v.core) != std::string_view::npos;
      } else if (v.star_prefix) {
        equal = s.ends_with(v.core);
      } else if (v.star_suffix) {
        equal = s.starts_with(v.core);
      } else {
        equal = s == v.core;
      }
      break;
    case Value::Kind::kRegex:
      equal = RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *program.regexes[v.regex]);
      break;
    case Value::Kind::kNumber: {
      // A number against text. Delimited fields compare numerically when they hold a plain
      // decimal. JSON strings (Q4): `=`/`!=` compare the text, relational operators coerce
      // plain decimals. Otherwise `=`/`!=` compare the text and relational operators fail (Q10).
      double d = 0;
      const bool relational = c.op != CmpOp::kEq && c.op != CmpOp::kNe;
      const bool numeric = (relational || !subject_is_json_string) && ParsePlainDecimal(s, &d);
      switch (c.op) {
        case CmpOp::kEq:
          return numeric ? d == v.number : s == v.text;
        case CmpOp::kNe:
          return numeric ? d != v.number : s != v.text;
        case CmpOp::kLt:
          return numeric && d < v.number;
        case CmpOp::kLe:
          return numeric && d <= v.number;
        case CmpOp::kGt:
          return numeric && d > v.number;
        case CmpOp::kGe:
          return numeric && d >= v.number;
      }
      return false;
    }
  }
  return c.op == CmpOp::kNe ? !equal : equal;
}

bool MatchDelimited(const Program& program, std::string_view message, ExtractedValues* extracted) {
  thread_local std::vector<Field> fields;
  SplitFields(message, &fields);
  const size_t n = program.fields.size();
  const size_t m = fields.size();
  auto value_of = [&](size_t f) {
    return message.substr(fields[f].value_begin, fields[f].value_end - fields[f].value_begin);
  };
  // Field index for each slot; SIZE_MAX for the ellipsis.
  size_t before = n, after = 0;
  if (program.ellipsis_at >= 0) {
    before = static_cast<size_t>(program.ellipsis_at);
    after = n - before - 1;
  }
  if (m < before + after) return false;
  for (size_t i = 0; i < n; ++i) {
    const FieldSpec& spec = program.fields[i];
    if (spec.ellipsis || !spec.has_expr) continue;
    std::string_view value;
    if (program.ellipsis_at < 0 && i == n - 1 && m > n) {
      // Q2: without `...`, the last slot absorbs the rest of the event.
      value = message.substr(fields[i].raw_begin, fields[m - 1].raw_end - fields[i].raw_begin);
    } else {
      value = value_of(i < before ? i : m - (n - i));
    }
    if (!EvalFieldExpr(spec.expr, spec, value, program)) return false;
  }
  if (extracted != nullptr) {
    extracted->clear();
    for (size_t i = 0; i < n; ++i) {
      const FieldSpec& spec = program.fields[i];
      if (spec.ellipsis) {
        for (size_t f = before; f < m - after; ++f) {
          std::string key = "$";  // (not "$" + ...: GCC 12 warns falsely with -Wrestrict)
          key += std::to_string(f + 1);
          extracted->emplace_back(std::move(key), std::string(value_of(f)));
        }
        continue;
      }
      std::string_view value;
      if (program.ellipsis_at < 0 && i == n - 1 && m > n) {
        value = message.substr(fields[i].raw_begin, fields[m - 1].raw_end - fields[i].raw_begin);
      } else {
        value = value_of(i < before ? i : m - (n - i));
      }
      extracted->emplace_back("$" + spec.name, std::string(value));
    }
  }
  return true;
}

}  // namespace kiroku::filter::internal
