#include "policy/pattern.h"

namespace kiroku::policy {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Splits `text` at its first five colons; false if it has fewer.
bool SplitArn(std::string_view text, std::array<std::string_view, 6>& parts) {
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts[i] = text.substr(start, colon - start);
    start = colon + 1;
  }
  parts[5] = text.substr(start);
  return true;
}

}  // namespace

Pattern Pattern::FromGlob(std::string_view text) {
  Pattern p;
  for (char c : text) {
    if (c == '*') {
      p.AppendStar();
    } else if (c == '?') {
      p.AppendQuestion();
    } else {
      p.text_.push_back(c);
      p.flags_.push_back(0);
    }
  }
  p.Finish();
  return p;
}

Pattern Pattern::FromLiteral(std::string_view text) {
  Pattern p;
  p.AppendLiteral(text);
  return p;
}

void Pattern::AppendLiteral(std::string_view text) {
  text_.append(text);
  flags_.append(text.size(), 0);
  Finish();
}

void Pattern::AppendStar() {
  // Consecutive stars are equivalent to one.
  if (!flags_.empty() && flags_.back() == '*') return;
  text_.push_back('*');
  flags_.push_back('*');
  Finish();
}

void Pattern::AppendQuestion() {
  text_.push_back('?');
  flags_.push_back('?');
  Finish();
}

void Pattern::LowerCase() {
  for (size_t i = 0; i < text_.size(); ++i) {
    if (flags_[i] == 0) text_[i] = Lower(text_[i]);
  }
}

void Pattern::Finish() {
  size_t wild = 0;
  size_t first_wild = std::string::npos;
  for (size_t i = 0; i < flags_.size(); ++i) {
    if (flags_[i] != 0) {
      ++wild;
      if (first_wild == std::string::npos) first_wild = i;
    }
  }
  if (wild == 0) {
    kind_ = Kind::kExact;
  } else if (flags_.size() == 1 && flags_[0] == '*') {
    kind_ = Kind::kAny;
  } else if (wild == 1 && flags_.back() == '*') {
    kind_ = Kind::kPrefix;
  } else {
    kind_ = Kind::kGeneral;
  }
  // ARN parts: the first five literal colons.
  arn_parts_ = false;
  int found = 0;
  part_begin_[0] = 0;
  for (size_t i = 0; i < text_.size() && found < 5; ++i) {
    if (flags_[i] == 0 && text_[i] == ':') part_begin_[++found] = static_cast<uint32_t>(i + 1);
  }
  arn_parts_ = found == 5;
}

bool Pattern::MatchRange(size_t pb, size_t pe, std::string_view text, bool ignore_case) const {
  // Greedy matching with one backtracking point: on a mismatch, the last `*` absorbs one more
  // character. Linear in practice and never exponential.
  size_t p = pb;
  size_t t = 0;
  size_t star = std::string::npos;
  size_t mark = 0;
  const size_t n = text.size();
  while (t < n) {
    if (p < pe) {
      char f = flags_[p];
      if (f == '?') {
        ++p;
        ++t;
        continue;
      }
      if (f == 0) {
        char c = ignore_case ? Lower(text[t]) : text[t];
        if (c == text_[p]) {
          ++p;
          ++t;
          continue;
        }
      } else {  // '*'
        star = p++;
        mark = t;
        continue;
      }
    }
    if (star == std::string::npos) return false;
    p = star + 1;
    t = ++mark;
  }
  while (p < pe && flags_[p] == '*') ++p;
  return p == pe;
}

bool Pattern::Matches(std::string_view text, bool ignore_case) const {
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kExact:
      if (text.size() != text_.size()) return false;
      if (!ignore_case) return text == text_;
      for (size_t i = 0; i < text.size(); ++i) {
        if (Lower(text[i]) != text_[i]) return false;
      }
      return true;
    case Kind::kPrefix: {
      size_t len = text_.size() - 1;
      if (text.size() < len) return false;
      if (!ignore_case) return text.compare(0, len, text_, 0, len) == 0;
      for (size_t i = 0; i < len; ++i) {
        if (Lower(text[i]) != text_[i]) return false;
      }
      return true;
    }
    case Kind::kGeneral:
      break;
  }
  return MatchRange(0, text_.size(), text, ignore_case);
}

bool Pattern::MatchesArn(std::string_view text) const {
  if (kind_ == Kind::kAny) return true;
  if (kind_ == Kind::kExact) return text == text_;
  std::array<std::string_view, 6> parts;
  if (!arn_parts_ || !SplitArn(text, parts)) return Matches(text);
  for (int i = 0; i < 6; ++i) {
    size_t pb = part_begin_[i];
    size_t pe = i < 5 ? part_begin_[i + 1] - 1 : text_.size();
    if (!MatchRange(pb, pe, parts[i], false)) return false;
  }
  return true;
}

}  // namespace kiroku::policy
