// LiteralSearcher: exact substring search used to prefilter events before any parsing.
// The needle is fixed at construction; Find() compares two of its rarest bytes 32 positions at a
// time with AVX2 (chosen at run time; otherwise memmem) and verifies candidates with memcmp.
// Immutable after construction; Find() may run on many threads at once.
#pragma once

#include <cstddef>
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
  std::string needle_;
  // Offsets of the two bytes compared first (rare ones, so that few candidates need memcmp).
  size_t rare1_ = 0;
  size_t rare2_ = 0;
};

}  // namespace kiroku::filter
