// The public conformance corpus (tests/data/filter/filter_patterns.jsonl): one test per case,
// named after its id, checking FilterPattern::Matches and, for every case, ScanLines agreeing.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <string>
#include <vector>

#include "filter/filter_pattern.h"
#include "filter/testdata.h"

namespace kiroku::filter {
namespace {

struct CorpusCase {
  std::string id;
  std::string pattern;
  std::string message;
  bool match = false;
  std::string note;
  std::string load_error;  // set when the corpus could not be read
};

CorpusCase LoadFailure(std::string id, std::string error) {
  CorpusCase c;
  c.id = std::move(id);
  c.load_error = std::move(error);
  return c;
}

std::vector<CorpusCase> LoadCorpus() {
  const std::string path = testing::TestDataDir() + "/filter/filter_patterns.jsonl";
  std::ifstream in(path);
  if (!in) return {LoadFailure("corpus_missing", "cannot open " + path)};
  std::vector<CorpusCase> cases;
  simdjson::dom::parser parser;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    CorpusCase c;
    simdjson::dom::element doc;
    std::string_view id, pattern, message, note;
    bool match = false;
    if (parser.parse(line).get(doc) || doc["id"].get(id) || doc["pattern"].get(pattern) ||
        doc["message"].get(message) || doc["match"].get(match)) {
      c.id = "bad_line_" + std::to_string(line_no);
      c.load_error = "unparsable corpus line " + std::to_string(line_no);
    } else {
      if (doc["note"].get(note)) note = "";
      c.id = std::string(id);
      c.pattern = std::string(pattern);
      c.message = std::string(message);
      c.match = match;
      c.note = std::string(note);
    }
    cases.push_back(std::move(c));
  }
  if (cases.empty()) return {LoadFailure("corpus_empty", path + " is empty")};
  return cases;
}

class CorpusTest : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(CorpusTest, Matches) {
  const CorpusCase& c = GetParam();
  ASSERT_TRUE(c.load_error.empty()) << c.load_error;
  SyntaxError error;
  Result<FilterPattern> pattern = FilterPattern::Compile(c.pattern, &error);
  ASSERT_TRUE(pattern.ok()) << c.pattern << ": " << pattern.status().ToString();
  EXPECT_EQ(pattern->Matches(c.message), c.match)
      << "pattern: " << c.pattern << "\nmessage: " << c.message << "\nnote: " << c.note;
  // The bulk scanner (prefilter + in-place parsing) must agree with the single-event path.
  const std::string buffer = "\n" + c.message + "\n";
  EXPECT_EQ(pattern->ScanLines(buffer, [](std::string_view) {}), c.match ? 1u : 0u);
}

std::string CaseName(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.id;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(filter, CorpusTest, ::testing::ValuesIn(LoadCorpus()), CaseName);

}  // namespace
}  // namespace kiroku::filter
