// Authenticated encryption with AES-GCM (OpenSSL EVP), and key wrapping under a master key.
//
// Sealed format (AeadSeal/AeadOpen):  nonce (12 bytes) || ciphertext (= plaintext length) ||
// tag (16 bytes). The nonce is random per call (96 bits), so one key may seal up to about 2^32
// messages before the nonce-collision risk matters; KMS and the log chunk writer stay far below.
// The key size picks the cipher: 32 bytes AES-256-GCM, 16 bytes AES-128-GCM.
//
// Additional authenticated data (`aad`) is not stored: the opener must pass the same bytes.
// Callers bind context with it (KMS: the canonical encryption context; logs: the chunk key).
//
// Every function is thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret.h"

namespace kiroku::crypto {

inline constexpr size_t kAeadNonceBytes = 12;
inline constexpr size_t kAeadTagBytes = 16;
inline constexpr size_t kAeadOverheadBytes = kAeadNonceBytes + kAeadTagBytes;
inline constexpr size_t kAes256KeyBytes = 32;
inline constexpr size_t kAes128KeyBytes = 16;

// Encrypts and authenticates `plaintext` (and `aad`) with a fresh random nonce. Returns
// nonce||ciphertext||tag, kAeadOverheadBytes longer than `plaintext`.
// Errors: InvalidArgument if the key is not 16 or 32 bytes or an input exceeds 2 GiB.
Result<std::string> AeadSeal(const SecretBytes& key, std::string_view plaintext,
                             std::string_view aad);

// Verifies and decrypts the output of AeadSeal. Returns InvalidArgument ("authentication
// failed") if `sealed` was altered or truncated, or if the key or `aad` differ from sealing;
// no plaintext is released in that case.
Result<std::string> AeadOpen(const SecretBytes& key, std::string_view sealed, std::string_view aad);

// The same primitive with a caller-chosen 12-byte nonce, for known-answer tests and formats
// that derive their own nonces. Never encrypt two messages with one (key, nonce) pair.
// AesGcmEncrypt returns ciphertext||tag; AesGcmDecrypt takes it. Errors as above.
Result<std::string> AesGcmEncrypt(const SecretBytes& key, std::string_view nonce,
                                  std::string_view plaintext, std::string_view aad);
Result<std::string> AesGcmDecrypt(const SecretBytes& key, std::string_view nonce,
                                  std::string_view ciphertext_and_tag, std::string_view aad);

// Key wrapping: protects a data key (e.g. KMS key material) under a master key.
// Format: version byte 0x01 || AeadSeal(master_key, key, aad = "kiroku-key-wrap-v1" 0x00 label).
// `label` names what the key is for (e.g. the KMS key id and version) so a wrapped key cannot be
// swapped for another one stored elsewhere. `master_key` must be 32 bytes (AES-256-GCM).
Result<std::string> WrapKey(const SecretBytes& master_key, const SecretBytes& key,
                            std::string_view label);
// Returns InvalidArgument if the wrapped bytes, the master key or the label do not match.
Result<SecretBytes> UnwrapKey(const SecretBytes& master_key, std::string_view wrapped,
                              std::string_view label);

}  // namespace kiroku::crypto
