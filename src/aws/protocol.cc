#include "aws/protocol.h"

#include <array>

#include "aws/validation.h"

namespace kiroku::aws {
namespace json = boost::json;
namespace {

struct JsonTarget {
  std::string_view prefix;
  std::string_view service;
};

// awsJson 1.1 target prefixes. CloudTrail is also accepted without its namespace.
constexpr JsonTarget kJsonTargets[] = {
    {"Logs_20140328", "logs"},
    {"TrentService", "kms"},
    {"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "cloudtrail"},
    {"CloudTrail_20131101", "cloudtrail"},
};

struct QueryVersion {
  std::string_view version;
  std::string_view service;
};

constexpr QueryVersion kQueryVersions[] = {{"2010-05-08", "iam"}, {"2011-06-15", "sts"}};

// The service named in a SigV4 credential scope (header or presigned form), or empty.
std::string ScopeService(const net::Request& request, const QueryParams& params) {
  std::string credential;
  if (const std::string* auth = request.FindHeader("Authorization")) {
    size_t pos = auth->find("Credential=");
    if (pos != std::string::npos) {
      size_t end = auth->find_first_of(", ", pos);
      credential = auth->substr(pos + 11, end == std::string::npos ? end : end - pos - 11);
    }
  } else if (auto it = params.find("X-Amz-Credential"); it != params.end()) {
    credential = it->second;
  }
  // <key>/<date>/<region>/<service>/aws4_request
  std::array<size_t, 4> slashes{};
  size_t from = 0;
  for (size_t& s : slashes) {
    s = credential.find('/', from);
    if (s == std::string::npos) return "";
    from = s + 1;
  }
  return credential.substr(slashes[2] + 1, slashes[3] - slashes[2] - 1);
}

bool IsFormBody(const net::Request& request) {
  const std::string* type = request.FindHeader("Content-Type");
  return type != nullptr && type->find("application/x-www-form-urlencoded") != std::string::npos;
}

}  // namespace

Status IdentifyRoute(const net::Request& request, Route& route) {
  if (const std::string* target = request.FindHeader("X-Amz-Target")) {
    route.protocol = Protocol::kJson;
    size_t dot = target->rfind('.');
    std::string_view prefix = std::string_view(*target).substr(0, dot);
    for (const JsonTarget& t : kJsonTargets) {
      if (dot != std::string::npos && t.prefix == prefix) {
        route.model = ServiceModel::Find(t.service);
        route.operation_name = target->substr(dot + 1);
        return Status::Ok();
      }
    }
    return Status::InvalidArgument("Unrecognized operation target: " + *target)
        .WithAwsCode("InvalidAction");
  }

  route.protocol = Protocol::kQuery;
  RETURN_IF_ERROR(ParseFormParams(request.query(), route.params));
  if (request.method == "POST" && IsFormBody(request)) {
    RETURN_IF_ERROR(ParseFormParams(request.body, route.params));
  }
  std::string scope_service = ScopeService(request, route.params);
  for (auto it = route.params.begin(); it != route.params.end();) {
    it = it->first.starts_with("X-Amz-") ? route.params.erase(it) : std::next(it);
  }
  if (const ServiceModel* model = ServiceModel::Find(scope_service);
      model != nullptr && model->protocol() == Protocol::kQuery) {
    route.model = model;
  } else if (auto version = route.params.find("Version"); version != route.params.end()) {
    for (const QueryVersion& v : kQueryVersions) {
      if (v.version == version->second) route.model = ServiceModel::Find(v.service);
    }
  }
  auto action = route.params.find("Action");
  if (action == route.params.end()) {
    return Status::InvalidArgument("Could not find an Action parameter in the request")
        .WithAwsCode("MissingAction");
  }
  route.operation_name = action->second;
  if (route.model == nullptr) {
    return Status::InvalidArgument("Could not find operation " + route.operation_name +
                                   " for any known service version")
        .WithAwsCode("InvalidAction");
  }
  return Status::Ok();
}

Result<const Operation*> FindOperation(const Route& route) {
  const Operation* op = route.model ? route.model->FindOperation(route.operation_name) : nullptr;
  if (op == nullptr) {
    std::string version = route.model ? route.model->api_version() : "";
    return Status::InvalidArgument("Could not find operation " + route.operation_name +
                                   (version.empty() ? "" : " for version " + version))
        .WithAwsCode("InvalidAction");
  }
  return op;
}

Result<json::object> DecodeInput(const Route& route, const Operation& operation,
                                 const net::Request& request) {
  if (route.protocol == Protocol::kQuery) {
    ASSIGN_OR_RETURN(json::object input, DecodeQueryInput(operation.input, route.params));
    RETURN_IF_ERROR(ValidateQueryInput(*route.model, operation.input, input));
    return input;
  }
  json::object input;
  if (!request.body.empty()) {
    ASSIGN_OR_RETURN(json::value body, ParseJsonDocument(request.body));
    if (!body.is_object()) {
      // AWS names only a list; any other top-level value is refused without a message.
      return Status::InvalidArgument(body.is_array() ? "Start of list found where not expected"
                                                     : "")
          .WithAwsCode("SerializationException");
    }
    input = std::move(body.as_object());
  }
  RETURN_IF_ERROR(ValidateJsonInput(*route.model, operation.input, input));
  return input;
}

Result<json::value> ParseJsonDocument(std::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    return Status::InvalidArgument("Request body exceeds the limit of " +
                                   std::to_string(kMaxJsonBytes) + " bytes")
        .WithAwsCode("RequestEntityTooLarge");
  }
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value body = json::parse(text, ec, json::storage_ptr(), options);
  // AWS answers a body that is not JSON with an empty message.
  if (ec) return Status::InvalidArgument("").WithAwsCode("SerializationException");
  return body;
}

net::Response RenderResult(const Route& route, const Operation& operation,
                           const json::value& output, std::string_view request_id) {
  net::Response response;
  response.SetHeader("x-amzn-RequestId", std::string(request_id));
  if (route.protocol == Protocol::kJson) {
    response.SetHeader("Content-Type", "application/x-amz-json-1.1");
    response.body = output.is_null() ? "{}" : json::serialize(output);
  } else {
    response.SetHeader("Content-Type", "text/xml");
    response.body = EncodeQueryOutput(*route.model, operation, output, request_id);
  }
  return response;
}

}  // namespace kiroku::aws
