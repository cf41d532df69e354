// SigningKeys: the RSA key pairs CloudTrail signs digest files with — one 2048-bit pair per
// (account, region), created on first use and never rotated (AWS rotates its regional keys; a
// single key keeps the model simple, and ListPublicKeys still answers by validity window).
// The private key is stored only wrapped by the master key (label "cloudtrail-signing-key:"
// account ":" region) in the "meta" column family; the public key and its fingerprint in clear.
// Format: docs/storage-keys.md.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "crypto/rsa.h"
#include "crypto/secret.h"
#include "store/db.h"

namespace kiroku::trail {

struct PublicKeyInfo {
  std::string der;          // PKCS#1 RSAPublicKey
  std::string fingerprint;  // hex MD5 of `der` (digestPublicKeyFingerprint)
  TimePoint valid_from;     // when the key was created
};

class SigningKeys {
 public:
  static constexpr std::string_view kColumnFamily = "meta";

  // All must outlive the object.
  SigningKeys(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock);

  // The region's key pair, created (and stored) on first use. The returned key is shared and
  // immutable. Errors: store failures, Internal if a stored key cannot be unwrapped (another
  // master key).
  struct Signer {
    std::shared_ptr<const crypto::RsaPrivateKey> key;
    PublicKeyInfo info;
  };
  Result<Signer> Get(const std::string& account, const std::string& region);

  // The public keys of the region valid at some point of [start, end] (a key is valid from its
  // creation on). Does not create a key.
  Result<std::vector<PublicKeyInfo>> List(const std::string& account, const std::string& region,
                                          TimePoint start, TimePoint end) const;

 private:
  Result<std::optional<PublicKeyInfo>> Load(const std::string& account, const std::string& region,
                                            std::string* wrapped) const;

  store::Db& db_;
  const crypto::SecretBytes& master_key_;
  const Clock& clock_;
  Mutex mu_;
  std::map<std::string, Signer> cache_ GUARDED_BY(mu_);  // by account '\0' region
};

}  // namespace kiroku::trail
