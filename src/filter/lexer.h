// Lexer for the bracketed families (JSON `{...}` and space-delimited `[...]`). Term patterns and
// standalone regexes are scanned directly by the parser. Internal to filter/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "filter/ast.h"
#include "filter/regex.h"

namespace kiroku::filter::internal {

struct Token {
  enum class Kind {
    kEnd,
    kLBrace,
    kRBrace,
    kLBracket,
    kRBracket,
    kLParen,
    kRParen,
    kComma,
    kAnd,       // &&
    kOr,        // ||
    kOp,        // = != < <= > >=
    kString,    // "..." (text holds the unescaped contents)
    kRegex,     // %...% (text holds the body, offset points at the opening %)
    kSelector,  // $... (text holds the selector as written)
    kWord,      // a bare value, field name or keyword
  };
  Kind kind = Kind::kEnd;
  size_t offset = 0;  // into the pattern
  size_t length = 0;
  std::string text;
  CmpOp op = CmpOp::kEq;
};

const char* TokenKindName(Token::Kind kind);

class Lexer {
 public:
  explicit Lexer(std::string_view pattern, size_t start = 0) : text_(pattern), pos_(start) {}

  // Reads the next token; false with `*error` set on a lexical error.
  bool Next(Token* token, ParseError* error);

 private:
  void SkipSpace();
  bool LexQuoted(Token* token, ParseError* error);
  bool LexSelector(Token* token, ParseError* error);

  std::string_view text_;
  size_t pos_;
};

// Unescapes the body of a quoted string: \" and \\ (and the other JSON escapes \/ \n \t \r \b
// \f \uXXXX) are decoded; any other backslash is kept (open question Q13).
std::string UnescapeQuoted(std::string_view body);

bool IsSpace(char c);

}  // namespace kiroku::filter::internal
