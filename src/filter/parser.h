// Parser: pattern text -> Program (ast.h), including quota checks and the literal requirement
// used for prefiltering. Internal to filter/; the public entry point is FilterPattern::Compile.
#pragma once

#include <memory>
#include <string_view>

#include "filter/ast.h"
#include "filter/regex.h"

namespace kiroku::filter::internal {

// Parses `pattern` (length already checked). Returns null with `*error` set on a syntax error.
std::unique_ptr<Program> Parse(std::string_view pattern, ParseError* error);

// Parses a JSON selector such as `$.a[0].b` or `$.['k.x']`; `offset` is its position in the
// pattern for error messages.
bool ParseSelector(std::string_view text, size_t offset, Selector* selector, ParseError* error);

// Parses a number literal: [+-]digits[.digits][(e|E)[+-]digits]. Returns false otherwise.
bool ParseNumberLiteral(std::string_view text, double* value);

// Parses a plain decimal (-?digits[.digits]), the only strings coerced to numbers (Q4, Q10).
bool ParsePlainDecimal(std::string_view text, double* value);

}  // namespace kiroku::filter::internal
