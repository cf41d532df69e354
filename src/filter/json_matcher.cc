// JSON patterns evaluated with simdjson On Demand: the event is indexed once, then each
// condition rewinds the document and walks only its selector's path, skipping everything else.
// simdjson picks its stage-1 indexer (the part that touches every byte) at run time; the On
// Demand front end compiled here does not gain from an AVX2 build (measured: 3.37 GiB/s either
// way on CloudTrail records), so it is compiled once, portably.
#include <simdjson.h>

#include <cstring>
#include <string>
#include <utility>

#include "filter/lexer.h"
#include "filter/matchers.h"

namespace kiroku::filter::internal {
namespace {

namespace od = simdjson::ondemand;

struct Scratch {
  od::parser parser;
  std::string padded;  // events that lack padding are copied here
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

enum class Walk { kContinue, kStop, kError };

// Compares an object key as written in the event (raw, possibly escaped, terminated by an
// unescaped '"') with the selector's key.
bool KeyEquals(const char* raw, const Step& step) {
  const std::string& key = step.key;
  size_t i = 0;
  if (!step.key_needs_escape) {
    while (i < key.size() && raw[i] == key[i]) ++i;
    if (i == key.size() && raw[i] == '"') return true;
  }
  // Slow path: only if the raw key contains an escape sequence.
  bool escaped = false;
  size_t end = i;
  while (raw[end] != '"') {
    if (raw[end] == '\\') {
      escaped = true;
      ++end;
    }
    ++end;
  }
  if (!escaped) return false;
  return UnescapeQuoted(std::string_view(raw, end)) == key;
}

bool IsAbsence(simdjson::error_code e) {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NO_SUCH_FIELD ||
         e == simdjson::INDEX_OUT_OF_BOUNDS;
}

// Visits every value `steps` selects under `v` (several with a wildcard step), calling
// leaf(value) until it returns kStop. Wrong types, missing keys and short arrays select nothing.
template <typename Leaf>
Walk Visit(od::value v, const Step* step, const Step* end, Leaf& leaf) {
  if (step == end) return leaf(v);
  switch (step->kind) {
    case Step::Kind::kKey:
    case Step::Kind::kAnyKey: {
      od::object obj;
      if (auto e = v.get_object().get(obj); e) return IsAbsence(e) ? Walk::kContinue : Walk::kError;
      for (auto field_result : obj) {
        od::field field;
        if (std::move(field_result).get(field)) return Walk::kError;
        if (step->kind == Step::Kind::kKey) {
          if (KeyEquals(field.key().raw(), *step)) return Visit(field.value(), step + 1, end, leaf);
          continue;
        }
        Walk w = Visit(field.value(), step + 1, end, leaf);
        if (w != Walk::kContinue) return w;
      }
      return Walk::kContinue;
    }
    case Step::Kind::kIndex:
    case Step::Kind::kAnyIndex: {
      od::array arr;
      if (auto e = v.get_array().get(arr); e) return IsAbsence(e) ? Walk::kContinue : Walk::kError;
      uint32_t i = 0;
      for (auto element_result : arr) {
        od::value element;
        if (std::move(element_result).get(element)) return Walk::kError;
        if (step->kind == Step::Kind::kAnyIndex || i == step->index) {
          Walk w = Visit(element, step + 1, end, leaf);
          if (w != Walk::kContinue || step->kind == Step::Kind::kIndex) return w;
        }
        ++i;
      }
      return Walk::kContinue;
    }
  }
  return Walk::kContinue;
}

std::string_view TrimToken(std::string_view t) {
  while (!t.empty() && IsSpace(t.back())) t.remove_suffix(1);
  return t;
}

// Evaluates one leaf condition against one selected value. Sets *error on malformed JSON.
bool EvalLeaf(od::value& v, const Condition& c, const Program& program, bool* error) {
  od::json_type type;
  if (v.type().get(type)) {
    *error = true;
    return false;
  }
  switch (c.kind) {
    case Condition::Kind::kIsNull:
      return type == od::json_type::null;
    case Condition::Kind::kIsTrue:
    case Condition::Kind::kIsFalse: {
      if (type != od::json_type::boolean) return false;
      bool b = false;
      if (v.get_bool().get(b)) {
        *error = true;
        return false;
      }
      return b == (c.kind == Condition::Kind::kIsTrue);
    }
    case Condition::Kind::kNotExists:
    case Condition::Kind::kAlways:
      return true;
    case Condition::Kind::kCompare:
      break;
  }
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) {
        *error = true;
        return false;
      }
      return CompareText(s, c, program, /*subject_is_json_string=*/true);
    }
    case od::json_type::number: {
      if (c.value.kind == Value::Kind::kNumber) {
        double d = 0;
        if (v.get_double().get(d)) {
          *error = true;
          return false;
        }
        const double x = c.value.number;
        switch (c.op) {
          case CmpOp::kEq:
            return d == x;
          case CmpOp::kNe:
            return d != x;
          case CmpOp::kLt:
            return d < x;
          case CmpOp::kLe:
            return d <= x;
          case CmpOp::kGt:
            return d > x;
          case CmpOp::kGe:
            return d >= x;
        }
      }
      return CompareText(TrimToken(v.raw_json_token()), c, program, false);
    }
    case od::json_type::boolean:
      if (c.value.kind == Value::Kind::kNumber) return false;
      return CompareText(TrimToken(v.raw_json_token()), c, program, false);
    default:
      // null, objects and arrays fail both `=` and `!=`.
      return false;
  }
}

// Resolves one condition against the document (rewound first).
bool EvalCondition(od::document& doc, const Condition& c, const Program& program, bool* error) {
  doc.rewind();
  od::value root;
  if (doc.get_value().get(root)) {
    *error = true;
    return false;
  }
  bool found = false;
  auto leaf = [&](od::value& v) {
    if (c.kind == Condition::Kind::kNotExists) {
      found = true;
      return Walk::kStop;
    }
    if (EvalLeaf(v, c, program, error)) {
      found = true;
      return Walk::kStop;
    }
    return *error ? Walk::kError : Walk::kContinue;
  };
  const Step* begin = c.selector.steps.data();
  const Walk w = Visit(root, begin, begin + c.selector.steps.size(), leaf);
  if (w == Walk::kError) {
    *error = true;
    return false;
  }
  return c.kind == Condition::Kind::kNotExists ? !found : found;
}

bool EvalExpr(od::document& doc, const Expr& e, const Program& program, bool* error) {
  switch (e.kind) {
    case Expr::Kind::kLeaf:
      return EvalCondition(doc, program.conditions[e.leaf], program, error);
    case Expr::Kind::kAnd:
      for (const Expr& child : e.children) {
        if (!EvalExpr(doc, child, program, error) || *error) return false;
      }
      return true;
    case Expr::Kind::kOr:
      for (const Expr& child : e.children) {
        if (EvalExpr(doc, child, program, error)) return !*error;
        if (*error) return false;
      }
      return false;
  }
  return false;
}

// Starts parsing `message`; false if it is not a JSON object.
bool Open(std::string_view message, size_t readable, od::document* doc) {
  size_t i = 0;
  while (i < message.size() && IsSpace(message[i])) ++i;
  if (i >= message.size() || message[i] != '{') return false;  // Q15: no text prefix
  Scratch& scratch = ThreadScratch();
  // In place, the byte after the event is its line terminator ('\n' or '\r'), which cannot
  // start a JSON value.
  const char* data = message.data();
  size_t capacity = readable;
  if (readable < message.size() + simdjson::SIMDJSON_PADDING) {
    if (scratch.padded.size() < message.size() + simdjson::SIMDJSON_PADDING) {
      scratch.padded.resize(message.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(scratch.padded.data(), message.data(), message.size());
    // On a truncated document On Demand may look at the byte after the end: it must not be a
    // leftover of an earlier event (a stray '"' there sends the string parser past the end).
    std::memset(scratch.padded.data() + message.size(), 0, simdjson::SIMDJSON_PADDING);
    data = scratch.padded.data();
    capacity = scratch.padded.size();
  }
  return !scratch.parser.iterate(data, message.size(), capacity).get(*doc);
}

}  // namespace

bool MatchJson(const Program& program, std::string_view message, size_t readable) {
  od::document doc;
  if (!Open(message, readable, &doc)) return false;
  bool error = false;
  const bool matched = EvalExpr(doc, program.expr, program, &error);
  return matched && !error;
}

std::optional<std::string> JsonValueAt(const Selector& selector, std::string_view message) {
  od::document doc;
  if (!Open(message, message.size(), &doc)) return std::nullopt;
  od::value root;
  if (doc.get_value().get(root)) return std::nullopt;
  std::optional<std::string> out;
  auto leaf = [&](od::value& v) {
    od::json_type type;
    if (v.type().get(type)) return Walk::kError;
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (v.get_string().get(s)) return Walk::kError;
        out = std::string(s);
        break;
      }
      case od::json_type::number:
      case od::json_type::boolean:
        out = std::string(TrimToken(v.raw_json_token()));
        break;
      case od::json_type::object: {
        od::object o;
        std::string_view raw;
        if (v.get_object().get(o) || o.raw_json().get(raw)) return Walk::kError;
        out = std::string(raw);
        break;
      }
      case od::json_type::array: {
        od::array a;
        std::string_view raw;
        if (v.get_array().get(a) || a.raw_json().get(raw)) return Walk::kError;
        out = std::string(raw);
        break;
      }
      case od::json_type::null:
        break;
    }
    return Walk::kStop;
  };
  const Step* begin = selector.steps.data();
  if (Visit(root, begin, begin + selector.steps.size(), leaf) == Walk::kError) return std::nullopt;
  return out;
}

}  // namespace kiroku::filter::internal
