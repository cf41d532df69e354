// libFuzzer target for the parser and matcher. Input: PATTERN '\n' MESSAGE. Every compiled
// pattern is run through all entry points; crashes, sanitizer reports and disagreement
// between Matches() and ScanLines() are failures.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "filter/filter_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view pattern_text = input.substr(0, nl);
  std::string_view message = nl == std::string_view::npos ? "" : input.substr(nl + 1);
  if (const size_t end = message.find('\n'); end != std::string_view::npos) {
    message = message.substr(0, end);
  }
  kiroku::filter::SyntaxError error;
  kiroku::Result<kiroku::filter::FilterPattern> pattern =
      kiroku::filter::FilterPattern::Compile(pattern_text, &error);
  if (!pattern.ok()) {
    if (error.offset > pattern_text.size()) std::abort();  // positions stay inside the pattern
    return 0;
  }
  kiroku::filter::ExtractedValues values;
  const bool matched = pattern->Matches(message);
  if (pattern->Matches(message, &values) != matched) std::abort();
  // Skip the scan comparison for messages ScanLines treats differently by contract.
  if (!message.empty() && message.back() != '\r') {
    const std::string buffer = std::string(message) + "\n";
    if ((pattern->ScanLines(buffer, [](std::string_view) {}) == 1) != matched) std::abort();
  }
  (void)pattern->ExtractValue(message, "$.a");
  (void)pattern->ExtractValue(message, "$1");
  return 0;
}
