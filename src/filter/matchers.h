// The per-family evaluators behind FilterPattern. Internal to filter/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "filter/ast.h"

namespace kiroku::filter::internal {

// Comparison of a condition against a textual subject (a JSON string, the text of a JSON
// number/boolean, or a delimited field). Shared by the JSON and delimited matchers.
bool CompareText(std::string_view subject, const Condition& c, const Program& program,
                 bool subject_is_json_string);

// JSON patterns. `readable` >= size is how many bytes from message.data() may be read; the
// event is parsed in place when that leaves simdjson its padding and copied to per-thread
// scratch otherwise. Malformed JSON or a non-object root never matches.
bool MatchJson(const Program& program, std::string_view message, size_t readable);

// The value at `selector` (no wildcards) as text: strings unescaped, numbers and booleans as
// written, objects and arrays as their raw JSON. nullopt when absent, null or not JSON.
std::optional<std::string> JsonValueAt(const Selector& selector, std::string_view message);

// Space-delimited patterns; fills `extracted` (if not null) on a match.
bool MatchDelimited(const Program& program, std::string_view message, ExtractedValues* extracted);

}  // namespace kiroku::filter::internal
