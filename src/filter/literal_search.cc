#include "filter/literal_search.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace kiroku::filter {
namespace {

// Rough rank of how common a byte is in log text and JSON (higher = more common). Rare bytes
// make better anchors: `C` and `L` in "ConsoleLogin" rather than `o` and `n`.
int Commonness(unsigned char c) {
  if (c == ' ' || c == '"' || c == ':' || c == ',') return 250;
  if (c >= 'a' && c <= 'z') {
    static constexpr char kFrequentLower[] = "etaoinsrlcdmuh";
    return std::strchr(kFrequentLower, c) != nullptr ? 200 : 150;
  }
  if (c >= '0' && c <= '9') return 160;
  if (c == '.' || c == '-' || c == '_' || c == '/' || c == '{' || c == '}') return 140;
  if (c >= 'A' && c <= 'Z') return 90;
  if (c >= 0x80) return 30;
  return 60;
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) size_t FindAvx2(const char* s, size_t n, const std::string& needle,
                                                size_t r1, size_t r2) {
  const size_t k = needle.size();
  if (n < k) return std::string_view::npos;
  const __m256i b1 = _mm256_set1_epi8(needle[r1]);
  const __m256i b2 = _mm256_set1_epi8(needle[r2]);
  const size_t last_start = n - k;  // the last offset where the needle can begin
  size_t i = 0;
  // Offsets i..i+31 are candidate starts; reading s[i+r+31] must stay within n.
  const size_t max_r = r1 > r2 ? r1 : r2;
  while (i + 31 + max_r < n && i <= last_start) {
    const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + r1));
    const __m256i c2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + r2));
    uint32_t mask = static_cast<uint32_t>(_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(c1, b1), _mm256_cmpeq_epi8(c2, b2))));
    while (mask != 0) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (at > last_start) return std::string_view::npos;
      if (std::memcmp(s + at, needle.data(), k) == 0) return at;
      mask &= mask - 1;
    }
    i += 32;
  }
  for (; i <= last_start; ++i) {
    if (s[i + r1] == needle[r1] && std::memcmp(s + i, needle.data(), k) == 0) return i;
  }
  return std::string_view::npos;
}

constexpr size_t kMaxAvx2Needles = 8;

__attribute__((target("avx2"))) size_t FindAnyAvx2(const char* s, size_t n,
                                                   const std::string* const* needles,
                                                   const size_t* r1, const size_t* r2,
                                                   size_t count) {
  __m256i b1[kMaxAvx2Needles], b2[kMaxAvx2Needles];
  size_t max_r = 0;
  for (size_t j = 0; j < count; ++j) {
    b1[j] = _mm256_set1_epi8((*needles[j])[r1[j]]);
    b2[j] = _mm256_set1_epi8((*needles[j])[r2[j]]);
    max_r = std::max(max_r, std::max(r1[j], r2[j]));
  }
  auto matches_at = [&](size_t at) {
    for (size_t j = 0; j < count; ++j) {
      const std::string& nd = *needles[j];
      if (at + nd.size() <= n && std::memcmp(s + at, nd.data(), nd.size()) == 0) return true;
    }
    return false;
  };
  size_t i = 0;
  while (i + 31 + max_r < n) {
    uint32_t mask = 0;
    for (size_t j = 0; j < count; ++j) {
      const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + r1[j]));
      const __m256i c2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + r2[j]));
      mask |= static_cast<uint32_t>(_mm256_movemask_epi8(
          _mm256_and_si256(_mm256_cmpeq_epi8(c1, b1[j]), _mm256_cmpeq_epi8(c2, b2[j]))));
    }
    while (mask != 0) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      if (matches_at(at)) return at;
      mask &= mask - 1;
    }
    i += 32;
  }
  for (; i < n; ++i) {
    if (matches_at(i)) return i;
  }
  return std::string_view::npos;
}

// The same loop 64 bytes at a time with AVX-512BW mask registers.
__attribute__((target("avx512bw"))) size_t FindAnyAvx512(const char* s, size_t n,
                                                         const std::string* const* needles,
                                                         const size_t* r1, const size_t* r2,
                                                         size_t count) {
  __m512i b1[kMaxAvx2Needles], b2[kMaxAvx2Needles];
  size_t max_r = 0;
  for (size_t j = 0; j < count; ++j) {
    b1[j] = _mm512_set1_epi8((*needles[j])[r1[j]]);
    b2[j] = _mm512_set1_epi8((*needles[j])[r2[j]]);
    max_r = std::max(max_r, std::max(r1[j], r2[j]));
  }
  auto matches_at = [&](size_t at) {
    for (size_t j = 0; j < count; ++j) {
      const std::string& nd = *needles[j];
      if (at + nd.size() <= n && std::memcmp(s + at, nd.data(), nd.size()) == 0) return true;
    }
    return false;
  };
  size_t i = 0;
  while (i + 63 + max_r < n) {
    uint64_t mask = 0;
    for (size_t j = 0; j < count; ++j) {
      const __m512i c1 = _mm512_loadu_si512(s + i + r1[j]);
      const __m512i c2 = _mm512_loadu_si512(s + i + r2[j]);
      mask |= _mm512_cmpeq_epi8_mask(c1, b1[j]) & _mm512_cmpeq_epi8_mask(c2, b2[j]);
    }
    while (mask != 0) {
      const size_t at = i + static_cast<size_t>(__builtin_ctzll(mask));
      if (matches_at(at)) return at;
      mask &= mask - 1;
    }
    i += 64;
  }
  for (; i < n; ++i) {
    if (matches_at(i)) return i;
  }
  return std::string_view::npos;
}

std::atomic<int> simd_limit{2};

bool HaveAvx512() {
  static const bool have = __builtin_cpu_supports("avx512bw");
  return have && simd_limit.load(std::memory_order_relaxed) >= 2;
}

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have && simd_limit.load(std::memory_order_relaxed) >= 1;
}
#endif

}  // namespace

LiteralSearcher::LiteralSearcher(std::string needle) : needle_(std::move(needle)) {
  if (needle_.size() < 2) return;
  // Pick the rarest byte, then the rarest byte at a different offset.
  size_t best = 0;
  for (size_t i = 1; i < needle_.size(); ++i) {
    if (Commonness(needle_[i]) < Commonness(needle_[best])) best = i;
  }
  size_t second = best == 0 ? 1 : 0;
  for (size_t i = 0; i < needle_.size(); ++i) {
    if (i == best) continue;
    if (Commonness(needle_[i]) < Commonness(needle_[second])) second = i;
  }
  rare1_ = best < second ? best : second;
  rare2_ = best < second ? second : best;
}

size_t LiteralSearcher::Find(std::string_view haystack) const {
  const size_t k = needle_.size();
  if (k == 0) return 0;
  if (haystack.size() < k) return npos;
  if (k == 1) {
    const void* p = std::memchr(haystack.data(), needle_[0], haystack.size());
    return p == nullptr ? npos : static_cast<const char*>(p) - haystack.data();
  }
#if defined(__x86_64__)
  if (HaveAvx512()) return FindAny(std::span<const LiteralSearcher>(this, 1), haystack);
  if (HaveAvx2()) return FindAvx2(haystack.data(), haystack.size(), needle_, rare1_, rare2_);
#endif
  const void* p = memmem(haystack.data(), haystack.size(), needle_.data(), k);
  return p == nullptr ? npos : static_cast<const char*>(p) - haystack.data();
}

void LimitSimdForTesting(int level) {
#if defined(__x86_64__)
  simd_limit.store(level, std::memory_order_relaxed);
#else
  (void)level;
#endif
}

size_t FindAny(std::span<const LiteralSearcher> needles, std::string_view haystack) {
  if (needles.size() == 1 && !HaveAvx512()) return needles[0].Find(haystack);
#if defined(__x86_64__)
  bool simple = needles.size() <= kMaxAvx2Needles;
  for (const LiteralSearcher& nd : needles) simple = simple && !nd.needle_.empty();
  if (simple && HaveAvx2()) {
    const std::string* ptrs[kMaxAvx2Needles];
    size_t r1[kMaxAvx2Needles], r2[kMaxAvx2Needles];
    for (size_t j = 0; j < needles.size(); ++j) {
      ptrs[j] = &needles[j].needle_;
      r1[j] = needles[j].rare1_;
      r2[j] = needles[j].rare2_;
    }
    if (HaveAvx512()) {
      return FindAnyAvx512(haystack.data(), haystack.size(), ptrs, r1, r2, needles.size());
    }
    return FindAnyAvx2(haystack.data(), haystack.size(), ptrs, r1, r2, needles.size());
  }
#endif
  size_t best = LiteralSearcher::npos;
  for (const LiteralSearcher& nd : needles) best = std::min(best, nd.Find(haystack));
  return best;
}

}  // namespace kiroku::filter
