// S3 as an api::RestRoute: which requests are S3's, the operation a request's method, path,
// query and headers name, its input (Bucket, Key, Query, Headers, Metadata), the bucket's region
// its signature must be scoped to, and what S3's error documents add.
#include <cctype>

#include "aws/errors.h"
#include "services/s3/s3_internal.h"
#include "services/s3/s3_service.h"

namespace kiroku::services {
using namespace s3_internal;  // NOLINT: the S3 files share these helpers

namespace {

constexpr size_t kMaxKeyBytes = 1024;

Result<std::string> OperationName(const net::Request& request, const aws::S3Target& target,
                                  const json::object& query, bool copy_source) {
  const std::string& m = request.method;
  auto q = [&](std::string_view name) { return query.find(name) != query.end(); };
  if (target.bucket.empty()) {
    if (m == "GET") return std::string("ListBuckets");
  } else if (target.key.empty()) {
    static const char* kUnsupported[] = {"lifecycle",           "cors",        "website",
                                         "versioning",          "logging",     "notification",
                                         "replication",         "object-lock", "ownershipControls",
                                         "publicAccessBlock",   "accelerate",  "requestPayment",
                                         "analytics",           "metrics",     "inventory",
                                         "intelligent-tiering", "versions"};
    for (const char* sub : kUnsupported) {
      if (q(sub)) {
        if (std::string_view(sub) == "versioning" && m == "GET")
          return std::string("GetBucketVersioning");
        return Status::InvalidArgument(std::string("The ?") + sub +
                                       " subresource is not implemented by kiroku")
            .WithAwsCode("NotImplemented");
      }
    }
    if (m == "PUT") {
      if (q("policy")) return std::string("PutBucketPolicy");
      if (q("encryption")) return std::string("PutBucketEncryption");
      if (q("tagging")) return std::string("PutBucketTagging");
      if (q("acl")) return std::string("PutBucketAcl");
      return std::string("CreateBucket");
    }
    if (m == "GET") {
      if (q("policy")) return std::string("GetBucketPolicy");
      if (q("location")) return std::string("GetBucketLocation");
      if (q("acl")) return std::string("GetBucketAcl");
      if (q("encryption")) return std::string("GetBucketEncryption");
      if (q("tagging")) return std::string("GetBucketTagging");
      if (q("uploads")) return std::string("ListMultipartUploads");
      if (auto it = query.find("list-type"); it != query.end() && it->value() == "2") {
        return std::string("ListObjectsV2");
      }
      return std::string("ListObjects");
    }
    if (m == "DELETE") {
      if (q("policy")) return std::string("DeleteBucketPolicy");
      if (q("encryption")) return std::string("DeleteBucketEncryption");
      if (q("tagging")) return std::string("DeleteBucketTagging");
      return std::string("DeleteBucket");
    }
    if (m == "HEAD") return std::string("HeadBucket");
    if (m == "POST" && q("delete")) return std::string("DeleteObjects");
  } else {
    if (q("tagging")) {
      if (m == "GET") return std::string("GetObjectTagging");
      if (m == "PUT") return std::string("PutObjectTagging");
      if (m == "DELETE") return std::string("DeleteObjectTagging");
    }
    if (q("acl") || q("retention") || q("legal-hold") || q("torrent") || q("restore") ||
        q("select") || q("attributes")) {
      return Status::InvalidArgument("This object subresource is not implemented by kiroku")
          .WithAwsCode("NotImplemented");
    }
    if (m == "PUT") {
      if (q("partNumber") && q("uploadId")) {
        return std::string(copy_source ? "UploadPartCopy" : "UploadPart");
      }
      return std::string(copy_source ? "CopyObject" : "PutObject");
    }
    if (m == "GET") return std::string(q("uploadId") ? "ListParts" : "GetObject");
    if (m == "HEAD") return std::string("HeadObject");
    if (m == "DELETE") return std::string(q("uploadId") ? "AbortMultipartUpload" : "DeleteObject");
    if (m == "POST") {
      if (q("uploads")) return std::string("CreateMultipartUpload");
      if (q("uploadId")) return std::string("CompleteMultipartUpload");
    }
  }
  return Status::InvalidArgument("The specified method is not allowed against this resource.")
      .WithAwsCode("MethodNotAllowed");
}

}  // namespace

bool S3Service::Matches(const net::Request& head) const { return aws::IsS3Request(head); }

Status S3Service::Route(api::RequestContext& ctx) const {
  ctx.route.protocol = aws::Protocol::kRestXml;
  ctx.route.model = aws::ServiceModel::Find("s3");
  const net::Request& request = ctx.http;
  ASSIGN_OR_RETURN(aws::S3Target target, aws::ParseS3Target(request));
  ASSIGN_OR_RETURN(auto params, aws::ParseS3Query(request.query()));
  json::object query;
  for (auto& [k, v] : params) {
    if (!k.starts_with("X-Amz-")) query[k] = v;
  }
  json::object headers;
  json::object metadata;
  for (const net::Header& h : request.headers) {
    std::string name = AsciiLower(h.name);
    headers[name] = h.value;
    if (name.starts_with("x-amz-meta-")) metadata[name.substr(11)] = h.value;
  }
  bool copy_source = headers.contains("x-amz-copy-source");
  ASSIGN_OR_RETURN(ctx.route.operation_name, OperationName(request, target, query, copy_source));
  if (target.key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument("Your key is too long").WithAwsCode("KeyTooLongError");
  }
  ctx.input["Bucket"] = target.bucket;
  ctx.input["Key"] = target.key;
  ctx.input["Query"] = std::move(query);
  ctx.input["Headers"] = std::move(headers);
  ctx.input["Metadata"] = std::move(metadata);

  ctx.s3_virtual_host_bucket = target.virtual_hosted ? target.bucket : "";
  // The signature must be scoped to the bucket's region; legacy (SigV2) presigned URLs carry
  // no region: the bucket's own applies, us-east-1 when the bucket does not exist (what the
  // records of the call say).
  if (!target.bucket.empty()) {
    if (auto b = store_.GetBucket(target.bucket); b.ok()) ctx.signing_region = b->region;
  }
  ctx.region = ctx.signing_region.empty() ? "us-east-1" : ctx.signing_region;
  return Status::Ok();
}

// The elements S3 adds to some error documents, which SDKs read (botocore re-signs for the
// <Region> of an AuthorizationHeaderMalformed).
void S3Service::DecorateError(const api::RequestContext& ctx, const Status& status,
                              net::Response& response) const {
  std::vector<std::pair<std::string, std::string>> details;
  const std::string& code = status.aws_code();
  if (!ctx.signing_region.empty() &&
      (code == "AuthorizationHeaderMalformed" || code == "AuthorizationQueryParametersError") &&
      status.message().find("the region '") != std::string::npos) {
    details.emplace_back("Region", ctx.signing_region);
  }
  if (code == "RequestTimeTooSkewed") {
    const std::string* date = ctx.http.FindHeader("X-Amz-Date");
    if (date != nullptr) details.emplace_back("RequestTime", *date);
    details.emplace_back("ServerTime", FormatIso8601(clock_.Now()));
    details.emplace_back("MaxAllowedSkewMilliseconds", "900000");
  } else if (code == "AccessDenied" && status.message() == "Request has expired") {
    details.emplace_back("ServerTime", FormatIso8601(clock_.Now()));
  }
  if (!details.empty()) {
    std::string extra;
    for (const auto& [name, value] : details) {
      extra += "<" + name + ">" + aws::XmlEscape(value) + "</" + name + ">";
      if (name == "Region") response.SetHeader("x-amz-bucket-region", value);
    }
    if (size_t at = response.body.find("<RequestId>"); at != std::string::npos) {
      response.body.insert(at, extra);
    }
  }
  if (ctx.http.method == "HEAD") response.body.clear();
  if (code == "NotModified") response.body.clear();
}

}  // namespace kiroku::services
