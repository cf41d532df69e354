// SigV4: verification of AWS Signature Version 4 requests, header and presigned-query forms.
// The canonical request follows the rules botocore signs with (aws-behavior.md §8.4):
// normalised path URI-encoded (twice for non-S3 services, whose wire path is already encoded),
// query parameters re-encoded and sorted, signed headers lower-cased, trimmed and joined,
// and the payload hashed by the server. Signatures are compared in constant time.
//
// Failures are Status values whose aws_code() is the query-protocol name of the error
// (InvalidClientTokenId, SignatureDoesNotMatch, IncompleteSignature, MissingAuthenticationToken,
// ExpiredToken); aws/errors.cc renders the JSON-protocol names.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/hash.h"
#include "net/http.h"

namespace kiroku::aws {

// A secret found for an access key id.
struct Credential {
  std::string secret_access_key;
  // For temporary credentials: the SHA-256 digest (32 raw bytes) of the session token the
  // request must carry, and when the credentials stop working. Only the digest is needed, so
  // the issuer never has to keep the token itself; the request's token is hashed and the
  // digests compared in constant time.
  std::optional<std::string> session_token_sha256;
  std::optional<TimePoint> expiration;
};

// Finds the secret of an access key. Implemented by iam/ (wired in app/).
class CredentialLookup {
 public:
  virtual ~CredentialLookup() = default;
  // NotFound when the key does not exist or is inactive.
  virtual Result<Credential> Lookup(std::string_view access_key_id) const = 0;
};

// What a valid signature establishes.
struct SignedIdentity {
  std::string access_key_id;
  std::string region;   // from the credential scope
  std::string service;  // from the credential scope
  TimePoint signed_at;
  std::optional<std::string> session_token;
  bool presigned = false;
  // What S3's aws-chunked uploads chain their chunk signatures from.
  std::string signature;     // hex, lower-case: the seed signature
  std::string signing_key;   // raw bytes
  std::string amz_date;      // "20261126T213114Z"
  std::string scope;         // "<date>/<region>/<service>/aws4_request"
  std::string payload_hash;  // what the signature covered (hex, UNSIGNED-PAYLOAD, STREAMING-…)
};

// Decodes an S3 `aws-chunked` body as it is read ("<hex size>;chunk-signature=<sig>\r\n<data>\r\n"
// ... "0;chunk-signature=<sig>\r\n\r\n"). With STREAMING-AWS4-HMAC-SHA256-PAYLOAD every chunk's
// signature is verified, chained from the seed signature; with
// STREAMING-UNSIGNED-PAYLOAD-TRAILER chunks carry no signature and trailing headers (checksums,
// "x-amz-checksum-crc32:<base64>\r\n") follow the last chunk; with
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER chunks are signed and the trailers end with
// "x-amz-trailer-signature:<sig>", verified over "name:value\n" of each trailer, chained from
// the last chunk's signature. A chunk's bytes are delivered before its signature can be checked (a
// chunk may be megabytes), so the consumer must commit nothing until Read has returned 0:
// a bad signature or framing makes a later Read fail (SignatureDoesNotMatch / IncompleteBody).
class AwsChunkedReader final : public net::BodyReader {
 public:
  // `raw` and `identity` must outlive the reader.
  AwsChunkedReader(net::BodyReader& raw, const SignedIdentity& identity);
  Result<size_t> Read(char* out, size_t capacity) override;
  uint64_t decoded_bytes() const { return decoded_; }
  // The trailing headers (names lower-case, without x-amz-trailer-signature), once Read has
  // returned 0.
  const std::vector<net::Header>& trailers() const { return trailers_; }

 private:
  Result<std::string> ReadLine();
  Status ReadTrailers();
  Status Fill();
  Status FinishChunk();

  net::BodyReader& raw_;
  const SignedIdentity& identity_;
  bool signed_;
  bool signed_trailer_;
  std::vector<net::Header> trailers_;
  std::string buffer_;
  size_t pos_ = 0;
  std::string previous_signature_;
  std::string chunk_signature_;
  uint64_t chunk_left_ = 0;
  bool in_chunk_ = false;
  bool done_ = false;
  uint64_t decoded_ = 0;
  std::unique_ptr<crypto::Sha256Hasher> chunk_hash_;
};

struct SigV4Options {
  // Allowed distance between the request's time stamp and now.
  std::chrono::seconds max_skew = std::chrono::minutes(5);
  // S3 rules: single path encoding, no path normalisation, x-amz-content-sha256 required and
  // honoured, and S3's own error codes: AuthorizationHeaderMalformed /
  // AuthorizationQueryParametersError for a bad credential scope, RequestTimeTooSkewed,
  // AccessDenied "Request has expired" for a presigned URL, InvalidToken for a session token
  // that does not match, InvalidArgument for a bad x-amz-content-sha256, X-Amz-Expires
  // required. (S3's skew is 15 minutes: the caller sets max_skew.)
  bool s3 = false;
  // When not empty, the scope's region must be this one (S3: the bucket's region).
  std::string expected_region;
};

// Verifies `request`. `expected_service`, when not empty, must equal the scope's service.
Result<SignedIdentity> VerifySigV4(const net::Request& request, std::string_view expected_service,
                                   const CredentialLookup& credentials, const Clock& clock,
                                   const SigV4Options& options = {});

// S3's legacy presigned URL (Signature Version 2 in the query: AWSAccessKeyId, Expires,
// Signature), as `aws s3 presign` produces by default: HMAC-SHA1 over the method, Content-MD5,
// Content-Type, Expires, the x-amz-* headers and the resource "/bucket/key" with its
// sub-resources. `bucket_for_virtual_host` is the bucket taken from the Host header (empty for
// path-style). AccessDenied once expired; SignatureDoesNotMatch; InvalidClientTokenId.
Result<SignedIdentity> VerifyS3PresignedV2(const net::Request& request,
                                           std::string_view bucket_for_virtual_host,
                                           const CredentialLookup& credentials, const Clock& clock);
bool IsS3PresignedV2(const net::Request& request);

// True when the request carries any SigV4 material (Authorization header or X-Amz-Algorithm).
bool HasSigV4(const net::Request& request);

// Building blocks, exposed for tests and for signing (the console and e2e tools sign requests).
struct CanonicalInput {
  std::string method;
  std::string path;   // raw, as on the wire
  std::string query;  // raw, without '?'
  std::vector<net::Header> headers;
  std::vector<std::string> signed_headers;  // lower-case, sorted
  std::string payload_hash;                 // hex
  bool s3 = false;
};
std::string CanonicalRequest(const CanonicalInput& input);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
// Hex signature of `string_to_sign`.
std::string Sign(std::string_view signing_key, std::string_view string_to_sign);

}  // namespace kiroku::aws
