// AuditHook: turns every authenticated AWS call — allowed or denied, successful or failed —
// into a CloudTrail record (trail::ApiCallRecord) and hands it to the Recorder. Unauthenticated
// requests (no valid signature) are not recorded, as on AWS. IAM and STS are global services:
// their events land in us-east-1.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "api/stage.h"
#include "aws/model.h"
#include "trail/recorder.h"

namespace kiroku::api {

class AuditHook final : public CompletionHook {
 public:
  // `recorder` and `clock` must outlive the hook.
  AuditHook(trail::Recorder& recorder, const Clock& clock) : recorder_(recorder), clock_(clock) {}
  void OnComplete(const RequestContext& ctx, const Status& status) override;

 private:
  trail::Recorder& recorder_;
  const Clock& clock_;
};

// The record AuditHook would write (exposed for tests).
trail::ApiCallRecord BuildRecord(const RequestContext& ctx, const Status& status, TimePoint now);

// What CloudTrail writes for a redacted request value (AWS's own marker).
inline constexpr std::string_view kHiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS";

enum class RecordPart { kRequestParameters, kResponseElements };

// `value` (an operation's input or output, as the protocol layer decoded it or a handler
// returned it) as CloudTrail records it, walked alongside `shape`, the operation's input or
// output shape in the botocore model:
//  - only members the shape declares are kept (an unknown member is dropped, whatever it holds),
//    named in lowerCamelCase; map keys are kept as given;
//  - a member whose shape the model marks `sensitive`, or that IsSecretMember() names, is
//    written as kHiddenValue in request parameters and omitted from response elements;
//  - blobs (plaintexts, ciphertexts, messages, signatures, key material, MFA seeds, QR codes,
//    object bodies) are omitted: records carry no payload;
//  - a value of the wrong JSON type for its shape (an object where a string belongs) is dropped.
// Null when `shape` is null or nothing is left of an object.
boost::json::value RecordParameters(const aws::Shape* shape, const boost::json::value& value,
                                    RecordPart part);

// Members that hold a secret, a bearer token, a one-time code or a payload although the model
// does not mark their shape sensitive (matched on the member name, first letter in any case).
// The list and why each is in it: audit_hook.cc, kSecretMembers.
bool IsSecretMember(std::string_view member_name);

// S3's requestParameters, as CloudTrail writes them: bucketName, key (object operations), Host,
// and the query string's parameters (the sub-resource as an empty value, "policy": "", and
// list parameters such as "list-type", "prefix"). Never a request header other than Host, and
// never a signing parameter of a presigned URL (X-Amz-*, Signature, AWSAccessKeyId).
boost::json::value S3RequestParameters(const RequestContext& ctx);

}  // namespace kiroku::api
