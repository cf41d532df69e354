// The CloudTrail digest file format (log file integrity validation), as AWS writes it and as
// `aws cloudtrail validate-logs` checks it. Pure functions; thread-safe.
//
// - Key: [<prefix>/]AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//        <account>_CloudTrail-Digest_<region>_<trail name>_<home region>_<YYYYMMDDTHHmmssZ>.json.gz
//   with the digest end time (UTC) in the path and the name.
// - Body: gzip of a JSON object with awsAccountId, digestStartTime, digestEndTime,
//   digestS3Bucket, digestS3Object, digestPublicKeyFingerprint, digestSignatureAlgorithm
//   ("SHA256withRSA"), newestEventTime, oldestEventTime (null without log files),
//   previousDigestS3Bucket/Object/HashValue/HashAlgorithm/Signature (null for the first digest
//   of a chain) and logFiles[{s3Bucket, s3Object, hashValue, hashAlgorithm, newestEventTime,
//   oldestEventTime}]; times are ISO-8601 seconds ("2015-08-17T14:01:31Z").
// - Signature: SHA256withRSA over the signing string
//     <digestEndTime> "\n" <bucket> "/" <key> "\n" <hex SHA-256 of the uncompressed JSON> "\n"
//     <previous digest's hex signature, or "null">
//   stored hex-encoded in the object's metadata x-amz-meta-signature, with
//   x-amz-meta-signature-algorithm: SHA256withRSA.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "trail/trail.h"

namespace kiroku::trail {

inline constexpr std::string_view kDigestSignatureAlgorithm = "SHA256withRSA";
inline constexpr std::string_view kDigestHashAlgorithm = "SHA-256";

struct DigestLogFile {
  std::string bucket, key;
  std::string sha256_hex;  // of the uncompressed log file
  TimePoint oldest_event, newest_event;
};

// The previous digest of the chain.
struct DigestLink {
  std::string bucket, key;
  std::string sha256_hex;     // of its uncompressed JSON
  std::string signature_hex;  // its x-amz-meta-signature
};

struct DigestContents {
  std::string account_id;
  TimePoint start, end;  // whole seconds
  std::string bucket, key;
  std::string public_key_fingerprint;
  std::optional<DigestLink> previous;
  std::vector<DigestLogFile> log_files;
};

// The digest file's S3 key for a trail, the source region and the digest end time.
std::string DigestFileKey(const TrailConfig& trail, const std::string& region, TimePoint end);

// The uncompressed JSON of a digest file.
std::string DigestJson(const DigestContents& digest);

// The string CloudTrail signs (see above); `json_sha256_hex` is the hex SHA-256 of DigestJson.
std::string DigestSigningString(const DigestContents& digest, const std::string& json_sha256_hex);

}  // namespace kiroku::trail
