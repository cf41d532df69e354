#include "crypto/rsa.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace kiroku::crypto {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

bool IsRsa(const EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

}  // namespace

void RsaPrivateKey::Free::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

RsaPrivateKey::~RsaPrivateKey() = default;
RsaPrivateKey::RsaPrivateKey(RsaPrivateKey&&) noexcept = default;
RsaPrivateKey& RsaPrivateKey::operator=(RsaPrivateKey&&) noexcept = default;

Result<RsaPrivateKey> RsaPrivateKey::Generate(int bits) {
  if (bits < 2048 || bits > 8192) {
    return Status::InvalidArgument("RSA key size must be 2048..8192 bits");
  }
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  if (key == nullptr) return Status::Internal("RSA key generation failed");
  return RsaPrivateKey(key);
}

Result<RsaPrivateKey> RsaPrivateKey::FromDer(const SecretBytes& der) {
  const unsigned char* p = der.data();
  EVP_PKEY* key = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
  if (key == nullptr) return Status::InvalidArgument("not an RSA private key");
  RsaPrivateKey out(key);
  if (p != der.data() + der.size()) return Status::InvalidArgument("trailing bytes after key");
  return out;
}

Result<SecretBytes> RsaPrivateKey::PrivateKeyDer() const {
  unsigned char* buf = nullptr;
  int n = i2d_PrivateKey(key_.get(), &buf);
  if (n <= 0 || buf == nullptr) return Status::Internal("cannot encode RSA private key");
  SecretBytes out(std::string_view(reinterpret_cast<const char*>(buf), static_cast<size_t>(n)));
  OPENSSL_clear_free(buf, static_cast<size_t>(n));
  return out;
}

Result<std::string> RsaPrivateKey::PublicKeyDer() const {
  unsigned char* buf = nullptr;
  int n = i2d_PublicKey(key_.get(), &buf);  // PKCS#1 RSAPublicKey for RSA keys
  if (n <= 0 || buf == nullptr) return Status::Internal("cannot encode RSA public key");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

int RsaPrivateKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

Result<std::string> RsaPrivateKey::SignSha256(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    return Status::Internal("EVP_DigestSignInit failed");
  }
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()) != 1) {
    return Status::Internal("EVP_DigestSign failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     message.size()) != 1) {
    return Status::Internal("EVP_DigestSign failed");
  }
  signature.resize(length);
  return signature;
}

Result<bool> VerifySha256Rsa(std::string_view public_key_der, std::string_view message,
                             std::string_view signature) {
  const auto* p = reinterpret_cast<const unsigned char*>(public_key_der.data());
  const unsigned char* end = p + public_key_der.size();
  Pkey key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(public_key_der.size())));
  if (!key || !IsRsa(key.get()) || p != end) {
    return Status::InvalidArgument("not a PKCS#1 RSA public key");
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return Status::Internal("EVP_DigestVerifyInit failed");
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  return rc == 1;
}

}  // namespace kiroku::crypto
