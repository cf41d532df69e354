#include "filter/literal_search.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace kiroku::filter {
namespace {

TEST(FilterLiteralSearcherTest, FindsFirstOccurrence) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"ConsoleLogin", R"({"eventName":"ConsoleLogin"})"},
      {"a", "bbbab"},
      {"ab", "aab"},
      {"", "xyz"},
  };
  for (const auto& [needle, hay] : cases) {
    EXPECT_EQ(LiteralSearcher(std::string(needle)).Find(hay), hay.find(needle)) << needle;
  }
  EXPECT_EQ(LiteralSearcher("zz").Find("abc"), LiteralSearcher::npos);
  EXPECT_EQ(LiteralSearcher("abcd").Find("abc"), LiteralSearcher::npos);
}

// The vectorised loop has edges at every 32 bytes: compare with std::string_view::find on
// random text over a small alphabet, needles taken from the text and near-misses.
// Each test runs at every instruction-set level the CPU has (scalar, AVX2, AVX-512BW).
class FilterLiteralSimdTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { LimitSimdForTesting(GetParam()); }
  void TearDown() override { LimitSimdForTesting(2); }
};

TEST_P(FilterLiteralSimdTest, AgreesWithStringFindOnRandomText) {
  std::mt19937 rng(42);
  for (int round = 0; round < 2000; ++round) {
    std::string hay(rng() % 200, ' ');
    for (char& c : hay) c = "abcAB"[rng() % 5];
    std::string needle(1 + rng() % 6, ' ');
    for (char& c : needle) c = "abcAB"[rng() % 5];
    if (!hay.empty() && rng() % 2 == 0) {
      const size_t at = rng() % hay.size();
      needle = hay.substr(at, 1 + rng() % 40);
    }
    EXPECT_EQ(LiteralSearcher(needle).Find(hay), std::string_view(hay).find(needle))
        << "needle '" << needle << "' in '" << hay << "'";
  }
}

}  // namespace
}  // namespace kiroku::filter

namespace kiroku::filter {
namespace {

TEST_P(FilterLiteralSimdTest, FindAnyAgreesWithTheEarliestFind) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string hay(rng() % 300, ' ');
    for (char& c : hay) c = "abc\\uAB\n"[rng() % 8];
    std::vector<LiteralSearcher> needles;
    const size_t count = 1 + rng() % 10;  // past the 8-needle vector path too
    size_t want = std::string_view::npos;
    for (size_t j = 0; j < count; ++j) {
      std::string nd(1 + rng() % 5, ' ');
      for (char& c : nd) c = "abc\\uAB"[rng() % 7];
      want = std::min(want, std::string_view(hay).find(nd));
      needles.emplace_back(std::move(nd));
    }
    EXPECT_EQ(FindAny(needles, hay), want) << "round " << round;
  }
}

}  // namespace
}  // namespace kiroku::filter

namespace kiroku::filter {
namespace {
INSTANTIATE_TEST_SUITE_P(filter, FilterLiteralSimdTest, ::testing::Values(0, 1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == 0   ? "scalar"
                                              : info.param == 1 ? "avx2"
                                                                : "avx512");
                         });
}  // namespace
}  // namespace kiroku::filter
