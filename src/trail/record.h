// ApiCallRecord: one CloudTrail record (aws-behavior.md §2), built from plain values by the
// request pipeline and serialised in AWS's record format (eventVersion 1.11). Records carry no
// secrets: the pipeline passes request parameters and response elements already in CloudTrail's
// form, walked against the operation's model shapes (api::RecordParameters: sensitive members
// hidden or omitted, payloads and unknown members dropped) — trail/ does not know the models.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace kiroku::trail {

struct UserIdentity {
  std::string type;  // "Root", "IAMUser", "AssumedRole", "AWSService"
  std::string principal_id;
  std::string arn;
  std::string account_id;
  std::string access_key_id;
  bool empty_access_key_id = false;  // write "accessKeyId": "" (failed console sign-in)
  std::string user_name;
  std::string invoked_by;  // AWSService only
  // AssumedRole: the role that issued the session.
  struct SessionIssuer {
    std::string principal_id, arn, account_id, user_name;
  };
  std::optional<SessionIssuer> session_issuer;
  std::optional<TimePoint> session_created;
  bool mfa_authenticated = false;
};

struct Resource {
  std::string arn;
  std::string account_id;
  std::string type;  // "AWS::KMS::Key", "AWS::IAM::User", ...
};

struct ApiCallRecord {
  std::string event_id;  // GUID
  TimePoint event_time;
  std::string event_source;  // "kms.amazonaws.com"
  std::string event_name;    // "CreateKey"
  std::string aws_region;
  std::string source_ip;
  std::string user_agent;
  UserIdentity identity;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  boost::json::value request_parameters;     // null when the call had none; already redacted
  boost::json::value response_elements;      // null for reads and failures; already redacted
  boost::json::value additional_event_data;  // omitted when null (sign-in: LoginTo, MFAUsed...)
  std::string request_id;                    // omitted when empty (sign-in events have none)
  bool read_only = false;
  bool management_event = true;
  std::string recipient_account_id;
  std::vector<Resource> resources;
  std::string event_type = "AwsApiCall";  // or "AwsConsoleSignIn", "AwsServiceEvent"
  std::string event_category = "Management";
  std::string tls_version;  // empty over plain HTTP
  std::string host_header;
  // The call was signed with a console sign-in's credentials (the web console's own calls).
  bool session_credential_from_console = false;

  boost::json::object ToJson() const;
};

}  // namespace kiroku::trail
