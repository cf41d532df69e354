// LiteralSearcher: exact substring search used to prefilter events before any parsing.
// The needle is fixed at construction; Find() compares two of its rarest bytes 32 positions at a
// time with AVX2 (chosen at run time; otherwise memmem) and verifies candidates with memcmp.
// Immutable after construction; Find() may run on many threads at once.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace kiroku::filter {

class LiteralSearcher {
 public:
  LiteralSearcher() = default;
  explicit LiteralSearcher(std::string needle);

  const std::string& needle() const { return needle_; }

  // Offset of the first occurrence of the needle in `haystack`, or npos. An empty needle is
  // found at offset 0.
  size_t Find(std::string_view haystack) const;
  bool Contains(std::string_view haystack) const { return Find(haystack) != npos; }

  static constexpr size_t npos = std::string_view::npos;

 private:
  friend size_t FindAny(std::span<const LiteralSearcher> needles, std::string_view haystack);

  std::string needle_;
  // Offsets of the two bytes compared first (rare ones, so that few candidates need memcmp).
  size_t rare1_ = 0;
  size_t rare2_ = 0;
};

// Offset of the first position in `haystack` where any of `needles` occurs, or npos; one pass
// over the haystack (AVX2 for up to 8 needles).
size_t FindAny(std::span<const LiteralSearcher> needles, std::string_view haystack);

// For tests: use at most this instruction set (0 scalar/memmem, 1 AVX2, 2 AVX-512BW; the
// default). Not for concurrent use with searches.
void LimitSimdForTesting(int level);

}  // namespace kiroku::filter
