#include "aws/sigv4.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "common/encoding.h"
#include "crypto/hash.h"

namespace kiroku::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::chrono::seconds kMaxPresignExpiry{604800};

Status AuthError(std::string_view aws_code, std::string message) {
  return Status::Unauthenticated(std::move(message)).WithAwsCode(std::string(aws_code));
}

Status Incomplete(std::string message) {
  return AuthError("IncompleteSignature", std::move(message));
}
Status Mismatch(std::string message) {
  return AuthError("SignatureDoesNotMatch", std::move(message));
}

// S3 names credential-scope faults AuthorizationHeaderMalformed (header) or
// AuthorizationQueryParametersError (presigned), with its own wording; other services answer
// `generic`.
Status ScopeError(const SigV4Options& options, bool presigned, std::string_view s3_detail,
                  Status generic) {
  if (!options.s3) return generic;
  if (presigned) {
    return Status::InvalidArgument("Error parsing the X-Amz-Credential parameter; " +
                                   std::string(s3_detail))
        .WithAwsCode("AuthorizationQueryParametersError");
  }
  return Status::InvalidArgument("The authorization header is malformed; " + std::string(s3_detail))
      .WithAwsCode("AuthorizationHeaderMalformed");
}

Status QueryParametersError(std::string message) {
  return Status::InvalidArgument(std::move(message))
      .WithAwsCode("AuthorizationQueryParametersError");
}

// x-amz-content-sha256 values S3 accepts: a SHA-256 in hex or one of the named modes.
bool IsS3PayloadHash(std::string_view value) {
  if (value == "UNSIGNED-PAYLOAD" || value == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" ||
      value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ||
      value == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
    return true;
  }
  return value.size() == 64 && std::all_of(value.begin(), value.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Trims and collapses inner runs of whitespace to one space (SigV4 header value rule).
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

// RFC 3986 dot-segment removal and empty-segment collapsing, keeping a trailing slash.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> stack;
  size_t start = 0;
  while (start <= path.size()) {
    size_t pos = path.find('/', start);
    if (pos == std::string_view::npos) pos = path.size();
    std::string_view seg = path.substr(start, pos - start);
    if (seg == "..") {
      if (!stack.empty()) stack.pop_back();
    } else if (!seg.empty() && seg != ".") {
      stack.push_back(seg);
    }
    start = pos + 1;
  }
  std::string out;
  for (std::string_view seg : stack) {
    out.push_back('/');
    out.append(seg);
  }
  if (out.empty()) return "/";
  bool trailing =
      !path.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
  if (trailing) out.push_back('/');
  return out;
}

std::string CanonicalQuery(std::string_view query, bool drop_signature) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!query.empty()) {
    for (const std::string& part : Split(query, '&')) {
      if (part.empty()) continue;
      size_t eq = part.find('=');
      std::string name = part.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      // Decode what the client encoded, then encode strictly: the result no longer depends
      // on how liberal the client's encoder was.
      std::string dn = UriDecode(name, false).value_or(name);
      std::string dv = UriDecode(value, false).value_or(value);
      if (drop_signature && dn == "X-Amz-Signature") continue;
      params.emplace_back(UriEncode(dn, false), UriEncode(dv, false));
    }
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

struct AuthParts {
  std::string credential;
  std::vector<std::string> signed_headers;
  std::string signature;
  std::string amz_date;
  std::optional<std::string> security_token;
  std::optional<int64_t> expires;  // presigned only
  std::optional<std::string> expires_text;
  bool presigned = false;
};

Result<AuthParts> ParseAuthorizationHeader(const net::Request& request, std::string_view header) {
  if (!header.starts_with(kAlgorithm) ||
      (header.size() > kAlgorithm.size() && header[kAlgorithm.size()] != ' ')) {
    return Incomplete("Authorization header must use the " + std::string(kAlgorithm) +
                      " algorithm. Authorization=" + std::string(header.substr(0, 64)));
  }
  AuthParts parts;
  bool has_credential = false, has_signed = false, has_signature = false;
  for (const std::string& raw : Split(header.substr(kAlgorithm.size()), ',')) {
    std::string_view item = Trim(raw);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(item.substr(0, eq));
    std::string_view value = Trim(item.substr(eq + 1));
    if (key == "Credential") {
      parts.credential = value;
      has_credential = true;
    } else if (key == "SignedHeaders") {
      parts.signed_headers = Split(value, ';');
      has_signed = true;
    } else if (key == "Signature") {
      parts.signature = value;
      has_signature = true;
    }
  }
  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  const std::string* date = request.FindHeader("X-Amz-Date");
  if (date == nullptr) date = request.FindHeader("Date");
  if (date == nullptr) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) return Incomplete(missing + "Authorization=" + std::string(header));
  parts.amz_date = *date;
  if (const std::string* token = request.FindHeader("X-Amz-Security-Token")) {
    parts.security_token = *token;
  }
  return parts;
}

Result<AuthParts> ParsePresignedQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  for (const std::string& part : Split(query, '&')) {
    size_t eq = part.find('=');
    std::string name = UriDecode(part.substr(0, eq), false).value_or("");
    std::string value =
        eq == std::string::npos ? "" : UriDecode(part.substr(eq + 1), false).value_or("");
    params[name] = value;
  }
  if (params["X-Amz-Algorithm"] != kAlgorithm) {
    return Incomplete("X-Amz-Algorithm only supports \"" + std::string(kAlgorithm) + "\"");
  }
  std::string missing;
  for (const char* name :
       {"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    if (!params.contains(name))
      missing += std::string("Query-string authentication requires the ") + name + " parameter. ";
  }
  if (!missing.empty()) return Incomplete(missing);
  AuthParts parts;
  parts.presigned = true;
  parts.credential = params["X-Amz-Credential"];
  parts.signed_headers = Split(params["X-Amz-SignedHeaders"], ';');
  parts.signature = params["X-Amz-Signature"];
  parts.amz_date = params["X-Amz-Date"];
  if (params.contains("X-Amz-Security-Token"))
    parts.security_token = params["X-Amz-Security-Token"];
  if (params.contains("X-Amz-Expires")) {
    const std::string& e = params["X-Amz-Expires"];
    parts.expires_text = e;
    if (!e.empty() && e.size() <= 9 && std::all_of(e.begin(), e.end(), ::isdigit)) {
      parts.expires = std::stoll(e);
    }
  }
  return parts;
}

// Region names: two letters, one or more lower-case words, a number ("ap-northeast-1",
// "us-gov-west-1").
bool IsRegionName(std::string_view region) {
  std::vector<std::string> parts = Split(region, '-');
  if (parts.size() < 3 || parts[0].size() != 2) return false;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty() || !std::all_of(parts[i].begin(), parts[i].end(), ::islower)) {
      return false;
    }
  }
  const std::string& number = parts.back();
  return !number.empty() && std::all_of(number.begin(), number.end(), ::isdigit);
}

std::string SkewMessage(TimePoint signed_at, TimePoint now, std::chrono::seconds skew) {
  auto minutes = std::to_string(skew.count() / 60);
  if (signed_at < now) {
    return "Signature expired: " + FormatAmzDate(signed_at) + " is now earlier than " +
           FormatAmzDate(now - skew) + " (" + FormatAmzDate(now) + " - " + minutes + " min.)";
  }
  return "Signature not yet current: " + FormatAmzDate(signed_at) + " is still later than " +
         FormatAmzDate(now + skew) + " (" + FormatAmzDate(now) + " + " + minutes + " min.)";
}

}  // namespace

bool HasSigV4(const net::Request& request) {
  if (request.FindHeader("Authorization") != nullptr) return true;
  return request.query().find("X-Amz-Algorithm=") != std::string_view::npos;
}

std::string CanonicalRequest(const CanonicalInput& in) {
  std::string path = in.path.empty() ? "/" : in.path;
  std::string canonical_path = in.s3 ? path : UriEncode(NormalizePath(path), /*keep_slash=*/true);
  std::string out;
  out += in.method;
  out.push_back('\n');
  out += canonical_path;
  out.push_back('\n');
  out += CanonicalQuery(in.query, /*drop_signature=*/true);
  out.push_back('\n');
  for (const std::string& name : in.signed_headers) {
    std::string joined;
    bool first = true;
    for (const net::Header& h : in.headers) {
      if (!net::HeaderNameEquals(h.name, name)) continue;
      if (!first) joined.push_back(',');
      joined += CanonicalHeaderValue(h.value);
      first = false;
    }
    out += name;
    out.push_back(':');
    out += joined;
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < in.signed_headers.size(); ++i) {
    if (i > 0) out.push_back(';');
    out += in.signed_headers[i];
  }
  out.push_back('\n');
  out += in.payload_hash;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += amz_date;
  out.push_back('\n');
  out += scope;
  out.push_back('\n');
  out += HexEncode(crypto::Sha256(canonical_request));
  return out;
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string k_date = crypto::HmacSha256("AWS4" + std::string(secret), date);
  std::string k_region = crypto::HmacSha256(k_date, region);
  std::string k_service = crypto::HmacSha256(k_region, service);
  return crypto::HmacSha256(k_service, kTerminator);
}

std::string Sign(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(crypto::HmacSha256(signing_key, string_to_sign));
}

Result<SignedIdentity> VerifySigV4(const net::Request& request, std::string_view expected_service,
                                   const CredentialLookup& credentials, const Clock& clock,
                                   const SigV4Options& options) {
  const std::string* authorization = request.FindHeader("Authorization");
  bool presigned = request.query().find("X-Amz-Algorithm=") != std::string_view::npos;
  // Two Authorization headers would let a front end and kiroku read different ones.
  if (std::count_if(request.headers.begin(), request.headers.end(), [](const net::Header& h) {
        return net::HeaderNameEquals(h.name, "Authorization");
      }) > 1) {
    if (options.s3) {
      return Status::InvalidArgument("Only one Authorization header may be specified")
          .WithAwsCode("InvalidArgument");
    }
    return Incomplete("Authorization header must appear only once");
  }
  if (authorization == nullptr && !presigned) {
    return AuthError("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  if (authorization != nullptr && presigned) {
    return AuthError("InvalidRequest",
                     "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
                     "or the Authorization header should be specified");
  }
  Result<AuthParts> parsed = authorization != nullptr
                                 ? ParseAuthorizationHeader(request, *authorization)
                                 : ParsePresignedQuery(request.query());
  if (options.s3 && presigned && authorization == nullptr &&
      (!parsed.ok() || !parsed->expires_text)) {
    // S3 requires every parameter, X-Amz-Expires included (an URL without it never expires).
    return QueryParametersError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
  }
  ASSIGN_OR_RETURN(AuthParts parts, std::move(parsed));
  if (parts.presigned && parts.expires_text) {
    const std::string& e = *parts.expires_text;
    if (!parts.expires) {
      bool negative = e.size() > 1 && e[0] == '-' && std::all_of(e.begin() + 1, e.end(), ::isdigit);
      std::string message =
          negative ? "X-Amz-Expires must be non-negative" : "X-Amz-Expires should be a number";
      return options.s3 ? QueryParametersError(message) : Incomplete(message);
    }
    if (*parts.expires > kMaxPresignExpiry.count()) {
      return options.s3 ? QueryParametersError(
                              "X-Amz-Expires must be less than a week (in seconds) that is 604800")
                        : Incomplete("X-Amz-Expires must be between 1 and 604800 seconds");
    }
  }

  // Credential = <key>/<yyyymmdd>/<region>/<service>/aws4_request
  std::vector<std::string> scope = Split(parts.credential, '/');
  if (scope.size() != 5 || scope[0].empty()) {
    return ScopeError(options, parts.presigned,
                      "the Credential is mal-formed; expecting "
                      "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
                      Incomplete("Credential should be of the form "
                                 "'<access key>/<date>/<region>/<service>/aws4_request', not '" +
                                 parts.credential + "'."));
  }
  const std::string& access_key_id = scope[0];
  const std::string& scope_date = scope[1];
  const std::string& region = scope[2];
  const std::string& service = scope[3];
  if (scope[4] != kTerminator) {
    return ScopeError(options, parts.presigned,
                      "incorrect terminal '" + scope[4] + "'. This endpoint uses 'aws4_request'.",
                      Mismatch("Credential should be scoped with a valid terminator: "
                               "'aws4_request', not '" +
                               scope[4] + "'."));
  }
  if (!IsRegionName(region) ||
      (!options.expected_region.empty() && region != options.expected_region)) {
    std::string expecting = options.expected_region.empty() ? "us-east-1" : options.expected_region;
    return ScopeError(
        options, parts.presigned,
        "the region '" + region + "' is wrong; expecting '" + expecting + "'",
        Mismatch("Credential should be scoped to a valid Region, not '" + region + "'."));
  }
  if (!expected_service.empty() && service != expected_service) {
    return ScopeError(options, parts.presigned,
                      "incorrect service '" + service + "'. This endpoint belongs to '" +
                          std::string(expected_service) + "'.",
                      Mismatch("Credential should be scoped to correct service: '" +
                               std::string(expected_service) + "'."));
  }

  std::optional<TimePoint> signed_at = ParseAmzDate(parts.amz_date);
  if (!signed_at) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + parts.amz_date +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (parts.amz_date.substr(0, 8) != scope_date) {
    if (options.s3) {
      return ScopeError(options, parts.presigned,
                        "Invalid credential date \"" + scope_date +
                            "\". This date is not the same as X-Amz-Date: \"" +
                            parts.amz_date.substr(0, 8) + "\".",
                        Status::Ok());
    }
    return Mismatch(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        scope_date + "' != '" + parts.amz_date.substr(0, 8) + "', from '" + parts.amz_date + "'.");
  }

  std::vector<std::string> signed_headers = parts.signed_headers;
  if (!std::is_sorted(signed_headers.begin(), signed_headers.end()) ||
      std::any_of(signed_headers.begin(), signed_headers.end(),
                  [](const std::string& h) { return h.empty() || h != AsciiLower(h); })) {
    return Mismatch("SignedHeaders must be lower-case and sorted, not '" + [&] {
      std::string s;
      for (auto& h : signed_headers) s += h + ";";
      return s;
    }() + "'.");
  }
  auto is_signed = [&](std::string_view name) {
    return std::binary_search(signed_headers.begin(), signed_headers.end(), AsciiLower(name));
  };
  if (!is_signed("host") && !is_signed(":authority")) {
    return Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  for (const net::Header& h : request.headers) {
    std::string name = AsciiLower(h.name);
    if (name.starts_with("x-amz-") && !is_signed(name) && name != "x-amz-content-sha256" &&
        !(parts.presigned && name == "x-amz-security-token")) {
      return Incomplete("There were headers present in the request which were not signed: " + name);
    }
  }

  // S3 checks the declared payload before anything else of the signature.
  const std::string* content_sha = request.FindHeader("X-Amz-Content-Sha256");
  if (options.s3 && !parts.presigned) {
    if (content_sha == nullptr) {
      return Status::InvalidArgument(
                 "Missing required header for this request: x-amz-content-sha256")
          .WithAwsCode("InvalidRequest");
    }
    if (!IsS3PayloadHash(*content_sha)) {
      return Status::InvalidArgument(
                 "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                 "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                 "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
          .WithAwsCode("InvalidArgument");
    }
  }

  Result<Credential> credential = credentials.Lookup(access_key_id);
  if (!credential.ok()) {
    if (credential.status().code() == Code::kNotFound) {
      return AuthError("InvalidClientTokenId",
                       options.s3 ? "The AWS Access Key Id you provided does not exist in our "
                                    "records."
                                  : "The security token included in the request is invalid.");
    }
    return credential.status();
  }
  if (credential->session_token_sha256.has_value() != parts.security_token.has_value() ||
      (parts.security_token && !crypto::ConstantTimeEquals(crypto::Sha256(*parts.security_token),
                                                           *credential->session_token_sha256))) {
    if (options.s3) {
      return Status::InvalidArgument("The provided token is malformed or otherwise invalid.")
          .WithAwsCode("InvalidToken");
    }
    return AuthError("InvalidClientTokenId",
                     "The security token included in the request is invalid.");
  }

  TimePoint now = clock.Now();
  if (parts.presigned) {
    int64_t expires = parts.expires.value_or(kMaxPresignExpiry.count());
    if (expires < (options.s3 ? 0 : 1) || expires > kMaxPresignExpiry.count()) {
      return Incomplete("X-Amz-Expires must be between 1 and 604800 seconds");
    }
    if (*signed_at > now + options.max_skew) {
      if (options.s3) return AuthError("AccessDenied", "Request is not valid yet");
      return Mismatch(SkewMessage(*signed_at, now, options.max_skew));
    }
    if (now > *signed_at + std::chrono::seconds(expires)) {
      if (options.s3) return AuthError("AccessDenied", "Request has expired");
      return Mismatch("Signature expired: " + parts.amz_date + " is now earlier than " +
                      FormatAmzDate(now - std::chrono::seconds(expires)) + " (" +
                      FormatAmzDate(now) + " - " + std::to_string(expires) + " sec.)");
    }
  } else if (*signed_at < now - options.max_skew || *signed_at > now + options.max_skew) {
    if (options.s3) {
      return AuthError("RequestTimeTooSkewed",
                       "The difference between the request time and the current time is too "
                       "large.");
    }
    return Mismatch(SkewMessage(*signed_at, now, options.max_skew));
  }

  CanonicalInput input;
  input.method = request.method;
  input.path = std::string(request.path());
  input.query = std::string(request.query());
  input.headers = request.headers;
  input.signed_headers = signed_headers;
  input.s3 = options.s3;
  if (options.s3 && parts.presigned) {
    input.payload_hash = "UNSIGNED-PAYLOAD";
  } else if (options.s3 && content_sha != nullptr) {
    input.payload_hash = *content_sha;
  } else {
    input.payload_hash = HexEncode(crypto::Sha256(request.body));
  }
  std::string scope_text =
      scope_date + "/" + region + "/" + service + "/" + std::string(kTerminator);
  std::string string_to_sign = StringToSign(parts.amz_date, scope_text, CanonicalRequest(input));
  std::string expected =
      Sign(SigningKey(credential->secret_access_key, scope_date, region, service), string_to_sign);
  if (!crypto::ConstantTimeEquals(expected, AsciiLower(parts.signature))) {
    return Mismatch(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.");
  }
  if (credential->expiration && now >= *credential->expiration) {
    return AuthError("ExpiredToken", options.s3
                                         ? "The provided token has expired."
                                         : "The security token included in the request is expired");
  }

  SignedIdentity identity;
  identity.access_key_id = access_key_id;
  identity.region = region;
  identity.service = service;
  identity.signed_at = *signed_at;
  identity.session_token = parts.security_token;
  identity.presigned = parts.presigned;
  identity.signature = AsciiLower(parts.signature);
  identity.signing_key = SigningKey(credential->secret_access_key, scope_date, region, service);
  identity.amz_date = parts.amz_date;
  identity.scope = scope_text;
  identity.payload_hash = input.payload_hash;
  return identity;
}

namespace {
constexpr size_t kMaxChunkLine = 4096;
constexpr std::string_view kSignedStreaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kSignedStreamingTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
constexpr size_t kMaxTrailers = 16;
const std::string& EmptySha256Hex() {
  static const std::string hex = HexEncode(crypto::Sha256(""));
  return hex;
}
Status BadChunk(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("IncompleteBody");
}
}  // namespace

AwsChunkedReader::AwsChunkedReader(net::BodyReader& raw, const SignedIdentity& identity)
    : raw_(raw),
      identity_(identity),
      signed_(identity.payload_hash == kSignedStreaming ||
              identity.payload_hash == kSignedStreamingTrailer),
      signed_trailer_(identity.payload_hash == kSignedStreamingTrailer),
      previous_signature_(identity.signature) {}

Status AwsChunkedReader::ReadTrailers() {
  std::optional<std::string> trailer_signature;
  while (true) {
    ASSIGN_OR_RETURN(std::string line, ReadLine());
    if (line.empty()) break;
    if (trailer_signature) return BadChunk("x-amz-trailer-signature must be the last trailer");
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return BadChunk("malformed aws-chunked trailer");
    std::string name = AsciiLower(Trim(std::string_view(line).substr(0, colon)));
    std::string value(Trim(std::string_view(line).substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      trailer_signature = AsciiLower(value);
      continue;
    }
    if (trailers_.size() >= kMaxTrailers) return BadChunk("too many aws-chunked trailers");
    trailers_.push_back({std::move(name), std::move(value)});
  }
  if (!signed_trailer_) return Status::Ok();
  // What the trailer signature covers: "name:value\n" per trailer, by name.
  std::vector<const net::Header*> sorted;
  for (const net::Header& h : trailers_) sorted.push_back(&h);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const net::Header* a, const net::Header* b) { return a->name < b->name; });
  std::string canonical;
  for (const net::Header* h : sorted) canonical += h->name + ":" + h->value + "\n";
  if (!trailer_signature) {
    return Status::Unauthenticated("The aws-chunked trailer carries no x-amz-trailer-signature")
        .WithAwsCode("SignatureDoesNotMatch");
  }
  std::string string_to_sign = "AWS4-HMAC-SHA256-TRAILER\n" + identity_.amz_date + "\n" +
                               identity_.scope + "\n" + previous_signature_ + "\n" +
                               HexEncode(crypto::Sha256(canonical));
  if (!crypto::ConstantTimeEquals(Sign(identity_.signing_key, string_to_sign),
                                  *trailer_signature)) {
    return Status::Unauthenticated(
               "The request signature we calculated does not match the signature you provided. "
               "Check your key and signing method.")
        .WithAwsCode("SignatureDoesNotMatch");
  }
  return Status::Ok();
}

Status AwsChunkedReader::Fill() {
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + 64 * 1024);
  Result<size_t> n = raw_.Read(buffer_.data() + old, 64 * 1024);
  if (!n.ok()) {
    buffer_.resize(old);
    return n.status();
  }
  buffer_.resize(old + *n);
  if (*n == 0) return BadChunk("The request body ended inside an aws-chunked frame");
  return Status::Ok();
}

Result<std::string> AwsChunkedReader::ReadLine() {
  while (true) {
    size_t eol = buffer_.find("\r\n", pos_);
    if (eol != std::string::npos) {
      std::string line = buffer_.substr(pos_, eol - pos_);
      pos_ = eol + 2;
      return line;
    }
    if (buffer_.size() - pos_ > kMaxChunkLine) return BadChunk("aws-chunked header line too long");
    RETURN_IF_ERROR(Fill());
  }
}

Status AwsChunkedReader::FinishChunk() {
  if (!signed_) return Status::Ok();
  std::string string_to_sign = "AWS4-HMAC-SHA256-PAYLOAD\n" + identity_.amz_date + "\n" +
                               identity_.scope + "\n" + previous_signature_ + "\n" +
                               EmptySha256Hex() + "\n" + HexEncode(chunk_hash_->Finish());
  chunk_hash_.reset();
  std::string expected = Sign(identity_.signing_key, string_to_sign);
  if (!crypto::ConstantTimeEquals(expected, chunk_signature_)) {
    return Status::Unauthenticated(
               "The request signature we calculated does not match the signature you provided. "
               "Check your key and signing method.")
        .WithAwsCode("SignatureDoesNotMatch");
  }
  previous_signature_ = chunk_signature_;
  return Status::Ok();
}

Result<size_t> AwsChunkedReader::Read(char* out, size_t capacity) {
  while (!done_) {
    if (in_chunk_ && chunk_left_ > 0) {
      if (pos_ == buffer_.size()) RETURN_IF_ERROR(Fill());
      size_t n = std::min<uint64_t>({capacity, chunk_left_, buffer_.size() - pos_});
      std::memcpy(out, buffer_.data() + pos_, n);
      if (chunk_hash_) chunk_hash_->Update(std::string_view(out, n));
      pos_ += n;
      chunk_left_ -= n;
      decoded_ += n;
      return n;
    }
    if (in_chunk_) {
      ASSIGN_OR_RETURN(std::string crlf, ReadLine());
      if (!crlf.empty()) return BadChunk("aws-chunked data is longer than its declared size");
      RETURN_IF_ERROR(FinishChunk());
      in_chunk_ = false;
      continue;
    }
    ASSIGN_OR_RETURN(std::string line, ReadLine());
    std::string_view header = line;
    size_t semi = header.find(';');
    std::string_view size_hex = header.substr(0, semi);
    uint64_t size = 0;
    if (size_hex.empty() || size_hex.size() > 15) return BadChunk("bad aws-chunked size");
    for (char c : size_hex) {
      int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                  : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                              : -1;
      if (digit < 0) return BadChunk("bad aws-chunked size");
      size = size * 16 + static_cast<uint64_t>(digit);
    }
    chunk_signature_.clear();
    if (semi != std::string_view::npos) {
      std::string_view ext = header.substr(semi + 1);
      constexpr std::string_view kSig = "chunk-signature=";
      if (ext.starts_with(kSig)) chunk_signature_ = AsciiLower(ext.substr(kSig.size()));
    }
    if (signed_ && chunk_signature_.empty()) {
      return Status::Unauthenticated("aws-chunked chunk without chunk-signature")
          .WithAwsCode("SignatureDoesNotMatch");
    }
    if (signed_) chunk_hash_ = std::make_unique<crypto::Sha256Hasher>();
    if (size == 0) {
      RETURN_IF_ERROR(FinishChunk());
      // Trailing headers (checksums) up to the empty line, signed in the -TRAILER mode.
      RETURN_IF_ERROR(ReadTrailers());
      done_ = true;
      break;
    }
    chunk_left_ = size;
    in_chunk_ = true;
  }
  return size_t{0};
}

bool IsS3PresignedV2(const net::Request& request) {
  std::string_view q = request.query();
  return request.FindHeader("Authorization") == nullptr &&
         q.find("AWSAccessKeyId=") != std::string_view::npos &&
         q.find("Signature=") != std::string_view::npos;
}

Result<SignedIdentity> VerifyS3PresignedV2(const net::Request& request,
                                           std::string_view bucket_for_virtual_host,
                                           const CredentialLookup& credentials,
                                           const Clock& clock) {
  std::map<std::string, std::string> params;
  std::vector<std::pair<std::string, std::string>> subresources;
  static const std::set<std::string, std::less<>> kSubresources = {"acl",
                                                                   "delete",
                                                                   "lifecycle",
                                                                   "location",
                                                                   "logging",
                                                                   "notification",
                                                                   "partNumber",
                                                                   "policy",
                                                                   "requestPayment",
                                                                   "response-cache-control",
                                                                   "response-content-disposition",
                                                                   "response-content-encoding",
                                                                   "response-content-language",
                                                                   "response-content-type",
                                                                   "response-expires",
                                                                   "tagging",
                                                                   "torrent",
                                                                   "uploadId",
                                                                   "uploads",
                                                                   "versionId",
                                                                   "versioning",
                                                                   "versions",
                                                                   "website",
                                                                   "encryption"};
  for (const std::string& part : Split(std::string(request.query()), '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = UriDecode(part.substr(0, eq), true);
    auto value = UriDecode(eq == std::string::npos ? "" : part.substr(eq + 1), true);
    if (!name || !value) return Incomplete("Malformed query string");
    if (kSubresources.contains(*name)) {
      subresources.emplace_back(*name, eq == std::string::npos ? std::string() : "=" + *value);
    }
    params[*name] = *value;
  }
  const std::string& access_key_id = params["AWSAccessKeyId"];
  const std::string& expires_text = params["Expires"];
  int64_t expires = 0;
  try {
    expires = std::stoll(expires_text);
  } catch (const std::exception&) {
    return AuthError("AccessDenied",
                     "Query-string authentication requires the Signature, "
                     "Expires and AWSAccessKeyId parameters");
  }
  Result<Credential> credential = credentials.Lookup(access_key_id);
  if (!credential.ok()) {
    if (credential.status().code() == Code::kNotFound) {
      return AuthError("InvalidClientTokenId",
                       "The AWS Access Key Id you provided does not exist in our records.");
    }
    return credential.status();
  }
  if (credential->session_token_sha256) {
    const std::string* token = request.FindHeader("x-amz-security-token");
    std::string query_token =
        params.count("x-amz-security-token") ? params["x-amz-security-token"] : "";
    std::string_view t = token ? std::string_view(*token) : std::string_view(query_token);
    if (!crypto::ConstantTimeEquals(crypto::Sha256(t), *credential->session_token_sha256)) {
      return Status::InvalidArgument("The provided token is malformed or otherwise invalid.")
          .WithAwsCode("InvalidToken");
    }
  }
  std::string resource =
      bucket_for_virtual_host.empty()
          ? std::string(request.path())
          : "/" + std::string(bucket_for_virtual_host) + std::string(request.path());
  std::sort(subresources.begin(), subresources.end());
  for (size_t i = 0; i < subresources.size(); ++i) {
    resource += (i == 0 ? "?" : "&") + subresources[i].first + subresources[i].second;
  }
  std::map<std::string, std::string> amz_headers;
  for (const net::Header& h : request.headers) {
    std::string name = AsciiLower(h.name);
    if (name.starts_with("x-amz-")) {
      std::string& v = amz_headers[name];
      v += (v.empty() ? "" : ",") + h.value;
    }
  }
  const std::string* md5 = request.FindHeader("Content-MD5");
  const std::string* type = request.FindHeader("Content-Type");
  std::string string_to_sign = request.method + "\n" + (md5 ? *md5 : "") + "\n" +
                               (type ? *type : "") + "\n" + expires_text + "\n";
  for (const auto& [name, value] : amz_headers) string_to_sign += name + ":" + value + "\n";
  string_to_sign += resource;
  std::string expected =
      Base64Encode(crypto::HmacSha1(credential->secret_access_key, string_to_sign));
  if (!crypto::ConstantTimeEquals(expected, params["Signature"])) {
    return Mismatch(
        "The request signature we calculated does not match the signature you provided. Check "
        "your key and signing method.");
  }
  TimePoint now = clock.Now();
  if (now > TimePoint(std::chrono::seconds(expires))) {
    return AuthError("AccessDenied", "Request has expired");
  }
  if (credential->expiration && now >= *credential->expiration) {
    return AuthError("ExpiredToken", "The provided token has expired.");
  }
  SignedIdentity identity;
  identity.access_key_id = access_key_id;
  identity.presigned = true;
  identity.signed_at = now;
  identity.payload_hash = "UNSIGNED-PAYLOAD";
  return identity;
}

}  // namespace kiroku::aws
