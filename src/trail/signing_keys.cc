#include "trail/signing_keys.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

constexpr uint8_t kDigestTag = 'D';
constexpr uint8_t kKeyTag = 'k';

std::string KeyOf(const std::string& account, const std::string& region) {
  return store::KeyBuilder().Tag(kDigestTag).Tag(kKeyTag).String(account).String(region).Build();
}

std::string WrapLabel(const std::string& account, const std::string& region) {
  return "cloudtrail-signing-key:" + account + ":" + region;
}

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string Fingerprint(std::string_view der) {
  crypto::Md5Hasher md5;
  md5.Update(der);
  return HexEncode(md5.Finish());
}

}  // namespace

SigningKeys::SigningKeys(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock)
    : db_(db), master_key_(master_key), clock_(clock) {}

Result<std::optional<PublicKeyInfo>> SigningKeys::Load(const std::string& account,
                                                       const std::string& region,
                                                       std::string* wrapped) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   db_.Get(kColumnFamily, KeyOf(account, region)));
  if (!value) return std::optional<PublicKeyInfo>();
  ASSIGN_OR_RETURN(const json::object o,
                   store::ReadJsonRecord(*value, "CloudTrail signing key of " + region));
  PublicKeyInfo info;
  auto str = [&](std::string_view k) -> std::string {
    const json::value* f = o.if_contains(k);
    return f != nullptr && f->is_string() ? std::string(f->as_string()) : "";
  };
  info.der = Base64Decode(str("publicKey")).value_or("");
  info.fingerprint = str("fingerprint");
  const json::value* created = o.if_contains("created");
  if (info.der.empty() || created == nullptr || !created->is_int64()) {
    return Status::Internal("corrupt CloudTrail signing key record");
  }
  info.valid_from = TimePoint(std::chrono::milliseconds(created->as_int64()));
  if (wrapped != nullptr) *wrapped = Base64Decode(str("privateKey")).value_or("");
  return std::optional<PublicKeyInfo>(std::move(info));
}

Result<SigningKeys::Signer> SigningKeys::Get(const std::string& account,
                                             const std::string& region) {
  MutexLock lock(mu_);
  std::string cache_key = account + '\0' + region;
  if (auto it = cache_.find(cache_key); it != cache_.end()) return it->second;
  std::string wrapped;
  ASSIGN_OR_RETURN(std::optional<PublicKeyInfo> stored, Load(account, region, &wrapped));
  Signer signer;
  if (stored) {
    auto der = crypto::UnwrapKey(master_key_, wrapped, WrapLabel(account, region));
    if (!der.ok()) return Status::Internal("cannot unwrap the CloudTrail signing key");
    ASSIGN_OR_RETURN(crypto::RsaPrivateKey key, crypto::RsaPrivateKey::FromDer(*der));
    signer.key = std::make_shared<const crypto::RsaPrivateKey>(std::move(key));
    signer.info = std::move(*stored);
  } else {
    ASSIGN_OR_RETURN(crypto::RsaPrivateKey key, crypto::RsaPrivateKey::Generate(2048));
    ASSIGN_OR_RETURN(crypto::SecretBytes der, key.PrivateKeyDer());
    ASSIGN_OR_RETURN(std::string wrapped_der,
                     crypto::WrapKey(master_key_, der, WrapLabel(account, region)));
    ASSIGN_OR_RETURN(signer.info.der, key.PublicKeyDer());
    signer.info.fingerprint = Fingerprint(signer.info.der);
    // Whole seconds: ListPublicKeys reports epoch seconds.
    signer.info.valid_from = std::chrono::time_point_cast<std::chrono::seconds>(clock_.Now());
    json::object o{{"publicKey", Base64Encode(signer.info.der)},
                   {"fingerprint", signer.info.fingerprint},
                   {"created", Millis(signer.info.valid_from)},
                   {"privateKey", Base64Encode(wrapped_der)}};
    // Only this process writes these keys, under mu_; absent-then-put cannot race.
    RETURN_IF_ERROR(db_.Put(kColumnFamily, KeyOf(account, region), json::serialize(o)));
    signer.key = std::make_shared<const crypto::RsaPrivateKey>(std::move(key));
  }
  cache_[cache_key] = signer;
  return signer;
}

Result<std::vector<PublicKeyInfo>> SigningKeys::List(const std::string& account,
                                                     const std::string& region, TimePoint,
                                                     TimePoint end) const {
  ASSIGN_OR_RETURN(std::optional<PublicKeyInfo> stored, Load(account, region, nullptr));
  std::vector<PublicKeyInfo> out;
  // Never rotated: valid from creation on, so it overlaps any window that ends after that.
  if (stored && stored->valid_from <= end) out.push_back(std::move(*stored));
  return out;
}

}  // namespace kiroku::trail
