#include "iam/identity_store.h"

#include <boost/json.hpp>

#include "common/arn.h"
#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::iam {
namespace json = boost::json;
namespace {

// Key spaces of the "meta" column family owned by iam (docs/storage-keys.md).
constexpr uint8_t kAccountTag = 'A';
constexpr uint8_t kAccessKeyTag = 'K';

std::string AccountKey() { return store::KeyBuilder().Tag(kAccountTag).Build(); }
std::string AccessKeyKey(std::string_view id) {
  return store::KeyBuilder().Tag(kAccessKeyTag).String(id).Build();
}

std::string RandomFromAlphabet(std::string_view alphabet, size_t n) {
  // Rejection sampling keeps every character equally likely.
  std::string out;
  size_t limit = 256 - 256 % alphabet.size();
  while (out.size() < n) {
    for (unsigned char b : crypto::RandomBytes(n)) {
      if (b < limit && out.size() < n) out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

bool IsAccountId(std::string_view id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), ::isdigit);
}

Status ValidateKeyPair(const RootKeyPair& key) {
  bool id_ok = key.access_key_id.size() >= 16 && key.access_key_id.size() <= 128 &&
               std::all_of(key.access_key_id.begin(), key.access_key_id.end(), ::isalnum);
  if (!id_ok) return Status::InvalidArgument("access key id must be 16-128 letters or digits");
  if (key.secret_access_key.size() < 16) {
    return Status::InvalidArgument("secret access key must have at least 16 characters");
  }
  return Status::Ok();
}

}  // namespace

Principal RootPrincipal(const std::string& account_id) {
  Principal root;
  root.type = PrincipalType::kRoot;
  root.account = account_id;
  root.arn = Arn::AccountRoot(account_id).ToString();
  root.user_id = account_id;
  return root;
}

std::string NewAccessKeyId(std::string_view prefix) {
  return std::string(prefix) + RandomFromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
}

std::string NewSecretAccessKey() {
  return RandomFromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
}

std::string NewUniqueId(std::string_view prefix) {
  return std::string(prefix) + RandomFromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 17);
}

std::string NewConsolePassword() {
  // About 140 bits; every character class appears with overwhelming probability, and the
  // symbols are ones a shell or URL form does not mangle.
  return RandomFromAlphabet("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!", 24);
}

std::string NewAccountId() {
  return RandomFromAlphabet("123456789", 1) + RandomFromAlphabet("0123456789", 11);
}

IdentityStore::IdentityStore(store::Db& db, const crypto::SecretBytes& master_key,
                             const Clock& clock)
    : db_(db), master_key_(master_key), clock_(clock) {}

namespace {

// The account id in the stored account record.
Result<std::string> AccountIdOf(std::string_view record_text) {
  ASSIGN_OR_RETURN(json::object record, store::ReadJsonRecord(record_text, "account"));
  const json::value* id = record.if_contains("accountId");
  if (id == nullptr || !id->is_string()) {
    return Status::Internal("corrupt record in the store: account");
  }
  return std::string(id->as_string());
}

}  // namespace

Result<BootstrapResult> IdentityStore::Bootstrap(const BootstrapOptions& options) {
  if (options.account_id && !IsAccountId(*options.account_id)) {
    return Status::InvalidArgument("account id must be 12 digits, not '" + *options.account_id +
                                   "'");
  }
  if (options.root_key) RETURN_IF_ERROR(ValidateKeyPair(*options.root_key));

  BootstrapResult result;
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kColumnFamily, AccountKey()));
  if (existing) {
    ASSIGN_OR_RETURN(result.account_id, AccountIdOf(*existing));
    if (options.account_id && *options.account_id != result.account_id) {
      return Status::InvalidArgument("the data dir belongs to account " + result.account_id +
                                     ", not " + *options.account_id);
    }
  } else {
    result.account_id = options.account_id.value_or(NewAccountId());
    json::object account{{"accountId", result.account_id},
                         {"createDate", std::chrono::duration_cast<std::chrono::seconds>(
                                            clock_.Now().time_since_epoch())
                                            .count()}};
    // Only one serve may create the account: the write succeeds only where none exists.
    Status created =
        db_.CompareAndSet(kColumnFamily, AccountKey(), std::nullopt, json::serialize(account));
    if (created.code() == Code::kConflict) return Bootstrap(options);
    RETURN_IF_ERROR(created);
    result.created = true;
  }

  // The root user's console login (older data dirs get one on their next start).
  ASSIGN_OR_RETURN(result.root_console_login, EnsureRootConsoleLogin(options.root_email));

  if (options.root_key) {
    Result<AccessKey> known = LookupAccessKey(options.root_key->access_key_id);
    if (known.ok()) {
      if (known->secret.view() != options.root_key->secret_access_key ||
          known->principal.type != PrincipalType::kRoot) {
        return Status::InvalidArgument("access key " + options.root_key->access_key_id +
                                       " already exists with another secret or owner");
      }
    } else if (known.status().code() == Code::kNotFound) {
      RETURN_IF_ERROR(PutRootKey(result.account_id, *options.root_key));
    } else {
      return known.status();
    }
    result.root_key = *options.root_key;
    return result;
  }

  // The first root key, creating one on a new account.
  std::optional<RootKeyPair> first;
  Status corrupt;
  Status scan =
      db_.Scan(kColumnFamily, store::Range::Prefix(store::KeyBuilder().Tag(kAccessKeyTag).Build()),
               [&](std::string_view, std::string_view value) {
                 Result<json::object> record = store::ReadJsonRecord(value, "access key");
                 if (!record.ok()) {
                   corrupt = record.status();
                   return false;
                 }
                 const json::value* owner = record->if_contains("owner");
                 const json::value* id = record->if_contains("accessKeyId");
                 if (owner == nullptr || *owner != "root") return true;
                 if (id == nullptr || !id->is_string()) {
                   corrupt = Status::Internal("corrupt record in the store: access key");
                   return false;
                 }
                 first = RootKeyPair{std::string(id->as_string()), ""};
                 return false;
               });
  RETURN_IF_ERROR(scan);
  RETURN_IF_ERROR(corrupt);
  if (first) {
    ASSIGN_OR_RETURN(AccessKey key, LookupAccessKey(first->access_key_id));
    first->secret_access_key = std::string(key.secret.view());
    result.root_key = *first;
  } else {
    result.root_key = RootKeyPair{NewAccessKeyId(), NewSecretAccessKey()};
    RETURN_IF_ERROR(PutRootKey(result.account_id, result.root_key));
  }
  return result;
}

Status IdentityStore::PutRootKey(const std::string& account_id, const RootKeyPair& key) {
  crypto::SecretBytes secret(key.secret_access_key);
  ASSIGN_OR_RETURN(std::string wrapped, crypto::WrapKey(master_key_, secret, key.access_key_id));
  json::object record{
      {"accessKeyId", key.access_key_id},
      {"accountId", account_id},
      {"owner", "root"},
      {"status", "Active"},
      {"createDate",
       std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count()},
      {"secret", Base64Encode(wrapped)}};
  return db_.CompareAndSet(kColumnFamily, AccessKeyKey(key.access_key_id), std::nullopt,
                           json::serialize(record));
}

Result<std::string> IdentityStore::AccountId() const {
  {
    // The account of a data dir never changes once written: read it once.
    MutexLock lock(account_mu_);
    if (!account_id_.empty()) return account_id_;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> account, db_.Get(kColumnFamily, AccountKey()));
  if (!account) return Status::NotFound("no account: the data dir was never bootstrapped");
  ASSIGN_OR_RETURN(std::string id, AccountIdOf(*account));
  MutexLock lock(account_mu_);
  account_id_ = id;
  return id;
}

Result<int64_t> IdentityStore::AccountCreateDate() const {
  ASSIGN_OR_RETURN(std::optional<std::string> account, db_.Get(kColumnFamily, AccountKey()));
  if (!account) return Status::NotFound("no account: the data dir was never bootstrapped");
  ASSIGN_OR_RETURN(json::object record, store::ReadJsonRecord(*account, "account"));
  const json::value* date = record.if_contains("createDate");
  return date != nullptr && date->is_int64() ? date->as_int64() : int64_t{0};
}

Result<AccessKey> IdentityStore::LookupAccessKey(std::string_view access_key_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   db_.Get(kColumnFamily, AccessKeyKey(access_key_id)));
  if (!value) return Status::NotFound("no access key " + std::string(access_key_id));
  ASSIGN_OR_RETURN(json::object record,
                   store::ReadJsonRecord(*value, "access key " + std::string(access_key_id)));
  auto wrapped = Base64Decode(record.at("secret").as_string());
  if (!wrapped) return Status::Internal("corrupt secret of " + std::string(access_key_id));
  ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                   crypto::UnwrapKey(master_key_, *wrapped, access_key_id));
  AccessKey key;
  key.access_key_id = std::string(access_key_id);
  key.secret = std::move(secret);
  std::string account(record.at("accountId").as_string());
  key.active = record.at("status").as_string() == "Active";
  if (record.at("owner").as_string() == "root") {
    key.principal = RootPrincipal(account);
    return key;
  }
  // A user's key: the principal is the user as it is now (path, tags).
  const json::value* user_name = record.if_contains("userName");
  if (user_name == nullptr || !user_name->is_string()) {
    return Status::Internal("access key " + key.access_key_id + " has no owner");
  }
  Result<Principal> principal = UserPrincipal(user_name->as_string());
  if (!principal.ok()) {
    if (principal.status().code() == Code::kNotFound) {
      return Status::NotFound("the owner of access key " + key.access_key_id + " is gone");
    }
    return principal.status();
  }
  key.principal = std::move(*principal);
  return key;
}

Result<Principal> IdentityStore::UserPrincipal(std::string_view user_name) const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  Principal principal;
  principal.type = PrincipalType::kUser;
  principal.account = account;
  principal.arn = user.arn;
  principal.user_name = user.name;
  principal.user_id = user.id;
  principal.tags = user.tags;
  return principal;
}

}  // namespace kiroku::iam
