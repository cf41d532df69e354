#include "filter/parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "filter/lexer.h"

namespace kiroku::filter::internal {
namespace {

bool Fail(ParseError* error, size_t offset, std::string reason) {
  error->offset = offset;
  error->reason = std::move(reason);
  error->bad_character = false;
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '-';
}

bool ParseDouble(std::string_view text, double* value) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end;
}

// Fills the wildcard fields of a string value: `*` counts only as the first or last character.
void ClassifyString(Value* value) {
  const std::string& t = value->text;
  if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c == '*'; })) {
    value->match_any = true;
    return;
  }
  std::string_view core = t;
  if (!core.empty() && core.front() == '*') {
    value->star_prefix = true;
    core.remove_prefix(1);
  }
  if (!core.empty() && core.back() == '*') {
    value->star_suffix = true;
    core.remove_suffix(1);
  }
  value->core = std::string(core);
}

// A literal every matching JSON event must contain in its raw text. Excludes characters that
// JSON may write with a short escape (\/ \" \\ \n ...); a \uXXXX escape of any other character
// is caught by also accepting events that contain "\u".
bool LiteralSafeInJson(std::string_view s) {
  for (char c : s) {
    if (c == '/' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

size_t MinLength(const Requirement& r) {
  size_t m = SIZE_MAX;
  for (const auto& s : r.any_of) m = std::min(m, s.size());
  return m;
}

// Keeps the more selective of two requirements (longer shortest literal, then fewer literals).
Requirement Better(Requirement a, Requirement b) {
  if (!a.has()) return b;
  if (!b.has()) return a;
  const size_t ma = MinLength(a), mb = MinLength(b);
  if (ma != mb) return ma > mb ? a : b;
  return a.any_of.size() <= b.any_of.size() ? a : b;
}

Requirement Union(Requirement a, const Requirement& b) {
  if (!a.has() || !b.has()) return {};
  for (const auto& s : b.any_of) {
    if (std::find(a.any_of.begin(), a.any_of.end(), s) == a.any_of.end()) a.any_of.push_back(s);
  }
  return a;
}

constexpr size_t kMinUsefulLiteral = 2;

Requirement FromCondition(const Condition& c, bool json) {
  Requirement r;
  std::string lit;
  switch (c.kind) {
    case Condition::Kind::kIsTrue:
      lit = "true";
      break;
    case Condition::Kind::kIsFalse:
      lit = "false";
      break;
    case Condition::Kind::kIsNull:
      lit = "null";
      break;
    case Condition::Kind::kCompare:
      if (c.op == CmpOp::kEq && c.value.kind == Value::Kind::kString && !c.value.match_any) {
        lit = c.value.core;
      } else if (c.op == CmpOp::kEq && c.value.kind == Value::Kind::kRegex) {
        lit = RequiredLiteral(c.value.text);
      }
      break;
    default:
      break;
  }
  if (lit.size() < kMinUsefulLiteral) return r;
  if (json && !LiteralSafeInJson(lit)) return r;
  r.any_of.push_back(std::move(lit));
  return r;
}

Requirement FromExpr(const Expr& e, const std::vector<Condition>& conditions, bool json) {
  switch (e.kind) {
    case Expr::Kind::kLeaf:
      return FromCondition(conditions[e.leaf], json);
    case Expr::Kind::kAnd: {
      Requirement best;
      for (const auto& c : e.children)
        best = Better(std::move(best), FromExpr(c, conditions, json));
      return best;
    }
    case Expr::Kind::kOr: {
      Requirement all = FromExpr(e.children[0], conditions, json);
      for (size_t i = 1; i < e.children.size(); ++i) {
        all = Union(std::move(all), FromExpr(e.children[i], conditions, json));
      }
      return all;
    }
  }
  return {};
}

class BracketParser {
 public:
  BracketParser(std::string_view text, size_t start, Program* program, ParseError* error)
      : text_(text), lexer_(text, start), program_(program), error_(error) {}

  bool ParseJson();
  bool ParseDelimited();

 private:
  bool Advance() { return lexer_.Next(&tok_, error_); }
  bool Expect(Token::Kind kind, const char* what) {
    if (tok_.kind != kind) {
      return Fail(error_, tok_.offset,
                  std::string("expected ") + what + ", found " + Describe(tok_));
    }
    return Advance();
  }
  static std::string Describe(const Token& t) {
    if (t.kind == Token::Kind::kEnd) return "end of pattern";
    return "'" + t.text + "'";
  }

  bool ParseOr(Expr* out, bool json);
  bool ParseAnd(Expr* out, bool json);
  bool ParsePrimary(Expr* out, bool json);
  bool ParseJsonCondition(Condition* out);
  bool ParseFieldCondition(Condition* out);
  bool ParseValue(CmpOp op, Value* out);

  std::string_view text_;
  Lexer lexer_;
  Token tok_;
  Program* program_;
  ParseError* error_;
  std::vector<Condition>* conditions_ = nullptr;  // where leaves go
  std::string field_name_;                        // delimited: the slot's name
  int wildcard_selectors_ = 0;
};

bool BracketParser::ParseOr(Expr* out, bool json) {
  Expr first;
  if (!ParseAnd(&first, json)) return false;
  if (tok_.kind != Token::Kind::kOr) {
    *out = std::move(first);
    return true;
  }
  out->kind = Expr::Kind::kOr;
  out->children.push_back(std::move(first));
  while (tok_.kind == Token::Kind::kOr) {
    if (!Advance()) return false;
    Expr next;
    if (!ParseAnd(&next, json)) return false;
    out->children.push_back(std::move(next));
  }
  return true;
}

bool BracketParser::ParseAnd(Expr* out, bool json) {
  Expr first;
  if (!ParsePrimary(&first, json)) return false;
  if (tok_.kind != Token::Kind::kAnd) {
    *out = std::move(first);
    return true;
  }
  out->kind = Expr::Kind::kAnd;
  out->children.push_back(std::move(first));
  while (tok_.kind == Token::Kind::kAnd) {
    if (!Advance()) return false;
    Expr next;
    if (!ParsePrimary(&next, json)) return false;
    out->children.push_back(std::move(next));
  }
  return true;
}

bool BracketParser::ParsePrimary(Expr* out, bool json) {
  if (tok_.kind == Token::Kind::kLParen) {
    if (!Advance()) return false;
    if (!ParseOr(out, json)) return false;
    return Expect(Token::Kind::kRParen, "')'");
  }
  Condition cond;
  if (json ? !ParseJsonCondition(&cond) : !ParseFieldCondition(&cond)) return false;
  out->kind = Expr::Kind::kLeaf;
  out->leaf = static_cast<int>(conditions_->size());
  conditions_->push_back(std::move(cond));
  return true;
}

bool BracketParser::ParseValue(CmpOp op, Value* out) {
  const bool relational = op != CmpOp::kEq && op != CmpOp::kNe;
  switch (tok_.kind) {
    case Token::Kind::kString:
      if (relational) {
        return Fail(error_, tok_.offset, "'<', '<=', '>' and '>=' need a number, found a string");
      }
      out->kind = Value::Kind::kString;
      out->text = tok_.text;
      ClassifyString(out);
      return Advance();
    case Token::Kind::kRegex: {
      if (relational) {
        return Fail(error_, tok_.offset, "a regular expression can only follow '=' or '!='");
      }
      if (static_cast<int>(program_->regexes.size()) >= kMaxRegexesPerPattern) {
        return Fail(error_, tok_.offset, "at most 2 regular expressions are allowed in a pattern");
      }
      auto re = CompileRegex(tok_.text, tok_.offset + 1, error_);
      if (re == nullptr) return false;
      out->kind = Value::Kind::kRegex;
      out->regex = static_cast<int>(program_->regexes.size());
      out->text = tok_.text;
      program_->regexes.push_back(std::move(re));
      return Advance();
    }
    case Token::Kind::kWord:
      if (tok_.text.empty()) break;
      out->text = tok_.text;
      if (ParseNumberLiteral(tok_.text, &out->number)) {
        out->kind = Value::Kind::kNumber;
      } else if (relational) {
        return Fail(error_, tok_.offset,
                    "'<', '<=', '>' and '>=' need a number, found '" + tok_.text + "'");
      } else {
        out->kind = Value::Kind::kString;
        ClassifyString(out);
      }
      return Advance();
    default:
      break;
  }
  return Fail(error_, tok_.offset, "expected a value, found " + Describe(tok_));
}

bool BracketParser::ParseJsonCondition(Condition* out) {
  if (tok_.kind != Token::Kind::kSelector) {
    return Fail(error_, tok_.offset,
                "expected a selector starting with '$.', found " + Describe(tok_));
  }
  const size_t sel_offset = tok_.offset;
  if (!ParseSelector(tok_.text, tok_.offset, &out->selector, error_)) return false;
  const auto wildcards =
      std::count_if(out->selector.steps.begin(), out->selector.steps.end(), [](const Step& s) {
        return s.kind == Step::Kind::kAnyKey || s.kind == Step::Kind::kAnyIndex;
      });
  if (wildcards > 1) {
    return Fail(error_, sel_offset, "a selector may contain at most one wildcard");
  }
  if (wildcards == 1 && ++wildcard_selectors_ > kMaxWildcardSelectorsPerPattern) {
    return Fail(error_, sel_offset, "at most 3 wildcard selectors are allowed in a pattern");
  }
  if (!Advance()) return false;
  if (tok_.kind == Token::Kind::kOp) {
    out->kind = Condition::Kind::kCompare;
    out->op = tok_.op;
    if (!Advance()) return false;
    return ParseValue(out->op, &out->value);
  }
  if (tok_.kind == Token::Kind::kWord && tok_.text == "IS") {
    if (!Advance()) return false;
    if (tok_.kind == Token::Kind::kWord) {
      if (tok_.text == "NULL")
        out->kind = Condition::Kind::kIsNull;
      else if (tok_.text == "TRUE")
        out->kind = Condition::Kind::kIsTrue;
      else if (tok_.text == "FALSE")
        out->kind = Condition::Kind::kIsFalse;
      else if (tok_.text == "NOT")
        return Fail(error_, tok_.offset, "'IS NOT' is not supported");
      else
        return Fail(error_, tok_.offset,
                    "expected NULL, TRUE or FALSE after IS, found " + Describe(tok_));
      return Advance();
    }
    return Fail(error_, tok_.offset,
                "expected NULL, TRUE or FALSE after IS, found " + Describe(tok_));
  }
  if (tok_.kind == Token::Kind::kWord && tok_.text == "NOT") {
    if (!Advance()) return false;
    if (tok_.kind != Token::Kind::kWord || tok_.text != "EXISTS") {
      return Fail(error_, tok_.offset, "expected EXISTS after NOT, found " + Describe(tok_));
    }
    out->kind = Condition::Kind::kNotExists;
    return Advance();
  }
  if (tok_.kind == Token::Kind::kWord && tok_.text == "EXISTS") {
    return Fail(error_, tok_.offset, "'EXISTS' is not supported (use '= *' or NOT EXISTS)");
  }
  return Fail(error_, tok_.offset,
              "expected a comparison operator, IS or NOT EXISTS after the selector, found " +
                  Describe(tok_));
}

bool BracketParser::ParseFieldCondition(Condition* out) {
  if (tok_.kind != Token::Kind::kWord || tok_.text.empty() ||
      !std::all_of(tok_.text.begin(), tok_.text.end(), IsNameChar)) {
    return Fail(error_, tok_.offset, "expected a field name, found " + Describe(tok_));
  }
  if (field_name_.empty()) {
    field_name_ = tok_.text;
  } else if (tok_.text != field_name_) {
    return Fail(
        error_, tok_.offset,
        "conditions in one field must all name '" + field_name_ + "', found '" + tok_.text + "'");
  }
  if (!Advance()) return false;
  if (tok_.kind != Token::Kind::kOp) {
    out->kind = Condition::Kind::kAlways;
    return true;
  }
  out->kind = Condition::Kind::kCompare;
  out->op = tok_.op;
  if (!Advance()) return false;
  return ParseValue(out->op, &out->value);
}

bool BracketParser::ParseJson() {
  program_->kind = PatternKind::kJson;
  conditions_ = &program_->conditions;
  if (!Advance()) return false;
  if (!Expect(Token::Kind::kLBrace, "'{'")) return false;
  if (tok_.kind == Token::Kind::kRBrace) {
    return Fail(error_, tok_.offset, "a JSON pattern needs at least one condition");
  }
  if (!ParseOr(&program_->expr, /*json=*/true)) return false;
  if (!Expect(Token::Kind::kRBrace, "'&&', '||' or '}'")) return false;
  if (tok_.kind != Token::Kind::kEnd) {
    return Fail(error_, tok_.offset, "unexpected " + Describe(tok_) + " after '}'");
  }
  Requirement r = FromExpr(program_->expr, program_->conditions, /*json=*/true);
  if (r.has()) r.any_of.push_back("\\u");
  program_->requirement = std::move(r);
  return true;
}

bool BracketParser::ParseDelimited() {
  program_->kind = PatternKind::kDelimited;
  if (!Advance()) return false;
  if (!Expect(Token::Kind::kLBracket, "'['")) return false;
  if (tok_.kind != Token::Kind::kRBracket) {
    while (true) {
      FieldSpec spec;
      if (tok_.kind == Token::Kind::kWord && tok_.text == "...") {
        if (program_->ellipsis_at >= 0) {
          return Fail(error_, tok_.offset, "a pattern may contain only one '...'");
        }
        spec.ellipsis = true;
        program_->ellipsis_at = static_cast<int>(program_->fields.size());
        if (!Advance()) return false;
      } else {
        field_name_.clear();
        conditions_ = &spec.conditions;
        Expr expr;
        if (!ParseOr(&expr, /*json=*/false)) return false;
        spec.name = field_name_;
        spec.has_expr = !(expr.kind == Expr::Kind::kLeaf &&
                          spec.conditions[expr.leaf].kind == Condition::Kind::kAlways);
        spec.expr = std::move(expr);
      }
      program_->fields.push_back(std::move(spec));
      if (tok_.kind == Token::Kind::kComma) {
        if (!Advance()) return false;
        continue;
      }
      if (tok_.kind == Token::Kind::kRBracket) break;
      return Fail(error_, tok_.offset, "expected ',' or ']', found " + Describe(tok_));
    }
  }
  if (!Advance()) return false;  // the ']'
  if (tok_.kind != Token::Kind::kEnd) {
    return Fail(error_, tok_.offset, "unexpected " + Describe(tok_) + " after ']'");
  }
  if (program_->fields.empty()) program_->kind = PatternKind::kMatchAll;
  Requirement best;
  for (const FieldSpec& f : program_->fields) {
    if (f.has_expr) best = Better(std::move(best), FromExpr(f.expr, f.conditions, false));
  }
  program_->requirement = std::move(best);
  return true;
}

// Term patterns: whitespace-separated words and "phrases", each optionally prefixed by `-`
// (exclude) or `?` (any of), the prefix possibly followed by spaces (Q20).
bool ParseTerms(std::string_view text, Program* program, ParseError* error) {
  struct RawTerm {
    Term::Kind kind;
    std::string text;
  };
  std::vector<RawTerm> raw;
  size_t i = 0;
  while (true) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i >= text.size()) break;
    Term::Kind kind = Term::Kind::kRequired;
    const size_t term_start = i;
    if (text[i] == '-' || text[i] == '?') {
      kind = text[i] == '-' ? Term::Kind::kExcluded : Term::Kind::kOptional;
      ++i;
      while (i < text.size() && IsSpace(text[i])) ++i;
      if (i >= text.size()) return Fail(error, term_start, "expected a term after the operator");
    }
    std::string term;
    if (text[i] == '"') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') {
        if (text[j] == '\\' && j + 1 < text.size()) ++j;
        ++j;
      }
      if (j >= text.size()) return Fail(error, i, "unterminated quoted term");
      term = UnescapeQuoted(text.substr(i + 1, j - i - 1));
      i = j + 1;
      if (i < text.size() && !IsSpace(text[i])) {
        return Fail(error, i, "expected whitespace after a quoted term");
      }
      // A whitespace-only phrase (the documented `" "`) matches everything: drop it (Q19).
      if (std::all_of(term.begin(), term.end(), IsSpace)) continue;
    } else {
      const size_t start = i;
      while (i < text.size() && !IsSpace(text[i])) {
        const char c = text[i];
        if (c == '%') {
          return Fail(error, i, "a regular expression must be the whole pattern");
        }
        if (std::strchr("\"(){}[]", c) != nullptr) {
          return Fail(error, i, std::string("'") + c + "' must be inside a quoted term");
        }
        ++i;
      }
      term = std::string(text.substr(start, i - start));
    }
    raw.push_back({kind, std::move(term)});
  }
  if (raw.empty()) {
    program->kind = PatternKind::kMatchAll;
    return true;
  }
  program->kind = PatternKind::kTerms;
  const bool all_optional = std::all_of(
      raw.begin(), raw.end(), [](const RawTerm& t) { return t.kind == Term::Kind::kOptional; });
  program->any_of_terms = all_optional;
  Requirement best;
  for (RawTerm& t : raw) {
    // Mixed with plain or excluded terms, `?` terms are ignored (documented behaviour).
    if (!all_optional && t.kind == Term::Kind::kOptional) continue;
    Requirement r;
    if (t.kind != Term::Kind::kExcluded) r.any_of.push_back(t.text);
    if (all_optional) {
      best = program->terms.empty() ? r : Union(std::move(best), r);
    } else if (t.kind == Term::Kind::kRequired) {
      best = Better(std::move(best), r);
    }
    program->terms.push_back(Term{t.kind, LiteralSearcher(std::move(t.text))});
  }
  program->requirement = std::move(best);
  return true;
}

}  // namespace

bool ParseNumberLiteral(std::string_view t, double* value) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  const size_t digits_start = i;
  while (i < t.size() && IsDigit(t[i])) ++i;
  if (i == digits_start) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const size_t frac = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == frac) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    const size_t exp = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == exp) return false;
  }
  if (i != t.size()) return false;
  return ParseDouble(t, value);
}

bool ParsePlainDecimal(std::string_view t, double* value) {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  const size_t digits_start = i;
  while (i < t.size() && IsDigit(t[i])) ++i;
  if (i == digits_start) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const size_t frac = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == frac) return false;
  }
  if (i != t.size()) return false;
  return ParseDouble(t, value);
}

bool ParseSelector(std::string_view text, size_t offset, Selector* selector, ParseError* error) {
  selector->text = std::string(text);
  selector->steps.clear();
  if (text.empty() || text[0] != '$') return Fail(error, offset, "a selector starts with '$'");
  size_t i = 1;
  if (i >= text.size()) return Fail(error, offset, "expected '.' after '$'");
  while (i < text.size()) {
    const size_t at = offset + i;
    Step step;
    if (text[i] == '.') {
      ++i;
      if (i < text.size() && text[i] == '*') {
        step.kind = Step::Kind::kAnyKey;
        ++i;
      } else if (i < text.size() && text[i] == '[') {
        continue;  // `.['key']`: the bracket step follows
      } else {
        const size_t start = i;
        while (i < text.size() && IsNameChar(text[i])) ++i;
        if (i == start) return Fail(error, at, "expected a property name after '.'");
        step.kind = Step::Kind::kKey;
        step.key = std::string(text.substr(start, i - start));
      }
    } else if (text[i] == '[') {
      const bool quoted = i + 1 < text.size() && text[i + 1] == '\'';
      const size_t close = quoted ? text.find("']", i + 2) : text.find(']', i);
      if (close == std::string_view::npos) return Fail(error, at, "unterminated '['");
      std::string_view inside = text.substr(i + 1, close - i - 1);
      if (quoted) {
        step.kind = Step::Kind::kKey;
        step.key = std::string(text.substr(i + 2, close - i - 2));
        i = close + 2;
      } else {
        if (inside == "*") {
          step.kind = Step::Kind::kAnyIndex;
        } else if (!inside.empty() && inside.size() <= 9 &&
                   std::all_of(inside.begin(), inside.end(), IsDigit)) {
          step.kind = Step::Kind::kIndex;
          step.index = static_cast<uint32_t>(std::stoul(std::string(inside)));
        } else {
          return Fail(error, at, "expected an array index, '*' or a quoted key inside '[]'");
        }
        i = close + 1;
      }
    } else {
      return Fail(error, at, std::string("unexpected '") + text[i] + "' in selector");
    }
    for (char c : step.key) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
        step.key_needs_escape = true;
    }
    selector->steps.push_back(std::move(step));
  }
  if (selector->steps.empty()) return Fail(error, offset, "empty selector");
  return true;
}

std::unique_ptr<Program> Parse(std::string_view pattern, ParseError* error) {
  auto program = std::make_unique<Program>();
  program->text = std::string(pattern);
  size_t start = 0;
  while (start < pattern.size() && IsSpace(pattern[start])) ++start;
  size_t end = pattern.size();
  while (end > start && IsSpace(pattern[end - 1])) --end;
  if (start == end) {
    program->kind = PatternKind::kMatchAll;
    return program;
  }
  const char first = pattern[start];
  bool ok = false;
  if (first == '{') {
    ok = BracketParser(pattern, start, program.get(), error).ParseJson();
  } else if (first == '[') {
    ok = BracketParser(pattern, start, program.get(), error).ParseDelimited();
  } else if (first == '%') {
    const size_t close = pattern.find('%', start + 1);
    if (close == std::string_view::npos) {
      Fail(error, start, "unterminated regular expression");
    } else if (close + 1 != end) {
      Fail(error, close + 1, "a regular expression must be the whole pattern");
    } else {
      const std::string_view body = pattern.substr(start + 1, close - start - 1);
      auto re = CompileRegex(body, start + 1, error);
      if (re != nullptr) {
        program->kind = PatternKind::kRegex;
        program->regexes.push_back(std::move(re));
        if (std::string lit = RequiredLiteral(body); lit.size() >= kMinUsefulLiteral) {
          program->requirement.any_of.push_back(std::move(lit));
        }
        ok = true;
      }
    }
  } else {
    ok = ParseTerms(pattern.substr(0, end), program.get(), error);
  }
  if (!ok) return nullptr;
  for (const std::string& lit : program->requirement.any_of) program->prefilter.emplace_back(lit);
  return program;
}

}  // namespace kiroku::filter::internal
