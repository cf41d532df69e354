#include "filter/filter_pattern.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace kiroku::filter {
namespace {

FilterPattern MustCompile(std::string_view text) {
  Result<FilterPattern> p = FilterPattern::Compile(text);
  KIROKU_CHECK(p.ok());
  return std::move(p).value();
}

TEST(FilterPatternTest, SyntaxErrorCarriesOffset) {
  SyntaxError error;
  Result<FilterPattern> p = FilterPattern::Compile("{ $.a = 1 && }", &error);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(error.offset, 13u);
  EXPECT_EQ(p.status().message(),
            "Invalid filter pattern at position 14: expected a selector starting with '$.', "
            "found '}'");
}

TEST(FilterPatternTest, LengthQuotaUsesAwsMessage) {
  const std::string long_pattern(1025, 'a');
  Result<FilterPattern> p = FilterPattern::Compile(long_pattern);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "1 validation error detected: Value '" + long_pattern +
                "' at 'filterPattern' failed to satisfy constraint: Member must have length less "
                "than or equal to 1024");
  EXPECT_TRUE(FilterPattern::Compile(std::string(1024, 'a')).ok());
}

TEST(FilterPatternTest, ScanLinesReturnsMatchingLinesInOrder) {
  const FilterPattern p = MustCompile(R"({ $.eventName = "ConsoleLogin" })");
  const std::string buffer =
      "{\"eventName\":\"ConsoleLogin\",\"n\":1}\n"
      "{\"eventName\":\"AssumeRole\",\"note\":\"ConsoleLogin\"}\n"
      "not json ConsoleLogin\r\n"
      "\n"
      "{\"eventName\":\"Console\\u004cogin\",\"n\":2}\r\n"
      "{\"eventName\":\"ConsoleLogin\",\"n\":3}";
  std::vector<std::string> lines;
  const size_t n = p.ScanLines(buffer, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(lines[0], "{\"eventName\":\"ConsoleLogin\",\"n\":1}");
  EXPECT_EQ(lines[1], "{\"eventName\":\"Console\\u004cogin\",\"n\":2}");  // \r stripped
  EXPECT_EQ(lines[2], "{\"eventName\":\"ConsoleLogin\",\"n\":3}");
}

TEST(FilterPatternTest, ScanLinesWithoutPrefilterVisitsEveryLine) {
  const FilterPattern p = MustCompile("{ $.n > 1 || $.t IS TRUE }");
  const std::string buffer = "{\"n\":1}\n{\"n\":2}\n{\"t\":true}\n{\"t\":false}\n";
  EXPECT_EQ(p.ScanLines(buffer, [](std::string_view) {}), 2u);
}

TEST(FilterPatternTest, EscapedKeysAndValuesMatch) {
  const FilterPattern p = MustCompile(R"({ $.eventName = "A/B" && $.x = 1 })");
  EXPECT_TRUE(p.Matches(R"({"event\u004eame":"A\/B","x":1})"));
  EXPECT_FALSE(p.Matches(R"({"eventName":"A/C","x":1})"));
}

TEST(FilterPatternTest, ExtractValueForMetricFilters) {
  const FilterPattern json = MustCompile("{ $.latency > 100 }");
  EXPECT_EQ(*json.ExtractValue(R"({"latency":150,"a":{"b":[1,2]}})", "$.latency"),
            std::optional<std::string>("150"));
  EXPECT_EQ(*json.ExtractValue(R"({"latency":150,"a":{"b":[1,2]}})", "$.a.b"),
            std::optional<std::string>("[1,2]"));
  EXPECT_EQ(*json.ExtractValue(R"({"latency":50})", "$.latency"), std::nullopt);
  EXPECT_FALSE(json.ExtractValue("{}", "$.a[*]").ok());

  const FilterPattern delimited = MustCompile("[ip, user, ..., bytes > 10]");
  EXPECT_EQ(*delimited.ExtractValue("1.2.3.4 bob GET / 200 512", "$bytes"),
            std::optional<std::string>("512"));
  EXPECT_EQ(*delimited.ExtractValue("1.2.3.4 bob GET / 200 512", "$4"),
            std::optional<std::string>("/"));
  EXPECT_FALSE(delimited.ExtractValue("1.2.3.4 bob 512", "$nope").ok());
}

TEST(FilterPatternTest, ConcurrentMatchingIsConsistent) {
  const FilterPattern p = MustCompile(R"({ $.items[*].name = "x*" && $.n >= 2 })");
  std::vector<std::thread> threads;
  std::vector<int> matched(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string event = "{\"items\":[{\"name\":\"a\"},{\"name\":\"x" + std::to_string(i) +
                                  "\"}],\"n\":" + std::to_string(i % 4) + "}";
        matched[t] += p.Matches(event) ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : matched) EXPECT_EQ(m, 1000);
}

// Regression (found by the fuzzer): On Demand may read the byte after a truncated event, which
// in the padded scratch copy used to be a leftover of the previous event.
TEST(FilterPatternTest, TruncatedEventIgnoresBytesLeftByEarlierEvents) {
  const FilterPattern p = MustCompile(R"({ $.* = ":" })");
  EXPECT_FALSE(p.Matches(R"({"ab":"1"})"));  // leaves `":"1"}` in scratch from offset 4
  EXPECT_FALSE(p.Matches(R"({"":)"));
  EXPECT_FALSE(p.Matches(R"({"x":)"));
}

TEST(FilterPatternTest, ReportsKindAndRegexCount) {
  EXPECT_EQ(MustCompile("").kind(), PatternKind::kMatchAll);
  EXPECT_EQ(MustCompile("[]").kind(), PatternKind::kMatchAll);
  EXPECT_EQ(MustCompile("%a|b%").regex_count(), 1);
  EXPECT_EQ(MustCompile("[a=%x%, b=%y%]").regex_count(), 2);
  EXPECT_TRUE(MustCompile("{ $.a = 1 }").supports_dimensions());
  EXPECT_FALSE(MustCompile("ERROR").supports_dimensions());
}

}  // namespace
}  // namespace kiroku::filter
