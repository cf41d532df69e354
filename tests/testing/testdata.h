// Where the repository's test data lives (tests/data): the KIROKU_TESTDATA environment variable
// when set, else the source-tree path compiled in by add_module_test (test discovery runs the
// binaries without the environment CTest gives the tests).
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace kiroku::testing {

inline std::string TestDataPath(std::string_view relative) {
  const char* dir = std::getenv("KIROKU_TESTDATA");
#ifdef KIROKU_TESTDATA_DIR
  std::string base = dir != nullptr ? dir : KIROKU_TESTDATA_DIR;
#else
  std::string base = dir != nullptr ? dir : "tests/data";
#endif
  return base + "/" + std::string(relative);
}

}  // namespace kiroku::testing
