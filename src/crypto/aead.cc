#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <memory>

#include "common/check.h"

namespace kiroku::crypto {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

constexpr unsigned char kWrapVersion = 0x01;
constexpr std::string_view kWrapDomain("kiroku-key-wrap-v1\0", 19);

// Explicitly fetched once (OpenSSL 3): avoids the implicit fetch behind EVP_aes_*_gcm() on
// every call. The ciphers live for the whole process.
Result<const EVP_CIPHER*> CipherFor(const SecretBytes& key) {
  static const EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  static const EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  if (key.size() == kAes256KeyBytes) {
    KIROKU_CHECK(aes256 != nullptr);
    return aes256;
  }
  if (key.size() == kAes128KeyBytes) {
    KIROKU_CHECK(aes128 != nullptr);
    return aes128;
  }
  return Status::InvalidArgument("AES-GCM key must be 16 or 32 bytes, got " +
                                 std::to_string(key.size()));
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status CheckSizes(std::string_view nonce, std::string_view data, std::string_view aad) {
  if (nonce.size() != kAeadNonceBytes) {
    return Status::InvalidArgument("AES-GCM nonce must be 12 bytes");
  }
  if (data.size() > INT_MAX - 64 || aad.size() > INT_MAX) {
    return Status::InvalidArgument("AES-GCM input too large");
  }
  return Status::Ok();
}

// Writes ciphertext (plaintext.size() bytes) to `out` and the tag to `tag`.
Status Encrypt(const SecretBytes& key, std::string_view nonce, std::string_view plaintext,
               std::string_view aad, unsigned char* out, unsigned char* tag) {
  ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, CipherFor(key));
  RETURN_IF_ERROR(CheckSizes(nonce, plaintext, aad));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  KIROKU_CHECK(ctx != nullptr);
  int len = 0;
  KIROKU_CHECK(EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), Bytes(nonce)) == 1);
  if (!aad.empty()) {
    KIROKU_CHECK(
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1);
  }
  int written = 0;
  if (!plaintext.empty()) {
    KIROKU_CHECK(EVP_EncryptUpdate(ctx.get(), out, &len, Bytes(plaintext),
                                   static_cast<int>(plaintext.size())) == 1);
    written = len;
  }
  KIROKU_CHECK(EVP_EncryptFinal_ex(ctx.get(), out + written, &len) == 1);
  KIROKU_CHECK(written + len == static_cast<int>(plaintext.size()));
  KIROKU_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagBytes, tag) == 1);
  return Status::Ok();
}

// Writes the plaintext (ciphertext.size() bytes) to `out` and verifies `tag`; on failure the
// output is wiped.
Status Decrypt(const SecretBytes& key, std::string_view nonce, std::string_view ciphertext,
               std::string_view tag, std::string_view aad, unsigned char* out) {
  ASSIGN_OR_RETURN(const EVP_CIPHER* cipher, CipherFor(key));
  RETURN_IF_ERROR(CheckSizes(nonce, ciphertext, aad));
  KIROKU_CHECK(tag.size() == kAeadTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  KIROKU_CHECK(ctx != nullptr);
  int len = 0;
  KIROKU_CHECK(EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), Bytes(nonce)) == 1);
  if (!aad.empty()) {
    KIROKU_CHECK(
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1);
  }
  int written = 0;
  if (!ciphertext.empty()) {
    KIROKU_CHECK(EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(ciphertext),
                                   static_cast<int>(ciphertext.size())) == 1);
    written = len;
  }
  unsigned char expected_tag[kAeadTagBytes];
  std::memcpy(expected_tag, tag.data(), kAeadTagBytes);
  const int tag_set =
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, expected_tag);
  KIROKU_CHECK(tag_set == 1);
  if (EVP_DecryptFinal_ex(ctx.get(), out + written, &len) != 1) {
    if (!ciphertext.empty()) OPENSSL_cleanse(out, ciphertext.size());
    return Status::InvalidArgument("AES-GCM authentication failed");
  }
  return Status::Ok();
}

unsigned char* Out(std::string& s, size_t offset) {
  return reinterpret_cast<unsigned char*>(s.data()) + offset;
}

}  // namespace

Result<std::string> AesGcmEncrypt(const SecretBytes& key, std::string_view nonce,
                                  std::string_view plaintext, std::string_view aad) {
  std::string out(plaintext.size() + kAeadTagBytes, '\0');
  RETURN_IF_ERROR(Encrypt(key, nonce, plaintext, aad, Out(out, 0), Out(out, plaintext.size())));
  return out;
}

Result<std::string> AesGcmDecrypt(const SecretBytes& key, std::string_view nonce,
                                  std::string_view ciphertext_and_tag, std::string_view aad) {
  if (ciphertext_and_tag.size() < kAeadTagBytes) {
    return Status::InvalidArgument("AES-GCM authentication failed: input too short");
  }
  const size_t n = ciphertext_and_tag.size() - kAeadTagBytes;
  std::string out(n, '\0');
  RETURN_IF_ERROR(Decrypt(key, nonce, ciphertext_and_tag.substr(0, n), ciphertext_and_tag.substr(n),
                          aad, Out(out, 0)));
  return out;
}

Result<std::string> AeadSeal(const SecretBytes& key, std::string_view plaintext,
                             std::string_view aad) {
  std::string out(kAeadOverheadBytes + plaintext.size(), '\0');
  KIROKU_CHECK(RAND_bytes(Out(out, 0), kAeadNonceBytes) == 1);
  std::string_view nonce(out.data(), kAeadNonceBytes);
  RETURN_IF_ERROR(Encrypt(key, nonce, plaintext, aad, Out(out, kAeadNonceBytes),
                          Out(out, kAeadNonceBytes + plaintext.size())));
  return out;
}

namespace {

// Splits nonce||ciphertext||tag and decrypts into `out` (ciphertext-sized).
Status OpenInto(const SecretBytes& key, std::string_view sealed, std::string_view aad,
                unsigned char* out) {
  const size_t n = sealed.size() - kAeadOverheadBytes;
  return Decrypt(key, sealed.substr(0, kAeadNonceBytes), sealed.substr(kAeadNonceBytes, n),
                 sealed.substr(kAeadNonceBytes + n), aad, out);
}

}  // namespace

Result<std::string> AeadOpen(const SecretBytes& key, std::string_view sealed,
                             std::string_view aad) {
  if (sealed.size() < kAeadOverheadBytes) {
    return Status::InvalidArgument("AES-GCM authentication failed: input too short");
  }
  std::string out(sealed.size() - kAeadOverheadBytes, '\0');
  RETURN_IF_ERROR(OpenInto(key, sealed, aad, Out(out, 0)));
  return out;
}

Result<std::string> WrapKey(const SecretBytes& master_key, const SecretBytes& key,
                            std::string_view label) {
  if (master_key.size() != kAes256KeyBytes) {
    return Status::InvalidArgument("master key must be 32 bytes");
  }
  std::string aad = std::string(kWrapDomain) + std::string(label);
  ASSIGN_OR_RETURN(std::string sealed, AeadSeal(master_key, key.view(), aad));
  return std::string(1, static_cast<char>(kWrapVersion)) + sealed;
}

Result<SecretBytes> UnwrapKey(const SecretBytes& master_key, std::string_view wrapped,
                              std::string_view label) {
  if (master_key.size() != kAes256KeyBytes) {
    return Status::InvalidArgument("master key must be 32 bytes");
  }
  if (wrapped.size() < 1 + kAeadOverheadBytes ||
      static_cast<unsigned char>(wrapped[0]) != kWrapVersion) {
    return Status::InvalidArgument("not a wrapped key");
  }
  std::string_view sealed = wrapped.substr(1);
  std::string aad = std::string(kWrapDomain) + std::string(label);
  SecretBytes key = SecretBytes::Zeroed(sealed.size() - kAeadOverheadBytes);
  RETURN_IF_ERROR(OpenInto(master_key, sealed, aad, key.mutable_data()));
  return key;
}

}  // namespace kiroku::crypto
