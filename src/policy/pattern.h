// Pattern: an IAM wildcard pattern (`*` = any run of characters, `?` = exactly one), compiled
// once. Literal characters may come from policy-variable escapes (`${*}`), so wildcards are kept
// as flags next to the text rather than as special characters.
// Internal to policy/. Immutable after construction; thread-safe to share.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kiroku::policy {

class Pattern {
 public:
  Pattern() = default;

  // Builds a pattern from `text`, where every `*` and `?` is a wildcard.
  static Pattern FromGlob(std::string_view text);
  // Builds a pattern that matches exactly `text`.
  static Pattern FromLiteral(std::string_view text);

  void AppendLiteral(std::string_view text);
  void AppendStar();
  void AppendQuestion();
  // Lower-cases the literal characters (ASCII), for case-insensitive matching.
  void LowerCase();

  // Whole-string match; `ignore_case` folds ASCII case of the text (the pattern must already be
  // lower-case, see LowerCase()).
  bool Matches(std::string_view text, bool ignore_case = false) const;
  // ARN match as IAM does it for Resource and Arn* conditions: pattern and text are split into
  // six parts at the first five colons and each part is matched on its own, so a wildcard never
  // crosses a colon in the first five parts. Falls back to Matches() when either side has fewer
  // than five colons.
  bool MatchesArn(std::string_view text) const;

  bool is_any() const { return kind_ == Kind::kAny; }
  bool has_wildcards() const { return kind_ != Kind::kExact; }
  // The pattern with wildcards shown as `*`/`?` (escaped literals are not distinguished).
  const std::string& text() const { return text_; }

 private:
  enum class Kind : uint8_t { kExact, kAny, kPrefix, kGeneral };
  void Finish();
  bool MatchRange(size_t pb, size_t pe, std::string_view text, bool ignore_case) const;

  std::string text_;
  std::string flags_;  // per character: 0 literal, '*' or '?' wildcard
  Kind kind_ = Kind::kExact;
  std::array<uint32_t, 6> part_begin_{};  // start of each ARN part in text_, if arn_parts_
  bool arn_parts_ = false;
};

}  // namespace kiroku::policy
