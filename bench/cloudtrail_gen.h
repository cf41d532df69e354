// CloudTrailGenerator: deterministic, realistic CloudTrail records (one compact JSON object per
// line) for benchmarks, tests and demos. The same seed always yields the same bytes.
// Mix: ConsoleLogin success/failure (incl. root), STS AssumeRole, KMS Decrypt/GenerateDataKey/
// Encrypt, IAM CreateUser/AttachRolePolicy/ListRoles/CreateAccessKey, CloudWatch Logs
// PutLogEvents/CreateLogGroup/FilterLogEvents, over 8 regions, 4 accounts and ~40 principals.
// Not thread-safe; use one generator per thread.
#pragma once

#include <cstdint>
#include <string>

namespace kiroku::bench {

class CloudTrailGenerator {
 public:
  explicit CloudTrailGenerator(uint64_t seed = 20140101);

  // Appends one record (no trailing newline) to `out`.
  void AppendRecord(std::string* out);

  // Appends records, each followed by '\n', until `out` has grown by at least `bytes`.
  void AppendLines(size_t bytes, std::string* out);

 private:
  uint64_t Next();
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  void AppendUuid(std::string* out);
  void AppendHex(std::string* out, int digits);

  uint64_t state_;
  uint64_t clock_ = 1735689600;  // 2025-01-01T00:00:00Z, advanced per record
};

}  // namespace kiroku::bench
