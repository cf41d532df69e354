// The benchmark's CloudTrail generator (bench/cloudtrail_gen.h) is deterministic and emits
// valid records; and over its records the prefiltered bulk scan agrees with a plain DOM
// evaluation of the same conditions.
#include "cloudtrail_gen.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "filter/filter_pattern.h"

namespace kiroku::filter {
namespace {

std::string Generate(uint64_t seed, size_t bytes) {
  std::string out;
  bench::CloudTrailGenerator gen(seed);
  gen.AppendLines(bytes, &out);
  return out;
}

TEST(FilterCloudTrailGenTest, IsDeterministicAndValid) {
  const std::string a = Generate(7, 1 << 20);
  EXPECT_EQ(a, Generate(7, 1 << 20));
  EXPECT_NE(a, Generate(8, 1 << 20));
  simdjson::dom::parser parser;
  size_t records = 0;
  for (size_t pos = 0; pos < a.size();) {
    const size_t nl = a.find('\n', pos);
    const std::string_view line(a.data() + pos, nl - pos);
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(line.data(), line.size()).get(doc), simdjson::SUCCESS) << line;
    std::string_view name;
    EXPECT_EQ(doc["eventName"].get(name), simdjson::SUCCESS) << line;
    ++records;
    pos = nl + 1;
  }
  EXPECT_GT(records, 500u);
}

// Reference: evaluates `selector = value` (string equality) with the DOM API.
bool DomStringEquals(simdjson::dom::element doc, std::string_view pointer, std::string_view want) {
  std::string_view got;
  return doc.at_pointer(pointer).get(got) == simdjson::SUCCESS && got == want;
}

TEST(FilterCloudTrailGenTest, BulkScanAgreesWithDomEvaluation) {
  const std::string data = Generate(20140101, 4 << 20);
  struct Case {
    const char* pattern;
    const char* pointer;
    const char* value;
  } cases[] = {
      {R"({ $.eventName = "ConsoleLogin" })", "/eventName", "ConsoleLogin"},
      {R"({ $.userIdentity.type = "Root" })", "/userIdentity/type", "Root"},
      {R"({ $.errorCode = "AccessDenied" })", "/errorCode", "AccessDenied"},
      {R"({ $.responseElements.ConsoleLogin = "Failure" })", "/responseElements/ConsoleLogin",
       "Failure"},
  };
  simdjson::dom::parser parser;
  for (const Case& c : cases) {
    Result<FilterPattern> p = FilterPattern::Compile(c.pattern);
    ASSERT_TRUE(p.ok());
    size_t want = 0;
    for (size_t pos = 0; pos < data.size();) {
      const size_t nl = data.find('\n', pos);
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(data.data() + pos, nl - pos).get(doc), simdjson::SUCCESS);
      want += DomStringEquals(doc, c.pointer, c.value) ? 1 : 0;
      pos = nl + 1;
    }
    EXPECT_GT(want, 0u) << c.pattern << ": the generator should produce matches";
    EXPECT_EQ(p->ScanLines(data, [](std::string_view) {}), want) << c.pattern;
  }
}

}  // namespace
}  // namespace kiroku::filter
