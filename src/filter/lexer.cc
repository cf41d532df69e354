#include "filter/lexer.h"

#include <cstring>

namespace kiroku::filter::internal {
namespace {

bool Fail(ParseError* error, size_t offset, std::string reason) {
  error->offset = offset;
  error->reason = std::move(reason);
  error->bad_character = false;
  return false;
}

// Characters that end a bare word (besides whitespace).
bool EndsWord(char c) { return std::strchr("\"()&|,[]{}%=!<>", c) != nullptr; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const char* TokenKindName(Token::Kind kind) {
  switch (kind) {
    case Token::Kind::kEnd:
      return "end of pattern";
    case Token::Kind::kLBrace:
      return "'{'";
    case Token::Kind::kRBrace:
      return "'}'";
    case Token::Kind::kLBracket:
      return "'['";
    case Token::Kind::kRBracket:
      return "']'";
    case Token::Kind::kLParen:
      return "'('";
    case Token::Kind::kRParen:
      return "')'";
    case Token::Kind::kComma:
      return "','";
    case Token::Kind::kAnd:
      return "'&&'";
    case Token::Kind::kOr:
      return "'||'";
    case Token::Kind::kOp:
      return "a comparison operator";
    case Token::Kind::kString:
      return "a quoted string";
    case Token::Kind::kRegex:
      return "a regular expression";
    case Token::Kind::kSelector:
      return "a selector";
    case Token::Kind::kWord:
      return "a word";
  }
  return "?";
}

std::string UnescapeQuoted(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    const char e = body[i + 1];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        ++i;
        break;
      case 'n':
        out += '\n';
        ++i;
        break;
      case 't':
        out += '\t';
        ++i;
        break;
      case 'r':
        out += '\r';
        ++i;
        break;
      case 'b':
        out += '\b';
        ++i;
        break;
      case 'f':
        out += '\f';
        ++i;
        break;
      case 'u': {
        if (i + 5 < body.size()) {
          uint32_t cp = 0;
          bool ok = true;
          for (size_t k = 0; k < 4; ++k) {
            const int h = HexValue(body[i + 2 + k]);
            if (h < 0) ok = false;
            cp = cp * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
          }
          if (ok) {
            AppendUtf8(cp, &out);
            i += 5;
            break;
          }
        }
        out += c;
        break;
      }
      default:
        out += c;  // unknown escape: keep the backslash
    }
  }
  return out;
}

void Lexer::SkipSpace() {
  while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
}

bool Lexer::LexQuoted(Token* token, ParseError* error) {
  const size_t start = pos_;
  size_t i = pos_ + 1;
  while (i < text_.size() && text_[i] != '"') {
    if (text_[i] == '\\' && i + 1 < text_.size()) ++i;
    ++i;
  }
  if (i >= text_.size()) return Fail(error, start, "unterminated quoted string");
  token->kind = Token::Kind::kString;
  token->text = UnescapeQuoted(text_.substr(start + 1, i - start - 1));
  pos_ = i + 1;
  token->length = pos_ - start;
  return true;
}

bool Lexer::LexSelector(Token* token, ParseError* error) {
  const size_t start = pos_;
  size_t i = pos_ + 1;
  while (i < text_.size()) {
    const char c = text_[i];
    if (c == '[') {
      // [digits], [*] or ['key'] (the key may contain any character but a quote).
      size_t j = i + 1;
      if (j < text_.size() && text_[j] == '\'') {
        j = text_.find('\'', j + 1);
        if (j == std::string_view::npos) return Fail(error, i, "unterminated ['key'] in selector");
        ++j;
      } else {
        while (j < text_.size() && text_[j] != ']' && !IsSpace(text_[j])) ++j;
      }
      if (j >= text_.size() || text_[j] != ']')
        return Fail(error, i, "unterminated '[' in selector");
      i = j + 1;
      continue;
    }
    if (IsSpace(c) || EndsWord(c)) break;
    ++i;
  }
  token->kind = Token::Kind::kSelector;
  token->text = std::string(text_.substr(start, i - start));
  token->length = i - start;
  pos_ = i;
  return true;
}

bool Lexer::Next(Token* token, ParseError* error) {
  SkipSpace();
  *token = Token();
  token->offset = pos_;
  if (pos_ >= text_.size()) {
    token->kind = Token::Kind::kEnd;
    return true;
  }
  const char c = text_[pos_];
  const char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
  auto single = [&](Token::Kind kind, size_t len) {
    token->kind = kind;
    token->length = len;
    token->text = std::string(text_.substr(pos_, len));
    pos_ += len;
    return true;
  };
  auto op = [&](CmpOp o, size_t len) {
    token->op = o;
    return single(Token::Kind::kOp, len);
  };
  switch (c) {
    case '{':
      return single(Token::Kind::kLBrace, 1);
    case '}':
      return single(Token::Kind::kRBrace, 1);
    case '[':
      return single(Token::Kind::kLBracket, 1);
    case ']':
      return single(Token::Kind::kRBracket, 1);
    case '(':
      return single(Token::Kind::kLParen, 1);
    case ')':
      return single(Token::Kind::kRParen, 1);
    case ',':
      return single(Token::Kind::kComma, 1);
    case '&':
      if (n == '&') return single(Token::Kind::kAnd, 2);
      return Fail(error, pos_, "expected '&&'");
    case '|':
      if (n == '|') return single(Token::Kind::kOr, 2);
      return Fail(error, pos_, "expected '||'");
    case '=':
      return op(CmpOp::kEq, 1);
    case '!':
      if (n == '=') return op(CmpOp::kNe, 2);
      return Fail(error, pos_, "expected '!='");
    case '<':
      return n == '=' ? op(CmpOp::kLe, 2) : op(CmpOp::kLt, 1);
    case '>':
      return n == '=' ? op(CmpOp::kGe, 2) : op(CmpOp::kGt, 1);
    case '"':
      return LexQuoted(token, error);
    case '%': {
      const size_t close = text_.find('%', pos_ + 1);
      if (close == std::string_view::npos)
        return Fail(error, pos_, "unterminated regular expression");
      token->kind = Token::Kind::kRegex;
      token->text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      token->length = close + 1 - pos_;
      pos_ = close + 1;
      return true;
    }
    case '$':
      return LexSelector(token, error);
    default:
      break;
  }
  size_t i = pos_;
  while (i < text_.size() && !IsSpace(text_[i]) && !EndsWord(text_[i])) ++i;
  token->kind = Token::Kind::kWord;
  token->text = std::string(text_.substr(pos_, i - pos_));
  token->length = i - pos_;
  pos_ = i;
  return true;
}

}  // namespace kiroku::filter::internal
