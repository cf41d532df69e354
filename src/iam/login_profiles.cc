// Console passwords of IAM users: scrypt hashes (crypto::HashPassword), checked against the
// account password policy when set or changed.
#include "crypto/password.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

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
  std::lock_guard lock(write_mu_);
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
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, LoginProfileKey(user.name)));
  if (!record) return NoProfile(user.name);
  if (hash) (*record)["passwordHash"] = *hash;
  if (password_reset_required) (*record)["passwordResetRequired"] = *password_reset_required;
  return db_.Put(kCf, LoginProfileKey(user.name), json::serialize(*record));
}

Status IdentityStore::DeleteLoginProfile(std::string_view user_name) {
  std::lock_guard lock(write_mu_);
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

}  // namespace kiroku::iam
