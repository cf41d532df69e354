// Virtual MFA devices: a random seed wrapped by the master key, assigned to at most one user,
// checked with TOTP (crypto/totp.h). Each device remembers the last time step a code was
// accepted for, so no code works twice (RFC 6238 section 5.2).
#include <algorithm>

#include "common/arn.h"
#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/totp.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr size_t kSeedBytes = 40;  // AWS's seeds are 64 base32 characters

// The device's ARN after "mfa/": the path without its leading '/', then the name.
std::string Suffix(std::string_view path, std::string_view name) {
  return std::string(path.substr(1)) + std::string(name);
}

// Binds the wrapped seed to its device, so a seed cannot be moved to another record.
std::string SeedLabel(std::string_view suffix) { return "virtual-mfa:" + AsciiLower(suffix); }

std::string MfaPrefix(std::string_view account) { return Arn::Iam(account, "mfa/").ToString(); }

Status NoDevice(std::string_view serial) {
  return Status::NotFound("VirtualMFADevice with serial " + std::string(serial) +
                          " does not exist.");
}

Status InvalidCode() {
  return Status::InvalidArgument("Authentication code for device is not valid.")
      .WithAwsCode("InvalidAuthenticationCode");
}

Status ValidateSerial(std::string_view serial) {
  if (serial.size() < 9 || serial.size() > 256) {
    return ValidationError(serial, "serialNumber",
                           "Member must have length less than or equal to 256 and greater than "
                           "or equal to 9");
  }
  bool ok = std::all_of(serial.begin(), serial.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_+=/:,.@-").find(c) != std::string_view::npos;
  });
  if (!ok) {
    return ValidationError(serial, "serialNumber",
                           "Member must satisfy regular expression pattern: [\\w+=/:,.@-]+");
  }
  return Status::Ok();
}

Status ValidateCode(std::string_view code, std::string_view field) {
  if (code.size() != 6) {
    return ValidationError(code, field,
                           "Member must have length less than or equal to 6 and greater than or "
                           "equal to 6");
  }
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ValidationError(code, field, "Member must satisfy regular expression pattern: [\\d]+");
  }
  return Status::Ok();
}

VirtualMfaDevice DeviceFromJson(const json::object& o, std::string_view account) {
  VirtualMfaDevice d;
  d.name = std::string(o.at("name").as_string());
  d.path = std::string(o.at("path").as_string());
  d.serial_number = EntityArn(account, "mfa", d.path, d.name);
  d.create_date = o.at("createDate").as_int64();
  if (const json::value* user = o.if_contains("userName"); user != nullptr && user->is_string()) {
    d.user_name = std::string(user->as_string());
  }
  if (const json::value* date = o.if_contains("enableDate"); date != nullptr && date->is_int64()) {
    d.enable_date = date->as_int64();
  }
  d.tags = TagsFromJson(o.if_contains("tags"));
  return d;
}

struct StoredDevice {
  std::string suffix;  // as stored (its own case)
  json::object record;
};

// The device named by `serial` (an ARN of this account); NotFound otherwise.
Result<StoredDevice> FindDevice(const store::Db& db, std::string_view account,
                                std::string_view serial) {
  std::string prefix = MfaPrefix(account);
  if (!serial.starts_with(prefix)) return NoDevice(serial);
  ASSIGN_OR_RETURN(auto record, GetRecord(db, MfaDeviceKey(serial.substr(prefix.size()))));
  if (!record) return NoDevice(serial);
  std::string suffix = Suffix(record->at("path").as_string(), record->at("name").as_string());
  return StoredDevice{std::move(suffix), std::move(*record)};
}

std::optional<uint64_t> LastStep(const json::object& record) {
  const json::value* v = record.if_contains("lastStep");
  if (v == nullptr) return std::nullopt;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return std::nullopt;
}

bool SortBySerial(const VirtualMfaDevice& a, const VirtualMfaDevice& b) {
  return a.serial_number < b.serial_number;
}

}  // namespace

Result<NewVirtualMfaDevice> IdentityStore::CreateVirtualMfaDevice(std::string_view name,
                                                                  std::string_view path,
                                                                  const Tags& tags) {
  // AWS allows 226 characters for a device name (the ARN keeps within 256 with the prefix).
  RETURN_IF_ERROR(ValidateName(name, "virtualMFADeviceName", 226));
  RETURN_IF_ERROR(ValidatePath(path));
  RETURN_IF_ERROR(ValidateTags(tags));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::string suffix = Suffix(path, name);
  crypto::SecretBytes seed = crypto::SecretBytes::Random(kSeedBytes);
  ASSIGN_OR_RETURN(std::string wrapped, crypto::WrapKey(master_key_, seed, SeedLabel(suffix)));

  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto existing, db_.Get(kCf, MfaDeviceKey(suffix)));
  if (existing) {
    return Status::AlreadyExists("MFADevice entity at the same path and name already exists.");
  }
  NewVirtualMfaDevice created;
  VirtualMfaDevice& d = created.device;
  d.name = std::string(name);
  d.path = std::string(path);
  d.serial_number = EntityArn(account, "mfa", d.path, d.name);
  d.create_date = NowSeconds(clock_);
  d.tags = tags;
  json::object record{{"name", d.name},
                      {"path", d.path},
                      {"createDate", d.create_date},
                      {"seed", Base64Encode(wrapped)}};
  if (!tags.empty()) record["tags"] = TagsToJson(tags);
  RETURN_IF_ERROR(db_.Put(kCf, MfaDeviceKey(suffix), json::serialize(record)));
  created.base32_seed = Base32Encode(seed.view());
  return created;
}

Status IdentityStore::CheckConsecutiveCodes(std::string_view user_name,
                                            std::string_view serial_number, std::string_view code1,
                                            std::string_view code2, bool assign) {
  RETURN_IF_ERROR(ValidateName(user_name, "userName", 128));
  RETURN_IF_ERROR(ValidateSerial(serial_number));
  RETURN_IF_ERROR(ValidateCode(code1, "authenticationCode1"));
  RETURN_IF_ERROR(ValidateCode(code2, "authenticationCode2"));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(StoredDevice device, FindDevice(db_, account, serial_number));
  const json::value* owner = device.record.if_contains("userName");
  bool assigned = owner != nullptr && owner->is_string();
  if (assign) {
    if (assigned) return Status::AlreadyExists("MFA Device is already in use.");
    size_t count = 0;
    RETURN_IF_ERROR(ScanPrefix(db_, UserMfaPrefix(user.name),
                               [&](std::string_view, std::string_view) { ++count; }));
    if (count >= kMaxMfaDevicesPerUser) {
      return Status::LimitExceeded("Cannot exceed quota for MFADevicesPerUser: " +
                                   std::to_string(kMaxMfaDevicesPerUser));
    }
  } else if (!assigned || AsciiLower(owner->as_string()) != AsciiLower(user.name)) {
    return NoDevice(serial_number);
  }

  auto wrapped = Base64Decode(device.record.at("seed").as_string());
  if (!wrapped) return Status::Internal("corrupt seed of MFA device " + device.suffix);
  ASSIGN_OR_RETURN(crypto::SecretBytes seed,
                   crypto::UnwrapKey(master_key_, *wrapped, SeedLabel(device.suffix)));
  // code2 is the current code, give or take one step; code1 is the one before it. Each step of
  // the window is tried as a pair (two steps of one seed can share a code: taking the first step
  // that matches code2 alone would then refuse a right pair, about once in a million).
  const uint64_t now = crypto::TotpStep(clock_.Now());
  std::optional<uint64_t> second;
  for (uint64_t step = now > 1 ? now - 1 : 1; step <= now + 1; ++step) {
    // Both codes are always compared (no short-circuit): the time taken says nothing of which.
    bool second_matches = crypto::ConstantTimeEquals(crypto::Hotp(seed.view(), step), code2);
    bool first_matches = crypto::ConstantTimeEquals(crypto::Hotp(seed.view(), step - 1), code1);
    bool pair = second_matches && first_matches;
    if (pair && !second) second = step;
  }
  if (!second) return InvalidCode();
  if (std::optional<uint64_t> last = LastStep(device.record); last && *second - 1 <= *last) {
    return InvalidCode();  // one of the codes was used already
  }

  device.record["lastStep"] = *second;
  store::WriteBatch batch;
  if (assign) {
    device.record["userName"] = user.name;
    device.record["enableDate"] = NowSeconds(clock_);
    batch.Put(kCf, UserMfaKey(user.name, device.suffix), "");
  }
  batch.Put(kCf, MfaDeviceKey(device.suffix), json::serialize(device.record));
  return db_.Write(batch);
}

Status IdentityStore::EnableMfaDevice(std::string_view user, std::string_view serial_number,
                                      std::string_view code1, std::string_view code2) {
  return CheckConsecutiveCodes(user, serial_number, code1, code2, /*assign=*/true);
}

Status IdentityStore::ResyncMfaDevice(std::string_view user, std::string_view serial_number,
                                      std::string_view code1, std::string_view code2) {
  return CheckConsecutiveCodes(user, serial_number, code1, code2, /*assign=*/false);
}

Status IdentityStore::DeactivateMfaDevice(std::string_view user_name,
                                          std::string_view serial_number) {
  RETURN_IF_ERROR(ValidateSerial(serial_number));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(StoredDevice device, FindDevice(db_, account, serial_number));
  const json::value* owner = device.record.if_contains("userName");
  if (owner == nullptr || !owner->is_string() ||
      AsciiLower(owner->as_string()) != AsciiLower(user.name)) {
    return Status::NotFound("MFA Device with serial number " + std::string(serial_number) +
                            " is not enabled for user " + user.name + ".");
  }
  device.record.erase("userName");
  device.record.erase("enableDate");
  store::WriteBatch batch;
  batch.Delete(kCf, UserMfaKey(user.name, device.suffix));
  batch.Put(kCf, MfaDeviceKey(device.suffix), json::serialize(device.record));
  return db_.Write(batch);
}

Status IdentityStore::DeleteVirtualMfaDevice(std::string_view serial_number) {
  RETURN_IF_ERROR(ValidateSerial(serial_number));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(StoredDevice device, FindDevice(db_, account, serial_number));
  if (device.record.contains("userName")) {
    return Status::Conflict("MFA Device is still in use.");
  }
  return db_.Delete(kCf, MfaDeviceKey(device.suffix));
}

Result<std::vector<VirtualMfaDevice>> IdentityStore::ListVirtualMfaDevices() const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::vector<VirtualMfaDevice> devices;
  RETURN_IF_ERROR(
      ScanRecords(db_, KindPrefix('v'), "MFA device record", [&](const json::object& record) {
        devices.push_back(DeviceFromJson(record, account));
        return Status::Ok();
      }));
  std::sort(devices.begin(), devices.end(), SortBySerial);
  return devices;
}

Result<std::vector<VirtualMfaDevice>> IdentityStore::ListMfaDevices(
    std::string_view user_name) const {
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::vector<std::string> suffixes;
  std::string prefix = UserMfaPrefix(user.name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view key, std::string_view) {
    suffixes.push_back(LastString(key, prefix));
  }));
  std::vector<VirtualMfaDevice> devices;
  for (const std::string& suffix : suffixes) {
    ASSIGN_OR_RETURN(auto record, GetRecord(db_, MfaDeviceKey(suffix)));
    if (record) devices.push_back(DeviceFromJson(*record, account));
  }
  std::sort(devices.begin(), devices.end(), SortBySerial);
  return devices;
}

Result<std::optional<std::string>> IdentityStore::VerifyMfaCode(std::string_view user_name,
                                                                std::string_view code) {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);  // check-and-consume must not race another sign-in
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  std::vector<std::string> suffixes;
  std::string prefix = UserMfaPrefix(user.name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view key, std::string_view) {
    suffixes.push_back(LastString(key, prefix));
  }));
  for (const std::string& suffix : suffixes) {
    ASSIGN_OR_RETURN(auto record, GetRecord(db_, MfaDeviceKey(suffix)));
    if (!record) continue;
    std::string stored_suffix =
        Suffix(record->at("path").as_string(), record->at("name").as_string());
    auto wrapped = Base64Decode(record->at("seed").as_string());
    if (!wrapped) return Status::Internal("corrupt seed of MFA device " + stored_suffix);
    ASSIGN_OR_RETURN(crypto::SecretBytes seed,
                     crypto::UnwrapKey(master_key_, *wrapped, SeedLabel(stored_suffix)));
    std::optional<uint64_t> step = crypto::MatchTotp(seed, code, clock_.Now());
    if (!step) continue;
    if (std::optional<uint64_t> last = LastStep(*record); last && *step <= *last) continue;
    (*record)["lastStep"] = *step;
    RETURN_IF_ERROR(db_.Put(kCf, MfaDeviceKey(stored_suffix), json::serialize(*record)));
    return std::optional<std::string>(
        EntityArn(account, "mfa", record->at("path").as_string(), record->at("name").as_string()));
  }
  return std::optional<std::string>();
}

}  // namespace kiroku::iam
