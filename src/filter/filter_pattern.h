// FilterPattern: a compiled CloudWatch Logs filter pattern (FilterLogEvents, PutMetricFilter,
// PutSubscriptionFilter, TestMetricFilter, StartLiveTail). One of four families, chosen by the
// first non-space character: `{...}` JSON, `[...]` space-delimited, `%...%` regular expression,
// anything else unstructured terms; the empty pattern matches every event.
// Semantics and the choices made for the specification's open questions: docs/filter-patterns.md.
//
// Thread-safety: a compiled FilterPattern is immutable; every const method may be called from any
// number of threads at once. Per-thread scratch (JSON parser, field table) is reused, so matching
// does not allocate once a thread has seen its largest event.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace kiroku::filter {

// AWS quotas enforced by Compile().
inline constexpr size_t kMaxPatternLength = 1024;
inline constexpr int kMaxRegexesPerPattern = 2;            // JSON and space-delimited patterns
inline constexpr int kMaxWildcardSelectorsPerPattern = 3;  // and one wildcard per selector
// Across the metric and subscription filters of one log group (checked by the logs engine
// with FilterPattern::has_regex()).
inline constexpr int kMaxRegexPatternsPerLogGroup = 5;

enum class PatternKind {
  kMatchAll,   // empty, whitespace-only, `" "` or `[]`
  kTerms,      // unstructured terms: ERROR -ARGUMENTS ?WARN "a phrase"
  kJson,       // { $.a.b = "x" && $.n > 3 }
  kDelimited,  // [ip, user, ..., status = 4*, bytes > 1000]
  kRegex,      // %^[Ee]rror%
};

// Where and why a pattern failed to compile; filled in addition to the returned Status.
struct SyntaxError {
  size_t offset = 0;   // 0-based byte offset into the pattern the caller passed
  std::string reason;  // e.g. "expected a comparison operator after the selector"
};

// Values extracted from a matching event, in pattern order. Keys are `$name` for named
// space-delimited fields and `$N` (1-based field position) for fields covered by `...`.
// JSON patterns extract nothing here; metric values read `$.selector` with ExtractValue().
using ExtractedValues = std::vector<std::pair<std::string, std::string>>;

// Renders extracted values as one compact JSON object, keys in order: {"$ip":"127.0.0.1"}.
std::string ExtractedValuesToJson(const ExtractedValues& values);

namespace internal {
struct Program;
}

class FilterPattern {
 public:
  // Compiles `pattern`. Errors are InvalidArgument with aws_code "InvalidParameterException":
  //  - longer than 1024 characters (UTF-8 code points): AWS's "1 validation error detected: Value
  //  '...' at
  //    'filterPattern' failed to satisfy constraint: Member must have length less than or
  //    equal to 1024";
  //  - a forbidden character inside a regex: "Invalid character(s) in term at position N";
  //  - any other syntax error or quota: "Invalid filter pattern at position N: <reason>".
  // N is 1-based; `error`, when given, receives the 0-based offset and the reason.
  static Result<FilterPattern> Compile(std::string_view pattern, SyntaxError* error = nullptr);

  FilterPattern(FilterPattern&&) noexcept;
  FilterPattern& operator=(FilterPattern&&) noexcept;
  ~FilterPattern();

  PatternKind kind() const;
  const std::string& text() const;
  // Number of regular expressions in the pattern (a standalone regex counts as one).
  int regex_count() const;
  bool has_regex() const { return regex_count() > 0; }
  // True for JSON and space-delimited patterns, the only ones AWS allows dimensions on.
  bool supports_dimensions() const;

  // Whether `message` (one log event) matches.
  bool Matches(std::string_view message) const;

  // Like Matches(); on a match also replaces `*extracted` with the event's extracted values.
  bool Matches(std::string_view message, ExtractedValues* extracted) const;

  // The value a metric filter's metricValue / dimension `expr` takes for `message`:
  // `$.selector` (JSON patterns; no wildcards) or `$name` / `$N` (space-delimited patterns).
  // Strings are unescaped, numbers/booleans keep their JSON text, objects/arrays are returned
  // as their JSON text. nullopt when `message` does not match or the value is absent.
  // Returns InvalidArgument if `expr` cannot refer to a value of this pattern.
  Result<std::optional<std::string>> ExtractValue(std::string_view message,
                                                  std::string_view expr) const;

  // Scans `buffer`, a sequence of newline-separated events (a trailing '\r' is ignored, empty
  // lines are skipped), and calls `on_match` with each matching line, in order. Literals that
  // every match must contain are searched across the whole buffer first, so lines without them
  // are never parsed. Returns the number of matching lines.
  size_t ScanLines(std::string_view buffer,
                   const std::function<void(std::string_view line)>& on_match) const;

 private:
  explicit FilterPattern(std::unique_ptr<internal::Program> program);

  // `readable` bytes starting at message.data() may be read (>= message.size()); JSON events
  // are parsed in place when that leaves simdjson its padding, else copied to scratch.
  bool MatchAt(std::string_view message, size_t readable, ExtractedValues* extracted) const;

  std::unique_ptr<internal::Program> program_;
};

}  // namespace kiroku::filter
