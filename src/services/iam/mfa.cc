// IAM virtual MFA devices: create, enable, resync, deactivate, delete, list. The seed leaves the
// server once, in CreateVirtualMFADevice's answer: Base32StringSeed (base64 of its base32 text,
// a blob) and QRCodePNG (a PNG QR code of the otpauth:// URI an authenticator app scans).
#include "common/encoding.h"
#include "qr/qr_png.h"
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {

json::object MfaDeviceJson(const iam::VirtualMfaDevice& d) {
  return json::object{{"UserName", d.user_name},
                      {"SerialNumber", d.serial_number},
                      {"EnableDate", d.enable_date.value_or(0)}};
}

Status NoRootDevice(std::string_view serial) {
  // kiroku's root user has no MFA devices (the root user signs in with its password only).
  return Status::NotFound("MFA Device with serial number " + std::string(serial) +
                          " is not enabled for the root user.");
}

// The user, serial number and the two consecutive codes of Enable/ResyncMFADevice.
struct CodePair {
  std::string user, serial, code1, code2;
};

CodePair Codes(const json::object& in) {
  return {Str(in, "UserName"), Str(in, "SerialNumber"), Str(in, "AuthenticationCode1"),
          Str(in, "AuthenticationCode2")};
}

}  // namespace

IamService::Json IamService::CreateVirtualMFADevice(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "VirtualMFADeviceName");
  ASSIGN_OR_RETURN(iam::NewVirtualMfaDevice created,
                   identities_.CreateVirtualMfaDevice(name, OrDefault(ctx.input, "Path", "/"),
                                                      InputTags(ctx.input)));
  // AWS's format: otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String,
  // AccountName being the caller's user name if it has one, else the account id.
  std::string account_name =
      ctx.principal.user_name.empty() ? ctx.account : ctx.principal.user_name;
  std::string uri = "otpauth://totp/" + UriEncode(name, false) + "@" +
                    UriEncode(account_name, false) + "?secret=" + created.base32_seed;
  ASSIGN_OR_RETURN(std::string png, qr::QrCodePng(uri));
  // Blobs: base64 on the wire; the CLI's --outfile writes the decoded bytes.
  json::object device{{"SerialNumber", created.device.serial_number},
                      {"Base32StringSeed", Base64Encode(created.base32_seed)},
                      {"QRCodePNG", Base64Encode(png)}};
  if (!created.device.tags.empty()) device["Tags"] = TagList(created.device.tags);
  return Out({{"VirtualMFADevice", std::move(device)}});
}

IamService::Json IamService::EnableMFADevice(RequestContext& ctx) const {
  CodePair c = Codes(ctx.input);
  RETURN_IF_ERROR(identities_.EnableMfaDevice(c.user, c.serial, c.code1, c.code2));
  return Out();
}

IamService::Json IamService::ResyncMFADevice(RequestContext& ctx) const {
  CodePair c = Codes(ctx.input);
  RETURN_IF_ERROR(identities_.ResyncMfaDevice(c.user, c.serial, c.code1, c.code2));
  return Out();
}

IamService::Json IamService::DeactivateMFADevice(RequestContext& ctx) const {
  std::string serial = Str(ctx.input, "SerialNumber");
  ASSIGN_OR_RETURN(std::string user, UserNameOrCaller(ctx));
  if (user.empty()) return NoRootDevice(serial);
  RETURN_IF_ERROR(identities_.DeactivateMfaDevice(user, serial));
  return Out();
}

IamService::Json IamService::DeleteVirtualMFADevice(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeleteVirtualMfaDevice(Str(ctx.input, "SerialNumber")));
  return Out();
}

IamService::Json IamService::ListMFADevices(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string user, UserNameOrCaller(ctx));
  std::vector<iam::VirtualMfaDevice> devices;
  if (!user.empty()) {
    ASSIGN_OR_RETURN(devices, identities_.ListMfaDevices(user));
  }
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::VirtualMfaDevice& d : devices) {
    items.emplace_back(d.serial_number, MfaDeviceJson(d));
  }
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "MFADevices", out));
  return Out(std::move(out));
}

IamService::Json IamService::ListVirtualMFADevices(RequestContext& ctx) const {
  std::string status = OrDefault(ctx.input, "AssignmentStatus", "Any");
  if (status != "Any" && status != "Assigned" && status != "Unassigned") {
    return Status::InvalidArgument(
               "1 validation error detected: Value '" + status +
               "' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy "
               "enum value set: [Assigned, Unassigned, Any]")
        .WithAwsCode("ValidationError");
  }
  ASSIGN_OR_RETURN(auto devices, identities_.ListVirtualMfaDevices());
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::VirtualMfaDevice& d : devices) {
    bool assigned = !d.user_name.empty();
    if ((status == "Assigned" && !assigned) || (status == "Unassigned" && assigned)) continue;
    json::object o{{"SerialNumber", d.serial_number}};
    if (assigned) {
      ASSIGN_OR_RETURN(iam::User user, identities_.GetUser(d.user_name));
      o["User"] = UserJson(user, false);
      o["EnableDate"] = d.enable_date.value_or(0);
    }
    if (!d.tags.empty()) o["Tags"] = TagList(d.tags);
    items.emplace_back(d.serial_number, std::move(o));
  }
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "VirtualMFADevices", out));
  return Out(std::move(out));
}

}  // namespace kiroku::services
