// Chooses the JSON matcher build for this CPU once (see json_matcher.inc).
#include "filter/matchers.h"

namespace kiroku::filter::internal {
namespace haswell {
bool MatchJson(const Program& program, std::string_view message, size_t readable);
std::optional<std::string> JsonValueAt(const Selector& selector, std::string_view message);
}  // namespace haswell
namespace generic {
bool MatchJson(const Program& program, std::string_view message, size_t readable);
std::optional<std::string> JsonValueAt(const Selector& selector, std::string_view message);
}  // namespace generic

namespace {
bool UseHaswell() {
#if defined(KIROKU_FILTER_HASWELL)
  static const bool use = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                          __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("pclmul");
  return use;
#else
  return false;
#endif
}
}  // namespace

bool MatchJson(const Program& program, std::string_view message, size_t readable) {
#if defined(KIROKU_FILTER_HASWELL)
  if (UseHaswell()) return haswell::MatchJson(program, message, readable);
#endif
  return generic::MatchJson(program, message, readable);
}

std::optional<std::string> JsonValueAt(const Selector& selector, std::string_view message) {
#if defined(KIROKU_FILTER_HASWELL)
  if (UseHaswell()) return haswell::JsonValueAt(selector, message);
#endif
  return generic::JsonValueAt(selector, message);
}

}  // namespace kiroku::filter::internal
