#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/check.h"
#include "common/encoding.h"

namespace kiroku::crypto {
namespace {

// OpenSSL 3 looks algorithms up by name under a lock on every implicit use; fetching them once
// removes that from the per-request path (SigV4 runs five HMACs and two digests per request).
const EVP_MD* Sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    KIROKU_CHECK(fetched != nullptr);
    return fetched;
  }();
  return md;
}

EVP_MAC* HmacMac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    KIROKU_CHECK(fetched != nullptr);
    return fetched;
  }();
  return mac;
}

// One HMAC-SHA256 context per thread, re-keyed for every call.
EVP_MAC_CTX* ThreadHmacContext() {
  struct Holder {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(HmacMac());
    ~Holder() { EVP_MAC_CTX_free(ctx); }
  };
  thread_local Holder holder;
  KIROKU_CHECK(holder.ctx != nullptr);
  return holder.ctx;
}

}  // namespace

struct Hasher::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(Digest digest) : state_(std::make_unique<State>()) {
  KIROKU_CHECK(state_->ctx != nullptr);
  const EVP_MD* md = digest == Digest::kSha256 ? Sha256Md()
                     : digest == Digest::kSha1 ? EVP_sha1()
                                               : EVP_md5();
  KIROKU_CHECK(EVP_DigestInit_ex(state_->ctx, md, nullptr) == 1);
}

Hasher::~Hasher() = default;

void Hasher::Update(std::string_view data) {
  KIROKU_CHECK(EVP_DigestUpdate(state_->ctx, data.data(), data.size()) == 1);
}

std::string Hasher::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  KIROKU_CHECK(EVP_DigestFinal_ex(state_->ctx, out, &len) == 1);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  KIROKU_CHECK(EVP_Digest(data.data(), data.size(), out, &len, Sha256Md(), nullptr) == 1);
  return std::string(reinterpret_cast<char*>(out), len);
}

namespace {

// HMAC with the digest OpenSSL names `digest` ("SHA256", "SHA1").
std::string Hmac(const char* digest, std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = ThreadHmacContext();
  std::string digest_name(digest);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  KIROKU_CHECK(EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                            params) == 1);
  KIROKU_CHECK(
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  KIROKU_CHECK(EVP_MAC_final(ctx, out, &len, sizeof(out)) == 1);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  return Hmac("SHA256", key, data);
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  return Hmac("SHA1", key, data);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  KIROKU_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1);
  return out;
}

std::string RandomUuid() {
  std::string hex = HexEncode(RandomBytes(16));
  hex[12] = '4';                  // version 4
  hex[16] = "89ab"[hex[16] % 4];  // the RFC 4122 variant
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace kiroku::crypto
