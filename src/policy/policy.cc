#include "policy/policy.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <set>
#include <unordered_set>

#include "common/encoding.h"
#include "policy/compiled.h"

namespace kiroku::policy {
namespace {

namespace json = boost::json;
using internal::CompiledPolicy;
using internal::Condition;
using internal::ConditionValue;
using internal::Op;
using internal::SetQualifier;
using internal::Statement;
using internal::Template;

constexpr const char* kMalformed = "MalformedPolicyDocument";

Status Malformed(std::string msg) {
  return Status::InvalidArgument(std::move(msg)).WithAwsCode(kMalformed);
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 200)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  if (s.size() > 200) out += "...";
  return out + "\"";
}

// ---------------------------------------------------------------------------------------------
// JSON syntax and duplicate keys. Boost.JSON keeps the last of duplicate keys silently; a policy
// with two "Effect" members is ambiguous, so a first pass with a SAX handler rejects it.

struct DuplicateKeyHandler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::set<std::string>> objects;
  std::string key;
  std::string duplicate;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    objects.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key.append(s.data(), s.size());
    bool inserted = objects.back().insert(key).second;
    if (!inserted) {
      duplicate = key;
      ec = json::error::syntax;
      return false;
    }
    key.clear();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

std::string Position(std::string_view doc, size_t offset) {
  offset = std::min(offset, doc.size());
  size_t line = 1;
  size_t col = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (doc[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col) + " (offset " +
         std::to_string(offset) + ")";
}

Status CheckJson(std::string_view doc) {
  json::basic_parser<DuplicateKeyHandler> parser{json::parse_options{}};
  json::error_code ec;
  size_t n = parser.write_some(false, doc.data(), doc.size(), ec);
  if (!parser.handler().duplicate.empty()) {
    return Malformed("duplicate key " + Quote(parser.handler().duplicate) + " at " +
                     Position(doc, n));
  }
  if (ec) return Malformed("invalid JSON at " + Position(doc, n) + ": " + ec.message());
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Statement positions. Boost.JSON's DOM keeps no offsets, so once the document is known to be
// valid JSON a small scanner finds the objects of the top-level "Statement" member.

class SpanScanner {
 public:
  explicit SpanScanner(std::string_view doc) : doc_(doc) {}

  // Offsets [begin, end) of each statement object, in order; empty if not found.
  std::vector<std::pair<size_t, size_t>> StatementSpans() {
    std::vector<std::pair<size_t, size_t>> spans;
    SkipSpace();
    if (!Eat('{')) return spans;
    while (true) {
      SkipSpace();
      if (pos_ >= doc_.size() || doc_[pos_] != '"') return spans;
      std::string key = ReadString();
      SkipSpace();
      if (!Eat(':')) return spans;
      SkipSpace();
      if (key != "Statement") {
        SkipValue();
      } else if (pos_ < doc_.size() && doc_[pos_] == '{') {
        size_t begin = pos_;
        SkipValue();
        spans.emplace_back(begin, pos_);
      } else if (Eat('[')) {
        while (true) {
          SkipSpace();
          if (Eat(']')) break;
          size_t begin = pos_;
          SkipValue();
          spans.emplace_back(begin, pos_);
          SkipSpace();
          if (!Eat(',')) {
            SkipSpace();
            Eat(']');
            break;
          }
        }
      } else {
        SkipValue();
      }
      SkipSpace();
      if (!Eat(',')) return spans;
    }
  }

 private:
  bool Eat(char c) {
    if (pos_ < doc_.size() && doc_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < doc_.size() &&
           (doc_[pos_] == ' ' || doc_[pos_] == '\t' || doc_[pos_] == '\n' || doc_[pos_] == '\r')) {
      ++pos_;
    }
  }
  // Reads a string token; escapes are kept raw (only plain keys are compared).
  std::string ReadString() {
    std::string out;
    ++pos_;  // opening quote
    while (pos_ < doc_.size() && doc_[pos_] != '"') {
      if (doc_[pos_] == '\\') out.push_back(doc_[pos_++]);
      if (pos_ < doc_.size()) out.push_back(doc_[pos_++]);
    }
    ++pos_;  // closing quote
    return out;
  }
  void SkipValue() {
    int depth = 0;
    while (pos_ < doc_.size()) {
      char c = doc_[pos_];
      if (c == '"') {
        ReadString();
        if (depth == 0) return;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) return;  // end of the enclosing container
        if (--depth == 0) {
          ++pos_;
          return;
        }
      } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
        return;  // end of a scalar
      }
      ++pos_;
    }
  }

  std::string_view doc_;
  size_t pos_ = 0;
};

TextPosition PositionOf(std::string_view doc, size_t offset) {
  TextPosition p{1, 1};
  for (size_t i = 0; i < offset && i < doc.size(); ++i) {
    if (doc[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Element helpers.

// A string or a non-empty array of strings.
Status StringList(const json::value& v, const std::string& path, std::vector<std::string>& out) {
  if (v.is_string()) {
    out.emplace_back(v.get_string().c_str(), v.get_string().size());
    return Status::Ok();
  }
  if (v.is_array()) {
    const json::array& a = v.get_array();
    if (a.empty()) return Malformed(path + ": must not be an empty list");
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) {
        return Malformed(path + "[" + std::to_string(i) + "]: must be a string");
      }
      out.emplace_back(a[i].get_string().c_str(), a[i].get_string().size());
    }
    return Status::Ok();
  }
  return Malformed(path + ": must be a string or a list of strings");
}

// Parses ${...} variables (only for Version 2012-10-17) into template pieces. `glob` makes `*`
// and `?` wildcards; otherwise they are text.
Template MakeTemplate(std::string_view text, bool variables, bool glob) {
  Template t;
  t.source = std::string(text);
  auto add_text = [&](std::string_view s) {
    for (char c : s) {
      if (glob && (c == '*' || c == '?')) {
        Template::Piece p;
        p.kind = c == '*' ? Template::Piece::Kind::kStar : Template::Piece::Kind::kQuestion;
        t.pieces.push_back(std::move(p));
        continue;
      }
      if (t.pieces.empty() || t.pieces.back().kind != Template::Piece::Kind::kText) {
        t.pieces.emplace_back();
      }
      t.pieces.back().text.push_back(c);
    }
  };
  auto add_literal = [&](char c) {
    if (t.pieces.empty() || t.pieces.back().kind != Template::Piece::Kind::kText) {
      t.pieces.emplace_back();
    }
    t.pieces.back().text.push_back(c);
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = variables ? text.find("${", pos) : std::string_view::npos;
    size_t close = open == std::string_view::npos ? open : text.find('}', open + 2);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      add_text(text.substr(pos));
      break;
    }
    add_text(text.substr(pos, open - pos));
    std::string_view inner = text.substr(open + 2, close - open - 2);
    pos = close + 1;
    if (inner == "*" || inner == "?" || inner == "$") {
      add_literal(inner[0]);
      continue;
    }
    Template::Piece var;
    var.kind = Template::Piece::Kind::kVariable;
    std::string_view key = inner;
    if (size_t comma = inner.find(','); comma != std::string_view::npos) {
      key = inner.substr(0, comma);
      std::string_view def = inner.substr(comma + 1);
      while (!def.empty() && def.front() == ' ') def.remove_prefix(1);
      while (!def.empty() && def.back() == ' ') def.remove_suffix(1);
      if (def.size() >= 2 && def.front() == '\'' && def.back() == '\'') {
        var.default_value = std::string(def.substr(1, def.size() - 2));
      } else {
        var.default_value = std::string(def);
      }
    }
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    var.key_name = std::string(key);
    var.text = AsciiLower(key);
    t.pieces.push_back(std::move(var));
    t.has_variables = true;
  }
  if (!t.has_variables) {
    for (const auto& p : t.pieces) {
      switch (p.kind) {
        case Template::Piece::Kind::kText:
          t.pattern.AppendLiteral(p.text);
          break;
        case Template::Piece::Kind::kStar:
          t.pattern.AppendStar();
          break;
        case Template::Piece::Kind::kQuestion:
          t.pattern.AppendQuestion();
          break;
        case Template::Piece::Kind::kVariable:
          break;
      }
    }
  }
  return t;
}

struct OperatorInfo {
  std::string_view name;
  Op op;
  bool negated;
};

constexpr OperatorInfo kOperators[] = {
    {"StringEquals", Op::kStringEquals, false},
    {"StringNotEquals", Op::kStringEquals, true},
    {"StringEqualsIgnoreCase", Op::kStringEqualsIgnoreCase, false},
    {"StringNotEqualsIgnoreCase", Op::kStringEqualsIgnoreCase, true},
    {"StringLike", Op::kStringLike, false},
    {"StringNotLike", Op::kStringLike, true},
    {"NumericEquals", Op::kNumericEquals, false},
    {"NumericNotEquals", Op::kNumericEquals, true},
    {"NumericLessThan", Op::kNumericLessThan, false},
    {"NumericLessThanEquals", Op::kNumericLessThanEquals, false},
    {"NumericGreaterThan", Op::kNumericGreaterThan, false},
    {"NumericGreaterThanEquals", Op::kNumericGreaterThanEquals, false},
    {"DateEquals", Op::kDateEquals, false},
    {"DateNotEquals", Op::kDateEquals, true},
    {"DateLessThan", Op::kDateLessThan, false},
    {"DateLessThanEquals", Op::kDateLessThanEquals, false},
    {"DateGreaterThan", Op::kDateGreaterThan, false},
    {"DateGreaterThanEquals", Op::kDateGreaterThanEquals, false},
    {"Bool", Op::kBool, false},
    {"BinaryEquals", Op::kBinaryEquals, false},
    {"IpAddress", Op::kIpAddress, false},
    {"NotIpAddress", Op::kIpAddress, true},
    {"ArnEquals", Op::kArnLike, false},
    {"ArnLike", Op::kArnLike, false},
    {"ArnNotEquals", Op::kArnLike, true},
    {"ArnNotLike", Op::kArnLike, true},
    {"Null", Op::kNull, false},
};

// Policy variables are allowed in String*, Bool and Arn* values (not Numeric, Date, Binary,
// IpAddress, Null).
bool AllowsVariables(Op op) {
  return op == Op::kStringEquals || op == Op::kStringEqualsIgnoreCase || op == Op::kStringLike ||
         op == Op::kBool || op == Op::kArnLike;
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Parser {
 public:
  Parser(const ParseOptions& options) : options_(options) {}

  Result<std::shared_ptr<CompiledPolicy>> Parse(std::string_view doc) {
    RETURN_IF_ERROR(CheckJson(doc));
    json::error_code ec;
    json::value root = json::parse(json::string_view(doc.data(), doc.size()), ec);
    if (ec) return Malformed("invalid JSON: " + ec.message());
    if (!root.is_object()) return Malformed("the policy document must be a JSON object");
    auto policy = std::make_shared<CompiledPolicy>();
    policy->kind = options_.kind;
    const json::object& obj = root.get_object();
    for (const auto& kv : obj) {
      std::string_view k(kv.key().data(), kv.key().size());
      if (k != "Version" && k != "Id" && k != "Statement") {
        return Malformed("unknown top-level element " + Quote(k) +
                         " (expected Version, Id, Statement)");
      }
    }
    if (const json::value* v = obj.if_contains("Version")) {
      if (!v->is_string()) return Malformed("Version: must be a string");
      std::string_view ver(v->get_string().data(), v->get_string().size());
      if (ver == "2012-10-17") {
        policy->version = PolicyVersion::k2012_10_17;
      } else if (ver == "2008-10-17") {
        policy->version = PolicyVersion::k2008_10_17;
      } else {
        return Malformed("Version: " + Quote(ver) +
                         " is not a policy language version (2012-10-17 or 2008-10-17)");
      }
    }
    variables_ = policy->version == PolicyVersion::k2012_10_17;
    if (const json::value* v = obj.if_contains("Id")) {
      if (!v->is_string()) return Malformed("Id: must be a string");
      policy->id = std::string(v->get_string().c_str(), v->get_string().size());
    }
    const json::value* statements = obj.if_contains("Statement");
    if (statements == nullptr) return Malformed("missing required element Statement");
    if (statements->is_object()) {
      RETURN_IF_ERROR(ParseStatement(statements->get_object(), "Statement", *policy));
    } else if (statements->is_array()) {
      const json::array& a = statements->get_array();
      if (a.empty()) return Malformed("Statement: must contain at least one statement");
      for (size_t i = 0; i < a.size(); ++i) {
        std::string path = "Statement[" + std::to_string(i) + "]";
        if (!a[i].is_object()) return Malformed(path + ": must be an object");
        RETURN_IF_ERROR(ParseStatement(a[i].get_object(), path, *policy));
      }
    } else {
      return Malformed("Statement: must be an object or a list of objects");
    }
    // Sids must be unique within a policy.
    std::set<std::string> sids;
    for (const Statement& s : policy->statements) {
      if (!s.sid.empty() && !sids.insert(s.sid).second) {
        return Malformed("Statement[" + std::to_string(s.index) + "].Sid: duplicate Sid " +
                         Quote(s.sid));
      }
    }
    std::vector<std::pair<size_t, size_t>> spans = SpanScanner(doc).StatementSpans();
    if (spans.size() == policy->statements.size()) {
      for (size_t i = 0; i < spans.size(); ++i) {
        policy->statements[i].start = PositionOf(doc, spans[i].first);
        policy->statements[i].end = PositionOf(doc, spans[i].second);
      }
    }
    BuildIndex(*policy);
    policy->context_keys = std::move(context_keys_);
    return policy;
  }

 private:
  void NoteKey(std::string_view name) {
    if (seen_keys_.insert(AsciiLower(name)).second) context_keys_.emplace_back(name);
  }
  void NoteTemplateKeys(const Template& t) {
    for (const auto& p : t.pieces) {
      if (p.kind == Template::Piece::Kind::kVariable) NoteKey(p.key_name);
    }
  }

  Status ParseStatement(const json::object& obj, const std::string& path, CompiledPolicy& policy) {
    Statement st;
    st.index = static_cast<uint32_t>(policy.statements.size());
    static constexpr std::string_view kKnown[] = {"Sid",          "Effect",      "Principal",
                                                  "NotPrincipal", "Action",      "NotAction",
                                                  "Resource",     "NotResource", "Condition"};
    for (const auto& kv : obj) {
      std::string_view k(kv.key().data(), kv.key().size());
      if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) {
        return Malformed(path + ": unknown element " + Quote(k));
      }
    }
    if (const json::value* v = obj.if_contains("Sid")) {
      if (!v->is_string()) return Malformed(path + ".Sid: must be a string");
      st.sid = std::string(v->get_string().c_str(), v->get_string().size());
    }
    const json::value* effect = obj.if_contains("Effect");
    if (effect == nullptr) return Malformed(path + ": missing required element Effect");
    if (!effect->is_string()) return Malformed(path + ".Effect: must be a string");
    std::string_view e(effect->get_string().data(), effect->get_string().size());
    if (e == "Allow") {
      st.allow = true;
    } else if (e == "Deny") {
      st.allow = false;
    } else {
      return Malformed(path + ".Effect: must be \"Allow\" or \"Deny\", got " + Quote(e));
    }
    RETURN_IF_ERROR(ParsePrincipal(obj, path, st));
    RETURN_IF_ERROR(ParseActions(obj, path, st));
    RETURN_IF_ERROR(ParseResources(obj, path, st));
    if (const json::value* v = obj.if_contains("Condition")) {
      RETURN_IF_ERROR(ParseConditions(*v, path + ".Condition", st));
    }
    policy.statements.push_back(std::move(st));
    return Status::Ok();
  }

  Status ParsePrincipal(const json::object& obj, const std::string& path, Statement& st) {
    const json::value* principal = obj.if_contains("Principal");
    const json::value* not_principal = obj.if_contains("NotPrincipal");
    const bool resource_like = options_.kind != PolicyKind::kIdentity;
    if (principal && not_principal) {
      return Malformed(path + ": Principal and NotPrincipal cannot both be present");
    }
    if (!resource_like && (principal || not_principal)) {
      return Malformed(path + ": an identity-based policy must not specify a " +
                       std::string(principal ? "Principal" : "NotPrincipal"));
    }
    if (!resource_like) return Status::Ok();
    if (!principal && !not_principal) {
      return Malformed(path + ": missing required element Principal");
    }
    if (not_principal && options_.kind == PolicyKind::kTrustPolicy) {
      return Malformed(path + ": NotPrincipal is not supported in a role trust policy");
    }
    st.has_principal = true;
    st.not_principal = not_principal != nullptr;
    const json::value& v = principal ? *principal : *not_principal;
    std::string ppath = path + (principal ? ".Principal" : ".NotPrincipal");
    if (v.is_string()) {
      if (v.get_string() != "*") {
        return Malformed(ppath + ": a string principal must be \"*\"; use {\"AWS\": " +
                         Quote(std::string_view(v.get_string().data(), v.get_string().size())) +
                         "}");
      }
      st.principal.any = true;
      return Status::Ok();
    }
    if (!v.is_object() || v.get_object().empty()) {
      return Malformed(ppath + ": must be \"*\" or an object such as {\"AWS\": …}");
    }
    for (const auto& kv : v.get_object()) {
      std::string_view type(kv.key().data(), kv.key().size());
      std::string tpath = ppath + "." + std::string(type);
      std::vector<std::string> values;
      RETURN_IF_ERROR(StringList(kv.value(), tpath, values));
      for (const std::string& value : values) {
        if (value.empty()) return Malformed(tpath + ": empty principal");
        if (type == "AWS") {
          if (value == "*") {
            st.principal.aws_any = true;
          } else if (IsAccountId(value)) {
            st.principal.accounts.push_back(value);
          } else if (value.starts_with("arn:")) {
            // arn:<partition>:iam::<account>:root is the account principal.
            std::vector<std::string_view> parts;
            std::string_view rest(value);
            for (int i = 0; i < 5; ++i) {
              size_t colon = rest.find(':');
              if (colon == std::string_view::npos) break;
              parts.push_back(rest.substr(0, colon));
              rest.remove_prefix(colon + 1);
            }
            if (parts.size() != 5 || (parts[2] != "iam" && parts[2] != "sts") ||
                !IsAccountId(parts[4]) || rest.empty()) {
              return Malformed(tpath + ": invalid principal " + Quote(value));
            }
            if (parts[2] == "iam" && rest == "root") {
              st.principal.accounts.emplace_back(parts[4]);
            } else {
              st.principal.arns.push_back(value);
            }
          } else {
            return Malformed(tpath + ": invalid principal " + Quote(value) +
                             " (expected \"*\", an account id or an ARN)");
          }
        } else if (type == "Service") {
          if (value.find('*') != std::string::npos) {
            return Malformed(tpath + ": wildcards are not allowed in service principals");
          }
          st.principal.services.push_back(AsciiLower(value));
        } else if (type == "Federated") {
          st.principal.federated.push_back(value);
        } else if (type == "CanonicalUser") {
          st.principal.canonical_users.push_back(value);
        } else {
          return Malformed(ppath + ": unknown principal type " + Quote(type) +
                           " (expected AWS, Service, Federated or CanonicalUser)");
        }
      }
    }
    return Status::Ok();
  }

  Status ParseActions(const json::object& obj, const std::string& path, Statement& st) {
    const json::value* action = obj.if_contains("Action");
    const json::value* not_action = obj.if_contains("NotAction");
    if (action && not_action) {
      return Malformed(path + ": Action and NotAction cannot both be present");
    }
    if (!action && !not_action) return Malformed(path + ": missing required element Action");
    st.not_action = not_action != nullptr;
    std::string apath = path + (action ? ".Action" : ".NotAction");
    std::vector<std::string> values;
    RETURN_IF_ERROR(StringList(action ? *action : *not_action, apath, values));
    for (const std::string& a : values) {
      if (a != "*") {
        size_t colon = a.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == a.size()) {
          return Malformed(apath + ": " + Quote(a) +
                           " must be \"*\" or \"<service>:<action>\" (e.g. \"s3:GetObject\")");
        }
        for (size_t i = 0; i < colon; ++i) {
          char c = a[i];
          bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '*' || c == '?';
          if (!ok) return Malformed(apath + ": invalid service prefix in " + Quote(a));
        }
      }
      Pattern p = Pattern::FromGlob(a);
      p.LowerCase();
      st.actions.push_back(std::move(p));
    }
    return Status::Ok();
  }

  Status ParseResources(const json::object& obj, const std::string& path, Statement& st) {
    const json::value* resource = obj.if_contains("Resource");
    const json::value* not_resource = obj.if_contains("NotResource");
    if (resource && not_resource) {
      return Malformed(path + ": Resource and NotResource cannot both be present");
    }
    // A trust policy's resource is the role itself; IAM rejects the element there.
    if (options_.kind == PolicyKind::kTrustPolicy) {
      if (resource || not_resource) {
        return Malformed(path + ": a role trust policy must not specify " +
                         std::string(resource ? "Resource" : "NotResource"));
      }
      return Status::Ok();
    }
    if (!resource && !not_resource) return Malformed(path + ": missing required element Resource");
    st.has_resource = true;
    st.not_resource = not_resource != nullptr;
    std::string rpath = path + (resource ? ".Resource" : ".NotResource");
    std::vector<std::string> values;
    RETURN_IF_ERROR(StringList(resource ? *resource : *not_resource, rpath, values));
    for (const std::string& r : values) {
      if (r != "*") {
        size_t colons = std::count(r.begin(), r.end(), ':');
        if (!r.starts_with("arn:") || colons < 5) {
          return Malformed(rpath + ": " + Quote(r) + " must be \"*\" or an ARN " +
                           "(arn:partition:service:region:account:resource)");
        }
      }
      Template t = MakeTemplate(r, variables_, true);
      NoteTemplateKeys(t);
      st.resources.push_back(std::move(t));
    }
    return Status::Ok();
  }

  Status ParseConditions(const json::value& v, const std::string& path, Statement& st) {
    if (!v.is_object()) return Malformed(path + ": must be an object");
    for (const auto& kv : v.get_object()) {
      std::string_view full(kv.key().data(), kv.key().size());
      std::string opath = path + "." + std::string(full);
      Condition proto;
      proto.op_name = std::string(full);
      std::string_view name = full;
      if (name.starts_with("ForAllValues:")) {
        proto.qualifier = SetQualifier::kForAllValues;
        name.remove_prefix(13);
      } else if (name.starts_with("ForAnyValue:")) {
        proto.qualifier = SetQualifier::kForAnyValue;
        name.remove_prefix(12);
      }
      if (name.ends_with("IfExists")) {
        proto.if_exists = true;
        name.remove_suffix(8);
      }
      const OperatorInfo* info = nullptr;
      for (const OperatorInfo& o : kOperators) {
        if (o.name == name) info = &o;
      }
      if (info == nullptr) return Malformed(path + ": unknown condition operator " + Quote(full));
      if (info->op == Op::kNull && (proto.if_exists || proto.qualifier != SetQualifier::kNone)) {
        return Malformed(path + ": " + Quote(full) +
                         " is not valid: Null takes neither IfExists nor a set qualifier");
      }
      proto.op = info->op;
      proto.negated = info->negated;
      if (!kv.value().is_object() || kv.value().get_object().empty()) {
        return Malformed(opath + ": must be an object of condition keys to values");
      }
      for (const auto& entry : kv.value().get_object()) {
        std::string_view key(entry.key().data(), entry.key().size());
        std::string kpath = opath + "[" + Quote(key) + "]";
        if (key.empty()) return Malformed(kpath + ": empty condition key");
        Condition c = proto;
        c.key_name = std::string(key);
        c.key = AsciiLower(key);
        NoteKey(key);
        std::vector<const json::value*> raw;
        if (entry.value().is_array()) {
          for (const json::value& x : entry.value().get_array()) raw.push_back(&x);
          if (raw.empty()) return Malformed(kpath + ": must have at least one value");
        } else {
          raw.push_back(&entry.value());
        }
        for (const json::value* x : raw) {
          std::string text;
          if (x->is_string()) {
            text = std::string(x->get_string().c_str(), x->get_string().size());
          } else if (x->is_bool()) {
            text = x->get_bool() ? "true" : "false";
          } else if (x->is_int64()) {
            text = std::to_string(x->get_int64());
          } else if (x->is_uint64()) {
            text = std::to_string(x->get_uint64());
          } else if (x->is_double()) {
            // Shortest round-trip form ("2.5", not Boost's "2.5E0"), so string operators see
            // the number as it was written.
            char buf[32];
            auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x->get_double());
            text.assign(buf, ec == std::errc() ? end : buf);
          } else {
            return Malformed(kpath + ": values must be strings, numbers or booleans");
          }
          ConditionValue cv;
          RETURN_IF_ERROR(CompileValue(c, text, kpath, cv));
          c.values.push_back(std::move(cv));
        }
        st.conditions.push_back(std::move(c));
      }
    }
    return Status::Ok();
  }

  Status CompileValue(const Condition& c, const std::string& text, const std::string& path,
                      ConditionValue& cv) {
    const bool vars = variables_ && AllowsVariables(c.op);
    const bool glob = c.op == Op::kStringLike || c.op == Op::kArnLike;
    cv.text = MakeTemplate(text, vars, glob);
    NoteTemplateKeys(cv.text);
    switch (c.op) {
      case Op::kNumericEquals:
      case Op::kNumericLessThan:
      case Op::kNumericLessThanEquals:
      case Op::kNumericGreaterThan:
      case Op::kNumericGreaterThanEquals: {
        std::optional<double> n = ParseNumber(text);
        if (!n) return Malformed(path + ": " + Quote(text) + " is not a number");
        cv.number = *n;
        break;
      }
      case Op::kDateEquals:
      case Op::kDateLessThan:
      case Op::kDateLessThanEquals:
      case Op::kDateGreaterThan:
      case Op::kDateGreaterThanEquals: {
        std::optional<int64_t> d = ParseDateMillis(text);
        if (!d) {
          return Malformed(path + ": " + Quote(text) + " is not an ISO 8601 date or epoch seconds");
        }
        cv.date_ms = *d;
        break;
      }
      case Op::kIpAddress: {
        std::optional<IpNet> net = ParseIpNet(text);
        if (!net) return Malformed(path + ": " + Quote(text) + " is not an IP address or CIDR");
        cv.net = *net;
        break;
      }
      case Op::kNull:
      case Op::kBool: {
        if (cv.text.has_variables) break;
        std::optional<bool> b = ParseBool(text);
        if (!b) return Malformed(path + ": " + Quote(text) + " must be \"true\" or \"false\"");
        cv.boolean = *b;
        break;
      }
      case Op::kBinaryEquals: {
        std::optional<std::string> bytes = Base64Decode(text);
        cv.binary = bytes ? *bytes : text;
        break;
      }
      default:
        break;
    }
    return Status::Ok();
  }

  static void BuildIndex(CompiledPolicy& policy) {
    std::vector<std::pair<std::string, std::vector<uint32_t>>> index;
    for (const Statement& st : policy.statements) {
      bool any = st.not_action;
      std::vector<std::string> services;
      for (const Pattern& p : st.actions) {
        const std::string& t = p.text();
        size_t colon = t.find(':');
        std::string service = colon == std::string::npos ? t : t.substr(0, colon);
        if (colon == std::string::npos || service.find_first_of("*?") != std::string::npos) {
          any = true;  // "*", or a wildcard in the prefix
        } else if (std::find(services.begin(), services.end(), service) == services.end()) {
          services.push_back(service);
        }
      }
      if (any) {
        policy.any_service.push_back(st.index);
        continue;
      }
      for (const std::string& s : services) {
        auto it =
            std::find_if(index.begin(), index.end(), [&](const auto& e) { return e.first == s; });
        if (it == index.end()) {
          index.emplace_back(s, std::vector<uint32_t>{st.index});
        } else {
          it->second.push_back(st.index);
        }
      }
    }
    std::sort(index.begin(), index.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    policy.by_service = std::move(index);
  }

  const ParseOptions& options_;
  bool variables_ = false;
  std::unordered_set<std::string> seen_keys_;
  std::vector<std::string> context_keys_;
};

const CompiledPolicy& EmptyPolicy() {
  static const CompiledPolicy* empty = new CompiledPolicy();
  return *empty;
}

}  // namespace

Policy::Policy()
    : compiled_(std::shared_ptr<const CompiledPolicy>(&EmptyPolicy(), [](const void*) {})) {}

PolicyKind Policy::kind() const { return compiled_->kind; }
PolicyVersion Policy::version() const { return compiled_->version; }
const std::string& Policy::name() const { return compiled_->name; }
const std::string& Policy::id() const { return compiled_->id; }
TextPosition Policy::statement_start(size_t index) const {
  return compiled_->statements[index].start;
}
TextPosition Policy::statement_end(size_t index) const { return compiled_->statements[index].end; }
size_t Policy::statement_count() const { return compiled_->statements.size(); }
const std::string& Policy::sid(size_t index) const { return compiled_->statements[index].sid; }

Result<Policy> ParsePolicy(std::string_view document, const ParseOptions& options) {
  try {
    Parser parser(options);
    Result<std::shared_ptr<CompiledPolicy>> compiled = parser.Parse(document);
    if (!compiled.ok()) return compiled.status();
    Policy policy;
    std::shared_ptr<CompiledPolicy> c = std::move(compiled).value();
    c->name = options.name;
    policy.compiled_ = std::move(c);
    return policy;
  } catch (const std::exception& e) {
    // Boost.JSON only throws on allocation failure or limits; never let it escape.
    return Malformed(std::string("cannot parse policy: ") + e.what());
  }
}

std::vector<std::string> GetContextKeys(const Policy& policy) {
  return policy.compiled().context_keys;
}

}  // namespace kiroku::policy
