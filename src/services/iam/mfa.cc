// IAM virtual MFA devices: create, enable, resync, deactivate, delete, list. The seed leaves the
// server once, in CreateVirtualMFADevice's answer: Base32StringSeed (base64 of its base32 text,
// a blob) and QRCodePNG (a PNG QR code of the otpauth:// URI an authenticator app scans).
#include "api/iam_service_internal.h"
#include "common/encoding.h"
#include "qr/qr_png.h"

namespace kiroku::api::iam_internal {
namespace {

json::object MfaDeviceJson(const iam::VirtualMfaDevice& d) {
  return json::object{{"UserName", d.user_name},
                      {"SerialNumber", d.serial_number},
                      {"EnableDate", d.enable_date.value_or(0)}};
}

// arn:aws:iam::<acct>:mfa/<path><name> of CreateVirtualMFADevice's input.
ResourcesFn NewDeviceResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{"arn:aws:iam::" + ctx.principal.account + ":mfa" +
                                    OrDefault(ctx.input, "Path", "/") +
                                    OrDefault(ctx.input, "VirtualMFADeviceName", "")};
  };
}

// The device named by SerialNumber (an ARN) as the resource.
ResourcesFn SerialResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> serial = Optional(ctx.input, "SerialNumber");
    if (!serial || !serial->starts_with("arn:")) return std::vector<std::string>{"*"};
    return std::vector<std::string>{*serial};
  };
}

Status NoRootDevice(std::string_view serial) {
  // kiroku's root user has no MFA devices (the root user signs in with its password only).
  return Status::NotFound("MFA Device with serial number " + std::string(serial) +
                          " is not enabled for the root user.");
}

}  // namespace

void AddMfaOperations(OperationTable& table, iam::IdentityStore& store) {
  Add(
      table, store, "CreateVirtualMFADevice",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "VirtualMFADeviceName");
        ASSIGN_OR_RETURN(iam::NewVirtualMfaDevice created,
                         store.CreateVirtualMfaDevice(name, OrDefault(ctx.input, "Path", "/"),
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
        return json::object{{"VirtualMFADevice", std::move(device)}};
      },
      Auth("iam:CreateVirtualMFADevice", NewDeviceResource(), RequestTags()));

  Add(
      table, store, "EnableMFADevice",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string user = Str(ctx.input, "UserName");
        std::string serial = Str(ctx.input, "SerialNumber");
        std::string code1 = Str(ctx.input, "AuthenticationCode1");
        std::string code2 = Str(ctx.input, "AuthenticationCode2");
        RETURN_IF_ERROR(store.EnableMfaDevice(user, serial, code1, code2));
        return json::object{};
      },
      Auth("iam:EnableMFADevice", UserResource(store), UserResourceTags(store)));

  Add(
      table, store, "ResyncMFADevice",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string user = Str(ctx.input, "UserName");
        std::string serial = Str(ctx.input, "SerialNumber");
        std::string code1 = Str(ctx.input, "AuthenticationCode1");
        std::string code2 = Str(ctx.input, "AuthenticationCode2");
        RETURN_IF_ERROR(store.ResyncMfaDevice(user, serial, code1, code2));
        return json::object{};
      },
      Auth("iam:ResyncMFADevice", UserResource(store), UserResourceTags(store)));

  Add(
      table, store, "DeactivateMFADevice",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string serial = Str(ctx.input, "SerialNumber");
        ASSIGN_OR_RETURN(std::string user, UserNameOrCaller(ctx));
        if (user.empty()) return NoRootDevice(serial);
        RETURN_IF_ERROR(store.DeactivateMfaDevice(user, serial));
        return json::object{};
      },
      Auth("iam:DeactivateMFADevice", UserResource(store, "UserName", true),
           UserResourceTags(store)));

  Add(
      table, store, "DeleteVirtualMFADevice",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string serial = Str(ctx.input, "SerialNumber");
        RETURN_IF_ERROR(store.DeleteVirtualMfaDevice(serial));
        return json::object{};
      },
      Auth("iam:DeleteVirtualMFADevice", SerialResource()));

  Add(
      table, store, "ListMFADevices",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string user, UserNameOrCaller(ctx));
        std::vector<iam::VirtualMfaDevice> devices;
        if (!user.empty()) {
          ASSIGN_OR_RETURN(devices, store.ListMfaDevices(user));
        }
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::VirtualMfaDevice& d : devices) {
          items.emplace_back(d.serial_number, MfaDeviceJson(d));
        }
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "MFADevices", out));
        return out;
      },
      Auth("iam:ListMFADevices", UserResource(store, "UserName", true), UserResourceTags(store)));

  Add(
      table, store, "ListVirtualMFADevices",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string status = OrDefault(ctx.input, "AssignmentStatus", "Any");
        if (status != "Any" && status != "Assigned" && status != "Unassigned") {
          return Status::InvalidArgument(
                     "1 validation error detected: Value '" + status +
                     "' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy "
                     "enum value set: [Assigned, Unassigned, Any]")
              .WithAwsCode("ValidationError");
        }
        ASSIGN_OR_RETURN(auto devices, store.ListVirtualMfaDevices());
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::VirtualMfaDevice& d : devices) {
          bool assigned = !d.user_name.empty();
          if ((status == "Assigned" && !assigned) || (status == "Unassigned" && assigned)) {
            continue;
          }
          json::object o{{"SerialNumber", d.serial_number}};
          if (assigned) {
            ASSIGN_OR_RETURN(iam::User user, store.GetUser(d.user_name));
            o["User"] = UserJson(user, false);
            o["EnableDate"] = d.enable_date.value_or(0);
          }
          if (!d.tags.empty()) o["Tags"] = TagList(d.tags);
          items.emplace_back(d.serial_number, std::move(o));
        }
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "VirtualMFADevices", out));
        return out;
      },
      Auth("iam:ListVirtualMFADevices"));
}

}  // namespace kiroku::api::iam_internal
