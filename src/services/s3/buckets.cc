// S3 buckets: create, head, list, location, versioning, delete, and the bucket policy, ACL,
// default encryption and tagging subresources.
#include "api/json_members.h"
#include "common/encoding.h"
#include "services/s3/s3_internal.h"
#include "services/s3/s3_service.h"

namespace kiroku::services {
using namespace s3_internal;  // NOLINT: the S3 files share these helpers
using api::RequestContext;
using api::Str;

Status S3Service::CreateBucket(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket");
  RETURN_IF_ERROR(s3::ValidateBucketName(bucket));
  RETURN_IF_ERROR(ValidateAcl(ctx));
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
  std::string location;
  if (!text.empty()) {
    ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
    if (doc.name != "CreateBucketConfiguration") return MalformedXml();
    location = doc.ChildText("LocationConstraint").value_or("");
  }
  // As in AWS: the constraint must name the region the request was sent to (us-east-1 takes
  // none).
  std::string expected = ctx.region == "us-east-1" ? "" : ctx.region;
  if (location != expected) {
    if (location.empty()) {
      return Status::InvalidArgument(
                 "The unspecified location constraint is incompatible for the "
                 "region specific endpoint this request was sent to.")
          .WithAwsCode("IllegalLocationConstraintException");
    }
    return Status::InvalidArgument("The " + location +
                                   " location constraint is incompatible for "
                                   "the region specific endpoint this request was sent to.")
        .WithAwsCode("IllegalLocationConstraintException");
  }
  s3::BucketRecord record;
  record.name = bucket;
  record.account = ctx.account;
  record.region = ctx.region;
  record.created = clock_.Now();
  RETURN_IF_ERROR(store_.CreateBucket(record));
  reply.Set("Location", "/" + bucket);
  return Status::Ok();
}

Result<s3::BucketRecord> S3Service::OwnBucket(const RequestContext& ctx) const {
  return store_.GetBucket(Str(ctx.input, "Bucket"));
}

Status S3Service::ListBuckets(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(std::vector<s3::BucketRecord> buckets, store_.ListBuckets(ctx.account));
  aws::XmlWriter xml("ListAllMyBucketsResult");
  xml.Open("Owner").Leaf("ID", ctx.account).Leaf("DisplayName", ctx.account).Close();
  xml.Open("Buckets");
  for (const s3::BucketRecord& b : buckets) {
    xml.Open("Bucket")
        .Leaf("Name", b.name)
        .Leaf("CreationDate", FormatIso8601Millis(b.created))
        .Leaf("BucketRegion", b.region)
        .Close();
  }
  xml.Close();
  reply.body = xml.Finish();
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::HeadBucket(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  reply.Set("x-amz-bucket-region", b.region);
  return Status::Ok();
}

Status S3Service::GetBucketLocation(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  reply.body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
      (b.region == "us-east-1" ? std::string() : b.region) + "</LocationConstraint>";
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::GetBucketVersioning(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  RETURN_IF_ERROR(OwnBucket(ctx).status());
  reply.body = aws::XmlWriter("VersioningConfiguration").Finish();
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::DeleteBucket(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  RETURN_IF_ERROR(store_.DeleteBucket(Str(ctx.input, "Bucket")));
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::PutBucketPolicy(RequestContext& ctx, net::BodyReader& body,
                                  S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
  if (text.size() > 20 * 1024) {
    return Status::InvalidArgument("Policies must be less than 20 KB")
        .WithAwsCode("MalformedPolicy");
  }
  auto parsed = policy::ParsePolicy(text, {policy::PolicyKind::kResource, "bucket-policy"});
  if (!parsed.ok()) {
    return Status::InvalidArgument(parsed.status().message()).WithAwsCode("MalformedPolicy");
  }
  // Every Resource must be this bucket or objects in it, as S3 checks.
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (!ec && doc.is_object()) {
    auto check = [&](const json::value& r) -> Status {
      if (!r.is_string()) return Status::Ok();
      std::string_view arn = r.as_string();
      std::string base = BucketArn(b.name);
      if (arn != base && !arn.starts_with(base + "/")) {
        return Status::InvalidArgument("Policy has invalid resource")
            .WithAwsCode("MalformedPolicy");
      }
      return Status::Ok();
    };
    if (auto st = doc.as_object().find("Statement"); st != doc.as_object().end()) {
      std::vector<const json::value*> statements;
      if (st->value().is_array()) {
        for (const json::value& s : st->value().as_array()) statements.push_back(&s);
      } else {
        statements.push_back(&st->value());
      }
      for (const json::value* s : statements) {
        if (!s->is_object()) continue;
        for (std::string_view field : {"Resource", "NotResource"}) {
          auto r = s->as_object().find(field);
          if (r == s->as_object().end()) continue;
          if (r->value().is_array()) {
            for (const json::value& one : r->value().as_array()) RETURN_IF_ERROR(check(one));
          } else {
            RETURN_IF_ERROR(check(r->value()));
          }
        }
      }
    }
  }
  b.policy = text;
  RETURN_IF_ERROR(store_.UpdateBucket(b));
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::GetBucketPolicy(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  if (b.policy.empty()) {
    return Status::NotFound("The bucket policy does not exist").WithAwsCode("NoSuchBucketPolicy");
  }
  reply.body = b.policy;
  reply.Set("Content-Type", "application/json");
  return Status::Ok();
}

Status S3Service::DeleteBucketPolicy(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  b.policy.clear();
  RETURN_IF_ERROR(store_.UpdateBucket(b));
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::GetBucketAcl(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  aws::XmlWriter xml("AccessControlPolicy");
  xml.Open("Owner").Leaf("ID", b.account).Leaf("DisplayName", b.account).Close();
  xml.Open("AccessControlList").Open("Grant");
  xml.Open("Grantee",
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xsi:type=\"CanonicalUser\"")
      .Leaf("ID", b.account)
      .Leaf("DisplayName", b.account)
      .Close()
      .Leaf("Permission", "FULL_CONTROL");
  reply.body = xml.Finish();
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::PutBucketAcl(RequestContext& ctx, net::BodyReader& body, S3Reply&) const {
  RETURN_IF_ERROR(OwnBucket(ctx).status());
  (void)ReadSmallBody(body);
  auto acl = HeaderOf(ctx, "x-amz-acl");
  if (acl && *acl == "private") return Status::Ok();
  return Status::InvalidArgument(
             "kiroku buckets are owner-only: only the canned ACL 'private' "
             "is accepted")
      .WithAwsCode("NotImplemented");
}

Status S3Service::PutBucketEncryption(RequestContext& ctx, net::BodyReader& body, S3Reply&) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
  ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
  const aws::XmlElement* rule = doc.Child("Rule");
  const aws::XmlElement* def = rule ? rule->Child("ApplyServerSideEncryptionByDefault") : nullptr;
  if (doc.name != "ServerSideEncryptionConfiguration" || def == nullptr) return MalformedXml();
  std::string algorithm = def->ChildText("SSEAlgorithm").value_or("");
  std::string key = def->ChildText("KMSMasterKeyID").value_or("");
  if (algorithm != "AES256" && algorithm != "aws:kms") return MalformedXml();
  if (algorithm == "AES256" && !key.empty()) {
    return InvalidArgument(
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms");
  }
  b.sse_algorithm = algorithm;
  b.kms_key_id = key;
  b.bucket_key_enabled = rule->ChildText("BucketKeyEnabled").value_or("false") == "true";
  b.encryption_configured = true;
  return store_.UpdateBucket(b);
}

Status S3Service::GetBucketEncryption(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  // Every bucket encrypts with SSE-S3 at least, as S3 does since 2023.
  aws::XmlWriter xml("ServerSideEncryptionConfiguration");
  xml.Open("Rule")
      .Open("ApplyServerSideEncryptionByDefault")
      .Leaf("SSEAlgorithm", b.sse_algorithm.empty() ? "AES256" : b.sse_algorithm);
  if (!b.kms_key_id.empty()) xml.Leaf("KMSMasterKeyID", b.kms_key_id);
  xml.Close().Leaf("BucketKeyEnabled", b.bucket_key_enabled ? "true" : "false");
  reply.body = xml.Finish();
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::DeleteBucketEncryption(RequestContext& ctx, net::BodyReader&,
                                         S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  b.sse_algorithm.clear();
  b.kms_key_id.clear();
  b.bucket_key_enabled = false;
  b.encryption_configured = false;
  RETURN_IF_ERROR(store_.UpdateBucket(b));
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::PutBucketTagging(RequestContext& ctx, net::BodyReader& body,
                                   S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
  ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
  const aws::XmlElement* set = doc.Child("TagSet");
  if (doc.name != "Tagging" || set == nullptr) return MalformedXml();
  ASSIGN_OR_RETURN(auto tags, TagSetOf(*set, 50));
  b.tags = std::move(tags);
  RETURN_IF_ERROR(store_.UpdateBucket(b));
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::GetBucketTagging(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  if (b.tags.empty())
    return Status::NotFound("The TagSet does not exist").WithAwsCode("NoSuchTagSet");
  aws::XmlWriter xml("Tagging");
  xml.Open("TagSet");
  for (const auto& [k, v] : b.tags) xml.Open("Tag").Leaf("Key", k).Leaf("Value", v).Close();
  reply.body = xml.Finish();
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::DeleteBucketTagging(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
  b.tags.clear();
  RETURN_IF_ERROR(store_.UpdateBucket(b));
  reply.status = 204;
  return Status::Ok();
}

}  // namespace kiroku::services
