// What the HTTP load drivers share: reading the root key from kiroku's credentials file and
// signing a POST with SigV4 exactly as the SDKs do (every request signed afresh, so the
// server's full verification runs each time). Header-only: each driver is one binary.
#pragma once

#include <algorithm>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "common/encoding.h"
#include "crypto/hash.h"

namespace kiroku::bench {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// The aws_access_key_id / aws_secret_access_key lines of a shared credentials file; fields
// missing from the file keep their value in `out`.
inline void ReadCredentialsFile(const std::string& path, Credentials& out) {
  std::ifstream in(path);
  std::string line;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") out.access_key_id = value;
    if (key == "aws_secret_access_key") out.secret_access_key = value;
  }
}

// A keep-alive POST / of `body` to `service` in `region`, with `headers` (Host and
// X-Amz-Date are added) all signed.
inline boost::beast::http::request<boost::beast::http::string_body> SignedPost(
    const Credentials& credentials, const std::string& host, const std::string& region,
    const std::string& service, std::vector<net::Header> headers, const std::string& body) {
  namespace http = boost::beast::http;
  std::string amz_date = FormatAmzDate(std::chrono::system_clock::now());
  headers.push_back({"Host", host});
  headers.push_back({"X-Amz-Date", amz_date});
  std::vector<std::string> signed_headers;
  for (const net::Header& h : headers) {
    std::string name = h.name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    signed_headers.push_back(std::move(name));
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  aws::CanonicalInput in{"POST", "/", "", headers, signed_headers, HexEncode(crypto::Sha256(body)),
                         false};
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  std::string signature =
      aws::Sign(aws::SigningKey(credentials.secret_access_key, date, region, service),
                aws::StringToSign(amz_date, scope, aws::CanonicalRequest(in)));
  std::string signed_list;
  for (const std::string& h : signed_headers) signed_list += (signed_list.empty() ? "" : ";") + h;
  http::request<http::string_body> req{http::verb::post, "/", 11};
  for (const net::Header& h : headers) req.set(h.name, h.value);
  req.set(http::field::authorization, "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id +
                                          "/" + scope + ", SignedHeaders=" + signed_list +
                                          ", Signature=" + signature);
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  return req;
}

}  // namespace kiroku::bench
