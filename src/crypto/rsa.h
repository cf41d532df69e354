// RSA signatures over OpenSSL 3: key generation, SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256)
// signing and verification, and the key encodings CloudTrail uses for digest files.
//
// Encodings:
//   - public key:  PKCS#1 RSAPublicKey, DER (what CloudTrail's ListPublicKeys returns and what
//                  the aws CLI loads with rsa.PublicKey.load_pkcs1(..., format='DER'))
//   - private key: PKCS#1 RSAPrivateKey, DER, only ever as SecretBytes (callers wrap it with
//                  WrapKey before storing it)
//
// RsaPrivateKey is immutable after construction; every method and function is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace kiroku::crypto {

class RsaPrivateKey {
 public:
  // A fresh key pair of `bits` bits (2048..8192, public exponent 65537).
  // Errors: InvalidArgument for an unsupported size; Internal if OpenSSL fails.
  static Result<RsaPrivateKey> Generate(int bits = 2048);
  // Loads the output of PrivateKeyDer(). Errors: InvalidArgument if `der` is not an RSA key.
  static Result<RsaPrivateKey> FromDer(const SecretBytes& der);

  ~RsaPrivateKey();
  RsaPrivateKey(RsaPrivateKey&&) noexcept;
  RsaPrivateKey& operator=(RsaPrivateKey&&) noexcept;
  RsaPrivateKey(const RsaPrivateKey&) = delete;
  RsaPrivateKey& operator=(const RsaPrivateKey&) = delete;

  // PKCS#1 RSAPrivateKey DER.
  Result<SecretBytes> PrivateKeyDer() const;
  // PKCS#1 RSAPublicKey DER of the matching public key.
  Result<std::string> PublicKeyDer() const;
  // SHA256withRSA signature of `message` (the raw signature, modulus-sized).
  Result<std::string> SignSha256(std::string_view message) const;
  int bits() const;

 private:
  struct Free {
    void operator()(evp_pkey_st* key) const;
  };
  explicit RsaPrivateKey(evp_pkey_st* key) : key_(key) {}
  std::unique_ptr<evp_pkey_st, Free> key_;
};

// Whether `signature` is a valid SHA256withRSA signature of `message` under the PKCS#1 DER
// public key `public_key_der`. A wrong signature is `false`; InvalidArgument if the key cannot
// be parsed.
Result<bool> VerifySha256Rsa(std::string_view public_key_der, std::string_view message,
                             std::string_view signature);

}  // namespace kiroku::crypto
