// The regular-expression subset of filter patterns (`%...%`): validation against the documented
// character set and translation to RE2 syntax. Internal to filter/.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace kiroku::filter::internal {

struct ParseError {
  size_t offset = 0;
  std::string reason;
  bool bad_character = false;  // reported as AWS's "Invalid character(s) in term"
};

// Validates `body` (the text between the two `%`, starting at `offset` in the pattern) and
// returns the equivalent RE2 expression, or false with `*error` set. Allowed: letters, digits,
// space, `: _ # = @ / ; , -`, the operators `^ $ ? [ ] { } | \ * + .`, and the escapes
// \d \D \s \S \w \W \xhh (ASCII) and backslash before a punctuation character.
bool TranslateRegex(std::string_view body, size_t offset, std::string* re2_syntax,
                    ParseError* error);

// The longest run of literal characters every match of the (validated) regex must contain, or
// "" when there is none: alternations, classes and optional or repeated characters end runs.
std::string RequiredLiteral(std::string_view body);

// Translates and compiles; the RE2 searches unanchored (use RE2::PartialMatch).
std::unique_ptr<RE2> CompileRegex(std::string_view body, size_t offset, ParseError* error);

}  // namespace kiroku::filter::internal
