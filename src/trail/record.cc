#include "trail/record.h"

#include "common/encoding.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

json::object IdentityJson(const UserIdentity& id) {
  json::object o{{"type", id.type}};
  if (id.type == "AWSService") {
    o["invokedBy"] = id.invoked_by;
    return o;
  }
  if (!id.principal_id.empty())
    o["principalId"] = id.principal_id;  // unknown sign-in users have none
  if (!id.arn.empty()) o["arn"] = id.arn;
  o["accountId"] = id.account_id;
  if (!id.access_key_id.empty() || id.empty_access_key_id) o["accessKeyId"] = id.access_key_id;
  if (!id.user_name.empty()) o["userName"] = id.user_name;
  if (id.session_issuer || id.session_created) {
    json::object context;
    if (id.session_issuer) {
      context["sessionIssuer"] = {{"type", "Role"},
                                  {"principalId", id.session_issuer->principal_id},
                                  {"arn", id.session_issuer->arn},
                                  {"accountId", id.session_issuer->account_id},
                                  {"userName", id.session_issuer->user_name}};
    }
    json::object attributes{{"mfaAuthenticated", id.mfa_authenticated ? "true" : "false"}};
    if (id.session_created) attributes["creationDate"] = FormatIso8601(*id.session_created);
    context["attributes"] = std::move(attributes);
    o["sessionContext"] = std::move(context);
  }
  return o;
}

}  // namespace

json::object ApiCallRecord::ToJson() const {
  json::object o{{"eventVersion", "1.11"},
                 {"userIdentity", IdentityJson(identity)},
                 {"eventTime", FormatIso8601(event_time)},
                 {"eventSource", event_source},
                 {"eventName", event_name},
                 {"awsRegion", aws_region},
                 {"sourceIPAddress", source_ip},
                 {"userAgent", user_agent}};
  if (error_code) o["errorCode"] = *error_code;
  if (error_message) o["errorMessage"] = *error_message;
  o["requestParameters"] = request_parameters;
  o["responseElements"] = response_elements;
  if (!additional_event_data.is_null()) o["additionalEventData"] = additional_event_data;
  if (!request_id.empty()) o["requestID"] = request_id;
  o["eventID"] = event_id;
  o["readOnly"] = read_only;
  if (!resources.empty()) {
    json::array rs;
    for (const Resource& r : resources) {
      rs.push_back({{"accountId", r.account_id}, {"type", r.type}, {"ARN", r.arn}});
    }
    o["resources"] = std::move(rs);
  }
  o["eventType"] = event_type;
  o["managementEvent"] = management_event;
  o["recipientAccountId"] = recipient_account_id;
  o["eventCategory"] = event_category;
  if (!tls_version.empty()) {
    o["tlsDetails"] = {{"tlsVersion", tls_version}, {"clientProvidedHostHeader", host_header}};
  }
  // AWS writes the flag as the string "true", and only when it holds.
  if (session_credential_from_console) o["sessionCredentialFromConsole"] = "true";
  return o;
}

}  // namespace kiroku::trail
