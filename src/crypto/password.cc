#include "crypto/password.h"

#include <openssl/evp.h>

#include <charconv>
#include <optional>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/secret.h"

namespace kiroku::crypto {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr uint64_t kMaxMemoryBytes = uint64_t{1} << 30;
constexpr std::string_view kPrefix = "$scrypt$";

// Memory OpenSSL's scrypt allocates: B (128*r*p) plus V (128*r*(N+2)).
uint64_t MemoryBytes(const ScryptParams& params) {
  return 128ULL * params.r * ((uint64_t{1} << params.log2_n) + params.p + 2);
}

Status Validate(const ScryptParams& params) {
  if (params.log2_n < 1 || params.log2_n > 22 || params.r < 1 || params.r > 32 || params.p < 1 ||
      params.p > 16) {
    return Status::InvalidArgument("scrypt parameters out of range");
  }
  if (MemoryBytes(params) > kMaxMemoryBytes) {
    return Status::InvalidArgument("scrypt parameters need more than 1 GiB");
  }
  return Status::Ok();
}

struct Parsed {
  ScryptParams params;
  std::string salt;
  std::string hash;
};

// Consumes "<name>=<decimal>" from the front of `text`.
std::optional<uint32_t> ParseField(std::string_view& text, std::string_view name) {
  if (text.substr(0, name.size()) != name || text.size() <= name.size() ||
      text[name.size()] != '=') {
    return std::nullopt;
  }
  text.remove_prefix(name.size() + 1);
  uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(ptr - text.data()));
  return value;
}

std::optional<Parsed> Parse(std::string_view stored) {
  if (stored.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = stored.substr(kPrefix.size());
  Parsed parsed;
  std::optional<uint32_t> ln = ParseField(rest, "ln");
  if (!ln || rest.empty() || rest[0] != ',') return std::nullopt;
  rest.remove_prefix(1);
  std::optional<uint32_t> r = ParseField(rest, "r");
  if (!r || rest.empty() || rest[0] != ',') return std::nullopt;
  rest.remove_prefix(1);
  std::optional<uint32_t> p = ParseField(rest, "p");
  if (!p || rest.empty() || rest[0] != '$') return std::nullopt;
  rest.remove_prefix(1);
  parsed.params = ScryptParams{*ln, *r, *p};
  size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos) return std::nullopt;
  std::optional<std::string> salt = Base64Decode(rest.substr(0, dollar));
  std::optional<std::string> hash = Base64Decode(rest.substr(dollar + 1));
  if (!salt || !hash || salt->empty() || hash->size() != kHashBytes) return std::nullopt;
  parsed.salt = std::move(*salt);
  parsed.hash = std::move(*hash);
  return parsed;
}

}  // namespace

Result<std::string> Scrypt(std::string_view password, std::string_view salt,
                           const ScryptParams& params, size_t length) {
  RETURN_IF_ERROR(Validate(params));
  if (length == 0 || length > 1024) return Status::InvalidArgument("bad scrypt output length");
  std::string out(length, '\0');
  // maxmem slightly above what these parameters need, so OpenSSL's default 32 MiB cap does not
  // reject the default parameters.
  const uint64_t maxmem = MemoryBytes(params) + (1 << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                     uint64_t{1} << params.log2_n, params.r, params.p, maxmem,
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
    return Status::Internal("scrypt failed");
  }
  return out;
}

Result<std::string> HashPassword(std::string_view password, const ScryptParams& params) {
  std::string salt = RandomBytes(kSaltBytes);
  ASSIGN_OR_RETURN(std::string hash, Scrypt(password, salt, params, kHashBytes));
  std::string stored = std::string(kPrefix) + "ln=" + std::to_string(params.log2_n) +
                       ",r=" + std::to_string(params.r) + ",p=" + std::to_string(params.p) + "$" +
                       Base64Encode(salt) + "$" + Base64Encode(hash);
  Cleanse(hash);
  return stored;
}

Result<bool> VerifyPassword(std::string_view password, std::string_view stored) {
  std::optional<Parsed> parsed = Parse(stored);
  if (!parsed) return Status::InvalidArgument("malformed password hash");
  ASSIGN_OR_RETURN(std::string hash,
                   Scrypt(password, parsed->salt, parsed->params, parsed->hash.size()));
  const bool match = ConstantTimeEquals(hash, parsed->hash);
  Cleanse(hash);
  return match;
}

bool NeedsRehash(std::string_view stored, const ScryptParams& params) {
  std::optional<Parsed> parsed = Parse(stored);
  return !parsed || parsed->params.log2_n != params.log2_n || parsed->params.r != params.r ||
         parsed->params.p != params.p || parsed->salt.size() != kSaltBytes;
}

}  // namespace kiroku::crypto
