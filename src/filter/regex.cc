#include "filter/regex.h"

#include <cctype>
#include <cstring>

namespace kiroku::filter::internal {
namespace {

bool IsLiteralSymbol(char c) { return std::strchr(":_#=@/;,- ", c) != nullptr && c != '\0'; }
bool IsOperator(char c) { return std::strchr("^$?[]{}|\\*+.", c) != nullptr && c != '\0'; }
bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool Fail(ParseError* error, size_t offset, std::string reason, bool bad_character = false) {
  error->offset = offset;
  error->reason = std::move(reason);
  error->bad_character = bad_character;
  return false;
}

}  // namespace

bool TranslateRegex(std::string_view body, size_t offset, std::string* out, ParseError* error) {
  out->clear();
  if (body.empty()) return Fail(error, offset, "empty regular expression");
  bool in_class = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const size_t at = offset + i;
    if (static_cast<unsigned char>(c) >= 0x80 ||
        !(std::isalnum(static_cast<unsigned char>(c)) || IsLiteralSymbol(c) || IsOperator(c))) {
      return Fail(error, at, "character not allowed in a regular expression", true);
    }
    if (c == '\\') {
      if (i + 1 >= body.size()) return Fail(error, at, "dangling backslash");
      const char e = body[++i];
      switch (e) {
        case 'd':
        case 'D':
        case 'w':
        case 'W':
          *out += '\\';
          *out += e;
          break;
        // The spec's \s is tab, space and newline (RE2's also includes \f and \r).
        case 's':
          *out += in_class ? "\\t\\n " : "[\\t\\n ]";
          break;
        case 'S':  // inside a class, as the ranges of everything but tab, newline and space
          *out += in_class ? "\\x00-\\x08\\x0b-\\x1f\\x21-\\x{10FFFF}" : "[^\\t\\n ]";
          break;
        case 'x': {
          if (i + 2 >= body.size() || !IsHex(body[i + 1]) || !IsHex(body[i + 2])) {
            return Fail(error, at, "\\x needs two hex digits");
          }
          const int value = std::stoi(std::string(body.substr(i + 1, 2)), nullptr, 16);
          if (value >= 0x80) return Fail(error, at, "\\x escapes must name an ASCII character");
          *out += "\\x";
          *out += body.substr(i + 1, 2);
          i += 2;
          break;
        }
        default:
          if (IsOperator(e) || (IsLiteralSymbol(e) && e != '_' && e != ' ')) {
            *out += '\\';
            *out += e;
          } else if (e == ' ') {
            *out += ' ';
          } else {
            return Fail(error, at, std::string("unsupported escape \\") + e);
          }
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      *out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      *out += c;
      // A ']' right after '[' or '[^' is a literal member, as in POSIX.
      if (i + 1 < body.size() && body[i + 1] == '^') *out += body[++i];
      if (i + 1 < body.size() && body[i + 1] == ']') {
        *out += "\\]";
        ++i;
      }
      continue;
    }
    if (c == '{') {
      // {m}, {m,}, {,n}, {m,n}: RE2 lacks {,n}, so write it as {0,n}.
      size_t j = i + 1;
      std::string m, n;
      while (j < body.size() && IsDigit(body[j])) m += body[j++];
      bool comma = false;
      if (j < body.size() && body[j] == ',') {
        comma = true;
        ++j;
        while (j < body.size() && IsDigit(body[j])) n += body[j++];
      }
      if (j >= body.size() || body[j] != '}' || (m.empty() && n.empty())) {
        return Fail(error, at, "malformed repetition {m,n}");
      }
      if (out->empty() || out->back() == '|' || (out->size() == 1 && out->back() == '^')) {
        return Fail(error, at, "repetition without an operand");
      }
      *out += '{';
      *out += m.empty() ? "0" : m;
      if (comma) *out += ',' + n;
      *out += '}';
      i = j;
      continue;
    }
    if ((c == '*' || c == '+' || c == '?') &&
        (out->empty() || out->back() == '|' || (out->size() == 1 && out->back() == '^'))) {
      return Fail(error, at, "repetition without an operand");
    }
    if (c == '}') return Fail(error, at, "unbalanced '}'");
    if (c == ']') {
      *out += "\\]";
      continue;
    }
    *out += c;
  }
  if (in_class) return Fail(error, offset + body.size(), "unterminated character class '['");
  return true;
}

std::string RequiredLiteral(std::string_view body) {
  if (body.find('|') != std::string_view::npos) return "";
  std::string best, run;
  auto end_run = [&] {
    if (run.size() > best.size()) best = run;
    run.clear();
  };
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    char literal = 0;
    size_t next = i + 1;  // first character after this atom
    if (c == '\\' && i + 1 < body.size()) {
      const char e = body[i + 1];
      if (e == 'x' && i + 3 < body.size()) {
        literal = static_cast<char>(std::stoi(std::string(body.substr(i + 2, 2)), nullptr, 16));
        next = i + 4;
      } else if (std::strchr("dDsSwW", e) == nullptr) {
        literal = e;
        next = i + 2;
      } else {
        next = i + 2;
      }
    } else if (c == '{') {
      const size_t close = body.find('}', i);
      next = close == std::string_view::npos ? body.size() : close + 1;
    } else if (c == '[') {
      // Skip the class: up to the first ']' that is not its first member.
      size_t j = i + 1;
      if (j < body.size() && body[j] == '^') ++j;
      if (j < body.size() && body[j] == ']') ++j;
      while (j < body.size() && body[j] != ']') j += body[j] == '\\' ? 2 : 1;
      next = j + 1;
    } else if (!IsOperator(c)) {
      literal = c;
    }
    const char q = next < body.size() ? body[next] : '\0';
    const bool optional = q == '?' || q == '*' || q == '{';
    if (literal != 0 && !optional) {
      run += literal;
      if (q == '+') end_run();  // the character may repeat: the run cannot continue past it
    } else {
      end_run();
    }
    i = next - 1;
  }
  end_run();
  return best;
}

std::unique_ptr<RE2> CompileRegex(std::string_view body, size_t offset, ParseError* error) {
  std::string translated;
  if (!TranslateRegex(body, offset, &translated, error)) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  options.set_dot_nl(true);
  auto re = std::make_unique<RE2>(translated, options);
  if (!re->ok()) {
    Fail(error, offset, "invalid regular expression: " + re->error());
    return nullptr;
  }
  return re;
}

}  // namespace kiroku::filter::internal
