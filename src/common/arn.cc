#include "common/arn.h"

#include <array>

namespace kiroku {
namespace {

Arn Make(std::string_view service, std::string_view region, std::string_view account,
         std::string_view resource) {
  Arn arn;
  arn.service = service;
  arn.region = region;
  arn.account = account;
  arn.resource = resource;
  return arn;
}

}  // namespace

std::optional<Arn> Arn::Parse(std::string_view text) {
  if (!text.starts_with("arn:")) return std::nullopt;
  std::array<std::string_view, 5> parts;
  size_t at = 0;
  for (std::string_view& part : parts) {
    size_t colon = text.find(':', at);
    if (colon == std::string_view::npos) return std::nullopt;
    part = text.substr(at, colon - at);
    at = colon + 1;
  }
  Arn arn;
  arn.partition = parts[1];
  arn.service = parts[2];
  arn.region = parts[3];
  arn.account = parts[4];
  arn.resource = text.substr(at);
  return arn;
}

Arn Arn::Iam(std::string_view account, std::string_view resource) {
  return Make("iam", "", account, resource);
}
Arn Arn::Sts(std::string_view account, std::string_view resource) {
  return Make("sts", "", account, resource);
}
Arn Arn::Kms(std::string_view region, std::string_view account, std::string_view resource) {
  return Make("kms", region, account, resource);
}
Arn Arn::Logs(std::string_view region, std::string_view account, std::string_view resource) {
  return Make("logs", region, account, resource);
}
Arn Arn::CloudTrail(std::string_view region, std::string_view account, std::string_view resource) {
  return Make("cloudtrail", region, account, resource);
}
Arn Arn::Sns(std::string_view region, std::string_view account, std::string_view resource) {
  return Make("sns", region, account, resource);
}
Arn Arn::S3(std::string_view resource) { return Make("s3", "", "", resource); }

std::string Arn::Prefix() const {
  std::string out;
  out.reserve(16 + service.size() + region.size() + account.size());
  out.append("arn:").append(partition).append(":").append(service).append(":");
  out.append(region).append(":").append(account).append(":");
  return out;
}

std::string Arn::ToString() const { return Prefix() + resource; }

}  // namespace kiroku
