// The request side of an authorization: who calls (Principal), what they do (action, resource)
// and the condition keys that describe the request (ContextKeys). Plain structs: no HTTP, no
// wire JSON. The request pipeline, iam/ (AssumeRole), kms/ and the policy simulator fill them.
// Values are immutable once built; concurrent reads are safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace kiroku::policy {

enum class PrincipalType {
  kAnonymous,      // unsigned request
  kRoot,           // the account's root user
  kUser,           // IAM user
  kAssumedRole,    // role session (sts AssumeRole)
  kFederatedUser,  // sts GetFederationToken session
  kService,        // AWS service principal acting for itself, e.g. cloudtrail.amazonaws.com
};

// "Account", "User", "AssumedRole", "FederatedUser", "Anonymous", "AWSService": the values of
// aws:PrincipalType.
const char* PrincipalTypeName(PrincipalType type);

struct Principal {
  PrincipalType type = PrincipalType::kAnonymous;
  // The caller's ARN as it appears in AccessDenied messages and Principal elements:
  // arn:aws:iam::<acct>:user/<path><name>, arn:aws:sts::<acct>:assumed-role/<role>/<session>,
  // arn:aws:iam::<acct>:root. Empty for services and anonymous callers.
  std::string arn;
  std::string account;  // 12 digits; empty for services and anonymous callers
  // For kAssumedRole: the role's ARN (with its path), so that a Principal element naming the
  // role matches its sessions.
  std::string role_arn;
  std::string user_name;  // IAM user name (kUser only): aws:username
  std::string user_id;    // aws:userid: AIDA…, or AROA…:<session>, or the account id for root
  std::string service;    // kService: "logs.ap-northeast-1.amazonaws.com"
  std::string federated_provider;           // matched by Principal {"Federated": …}
  std::string canonical_user;               // matched by Principal {"CanonicalUser": …}
  std::map<std::string, std::string> tags;  // principal tags, for aws:PrincipalTag/<key>
};

// Builds a principal from its ARN: root, user, assumed-role (role_arn without path), federated
// user. InvalidArgument if `arn` is none of those.
Result<Principal> PrincipalFromArn(std::string_view arn);
// A service principal such as "cloudtrail.amazonaws.com".
Principal ServicePrincipal(std::string_view service);

// The value types of condition context entries (botocore ContextKeyTypeEnum without the "List"
// suffix: a list is just several values).
enum class ContextType { kString, kNumeric, kDate, kBoolean, kBinary, kIp };

// Parses "string", "stringList", "numeric", …, "ipList". InvalidArgument otherwise.
Result<ContextType> ParseContextType(std::string_view name);

// Condition keys of one request. Key names are case-insensitive (as on AWS); each key holds
// one or more values of one type. A key that is not set is absent: no default is ever invented.
class ContextKeys {
 public:
  struct Entry {
    std::string name;  // as first given, for reports
    ContextType type = ContextType::kString;
    std::vector<std::string> values;  // canonical text; an empty list is an empty set
  };

  // Replaces any previous values of `key`.
  void Set(std::string_view key, ContextType type, std::vector<std::string> values);
  void SetString(std::string_view key, std::string value);
  void SetStrings(std::string_view key, std::vector<std::string> values);
  void SetNumber(std::string_view key, int64_t value);
  void SetBool(std::string_view key, bool value);
  void SetDate(std::string_view key, TimePoint value);  // ISO 8601, UTC
  void SetIp(std::string_view key, std::string address);

  // The entry for `key` (any case), or nullptr when absent.
  const Entry* Find(std::string_view key) const;
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Keyed by lower-case name; transparent lookup avoids a copy per Find().
  std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> entries_;
};

// One authorization question: may `principal` perform `action` on `resource`?
struct RequestContext {
  Principal principal;
  std::string action;    // "kms:Decrypt" (any case)
  std::string resource;  // the resource ARN, or "*" for actions without a resource
  ContextKeys keys;      // exactly the condition keys of this request
};

// Adds the principal-derived global keys to `keys`: aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType, aws:userid, aws:username (IAM users only), aws:PrincipalTag/<k>,
// aws:PrincipalIsAWSService and aws:PrincipalServiceName. The request pipeline calls this; the
// policy simulator does not (its context is exactly the entries it was given).
void AddPrincipalKeys(const Principal& principal, ContextKeys& keys);

}  // namespace kiroku::policy
