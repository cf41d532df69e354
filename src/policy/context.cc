#include "policy/context.h"

#include "common/encoding.h"

namespace kiroku::policy {
namespace {

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kAnonymous:
      return "Anonymous";
    case PrincipalType::kRoot:
      return "Account";
    case PrincipalType::kUser:
      return "User";
    case PrincipalType::kAssumedRole:
      return "AssumedRole";
    case PrincipalType::kFederatedUser:
      return "FederatedUser";
    case PrincipalType::kService:
      return "AWSService";
  }
  return "Anonymous";
}

Result<Principal> PrincipalFromArn(std::string_view arn) {
  // arn:<partition>:<iam|sts>::<account>:<resource>
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts.size() != 5 || parts[0] != "arn" || !IsAccountId(parts[4])) {
    return Status::InvalidArgument("not a principal ARN: " + std::string(arn));
  }
  std::string_view service = parts[2];
  std::string_view resource = arn.substr(start);
  Principal p;
  p.arn = std::string(arn);
  p.account = std::string(parts[4]);
  if (service == "iam" && resource == "root") {
    p.type = PrincipalType::kRoot;
    p.user_id = p.account;
    return p;
  }
  if (service == "iam" && resource.starts_with("user/") && resource.size() > 5) {
    p.type = PrincipalType::kUser;
    p.user_name = std::string(resource.substr(resource.rfind('/') + 1));
    return p;
  }
  if (service == "sts" && resource.starts_with("assumed-role/")) {
    std::string_view rest = resource.substr(13);
    size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0 && slash + 1 < rest.size()) {
      p.type = PrincipalType::kAssumedRole;
      p.role_arn = "arn:" + std::string(parts[1]) + ":iam::" + p.account + ":role/" +
                   std::string(rest.substr(0, slash));
      return p;
    }
  }
  if (service == "sts" && resource.starts_with("federated-user/") && resource.size() > 15) {
    p.type = PrincipalType::kFederatedUser;
    return p;
  }
  return Status::InvalidArgument("not a principal ARN: " + std::string(arn));
}

Principal ServicePrincipal(std::string_view service) {
  Principal p;
  p.type = PrincipalType::kService;
  p.service = std::string(service);
  return p;
}

Result<ContextType> ParseContextType(std::string_view name) {
  std::string_view base = name;
  if (base.ends_with("List")) base.remove_suffix(4);
  if (base == "string") return ContextType::kString;
  if (base == "numeric") return ContextType::kNumeric;
  if (base == "date") return ContextType::kDate;
  if (base == "boolean") return ContextType::kBoolean;
  if (base == "binary") return ContextType::kBinary;
  if (base == "ip") return ContextType::kIp;
  return Status::InvalidArgument("unknown context key type: " + std::string(name));
}

void ContextKeys::Set(std::string_view key, ContextType type, std::vector<std::string> values) {
  Entry& e = entries_[AsciiLower(key)];
  e.name = std::string(key);
  e.type = type;
  e.values = std::move(values);
}

void ContextKeys::SetString(std::string_view key, std::string value) {
  Set(key, ContextType::kString, {std::move(value)});
}

void ContextKeys::SetStrings(std::string_view key, std::vector<std::string> values) {
  Set(key, ContextType::kString, std::move(values));
}

void ContextKeys::SetNumber(std::string_view key, int64_t value) {
  Set(key, ContextType::kNumeric, {std::to_string(value)});
}

void ContextKeys::SetBool(std::string_view key, bool value) {
  Set(key, ContextType::kBoolean, {value ? "true" : "false"});
}

void ContextKeys::SetDate(std::string_view key, TimePoint value) {
  Set(key, ContextType::kDate, {FormatIso8601(value)});
}

void ContextKeys::SetIp(std::string_view key, std::string address) {
  Set(key, ContextType::kIp, {std::move(address)});
}

const ContextKeys::Entry* ContextKeys::Find(std::string_view key) const {
  if (entries_.empty()) return nullptr;
  // Policies store their keys lower-case already; only fold when needed.
  bool lower = true;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      lower = false;
      break;
    }
  }
  auto it = lower ? entries_.find(key) : entries_.find(std::string_view(AsciiLower(key)));
  return it == entries_.end() ? nullptr : &it->second;
}

void AddPrincipalKeys(const Principal& principal, ContextKeys& keys) {
  const bool service = principal.type == PrincipalType::kService;
  keys.SetBool("aws:PrincipalIsAWSService", service);
  if (service) {
    keys.SetString("aws:PrincipalServiceName", principal.service);
    return;
  }
  keys.SetString("aws:PrincipalType", PrincipalTypeName(principal.type));
  // For a role session aws:PrincipalArn is the role's ARN, not the session's.
  const std::string& arn =
      principal.type == PrincipalType::kAssumedRole && !principal.role_arn.empty()
          ? principal.role_arn
          : principal.arn;
  if (!arn.empty()) keys.SetString("aws:PrincipalArn", arn);
  if (!principal.account.empty()) keys.SetString("aws:PrincipalAccount", principal.account);
  if (!principal.user_id.empty()) keys.SetString("aws:userid", principal.user_id);
  if (principal.type == PrincipalType::kUser && !principal.user_name.empty()) {
    keys.SetString("aws:username", principal.user_name);
  }
  for (const auto& [k, v] : principal.tags) keys.SetString("aws:PrincipalTag/" + k, v);
}

}  // namespace kiroku::policy
