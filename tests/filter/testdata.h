// Locates tests/data: $KIROKU_TESTDATA (set by CTest), else the source tree path compiled in,
// which gtest discovery needs because it lists the tests before CTest's environment applies.
#pragma once

#include <cstdlib>
#include <string>

namespace kiroku::filter::testing {

inline std::string TestDataDir() {
  if (const char* env = std::getenv("KIROKU_TESTDATA"); env != nullptr && *env != '\0') return env;
#ifdef KIROKU_SOURCE_TESTDATA
  return KIROKU_SOURCE_TESTDATA;
#else
  return "tests/data";
#endif
}

}  // namespace kiroku::filter::testing
