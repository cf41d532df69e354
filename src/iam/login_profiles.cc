// Console passwords of IAM users: scrypt hashes (crypto::HashPassword), checked against the
// account password policy when set or changed. Also the root user's console login (email and
// password hash), created by Bootstrap.
#include "crypto/password.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr std::string_view kRootLoginSetting = "root-login";

Status NoProfile(std::string_view user) {
  return Status::NotFound("Login Profile for User " + std::string(user) + " cannot be found.");
}

LoginProfile ProfileFromRecord(const json::object& o, const std::string& user) {
  LoginProfile p;
  p.user_name = user;
  p.create_date = o.at("createDate").as_int64();
  p.password_reset_required = o.at("passwordResetRequired").as_bool();
  return p;
}

}  // namespace

Result<LoginProfile> IdentityStore::CreateLoginProfile(std::string_view user_name,
                                                       std::string_view password,
                                                       bool password_reset_required) {
  RETURN_IF_ERROR(GetUser(user_name).status());
  RETURN_IF_ERROR(CheckPasswordPolicy(password));
  // Hashing is deliberately slow: do it before taking the lock every IAM write shares.
  ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto existing, db_.Get(kCf, LoginProfileKey(user.name)));
  if (existing) {
    return Status::AlreadyExists("Login Profile for user " + user.name + " already exists.");
  }
  LoginProfile profile{user.name, NowSeconds(clock_), password_reset_required};
  json::object record{{"createDate", profile.create_date},
                      {"passwordResetRequired", password_reset_required},
                      {"passwordHash", hash}};
  RETURN_IF_ERROR(db_.Put(kCf, LoginProfileKey(user.name), json::serialize(record)));
  return profile;
}

Result<LoginProfile> IdentityStore::GetLoginProfile(std::string_view user_name) const {
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, LoginProfileKey(user.name)));
  if (!record) return NoProfile(user.name);
  return ProfileFromRecord(*record, user.name);
}

Status IdentityStore::UpdateLoginProfile(std::string_view user_name,
                                         const std::optional<std::string>& password,
                                         std::optional<bool> password_reset_required) {
  std::optional<std::string> hash;
  if (password) {
    RETURN_IF_ERROR(CheckPasswordPolicy(*password));
    ASSIGN_OR_RETURN(hash, crypto::HashPassword(*password));  // outside the lock: slow
  }
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, LoginProfileKey(user.name)));
  if (!record) return NoProfile(user.name);
  if (hash) (*record)["passwordHash"] = *hash;
  if (password_reset_required) (*record)["passwordResetRequired"] = *password_reset_required;
  return db_.Put(kCf, LoginProfileKey(user.name), json::serialize(*record));
}

Status IdentityStore::DeleteLoginProfile(std::string_view user_name) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto record, db_.Get(kCf, LoginProfileKey(user.name)));
  if (!record) return NoProfile(user.name);
  return db_.Delete(kCf, LoginProfileKey(user.name));
}

Result<bool> IdentityStore::CheckConsolePassword(std::string_view user_name,
                                                 std::string_view password) const {
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, LoginProfileKey(user.name)));
  if (!record) return NoProfile(user.name);
  return crypto::VerifyPassword(password, record->at("passwordHash").as_string());
}

Result<std::optional<RootConsoleLogin>> IdentityStore::EnsureRootConsoleLogin(
    std::string_view email) {
  ASSIGN_OR_RETURN(auto existing, db_.Get(kCf, SettingKey(kRootLoginSetting)));
  if (existing) return std::optional<RootConsoleLogin>();
  if (email.empty() || email.find('@') == std::string_view::npos) {
    return Status::InvalidArgument("the root user's email must contain '@', not '" +
                                   std::string(email) + "'");
  }
  RootConsoleLogin login{std::string(email), NewConsolePassword()};
  ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(login.password));
  json::object record{
      {"email", login.email}, {"createDate", NowSeconds(clock_)}, {"passwordHash", hash}};
  // Only one serve creates it: the write succeeds only where none exists.
  Status created =
      db_.CompareAndSet(kCf, SettingKey(kRootLoginSetting), std::nullopt, json::serialize(record));
  if (created.code() == Code::kConflict) return std::optional<RootConsoleLogin>();
  RETURN_IF_ERROR(created);
  return std::optional<RootConsoleLogin>(std::move(login));
}

Result<std::string> IdentityStore::RootEmail() const {
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, SettingKey(kRootLoginSetting)));
  if (!record) return Status::NotFound("the root user has no console login");
  return std::string(record->at("email").as_string());
}

Result<bool> IdentityStore::CheckRootConsolePassword(std::string_view password) const {
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, SettingKey(kRootLoginSetting)));
  if (!record) return Status::NotFound("the root user has no console login");
  return crypto::VerifyPassword(password, record->at("passwordHash").as_string());
}

}  // namespace kiroku::iam
