// Password hashing with scrypt (RFC 7914, OpenSSL EVP_PBE_scrypt) for console passwords.
//
// Stored form (self-describing, so parameters can be raised later without breaking old hashes):
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64>$<hash, base64>
// with a 16-byte random salt and a 32-byte hash; base64 is standard with padding.
//
// Every function is thread-safe. Hashing is deliberately slow (see kDefaultScryptParams) and
// uses 128 * r * N bytes of memory (32 MiB by default).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kiroku::crypto {

struct ScryptParams {
  uint32_t log2_n = 15;  // N = 2^log2_n, the CPU/memory cost
  uint32_t r = 8;        // block size
  uint32_t p = 1;        // parallelism
};

// About 70 ms per hash on the development machine (docs/performance.md). Tests pass cheaper
// parameters to HashPassword; VerifyPassword reads them from the stored string.
inline constexpr ScryptParams kDefaultScryptParams = {15, 8, 1};

// Raw scrypt: `length` bytes derived from `password` and `salt`. Errors: InvalidArgument if the
// parameters are out of range (log2_n 1..22, r 1..32, p 1..16, memory at most 1 GiB).
Result<std::string> Scrypt(std::string_view password, std::string_view salt,
                           const ScryptParams& params, size_t length);

// Hashes `password` with a fresh random salt into the stored form above.
// Errors: InvalidArgument for out-of-range parameters.
Result<std::string> HashPassword(std::string_view password,
                                 const ScryptParams& params = kDefaultScryptParams);

// Whether `password` matches `stored` (compared in constant time). Errors: InvalidArgument if
// `stored` is not a well-formed hash from HashPassword — that is corruption, not a wrong password.
Result<bool> VerifyPassword(std::string_view password, std::string_view stored);

// True if `stored` was made with parameters other than `params` (re-hash on next sign-in).
// A malformed `stored` also needs rehashing.
bool NeedsRehash(std::string_view stored, const ScryptParams& params = kDefaultScryptParams);

}  // namespace kiroku::crypto
