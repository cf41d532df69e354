#include "aws/errors.h"

#include <boost/json.hpp>
#include <string_view>

#include "aws/query_codec.h"

namespace kiroku::aws {
namespace {

struct Rename {
  std::string_view query;
  std::string_view json;
};

// Errors every service shares, by their query-protocol names, with the awsJson spelling.
constexpr Rename kCommonNames[] = {
    {"InvalidClientTokenId", "UnrecognizedClientException"},
    {"SignatureDoesNotMatch", "InvalidSignatureException"},
    {"IncompleteSignature", "IncompleteSignatureException"},
    {"MissingAuthenticationToken", "MissingAuthenticationTokenException"},
    {"ExpiredToken", "ExpiredTokenException"},
    {"AccessDenied", "AccessDeniedException"},
    {"InvalidAction", "UnknownOperationException"},
    {"MalformedQueryString", "SerializationException"},
    {"RequestEntityTooLarge", "RequestEntityTooLargeException"},
    {"InvalidRequest", "InvalidRequestException"},
    {"Throttling", "ThrottlingException"},
    {"ServiceUnavailable", "ServiceUnavailableException"},
};

struct CommonStatus {
  std::string_view code;
  int http_status;
};

// HTTP status of the shared errors that no model declares.
constexpr CommonStatus kCommonStatus[] = {
    {"InvalidClientTokenId", 403},
    {"SignatureDoesNotMatch", 403},
    {"IncompleteSignature", 400},
    {"MissingAuthenticationToken", 403},
    {"ExpiredToken", 403},
    {"AccessDenied", 403},
    {"InvalidAction", 400},
    {"MalformedQueryString", 400},
    {"RequestEntityTooLarge", 413},
    {"RequestEntityTooLargeException", 413},
    {"InvalidRequest", 400},
    {"ValidationError", 400},
    {"InternalFailure", 500},
    {"ServiceUnavailable", 503},
    {"ServiceUnavailableException", 503},
    {"InternalFailure", 500},
    {"KMSInternalException", 500},
    {"ServiceFailure", 500},
};

struct ServiceCodes {
  std::string_view service;
  std::string_view invalid_argument, not_found, already_exists, limit_exceeded, conflict, internal;
};

// The name each service gives the generic codes, when the domain did not pick one itself.
constexpr ServiceCodes kServiceCodes[] = {
    {"iam", "InvalidInput", "NoSuchEntity", "EntityAlreadyExists", "LimitExceeded",
     "DeleteConflict", "ServiceFailure"},
    {"sts", "ValidationError", "ValidationError", "ValidationError", "LimitExceeded",
     "ValidationError", "InternalFailure"},
    {"kms", "ValidationException", "NotFoundException", "AlreadyExistsException",
     "LimitExceededException", "KMSInvalidStateException", "KMSInternalException"},
    {"logs", "InvalidParameterException", "ResourceNotFoundException",
     "ResourceAlreadyExistsException", "LimitExceededException", "OperationAbortedException",
     "ServiceUnavailableException"},
    {"cloudtrail", "InvalidParameterException", "ResourceNotFoundException",
     "ResourceAlreadyExistsException", "MaximumNumberOfTrailsExceededException",
     "ConflictException", "InternalFailure"},
};

// S3 (REST-XML) spells some shared errors its own way.
constexpr Rename kS3Names[] = {
    {"InvalidClientTokenId", "InvalidAccessKeyId"},
    {"IncompleteSignature", "AuthorizationHeaderMalformed"},
    {"MissingAuthenticationToken", "AccessDenied"},
    {"ExpiredToken", "ExpiredToken"},
    {"InvalidAction", "NotImplemented"},
    {"MalformedQueryString", "InvalidArgument"},
    {"RequestEntityTooLarge", "EntityTooLarge"},
    {"Throttling", "SlowDown"},
    {"InternalFailure", "InternalError"},
};

// HTTP status of S3's error codes (the S3 API reference's error table).
constexpr CommonStatus kS3Status[] = {
    {"AccessDenied", 403},
    {"AccountProblem", 403},
    {"AuthorizationHeaderMalformed", 400},
    {"AuthorizationQueryParametersError", 400},
    {"BadDigest", 400},
    {"BucketAlreadyExists", 409},
    {"BucketAlreadyOwnedByYou", 409},
    {"BucketNotEmpty", 409},
    {"EntityTooLarge", 400},
    {"EntityTooSmall", 400},
    {"ExpiredToken", 400},
    {"IllegalLocationConstraintException", 400},
    {"IncompleteBody", 400},
    {"InternalError", 500},
    {"InvalidAccessKeyId", 403},
    {"InvalidArgument", 400},
    {"InvalidBucketName", 400},
    {"InvalidDigest", 400},
    {"InvalidLocationConstraint", 400},
    {"InvalidPart", 400},
    {"InvalidPartOrder", 400},
    {"InvalidRange", 416},
    {"InvalidRequest", 400},
    {"InvalidStorageClass", 400},
    {"InvalidTag", 400},
    {"InvalidToken", 400},
    {"InvalidURI", 400},
    {"KeyTooLongError", 400},
    {"KMS.DisabledException", 400},
    {"KMS.NotFoundException", 400},
    {"MalformedPolicy", 400},
    {"MalformedXML", 400},
    {"MetadataTooLarge", 400},
    {"MethodNotAllowed", 405},
    {"MissingContentLength", 411},
    {"NoSuchBucket", 404},
    {"NoSuchBucketPolicy", 404},
    {"NoSuchKey", 404},
    {"NoSuchTagSet", 404},
    {"NoSuchUpload", 404},
    {"NotImplemented", 501},
    {"NotModified", 304},
    {"PreconditionFailed", 412},
    {"RequestTimeTooSkewed", 403},
    {"ServerSideEncryptionConfigurationNotFoundError", 404},
    {"ServiceUnavailable", 503},
    {"SignatureDoesNotMatch", 403},
    {"SlowDown", 503},
    {"XAmzContentSHA256Mismatch", 400},
};

std::string GenericCode(const ServiceModel* model, Code code) {
  const ServiceCodes* codes = nullptr;
  if (model != nullptr) {
    for (const ServiceCodes& c : kServiceCodes) {
      if (c.service == model->service()) codes = &c;
    }
  }
  switch (code) {
    case Code::kAccessDenied:
      return "AccessDenied";
    case Code::kUnauthenticated:
      return "InvalidClientTokenId";
    case Code::kUnavailable:
      return "ServiceUnavailable";
    case Code::kInvalidArgument:
      return codes ? std::string(codes->invalid_argument) : "InvalidRequest";
    case Code::kNotFound:
      return codes ? std::string(codes->not_found) : "InvalidRequest";
    case Code::kAlreadyExists:
      return codes ? std::string(codes->already_exists) : "InvalidRequest";
    case Code::kLimitExceeded:
      return codes ? std::string(codes->limit_exceeded) : "Throttling";
    case Code::kConflict:
      return codes ? std::string(codes->conflict) : "InvalidRequest";
    case Code::kInternal:
    case Code::kOk:
      return codes ? std::string(codes->internal) : "InternalFailure";
  }
  return "InternalFailure";
}

}  // namespace

AwsError MapError(const ServiceModel* model, Protocol protocol, const Status& status) {
  AwsError error;
  error.code = status.aws_code().empty() ? GenericCode(model, status.code()) : status.aws_code();
  if (protocol == Protocol::kJson) {
    for (const Rename& r : kCommonNames) {
      if (r.query == error.code) error.code = std::string(r.json);
    }
  }
  error.message = status.message();
  error.http_status = 0;
  if (protocol == Protocol::kRestXml) {
    if (status.aws_code().empty()) {
      switch (status.code()) {
        case Code::kInvalidArgument:
          error.code = "InvalidArgument";
          break;
        case Code::kNotFound:
          error.code = "NoSuchKey";
          break;
        case Code::kAlreadyExists:
          error.code = "BucketAlreadyExists";
          break;
        case Code::kConflict:
          error.code = "OperationAborted";
          break;
        case Code::kLimitExceeded:
          error.code = "TooManyBuckets";
          break;
        case Code::kUnavailable:
          error.code = "ServiceUnavailable";
          break;
        case Code::kInternal:
        case Code::kOk:
          error.code = "InternalError";
          break;
        default:
          break;
      }
    }
    for (const Rename& r : kS3Names) {
      if (r.query == error.code) error.code = std::string(r.json);
    }
    for (const CommonStatus& c : kS3Status) {
      if (c.code == error.code) error.http_status = c.http_status;
    }
    if (error.code == "OperationAborted" || error.code == "TooManyBuckets") {
      error.http_status = error.code == "TooManyBuckets" ? 400 : 409;
    }
    if (error.http_status == 0) error.http_status = status.code() == Code::kInternal ? 500 : 400;
    error.sender_fault = error.http_status < 500;
    return error;
  }
  if (model != nullptr) {
    if (auto info = model->FindError(error.code)) error.http_status = info->http_status;
  }
  if (error.http_status == 0) {
    for (const CommonStatus& c : kCommonStatus) {
      if (c.code == error.code) error.http_status = c.http_status;
    }
  }
  if (error.http_status == 0) {
    bool server = status.code() == Code::kInternal || status.code() == Code::kUnavailable;
    error.http_status = server ? (status.code() == Code::kUnavailable ? 503 : 500) : 400;
  }
  // awsJson services answer authentication failures with 400 (aws-behavior.md §8.2).
  if (protocol == Protocol::kJson && error.http_status == 403) error.http_status = 400;
  error.sender_fault = error.http_status < 500;
  return error;
}

net::Response RenderError(const ServiceModel* model, Protocol protocol, const Status& status,
                          std::string_view request_id) {
  AwsError error = MapError(model, protocol, status);
  net::Response response;
  response.status = error.http_status;
  response.SetHeader("x-amzn-RequestId", std::string(request_id));
  if (protocol == Protocol::kRestXml) {
    // S3: no namespace, the request id inside the document and in x-amz-request-id.
    response.headers.clear();
    response.SetHeader("x-amz-request-id", std::string(request_id));
    response.SetHeader("Content-Type", "application/xml");
    response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" +
                    XmlEscape(error.code) + "</Code><Message>" + XmlEscape(error.message) +
                    "</Message><RequestId>" + XmlEscape(request_id) + "</RequestId></Error>";
  } else if (protocol == Protocol::kJson) {
    boost::json::object body;
    body["__type"] = error.code;
    body["message"] = error.message;
    response.SetHeader("Content-Type", "application/x-amz-json-1.1");
    response.SetHeader("x-amzn-ErrorType", error.code);
    response.body = boost::json::serialize(body);
  } else {
    std::string ns = model != nullptr ? model->xml_namespace() : "";
    response.SetHeader("Content-Type", "text/xml");
    response.body = "<ErrorResponse" + (ns.empty() ? "" : " xmlns=\"" + ns + "\"") +
                    "><Error><Type>" + (error.sender_fault ? "Sender" : "Receiver") +
                    "</Type><Code>" + XmlEscape(error.code) + "</Code><Message>" +
                    XmlEscape(error.message) + "</Message></Error><RequestId>" +
                    XmlEscape(request_id) + "</RequestId></ErrorResponse>";
  }
  return response;
}

}  // namespace kiroku::aws
