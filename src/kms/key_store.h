// KeyStore: KMS customer managed keys of every (account, region): metadata and state machine,
// key policies (stored as text; the policy engine evaluates them in api/), aliases, tags,
// rotation, scheduled deletion, grants, and envelope cryptography.
//
// Key material: one 256-bit AES key per key version (rotation adds versions), generated here,
// stored only wrapped by the master key, and never returned. Ciphertext blobs name the key and
// version and are AES-256-GCM with a fresh 96-bit nonce; the canonicalised encryption context
// is bound as additional data, so a wrong context, another key or any flipped bit fails with
// InvalidCiphertextException. Format: docs/kms.md.
//
// Keys are named by key id, key ARN, alias name ("alias/x") or alias ARN wherever AWS allows.
// A key whose deletion date has passed is gone: it is erased on first touch (and by
// PurgeDeletedKeys), and every call then answers NotFoundException.
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/scope.h"
#include "common/status.h"
#include "crypto/secret.h"
#include "store/db.h"

namespace kiroku::kms {

using EncryptionContext = std::map<std::string, std::string>;
using Tags = std::map<std::string, std::string>;

enum class KeyState { kEnabled, kDisabled, kPendingDeletion };
const char* KeyStateName(KeyState state);  // "Enabled", "Disabled", "PendingDeletion"

struct KeyMetadata {
  std::string account_id;
  std::string region;
  std::string key_id;  // UUID
  std::string arn;     // arn:aws:kms:<region>:<acct>:key/<uuid>
  TimePoint creation_date;
  std::string description;
  KeyState state = KeyState::kEnabled;
  std::string key_usage = "ENCRYPT_DECRYPT";
  std::string key_spec = "SYMMETRIC_DEFAULT";
  std::optional<TimePoint> deletion_date;  // PendingDeletion only
  int pending_window_days = 0;             // PendingDeletion only
  bool rotation_enabled = false;
  int rotation_period_days = 365;
  std::optional<TimePoint> next_rotation_date;
  std::string current_key_material_id;  // 64 hex characters
  Tags tags;
};

struct CreateKeyOptions {
  std::string description;
  std::optional<std::string> policy;  // the default key policy when absent
  Tags tags;
  std::string key_usage = "ENCRYPT_DECRYPT";
  std::string key_spec = "SYMMETRIC_DEFAULT";
};

struct KeyRotation {
  std::string key_material_id;
  TimePoint rotation_date;
  std::string rotation_type;  // "AUTOMATIC" or "ON_DEMAND"
};

struct Alias {
  std::string name;  // "alias/x"
  std::string arn;   // arn:aws:kms:<region>:<acct>:alias/x
  std::string target_key_id;
  TimePoint creation_date;
  TimePoint last_updated_date;
};

struct Grant {
  std::string grant_id;  // 64 hex
  std::string key_id;
  std::string name;
  std::string grantee_principal;
  std::string retiring_principal;
  std::string issuing_account;          // arn:aws:iam::<acct>:root
  std::vector<std::string> operations;  // "Decrypt", "GenerateDataKey", ...
  EncryptionContext context_equals;     // Constraints.EncryptionContextEquals
  EncryptionContext context_subset;     // Constraints.EncryptionContextSubset
  TimePoint creation_date;
};

struct DecryptResult {
  std::string key_arn;
  std::string plaintext;
  std::string key_material_id;
};

struct DataKey {
  std::string key_arn;
  std::string plaintext;  // empty for GenerateDataKeyWithoutPlaintext
  std::string ciphertext_blob;
};

// Keys are looked up in a kiroku::Scope: the caller's account and the request's region.
class KeyStore {
 public:
  // All must outlive the store.
  KeyStore(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock);

  // The key policy CreateKey uses when none is given: the account root may do kms:*.
  static std::string DefaultKeyPolicy(const std::string& account_id);

  Result<KeyMetadata> CreateKey(const Scope& scope, const CreateKeyOptions& options);
  // Resolves an id, ARN, alias name or alias ARN. NotFound if there is no such key (or alias).
  Result<KeyMetadata> DescribeKey(const Scope& scope, std::string_view key_ref);
  // Key ids and ARNs of the scope, ordered by key id, starting after `marker` (a key id).
  Result<std::vector<KeyMetadata>> ListKeys(const Scope& scope, std::string_view marker,
                                            size_t limit, bool* truncated);

  Status EnableKey(const Scope& scope, std::string_view key_ref);
  Status DisableKey(const Scope& scope, std::string_view key_ref);
  // 7-30 days; KMSInvalidStateException when already pending deletion.
  Result<KeyMetadata> ScheduleKeyDeletion(const Scope& scope, std::string_view key_ref,
                                          int pending_window_days);
  // Back to Disabled, as AWS does.
  Result<KeyMetadata> CancelKeyDeletion(const Scope& scope, std::string_view key_ref);
  Status UpdateKeyDescription(const Scope& scope, std::string_view key_ref,
                              std::string description);

  Result<std::string> GetKeyPolicy(const Scope& scope, std::string_view key_ref);
  Status PutKeyPolicy(const Scope& scope, std::string_view key_ref, std::string policy);

  Status EnableKeyRotation(const Scope& scope, std::string_view key_ref,
                           std::optional<int> period_days);
  Status DisableKeyRotation(const Scope& scope, std::string_view key_ref);
  Result<KeyMetadata> RotateKeyOnDemand(const Scope& scope, std::string_view key_ref);
  Result<std::vector<KeyRotation>> ListKeyRotations(const Scope& scope, std::string_view key_ref);
  // Performs the automatic rotations that are due (background task; also on key use).
  Status RotateDueKeys();

  Status TagResource(const Scope& scope, std::string_view key_ref, const Tags& tags);
  Status UntagResource(const Scope& scope, std::string_view key_ref,
                       const std::vector<std::string>& keys);

  Status CreateAlias(const Scope& scope, std::string_view alias_name, std::string_view key_ref);
  Status UpdateAlias(const Scope& scope, std::string_view alias_name, std::string_view key_ref);
  Status DeleteAlias(const Scope& scope, std::string_view alias_name);
  // All aliases of the scope, or those of one key (`key_ref` not empty).
  Result<std::vector<Alias>> ListAliases(const Scope& scope, std::string_view key_ref);

  Result<Grant> CreateGrant(const Scope& scope, std::string_view key_ref, Grant grant);
  Result<std::vector<Grant>> ListGrants(const Scope& scope, std::string_view key_ref);
  Status RevokeGrant(const Scope& scope, std::string_view key_ref, std::string_view grant_id);
  // Retires by id (with the key) or by token; returns the retired grant.
  Result<Grant> RetireGrant(const Scope& scope, std::string_view key_ref,
                            std::string_view grant_id);

  // Cryptography. Plaintext 1..4096 bytes for Encrypt.
  Result<std::string> Encrypt(const Scope& scope, std::string_view key_ref,
                              std::string_view plaintext, const EncryptionContext& context);
  // `key_ref` may be empty: the key is named by the blob. IncorrectKeyException if it names
  // another key than the blob's.
  Result<DecryptResult> Decrypt(const Scope& scope, std::string_view blob,
                                const EncryptionContext& context, std::string_view key_ref);
  // The key a ciphertext blob was made under (for authorization before decrypting), as an
  // ARN in `scope`. InvalidCiphertextException if the blob is not a kiroku ciphertext.
  Result<std::string> KeyArnOfCiphertext(const Scope& scope, std::string_view blob);
  Result<DataKey> GenerateDataKey(const Scope& scope, std::string_view key_ref, size_t bytes,
                                  const EncryptionContext& context, bool with_plaintext);

  // Erases keys whose deletion date has passed, with their aliases and grants.
  Result<size_t> PurgeDeletedKeys();

 private:
  struct Record;
  Result<Record> Load(const Scope& scope, std::string_view key_ref);
  Result<Record> LoadById(const Scope& scope, const std::string& key_id);
  Status Save(const Record& record);
  template <typename Change>
  Status Mutate(const Scope& scope, std::string_view key_ref, Change&& change);
  Result<Record> LoadUsable(const Scope& scope, std::string_view key_ref);
  Status EraseKey(const Scope& scope, const std::string& key_id);
  Result<std::string> ResolveKeyId(const Scope& scope, std::string_view key_ref);
  Result<std::string> SealWithVersion(const Record& record, size_t version,
                                      std::string_view plaintext, const EncryptionContext& context);

  store::Db& db_;
  const crypto::SecretBytes& master_key_;
  const Clock& clock_;
};

// The AAD form of an encryption context: pairs sorted by key, each length-prefixed.
std::string CanonicalEncryptionContext(const EncryptionContext& context);

}  // namespace kiroku::kms
