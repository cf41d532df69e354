// Differential test of the JSON matcher (simdjson On Demand, in place and copied) against a
// small reference evaluator over simdjson's DOM, on random documents and random patterns.
// The reference restates docs/filter-patterns.md for the subset generated here.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

#include "filter/filter_pattern.h"

namespace kiroku::filter {
namespace {

namespace dom = simdjson::dom;

struct Step {
  enum Kind { kKey, kIndex, kAnyKey, kAnyIndex } kind;
  std::string key;
  size_t index = 0;
};

struct Cond {
  std::vector<Step> steps;
  enum Kind { kCmp, kIsNull, kIsTrue, kNotExists } kind = kCmp;
  std::string op;       // = != < >
  bool number = false;  // literal is a number
  long long num = 0;
  std::string str;  // string literal (may start/end with '*')
};

class Random {
 public:
  explicit Random(uint32_t seed) : rng_(seed) {}
  uint32_t Below(uint32_t n) { return rng_() % n; }

  std::string Value(int depth) {
    const uint32_t k = Below(depth > 2 ? 5 : 7);
    switch (k) {
      case 0:
        return std::to_string(static_cast<int>(Below(7)) - 2);
      case 1:
        return "\"" + Word() + "\"";
      case 2:
        return Below(2) ? "true" : "false";
      case 3:
        return "null";
      case 4:
        return "\"" + std::to_string(Below(5)) + "\"";
      case 5: {
        std::string o = "{";
        const uint32_t n = Below(4);
        for (uint32_t i = 0; i < n; ++i) {
          if (i) o += ',';
          o += "\"" + std::string(1, "abc"[i]) + "\":" + Value(depth + 1);
        }
        return o + "}";
      }
      default: {
        std::string a = "[";
        const uint32_t n = Below(4);
        for (uint32_t i = 0; i < n; ++i) {
          if (i) a += ',';
          a += Value(depth + 1);
        }
        return a + "]";
      }
    }
  }
  std::string Word() {
    return std::vector<std::string>{"x", "xy", "yx", "1", "true", ""}[Below(6)];
  }

  Cond Condition() {
    Cond c;
    const uint32_t n = 1 + Below(3);
    bool wildcard = false;
    for (uint32_t i = 0; i < n; ++i) {
      Step s;
      const uint32_t k = Below(6);
      if (k < 3) {
        s.kind = Step::kKey;
        s.key = std::string(1, "abc"[Below(3)]);
      } else if (k == 3) {
        s.kind = Step::kIndex;
        s.index = Below(3);
      } else if (!wildcard && k == 4) {
        s.kind = Step::kAnyKey;
        wildcard = true;
      } else if (!wildcard) {
        s.kind = Step::kAnyIndex;
        wildcard = true;
      } else {
        s.kind = Step::kKey;
        s.key = "a";
      }
      c.steps.push_back(s);
    }
    const uint32_t k = Below(10);
    if (k == 0)
      c.kind = Cond::kIsNull;
    else if (k == 1)
      c.kind = Cond::kIsTrue;
    else if (k == 2)
      c.kind = Cond::kNotExists;
    else {
      c.op = std::vector<std::string>{"=", "!=", "<", ">"}[Below(4)];
      c.number = c.op == "<" || c.op == ">" || Below(2) == 0;
      if (c.number) {
        c.num = static_cast<int>(Below(7)) - 2;
      } else {
        c.str = std::vector<std::string>{"x", "xy", "*y", "x*", "*", "1", "true"}[Below(7)];
      }
    }
    return c;
  }

 private:
  std::mt19937 rng_;
};

std::string Render(const Cond& c) {
  std::string s = "$";
  for (const Step& st : c.steps) {
    switch (st.kind) {
      case Step::kKey:
        s += '.';
        s += st.key;
        break;
      case Step::kIndex:
        s += '[';
        s += std::to_string(st.index);
        s += ']';
        break;
      case Step::kAnyKey:
        s += ".*";
        break;
      case Step::kAnyIndex:
        s += "[*]";
        break;
    }
  }
  switch (c.kind) {
    case Cond::kIsNull:
      return s + " IS NULL";
    case Cond::kIsTrue:
      return s + " IS TRUE";
    case Cond::kNotExists:
      return s + " NOT EXISTS";
    case Cond::kCmp:
      break;
  }
  return s + " " + c.op + " " + (c.number ? std::to_string(c.num) : "\"" + c.str + "\"");
}

bool WildcardEq(std::string_view s, std::string_view lit) {
  if (!lit.empty() && lit.find_first_not_of('*') == std::string_view::npos) return true;
  const bool pre = lit.starts_with('*'), suf = lit.size() > 1 && lit.ends_with('*');
  std::string_view core = lit.substr(pre ? 1 : 0);
  if (suf) core.remove_suffix(1);
  if (pre && suf) return s.find(core) != std::string_view::npos;
  if (pre) return s.ends_with(core);
  if (suf) return s.starts_with(core);
  return s == core;
}

bool Leaf(dom::element v, const Cond& c) {
  switch (c.kind) {
    case Cond::kIsNull:
      return v.is_null();
    case Cond::kIsTrue: {
      bool b = false;
      return v.get(b) == simdjson::SUCCESS && b;
    }
    case Cond::kNotExists:
      return true;
    case Cond::kCmp:
      break;
  }
  const bool eq_op = c.op == "=" || c.op == "!=";
  int64_t d = 0;
  std::string_view s;
  bool b = false;
  if (c.number) {
    if (v.get(d) == simdjson::SUCCESS) {
      return c.op == "="    ? d == c.num
             : c.op == "!=" ? d != c.num
             : c.op == "<"  ? d < c.num
                            : d > c.num;
    }
    if (v.get(s) == simdjson::SUCCESS) {
      const std::string lit = std::to_string(c.num);
      if (eq_op) return (s == lit) == (c.op == "=");
      const bool plain = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
      if (!plain) return false;  // the generated strings are non-negative integers or words
      const long long x = std::stoll(std::string(s));
      return c.op == "<" ? x < c.num : x > c.num;
    }
    return false;
  }
  std::string text;
  if (v.get(s) == simdjson::SUCCESS)
    text = std::string(s);
  else if (v.get(d) == simdjson::SUCCESS)
    text = std::to_string(d);
  else if (v.get(b) == simdjson::SUCCESS)
    text = b ? "true" : "false";
  else
    return false;  // null, object, array fail both = and !=
  return WildcardEq(text, c.str) == (c.op == "=");
}

// Visits the selected values; true if `leaf` holds for one of them (existential).
template <typename F>
bool Select(dom::element v, const std::vector<Step>& steps, size_t i, F& leaf) {
  if (i == steps.size()) return leaf(v);
  const Step& s = steps[i];
  if (s.kind == Step::kKey || s.kind == Step::kAnyKey) {
    dom::object obj;
    if (v.get(obj) != simdjson::SUCCESS) return false;
    for (auto [key, child] : obj) {
      if (s.kind == Step::kKey && key != s.key) continue;
      if (Select(child, steps, i + 1, leaf)) return true;
      if (s.kind == Step::kKey) return false;
    }
    return false;
  }
  dom::array arr;
  if (v.get(arr) != simdjson::SUCCESS) return false;
  size_t n = 0;
  for (dom::element child : arr) {
    if (s.kind == Step::kAnyIndex || n == s.index) {
      if (Select(child, steps, i + 1, leaf)) return true;
      if (s.kind == Step::kIndex) return false;
    }
    ++n;
  }
  return false;
}

bool Reference(dom::element doc, const Cond& c) {
  if (c.kind == Cond::kNotExists) {
    auto any = [](dom::element) { return true; };
    return !Select(doc, c.steps, 0, any);
  }
  auto leaf = [&](dom::element v) { return Leaf(v, c); };
  return Select(doc, c.steps, 0, leaf);
}

TEST(FilterJsonDifferentialTest, OnDemandMatcherAgreesWithDomReference) {
  Random r(1234);
  dom::parser parser;
  int matched = 0, total = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string doc_text = "{";
    const uint32_t n = 1 + r.Below(3);
    for (uint32_t i = 0; i < n; ++i) {
      if (i) doc_text += ',';
      doc_text += '"';
      doc_text += "abc"[i];
      doc_text += "\":";
      doc_text += r.Value(0);
    }
    doc_text += "}";
    dom::element doc;
    ASSERT_EQ(parser.parse(doc_text).get(doc), simdjson::SUCCESS) << doc_text;
    const Cond a = r.Condition(), b = r.Condition();
    const bool use_or = r.Below(2) == 0;
    const std::string pattern = "{ " + Render(a) + (use_or ? " || " : " && ") + Render(b) + " }";
    const bool want = use_or ? (Reference(doc, a) || Reference(doc, b))
                             : (Reference(doc, a) && Reference(doc, b));
    Result<FilterPattern> p = FilterPattern::Compile(pattern);
    ASSERT_TRUE(p.ok()) << pattern << ": " << p.status().ToString();
    EXPECT_EQ(p->Matches(doc_text), want) << pattern << "\n" << doc_text;
    // In place, far from the buffer end (no copy).
    const std::string buffer = doc_text + "\n" + std::string(100, ' ') + "\n";
    EXPECT_EQ(p->ScanLines(buffer, [](std::string_view) {}) == 1, want) << pattern << "\n"
                                                                        << doc_text;
    matched += want ? 1 : 0;
    ++total;
  }
  // The generator must exercise both outcomes substantially.
  EXPECT_GT(matched, total / 10);
  EXPECT_LT(matched, total * 9 / 10);
}

}  // namespace
}  // namespace kiroku::filter
