#include "aws/validation.h"

#include <re2/re2.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/encoding.h"
#include "common/mutex.h"

namespace kiroku::aws {
namespace json = boost::json;
namespace {

// --- per-service answers --------------------------------------------------------------------

struct ServiceRules {
  std::string_view service;
  std::string_view code;  // constraint violations and missing required members
  // CloudTrail answers bad values with its own exceptions (InvalidTrailNameException,
  // InvalidLookupAttributesException, InvalidMaxResultsException...), not with a generic
  // validation error, so its handlers keep those checks; its types are still checked here.
  bool check_constraints;
};

constexpr ServiceRules kRules[] = {
    {"iam", "ValidationError", true},
    {"sts", "ValidationError", true},
    {"kms", "ValidationException", true},
    {"logs", "InvalidParameterException", true},
    {"cloudtrail", "InvalidParameterException", false},
};

const ServiceRules& RulesOf(const ServiceModel& model) {
  for (const ServiceRules& r : kRules) {
    if (r.service == model.service()) return r;
  }
  static const ServiceRules kDefault{"", "ValidationException", true};
  return kDefault;
}

constexpr double kMaxEpochSeconds = 9.2e15;

// At most this many violations are spelled out in one message (the count stays exact).
constexpr size_t kMaxListedErrors = 100;

// --- patterns -------------------------------------------------------------------------------

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// The code unit of a \uXXXX escape at text[i] (text[i] == '\\'), or -1.
int UnicodeEscape(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  for (size_t k = i + 2; k < i + 6; ++k) {
    if (!IsHex(text[k])) return -1;
  }
  return std::stoi(std::string(text.substr(i + 2, 4)), nullptr, 16);
}

std::string HexRune(long code_point) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%lX}", code_point);
  return buf;
}

class PatternCache {
 public:
  // The compiled pattern of `shape`, or null when it has none or RE2 cannot compile it.
  const RE2* Get(const Shape& shape) EXCLUDES(mu_) {
    {
      ReaderMutexLock read(mu_);
      auto it = compiled_.find(&shape);
      if (it != compiled_.end()) return it->second.get();
    }
    WriterMutexLock write(mu_);
    auto it = compiled_.find(&shape);
    if (it != compiled_.end()) return it->second.get();
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(TranslatePattern(shape.pattern), options);
    if (!re->ok()) re.reset();  // not checked (counted by UncheckablePatternCount)
    return compiled_.emplace(&shape, std::move(re)).first->second.get();
  }

 private:
  SharedMutex mu_;
  std::unordered_map<const Shape*, std::unique_ptr<RE2>> compiled_ GUARDED_BY(mu_);
};

PatternCache& Patterns() {
  static auto* cache = new PatternCache();
  return *cache;
}

// --- type checks (awsJson) ------------------------------------------------------------------

Status Serialization(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("SerializationException");
}

// Coral's name of a JSON token, as its conversion errors spell it.
std::string TokenName(const json::value& v) {
  if (v.is_string()) return "STRING_VALUE";
  if (v.is_bool()) return v.as_bool() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (v.is_int64() || v.is_uint64()) return "NUMBER_VALUE";
  double d = v.as_double();
  return std::isfinite(d) && std::trunc(d) == d ? "NUMBER_VALUE" : "DECIMAL_VALUE";
}

// " an Integer", " a String"... the Java type of a model scalar type.
std::string JavaType(const std::string& type) {
  if (type == "integer") return "an Integer";
  if (type == "long") return "a Long";
  if (type == "boolean") return "a Boolean";
  if (type == "double") return "a Double";
  if (type == "float") return "a Float";
  if (type == "timestamp") return "a Date";
  return "a String";
}

Status CheckTypes(const Shape& shape, json::value& v);

Status Mismatch(const Shape& shape, const json::value& v) {
  if (v.is_array()) return Serialization("Start of list found where not expected");
  if (v.is_object()) return Serialization("Start of structure or map found where not expected.");
  const std::string& t = shape.type;
  if (t == "structure") return Serialization("Expected null");
  if (t == "list") return Serialization("Expected list or null");
  if (t == "map") return Serialization("Expected map or null");
  if (t == "blob") return Serialization("only base-64-encoded strings are convertible to bytes");
  return Serialization(TokenName(v) + " can not be converted to " + JavaType(t));
}

// Erases null members (absent, as AWS reads them) and checks the others.
Status CheckMembers(const Shape& shape, json::object& o) {
  for (auto it = o.begin(); it != o.end();) {
    if (it->value().is_null()) {
      it = o.erase(it);
      continue;
    }
    if (const Member* m = shape.FindMember(it->key()); m != nullptr && m->shape != nullptr) {
      RETURN_IF_ERROR(CheckTypes(*m->shape, it->value()));
    }
    ++it;
  }
  return Status::Ok();
}

bool FitsInteger(const json::value& v, int64_t lo, int64_t hi) {
  if (v.is_int64()) return v.as_int64() >= lo && v.as_int64() <= hi;
  if (v.is_uint64()) return v.as_uint64() <= static_cast<uint64_t>(hi);
  return false;
}

Status CheckTypes(const Shape& shape, json::value& v) {
  if (v.is_null()) return Status::Ok();
  const std::string& t = shape.type;
  if (t == "structure") {
    if (!v.is_object()) return Mismatch(shape, v);
    return CheckMembers(shape, v.as_object());
  }
  if (t == "list") {
    if (!v.is_array()) return Mismatch(shape, v);
    if (shape.member.shape == nullptr) return Status::Ok();
    for (json::value& item : v.as_array()) RETURN_IF_ERROR(CheckTypes(*shape.member.shape, item));
    return Status::Ok();
  }
  if (t == "map") {
    if (!v.is_object()) return Mismatch(shape, v);
    if (shape.value.shape == nullptr) return Status::Ok();
    for (auto& entry : v.as_object())
      RETURN_IF_ERROR(CheckTypes(*shape.value.shape, entry.value()));
    return Status::Ok();
  }
  if (v.is_array() || v.is_object()) return Mismatch(shape, v);
  if (t == "string") return v.is_string() ? Status::Ok() : Mismatch(shape, v);
  if (t == "blob") {
    if (!v.is_string()) return Mismatch(shape, v);
    if (!Base64Decode(v.as_string())) {
      return Serialization("Base64 encoded value is not valid");
    }
    return Status::Ok();
  }
  if (t == "boolean") return v.is_bool() ? Status::Ok() : Mismatch(shape, v);
  if (t == "integer" || t == "long") {
    bool fits = t == "integer" ? FitsInteger(v, INT32_MIN, INT32_MAX)
                               : FitsInteger(v, INT64_MIN, INT64_MAX);
    return fits ? Status::Ok() : Mismatch(shape, v);
  }
  if (t == "double" || t == "float" || t == "timestamp") {
    if (!v.is_number()) return Mismatch(shape, v);
    if (v.is_double() && !std::isfinite(v.as_double())) return Mismatch(shape, v);
    // A time beyond what milliseconds since 1970 in 64 bits can hold is no time at all.
    if (t == "timestamp" && std::fabs(v.to_number<double>()) > kMaxEpochSeconds) {
      return Mismatch(shape, v);
    }
    return Status::Ok();
  }
  return Status::Ok();  // a type the models do not use for input
}

// --- constraints ----------------------------------------------------------------------------

// "UserName" -> "userName": AWS names members in lower camel case in its messages.
std::string FieldName(std::string_view member) { return LowerFirst(member); }

// The value as it is echoed in a message; control characters are spelled \uXXXX so the text
// stays printable in any protocol's error body.
void AppendPrintable(std::string_view text, std::string& out) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
}

// A double as Java prints it: "1.5", "2.0" (or "2" for a bound of an integer member).
std::string Number(double d, bool integral) {
  if (std::trunc(d) == d && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<int64_t>(d)) + (integral ? "" : ".0");
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

void Render(const json::value& v, std::string& out) {
  if (v.is_string()) {
    AppendPrintable(v.as_string(), out);
  } else if (v.is_array()) {
    out += "[";
    bool first = true;
    for (const json::value& item : v.as_array()) {
      if (!first) out += ", ";
      first = false;
      Render(item, out);
    }
    out += "]";
  } else if (v.is_object()) {
    out += "{";
    bool first = true;
    for (const auto& [k, val] : v.as_object()) {
      if (!first) out += ", ";
      first = false;
      AppendPrintable(k, out);
      out += "=";
      Render(val, out);
    }
    out += "}";
  } else if (v.is_double()) {
    out += Number(v.as_double(), false);
  } else {
    out += json::serialize(v);
  }
}

// UTF-16 code units, as Java's String.length() counts them.
size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) != 0x80) n += u >= 0xF0 ? 2 : 1;
  }
  return n;
}

class ConstraintChecker {
 public:
  explicit ConstraintChecker(const ServiceRules& rules) : rules_(rules) {}

  void Check(const Shape& shape, const json::value& v, const std::string& path, bool sensitive) {
    sensitive = sensitive || shape.sensitive;
    const std::string& t = shape.type;
    if (t == "structure") {
      if (v.is_object()) CheckStructure(shape, v.as_object(), path, sensitive);
      return;
    }
    std::vector<std::string> violations;
    Violations(shape, v, violations);
    for (const std::string& violation : violations) Add(Subject(v, path, sensitive) + violation);
    if (t == "list" && v.is_array() && shape.member.shape != nullptr) {
      size_t i = 0;
      for (const json::value& item : v.as_array()) {
        ++i;
        if (item.is_null()) continue;
        Check(*shape.member.shape, item, path + "." + std::to_string(i) + ".member", sensitive);
      }
    } else if (t == "map" && v.is_object()) {
      // Map entries: AWS names the whole map and lists what its keys / values must satisfy.
      std::vector<std::string> key_violations, value_violations;
      for (const auto& [k, val] : v.as_object()) {
        if (key_violations.empty() && shape.key.shape != nullptr) {
          Violations(*shape.key.shape, json::value(k), key_violations);
        }
        if (value_violations.empty() && shape.value.shape != nullptr && !val.is_null()) {
          if (IsScalar(*shape.value.shape)) {
            Violations(*shape.value.shape, val, value_violations);
          } else {
            Check(*shape.value.shape, val, path + "." + std::string(k), sensitive);
          }
        }
      }
      if (!key_violations.empty()) {
        Add(Subject(v, path, sensitive) + "Map keys must satisfy constraint: [" +
            Join(key_violations, ", ") + "]");
      }
      if (!value_violations.empty()) {
        Add(Subject(v, path, sensitive) + "Map value must satisfy constraint: [" +
            Join(value_violations, ", ") + "]");
      }
    }
  }

  void CheckStructure(const Shape& shape, const json::object& o, const std::string& path,
                      bool sensitive) {
    for (const Member& m : shape.members) {
      const json::value* mv = o.if_contains(m.name);
      std::string child = path.empty() ? FieldName(m.name) : path + "." + FieldName(m.name);
      if (mv == nullptr || mv->is_null()) {
        if (IsRequired(shape, m.name)) {
          Add("Value null at '" + child +
              "' failed to satisfy constraint: Member must not be null");
        }
        continue;
      }
      if (m.shape != nullptr) Check(*m.shape, *mv, child, sensitive || m.shape->sensitive);
    }
  }

  Status Result() const {
    if (count_ == 0) return Status::Ok();
    std::string message = std::to_string(count_) + " validation error" + (count_ == 1 ? "" : "s") +
                          " detected: " + Join(errors_, "; ");
    return Status::InvalidArgument(std::move(message)).WithAwsCode(std::string(rules_.code));
  }

 private:
  static bool IsRequired(const Shape& shape, std::string_view member) {
    for (const std::string& r : shape.required) {
      if (r == member) return true;
    }
    return false;
  }

  static bool IsScalar(const Shape& shape) {
    return shape.type != "structure" && shape.type != "list" && shape.type != "map";
  }

  static std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const std::string& p : parts) {
      if (!out.empty()) out += sep;
      out += p;
    }
    return out;
  }

  static std::string Subject(const json::value& v, const std::string& path, bool sensitive) {
    if (sensitive) return "Value at '" + path + "' failed to satisfy constraint: ";
    std::string out = "Value '";
    Render(v, out);
    return out + "' at '" + path + "' failed to satisfy constraint: ";
  }

  // What `v` (of a non-structure shape) fails to satisfy, in AWS's words.
  void Violations(const Shape& shape, const json::value& v, std::vector<std::string>& out) const {
    const std::string& t = shape.type;
    std::optional<size_t> length;
    if (t == "string" && v.is_string()) length = Utf16Length(v.as_string());
    if (t == "blob" && v.is_string()) {
      auto bytes = Base64Decode(v.as_string());
      length = bytes ? bytes->size() : v.as_string().size();
    }
    if (t == "list" && v.is_array()) length = v.as_array().size();
    if (t == "map" && v.is_object()) length = v.as_object().size();
    if (length) {
      if (shape.min && static_cast<double>(*length) < *shape.min) {
        out.push_back("Member must have length greater than or equal to " +
                      Number(*shape.min, true));
      }
      if (shape.max && static_cast<double>(*length) > *shape.max) {
        out.push_back("Member must have length less than or equal to " + Number(*shape.max, true));
      }
    }
    bool numeric = t == "integer" || t == "long" || t == "double" || t == "float";
    if (numeric && v.is_number()) {
      bool integral = t == "integer" || t == "long";
      // Compare exactly for integers (a double would round values near the int64 limits).
      auto below = [&](double bound) {
        if (v.is_int64()) return static_cast<long double>(v.as_int64()) < bound;
        if (v.is_uint64()) return static_cast<long double>(v.as_uint64()) < bound;
        return v.as_double() < bound;
      };
      auto above = [&](double bound) {
        if (v.is_int64()) return static_cast<long double>(v.as_int64()) > bound;
        if (v.is_uint64()) return static_cast<long double>(v.as_uint64()) > bound;
        return v.as_double() > bound;
      };
      if (shape.min && below(*shape.min)) {
        out.push_back("Member must have value greater than or equal to " +
                      Number(*shape.min, integral));
      }
      if (shape.max && above(*shape.max)) {
        out.push_back("Member must have value less than or equal to " +
                      Number(*shape.max, integral));
      }
    }
    if (t == "string" && v.is_string()) {
      std::string_view s = v.as_string();
      if (!shape.enum_values.empty()) {
        bool found = false;
        for (const std::string& e : shape.enum_values) found = found || e == s;
        if (!found)
          out.push_back("Member must satisfy enum value set: [" + Join(shape.enum_values, ", ") +
                        "]");
      }
      if (!shape.pattern.empty()) {
        const RE2* re = Patterns().Get(shape);
        if (re != nullptr && !RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *re)) {
          out.push_back("Member must satisfy regular expression pattern: " + shape.pattern);
        }
      }
    }
  }

  void Add(std::string error) {
    ++count_;
    if (errors_.size() < kMaxListedErrors) errors_.push_back(std::move(error));
  }

  const ServiceRules& rules_;
  std::vector<std::string> errors_;
  size_t count_ = 0;
};

void CollectShapes(const Shape& shape, std::vector<const Shape*>& seen) {
  for (const Shape* s : seen) {
    if (s == &shape) return;
  }
  seen.push_back(&shape);
  for (const Member& m : shape.members) {
    if (m.shape) CollectShapes(*m.shape, seen);
  }
  for (const Member* m : {&shape.member, &shape.key, &shape.value}) {
    if (m->shape) CollectShapes(*m->shape, seen);
  }
}

}  // namespace

std::string TranslatePattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  int depth = 0;  // inside [...]
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c != '\\' || i + 1 >= p.size()) {
      if (c == '[') ++depth;
      if (c == ']' && depth > 0) --depth;
      out.push_back(c);
      ++i;
      continue;
    }
    int unit = UnicodeEscape(p, i);
    if (unit >= 0) {
      long code_point = unit;
      i += 6;
      int low = UnicodeEscape(p, i);
      if (unit >= 0xD800 && unit <= 0xDBFF && low >= 0xDC00 && low <= 0xDFFF) {
        code_point = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
      out += HexRune(code_point);
      continue;
    }
    // Any other escape is copied as is; \p{..} / \P{..} whole.
    size_t len = 2;
    if ((p[i + 1] == 'p' || p[i + 1] == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
      size_t close = p.find('}', i);
      len = close == std::string_view::npos ? p.size() - i : close - i + 1;
    }
    bool is_class = std::string_view("wWdDsSpP").find(p[i + 1]) != std::string_view::npos;
    out.append(p.substr(i, len));
    i += len;
    // Java reads "[\w-_]" as \w, '-', '_'; RE2 refuses a range from a class: escape the '-'.
    if (depth > 0 && is_class && i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
      out += "\\-";
      ++i;
    }
  }
  return out;
}

size_t UncheckablePatternCount(const ServiceModel& model) {
  std::vector<const Shape*> shapes;
  for (const Operation* op : model.Operations()) {
    if (op->input != nullptr) CollectShapes(*op->input, shapes);
  }
  size_t failed = 0;
  for (const Shape* s : shapes) {
    if (!s->pattern.empty() && Patterns().Get(*s) == nullptr) ++failed;
  }
  return failed;
}

Status ValidateJsonInput(const ServiceModel& model, const Shape* shape, json::object& input) {
  if (shape == nullptr) return Status::Ok();
  RETURN_IF_ERROR(CheckMembers(*shape, input));
  if (!RulesOf(model).check_constraints) return Status::Ok();
  ConstraintChecker checker(RulesOf(model));
  checker.CheckStructure(*shape, input, "", shape->sensitive);
  return checker.Result();
}

Status ValidateQueryInput(const ServiceModel& model, const Shape* shape,
                          const json::object& input) {
  if (shape == nullptr) return Status::Ok();
  ConstraintChecker checker(RulesOf(model));
  checker.CheckStructure(*shape, input, "", shape->sensitive);
  return checker.Result();
}

}  // namespace kiroku::aws
