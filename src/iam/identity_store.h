// IdentityStore: the account and its access keys, persisted in the "meta" column family.
// Secret access keys are stored wrapped (AES-256-GCM) by the master key and unwrapped only to
// verify signatures; they never appear in logs.
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/secret.h"
#include "iam/principal.h"
#include "policy/evaluator.h"
#include "store/db.h"

namespace kiroku::iam {

struct RootKeyPair {
  std::string access_key_id;
  std::string secret_access_key;
};

struct BootstrapOptions {
  std::optional<std::string> account_id;  // 12 digits; random when absent
  std::optional<RootKeyPair> root_key;    // generated when absent
};

struct BootstrapResult {
  std::string account_id;
  RootKeyPair root_key;  // the key named in options, else the first root key
  bool created = false;  // true when this call created the account
};

// What a valid access key resolves to.
struct AccessKey {
  std::string access_key_id;
  crypto::SecretBytes secret;
  Principal principal;
  bool active = true;
};

class IdentityStore {
 public:
  // The column family this store uses; the Db must have been opened with it.
  static constexpr std::string_view kColumnFamily = "meta";

  // `db`, `master_key` and `clock` must outlive this object.
  IdentityStore(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock);

  // Creates the account and a root access key on an empty store; on a bootstrapped store,
  // returns the existing account (InvalidArgument if `options.account_id` names another one)
  // and adds `options.root_key` as a root key if it is new. InvalidArgument for a malformed
  // account id or key pair.
  Result<BootstrapResult> Bootstrap(const BootstrapOptions& options);

  // NotFound before Bootstrap.
  Result<std::string> AccountId() const;

  // The key and its principal. NotFound when no such key exists.
  Result<AccessKey> LookupAccessKey(std::string_view access_key_id) const;

  // Every identity-side policy that applies to `principal`: its identity policies, permissions
  // boundary and session policies (PolicySet::resource is left for the caller). The root user
  // and service principals have none.
  Result<policy::PolicySet> PoliciesFor(const Principal& principal) const;

 private:
  Status PutRootKey(const std::string& account_id, const RootKeyPair& key);

  store::Db& db_;
  const crypto::SecretBytes& master_key_;
  const Clock& clock_;
};

// Fresh identifiers in AWS's shapes.
std::string NewAccessKeyId(std::string_view prefix = "AKIA");  // prefix + 16 base32 chars
std::string NewSecretAccessKey();                              // 40 characters
std::string NewAccountId();                                    // 12 digits

}  // namespace kiroku::iam
