#include "filter/filter_pattern.h"

#include <algorithm>
#include <cstring>

#include "filter/ast.h"
#include "filter/matchers.h"
#include "filter/parser.h"

namespace kiroku::filter {
namespace {

using internal::Program;

Status InvalidParameter(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidParameterException");
}

bool PassesPrefilter(const Program& p, std::string_view message) {
  if (p.prefilter.empty()) return true;
  for (const LiteralSearcher& s : p.prefilter) {
    if (s.Contains(message)) return true;
  }
  return false;
}

bool MatchTerms(const Program& p, std::string_view message) {
  if (p.any_of_terms) {
    for (const internal::Term& t : p.terms) {
      if (t.searcher.Contains(message)) return true;
    }
    return false;
  }
  for (const internal::Term& t : p.terms) {
    const bool found = t.searcher.Contains(message);
    if (found == (t.kind == internal::Term::Kind::kExcluded)) return false;
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += ch;
        }
    }
  }
  *out += '"';
}

}  // namespace

std::string ExtractedValuesToJson(const ExtractedValues& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(values[i].first, &out);
    out += ':';
    AppendJsonString(values[i].second, &out);
  }
  out += '}';
  return out;
}

FilterPattern::FilterPattern(std::unique_ptr<internal::Program> program)
    : program_(std::move(program)) {}
FilterPattern::FilterPattern(FilterPattern&&) noexcept = default;
FilterPattern& FilterPattern::operator=(FilterPattern&&) noexcept = default;
FilterPattern::~FilterPattern() = default;

Result<FilterPattern> FilterPattern::Compile(std::string_view pattern, SyntaxError* error) {
  // AWS counts characters, not bytes: count UTF-8 lead bytes.
  const size_t length =
      static_cast<size_t>(std::count_if(pattern.begin(), pattern.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
  if (length > kMaxPatternLength) {
    if (error != nullptr) *error = {kMaxPatternLength, "longer than 1024 characters"};
    return InvalidParameter("1 validation error detected: Value '" + std::string(pattern) +
                            "' at 'filterPattern' failed to satisfy constraint: Member must have "
                            "length less than or equal to 1024");
  }
  internal::ParseError parse_error;
  std::unique_ptr<Program> program = internal::Parse(pattern, &parse_error);
  if (program == nullptr) {
    if (error != nullptr) *error = {parse_error.offset, parse_error.reason};
    const std::string where = " at position " + std::to_string(parse_error.offset + 1);
    if (parse_error.bad_character) return InvalidParameter("Invalid character(s) in term" + where);
    return InvalidParameter("Invalid filter pattern" + where + ": " + parse_error.reason);
  }
  return FilterPattern(std::move(program));
}

PatternKind FilterPattern::kind() const { return program_->kind; }
const std::string& FilterPattern::text() const { return program_->text; }
int FilterPattern::regex_count() const { return static_cast<int>(program_->regexes.size()); }
bool FilterPattern::supports_dimensions() const {
  return program_->kind == PatternKind::kJson || program_->kind == PatternKind::kDelimited;
}

bool FilterPattern::MatchAt(std::string_view message, size_t readable,
                            ExtractedValues* extracted) const {
  const Program& p = *program_;
  if (extracted != nullptr) extracted->clear();
  if (!PassesPrefilter(p, message)) return false;
  switch (p.kind) {
    case PatternKind::kMatchAll:
      return true;
    case PatternKind::kTerms:
      return MatchTerms(p, message);
    case PatternKind::kRegex:
      return RE2::PartialMatch(re2::StringPiece(message.data(), message.size()), *p.regexes[0]);
    case PatternKind::kJson:
      return internal::MatchJson(p, message, readable);
    case PatternKind::kDelimited:
      return internal::MatchDelimited(p, message, extracted);
  }
  return false;
}

bool FilterPattern::Matches(std::string_view message) const {
  return MatchAt(message, message.size(), nullptr);
}

bool FilterPattern::Matches(std::string_view message, ExtractedValues* extracted) const {
  return MatchAt(message, message.size(), extracted);
}

Result<std::optional<std::string>> FilterPattern::ExtractValue(std::string_view message,
                                                               std::string_view expr) const {
  const Program& p = *program_;
  if (p.kind == PatternKind::kJson && expr.starts_with("$.")) {
    internal::Selector selector;
    internal::ParseError parse_error;
    if (!internal::ParseSelector(expr, 0, &selector, &parse_error)) {
      return InvalidParameter("Invalid metric value '" + std::string(expr) +
                              "': " + parse_error.reason);
    }
    for (const internal::Step& s : selector.steps) {
      if (s.kind == internal::Step::Kind::kAnyKey || s.kind == internal::Step::Kind::kAnyIndex) {
        return InvalidParameter("Invalid metric value '" + std::string(expr) +
                                "': wildcards are not allowed");
      }
    }
    if (!Matches(message)) return std::optional<std::string>();
    return internal::JsonValueAt(selector, message);
  }
  if (p.kind == PatternKind::kDelimited && expr.size() > 1 && expr[0] == '$') {
    const bool named = std::any_of(p.fields.begin(), p.fields.end(), [&](const auto& f) {
      return !f.ellipsis && "$" + f.name == expr;
    });
    const bool positional =
        p.ellipsis_at >= 0 &&
        std::all_of(expr.begin() + 1, expr.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!named && !positional) {
      return InvalidParameter("Invalid metric value '" + std::string(expr) +
                              "': the pattern has no field of that name");
    }
    ExtractedValues values;
    if (!Matches(message, &values)) return std::optional<std::string>();
    for (auto& [key, value] : values) {
      if (key == expr) return std::optional<std::string>(std::move(value));
    }
    return std::optional<std::string>();
  }
  return InvalidParameter("Invalid metric value '" + std::string(expr) +
                          "': use $.selector with a JSON pattern or $field with a space-delimited "
                          "pattern");
}

size_t FilterPattern::ScanLines(std::string_view buffer,
                                const std::function<void(std::string_view)>& on_match) const {
  const Program& p = *program_;
  const char* const base = buffer.data();
  const size_t size = buffer.size();
  size_t count = 0;
  // Evaluates the line [begin, end) (without its '\n').
  auto evaluate = [&](size_t begin, size_t end) {
    size_t len = end - begin;
    if (len > 0 && base[begin + len - 1] == '\r') --len;
    if (len == 0) return;
    const std::string_view line(base + begin, len);
    bool matched;
    if (p.kind == PatternKind::kJson) {
      matched = internal::MatchJson(p, line, size - begin);
    } else {
      matched = MatchAt(line, len, nullptr);
    }
    if (matched) {
      ++count;
      on_match(line);
    }
  };
  auto line_end = [&](size_t from) {
    const void* nl = std::memchr(base + from, '\n', size - from);
    return nl == nullptr ? size : static_cast<size_t>(static_cast<const char*>(nl) - base);
  };
  if (p.prefilter.empty()) {
    for (size_t pos = 0; pos < size;) {
      const size_t end = line_end(pos);
      evaluate(pos, end);
      pos = end + 1;
    }
    return count;
  }
  // Prefiltered scan: one pass finds the next occurrence of any required literal; only the
  // line holding it is evaluated, and the scan resumes after that line.
  size_t pos = 0;
  while (pos < size) {
    const size_t found = FindAny(p.prefilter, buffer.substr(pos));
    if (found == LiteralSearcher::npos) break;
    const size_t hit = pos + found;
    const void* nl = memrchr(base + pos, '\n', hit - pos);
    const size_t begin = nl == nullptr ? pos : static_cast<const char*>(nl) - base + 1;
    const size_t end = line_end(hit);
    evaluate(begin, end);
    pos = end + 1;
  }
  return count;
}

}  // namespace kiroku::filter
