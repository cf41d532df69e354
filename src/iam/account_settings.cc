// Account-wide settings: the password policy and the account alias.
#include <cctype>

#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr std::string_view kPasswordPolicySetting = "password-policy";
constexpr std::string_view kAliasSetting = "alias";

Status RangeError(int value, std::string_view field, int min, int max) {
  if (value < min) {
    return ValidationError(
        std::to_string(value), field,
        "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (value > max) {
    return ValidationError(std::to_string(value), field,
                           "Member must have value less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

Status Violation(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("PasswordPolicyViolation");
}

// ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$
bool IsValidAlias(std::string_view alias) {
  if (alias.size() < 3 || alias.size() > 63) return false;
  if (alias.front() == '-' || alias.back() == '-') return false;
  for (size_t i = 0; i < alias.size(); ++i) {
    char c = alias[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && i + 1 < alias.size() && alias[i + 1] == '-')) return false;
  }
  return true;
}

}  // namespace

Status IdentityStore::UpdateAccountPasswordPolicy(const PasswordPolicy& policy) {
  RETURN_IF_ERROR(RangeError(policy.minimum_password_length, "minimumPasswordLength", 6, 128));
  if (policy.max_password_age != 0) {
    RETURN_IF_ERROR(RangeError(policy.max_password_age, "maxPasswordAge", 1, 1095));
  }
  if (policy.password_reuse_prevention != 0) {
    RETURN_IF_ERROR(RangeError(policy.password_reuse_prevention, "passwordReusePrevention", 1, 24));
  }
  json::object o{{"minimumPasswordLength", policy.minimum_password_length},
                 {"requireSymbols", policy.require_symbols},
                 {"requireNumbers", policy.require_numbers},
                 {"requireUppercaseCharacters", policy.require_uppercase_characters},
                 {"requireLowercaseCharacters", policy.require_lowercase_characters},
                 {"allowUsersToChangePassword", policy.allow_users_to_change_password},
                 {"maxPasswordAge", policy.max_password_age},
                 {"passwordReusePrevention", policy.password_reuse_prevention},
                 {"hardExpiry", policy.hard_expiry}};
  return db_.Put(kCf, SettingKey(kPasswordPolicySetting), json::serialize(o));
}

Result<PasswordPolicy> IdentityStore::GetAccountPasswordPolicy() const {
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, SettingKey(kPasswordPolicySetting)));
  if (!record) {
    ASSIGN_OR_RETURN(std::string account, AccountId());
    return Status::NotFound("The Password Policy with domain name " + account +
                            " cannot be found.");
  }
  const json::object& o = *record;
  PasswordPolicy p;
  p.minimum_password_length = static_cast<int>(o.at("minimumPasswordLength").as_int64());
  p.require_symbols = o.at("requireSymbols").as_bool();
  p.require_numbers = o.at("requireNumbers").as_bool();
  p.require_uppercase_characters = o.at("requireUppercaseCharacters").as_bool();
  p.require_lowercase_characters = o.at("requireLowercaseCharacters").as_bool();
  p.allow_users_to_change_password = o.at("allowUsersToChangePassword").as_bool();
  p.max_password_age = static_cast<int>(o.at("maxPasswordAge").as_int64());
  p.password_reuse_prevention = static_cast<int>(o.at("passwordReusePrevention").as_int64());
  p.hard_expiry = o.at("hardExpiry").as_bool();
  return p;
}

Status IdentityStore::DeleteAccountPasswordPolicy() {
  RETURN_IF_ERROR(GetAccountPasswordPolicy().status());
  return db_.Delete(kCf, SettingKey(kPasswordPolicySetting));
}

Status IdentityStore::CheckPasswordPolicy(std::string_view password) const {
  bool upper = false, lower = false, digit = false, symbol = false;
  for (unsigned char c : password) {
    if (std::isupper(c))
      upper = true;
    else if (std::islower(c))
      lower = true;
    else if (std::isdigit(c))
      digit = true;
    else if (std::ispunct(c))
      symbol = true;
  }
  if (password.size() > 128) return Violation("Password must be at most 128 characters long.");
  Result<PasswordPolicy> policy = GetAccountPasswordPolicy();
  if (!policy.ok()) {
    if (policy.status().code() != Code::kNotFound) return policy.status();
    // AWS's default: at least 8 characters and three of the four character classes.
    int classes = upper + lower + digit + symbol;
    if (password.size() < 8 || classes < 3) {
      return Violation("Password does not conform to the account password policy.");
    }
    return Status::Ok();
  }
  const PasswordPolicy& p = *policy;
  bool ok = password.size() >= static_cast<size_t>(p.minimum_password_length) &&
            (!p.require_uppercase_characters || upper) &&
            (!p.require_lowercase_characters || lower) && (!p.require_numbers || digit) &&
            (!p.require_symbols || symbol);
  if (!ok) return Violation("Password does not conform to the account password policy.");
  return Status::Ok();
}

Status IdentityStore::CreateAccountAlias(std::string_view alias) {
  if (!IsValidAlias(alias)) {
    return ValidationError(alias, "accountAlias",
                           "Member must satisfy regular expression pattern: "
                           "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$");
  }
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto current, db_.Get(kCf, SettingKey(kAliasSetting)));
  if (current && *current == alias) {
    return Status::AlreadyExists("The account alias " + std::string(alias) + " already exists.");
  }
  return db_.Put(kCf, SettingKey(kAliasSetting), alias);
}

Result<std::vector<std::string>> IdentityStore::ListAccountAliases() const {
  ASSIGN_OR_RETURN(auto current, db_.Get(kCf, SettingKey(kAliasSetting)));
  std::vector<std::string> aliases;
  if (current) aliases.push_back(*current);
  return aliases;
}

Status IdentityStore::DeleteAccountAlias(std::string_view alias) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto current, db_.Get(kCf, SettingKey(kAliasSetting)));
  if (!current || *current != alias) {
    return Status::NotFound("The account alias " + std::string(alias) + " cannot be found.");
  }
  return db_.Delete(kCf, SettingKey(kAliasSetting));
}

}  // namespace kiroku::iam
