// Runs the data-file cases in tests/filter/cases/*.test, one gtest per file (DuckDB-style).
//
// A file is a sequence of records separated by blank lines; '#' lines are comments:
//
//   pattern { $.latency > 200 }      the rest of the line, verbatim ("pattern" alone: empty)
//   event {"latency": 250}           optional: the log event
//   ----
//   match                            or: no match
//   extract {"$ip":"1.2.3.4"}        matches, with exactly these extracted values
//   value $.latency 250              ExtractValue(event, expr) == 250 (<absent> for nullopt)
//   error Invalid filter pattern at position 3: ...   Compile fails with exactly this message
//   kind json                        the pattern's family (matchall terms json delimited regex)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "filter/filter_pattern.h"
#include "filter/testdata.h"

namespace kiroku::filter {
namespace {

struct Record {
  int line = 0;
  std::string pattern;
  bool has_event = false;
  std::string event;
  std::vector<std::pair<int, std::string>> expectations;  // line number, text
};

std::string CasesDir() {
#ifdef KIROKU_FILTER_CASES
  if (std::filesystem::exists(KIROKU_FILTER_CASES)) return KIROKU_FILTER_CASES;
#endif
  return testing::TestDataDir() + "/../filter/cases";
}

std::vector<std::string> CaseFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(CasesDir(), ec)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) files.push_back("<no .test files in " + CasesDir() + ">");
  return files;
}

bool ReadRecords(const std::string& path, std::vector<Record>* records, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  std::string line;
  int line_no = 0;
  Record current;
  bool in_record = false, in_expect = false;
  auto flush = [&]() {
    if (in_record) records->push_back(std::move(current));
    current = Record();
    in_record = in_expect = false;
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    if (in_expect) {
      current.expectations.emplace_back(line_no, line);
    } else if (line == "pattern" || line.starts_with("pattern ")) {
      if (in_record) {
        *error = path + ":" + std::to_string(line_no) + ": 'pattern' before '----'";
        return false;
      }
      in_record = true;
      current.line = line_no;
      current.pattern = line.size() > 8 ? line.substr(8) : "";
    } else if (line.starts_with("event ") && in_record) {
      current.has_event = true;
      current.event = line.substr(6);
    } else if (line == "----" && in_record) {
      in_expect = true;
    } else {
      *error = path + ":" + std::to_string(line_no) + ": unexpected line: " + line;
      return false;
    }
  }
  flush();
  for (const Record& r : *records) {
    if (r.expectations.empty()) {
      *error = path + ":" + std::to_string(r.line) + ": record has no expectation";
      return false;
    }
  }
  return true;
}

const char* KindName(PatternKind kind) {
  switch (kind) {
    case PatternKind::kMatchAll:
      return "matchall";
    case PatternKind::kTerms:
      return "terms";
    case PatternKind::kJson:
      return "json";
    case PatternKind::kDelimited:
      return "delimited";
    case PatternKind::kRegex:
      return "regex";
  }
  return "?";
}

void RunRecord(const std::string& path, const Record& r) {
  SCOPED_TRACE(path + ":" + std::to_string(r.line) + " pattern: " + r.pattern);
  Result<FilterPattern> pattern = FilterPattern::Compile(r.pattern);
  for (const auto& [line_no, text] : r.expectations) {
    SCOPED_TRACE("expectation at line " + std::to_string(line_no) + ": " + text);
    if (text.starts_with("error ")) {
      ASSERT_FALSE(pattern.ok()) << "compiled, expected an error";
      EXPECT_EQ(pattern.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(pattern.status().aws_code(), "InvalidParameterException");
      EXPECT_EQ(pattern.status().message(), text.substr(6));
      continue;
    }
    ASSERT_TRUE(pattern.ok()) << pattern.status().ToString();
    if (text.starts_with("kind ")) {
      EXPECT_EQ(KindName(pattern->kind()), text.substr(5));
      continue;
    }
    ASSERT_TRUE(r.has_event) << "expectation needs an event line";
    if (text == "match" || text == "no match") {
      const bool want = text == "match";
      EXPECT_EQ(pattern->Matches(r.event), want) << "event: " << r.event;
      const std::string buffer = r.event + "\n";
      EXPECT_EQ(pattern->ScanLines(buffer, [](std::string_view) {}), want ? 1u : 0u)
          << "ScanLines disagrees";
    } else if (text.starts_with("extract ")) {
      ExtractedValues values;
      ASSERT_TRUE(pattern->Matches(r.event, &values)) << "event: " << r.event;
      EXPECT_EQ(ExtractedValuesToJson(values), text.substr(8));
    } else if (text.starts_with("value ")) {
      const std::string rest = text.substr(6);
      const size_t space = rest.find(' ');
      ASSERT_NE(space, std::string::npos) << "value needs an expression and a result";
      Result<std::optional<std::string>> v = pattern->ExtractValue(r.event, rest.substr(0, space));
      const std::string want = rest.substr(space + 1);
      if (want.starts_with("error ")) {
        ASSERT_FALSE(v.ok());
        EXPECT_EQ(v.status().message(), want.substr(6));
        continue;
      }
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      EXPECT_EQ(v->has_value() ? **v : "<absent>", want);
    } else {
      ADD_FAILURE() << "unknown expectation";
    }
  }
}

class CasesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CasesTest, File) {
  const std::string& path = GetParam();
  std::vector<Record> records;
  std::string error;
  ASSERT_TRUE(ReadRecords(path, &records, &error)) << error;
  ASSERT_FALSE(records.empty()) << path << " has no records";
  for (const Record& r : records) RunRecord(path, r);
}

std::string FileName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name.empty() ? "unnamed" : name;
}

INSTANTIATE_TEST_SUITE_P(filter, CasesTest, ::testing::ValuesIn(CaseFiles()), FileName);

}  // namespace
}  // namespace kiroku::filter
