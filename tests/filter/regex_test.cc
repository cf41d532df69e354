#include "filter/regex.h"

#include <gtest/gtest.h>

namespace kiroku::filter::internal {
namespace {

TEST(FilterRegexTest, RequiredLiteral) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"AUTHORIZED", "AUTHORIZED"},
      {"^ERROR: disk", "ERROR: disk"},
      {"colou?r", "colo"},
      {"ab+cdef", "cdef"},
      {"ab+c", "ab"},
      {"a{2}bcd", "bcd"},
      {"x{10,20}", ""},
      {"key\\=value\\.\\d+", "key=value."},
      {"[abc]xyz[^]q]", "xyz"},
      {"\\x41\\x42C", "ABC"},
      {"gra|ey", ""},
      {"ab*c", "a"},  // the first of equally long runs
      {"10\\.10\\.0\\.1", "10.10.0.1"},
  };
  for (const auto& [body, want] : cases) EXPECT_EQ(RequiredLiteral(body), want) << body;
}

TEST(FilterRegexTest, TranslatesToRe2) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"a{,3}", "a{0,3}"},
      {"\\s\\S", "[\\t\\n ][^\\t\\n ]"},
      {"[]a]", "[\\]a]"},
      {"\\x3A", "\\x3A"},
  };
  for (const auto& [body, want] : cases) {
    std::string out;
    ParseError error;
    ASSERT_TRUE(TranslateRegex(body, 0, &out, &error)) << body << ": " << error.reason;
    EXPECT_EQ(out, want) << body;
  }
}

}  // namespace
}  // namespace kiroku::filter::internal
