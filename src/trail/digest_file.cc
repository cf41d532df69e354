#include "trail/digest_file.h"

#include <boost/json.hpp>

#include "common/encoding.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

json::value OrNull(const std::optional<DigestLink>& link, std::string DigestLink::*field) {
  if (!link) return nullptr;
  return json::value((*link).*field);
}

}  // namespace

std::string DigestFileKey(const TrailConfig& trail, const std::string& region, TimePoint end) {
  std::string prefix = trail.s3_key_prefix.empty() ? "" : trail.s3_key_prefix + "/";
  return prefix + "AWSLogs/" + trail.account_id + "/CloudTrail-Digest/" + region + "/" +
         FormatUtc(end, "%Y/%m/%d/") + trail.account_id + "_CloudTrail-Digest_" + region + "_" +
         trail.name + "_" + trail.home_region + "_" + FormatAmzDate(end) + ".json.gz";
}

std::string DigestJson(const DigestContents& d) {
  json::array files;
  std::optional<TimePoint> oldest, newest;
  for (const DigestLogFile& f : d.log_files) {
    files.push_back(json::object{{"s3Bucket", f.bucket},
                                 {"s3Object", f.key},
                                 {"hashValue", f.sha256_hex},
                                 {"hashAlgorithm", kDigestHashAlgorithm},
                                 {"newestEventTime", FormatIso8601(f.newest_event)},
                                 {"oldestEventTime", FormatIso8601(f.oldest_event)}});
    oldest = oldest ? std::min(*oldest, f.oldest_event) : f.oldest_event;
    newest = newest ? std::max(*newest, f.newest_event) : f.newest_event;
  }
  auto time_or_null = [](const std::optional<TimePoint>& t) -> json::value {
    if (!t) return nullptr;
    return json::value(FormatIso8601(*t));
  };
  // Members in AWS's order (boost::json::object keeps insertion order).
  json::object o;
  o["awsAccountId"] = d.account_id;
  o["digestStartTime"] = FormatIso8601(d.start);
  o["digestEndTime"] = FormatIso8601(d.end);
  o["digestS3Bucket"] = d.bucket;
  o["digestS3Object"] = d.key;
  o["digestPublicKeyFingerprint"] = d.public_key_fingerprint;
  o["digestSignatureAlgorithm"] = kDigestSignatureAlgorithm;
  o["newestEventTime"] = time_or_null(newest);
  o["oldestEventTime"] = time_or_null(oldest);
  o["previousDigestS3Bucket"] = OrNull(d.previous, &DigestLink::bucket);
  o["previousDigestS3Object"] = OrNull(d.previous, &DigestLink::key);
  o["previousDigestHashValue"] = OrNull(d.previous, &DigestLink::sha256_hex);
  o["previousDigestHashAlgorithm"] =
      d.previous ? json::value(kDigestHashAlgorithm) : json::value(nullptr);
  o["previousDigestSignature"] = OrNull(d.previous, &DigestLink::signature_hex);
  o["logFiles"] = std::move(files);
  return json::serialize(o);
}

std::string DigestSigningString(const DigestContents& d, const std::string& json_sha256_hex) {
  return FormatIso8601(d.end) + "\n" + d.bucket + "/" + d.key + "\n" + json_sha256_hex + "\n" +
         (d.previous ? d.previous->signature_hex : std::string("null"));
}

}  // namespace kiroku::trail
