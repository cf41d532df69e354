// The authorization pieces of the IAM rows: the resource ARNs an operation acts on and the
// condition keys it adds (as the AWS Service Authorization Reference lists them for IAM).
#include "common/arn.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services::iam_internal {
namespace {

// The ARN of the entity named by input `field`: its stored ARN (`stored`) when it exists, else
// arn:aws:iam::<acct>:<type><input Path or "/"><name>; "*" (or the caller's ARN when
// `default_caller`) when the field is absent.
ResourcesFn NamedResource(std::string field, std::string type,
                          std::function<std::optional<std::string>(const std::string&)> stored,
                          bool default_caller = false) {
  return [field = std::move(field), type = std::move(type), stored = std::move(stored),
          default_caller](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> name = Optional(ctx.input, field);
    if (!name) {
      if (default_caller && !ctx.principal.arn.empty())
        return std::vector<std::string>{ctx.principal.arn};
      return std::vector<std::string>{"*"};
    }
    if (std::optional<std::string> arn = stored(*name)) return std::vector<std::string>{*arn};
    std::string path = OrDefault(ctx.input, "Path", "/");
    return std::vector<std::string>{
        Arn::Iam(ctx.principal.account, type + path + *name).ToString()};
  };
}

template <typename Entity>
std::optional<std::string> ArnIfFound(const Result<Entity>& entity) {
  return entity.ok() ? std::optional<std::string>(entity->arn) : std::nullopt;
}

// aws:ResourceTag/<k> of `tags`.
void AddResourceTags(const iam::Tags& tags, policy::ContextKeys& keys) {
  for (const auto& [k, v] : tags) keys.SetString("aws:ResourceTag/" + k, v);
}

}  // namespace

ResourcesFn UserResource(const iam::IdentityStore& store, std::string field, bool default_caller) {
  return NamedResource(
      std::move(field), "user",
      [&store](const std::string& name) { return ArnIfFound(store.GetUser(name)); },
      default_caller);
}

ResourcesFn RoleResource(const iam::IdentityStore& store, std::string field) {
  return NamedResource(std::move(field), "role", [&store](const std::string& name) {
    return ArnIfFound(store.GetRole(name));
  });
}

ResourcesFn GroupResource(const iam::IdentityStore& store, std::string field) {
  return NamedResource(std::move(field), "group", [&store](const std::string& name) {
    return ArnIfFound(store.GetGroup(name));
  });
}

ResourcesFn PolicyResource(std::string field) {
  return [field](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> arn = Optional(ctx.input, field);
    return std::vector<std::string>{arn.value_or("*")};
  };
}

ResourcesFn NewPolicyResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{
        Arn::Iam(ctx.principal.account, "policy" + OrDefault(ctx.input, "Path", "/") +
                                            OrDefault(ctx.input, "PolicyName", ""))
            .ToString()};
  };
}

ResourcesFn AccessKeyOwnerResource(const iam::IdentityStore& store) {
  // The action's resource is the key's owner; the key id alone does not name it.
  return [&store](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    auto id = Optional(ctx.input, "AccessKeyId");
    if (!id) return std::vector<std::string>{"*"};
    Result<iam::AccessKeyLastUsed> used = store.GetAccessKeyLastUsed(*id);
    if (!used.ok() || used->user_name.empty()) return std::vector<std::string>{"*"};
    Result<iam::User> user = store.GetUser(used->user_name);
    return std::vector<std::string>{user.ok() ? user->arn : "*"};
  };
}

ResourcesFn NewMfaDeviceResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{
        Arn::Iam(ctx.principal.account, "mfa" + OrDefault(ctx.input, "Path", "/") +
                                            OrDefault(ctx.input, "VirtualMFADeviceName", ""))
            .ToString()};
  };
}

ResourcesFn MfaSerialResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> serial = Optional(ctx.input, "SerialNumber");
    if (!serial || !serial->starts_with("arn:")) return std::vector<std::string>{"*"};
    return std::vector<std::string>{*serial};
  };
}

ResourcesFn PolicySourceResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(std::string arn, Required(ctx.input, "PolicySourceArn"));
    return std::vector<std::string>{std::move(arn)};
  };
}

void AddRequestTagKeys(const RequestContext& ctx, policy::ContextKeys& keys) {
  std::vector<std::string> tag_keys;
  for (const auto& [k, v] : InputTags(ctx.input)) {
    keys.SetString("aws:RequestTag/" + k, v);
    tag_keys.push_back(k);
  }
  for (const std::string& k : InputStrings(ctx.input, "TagKeys")) tag_keys.push_back(k);
  if (!tag_keys.empty()) keys.SetStrings("aws:TagKeys", std::move(tag_keys));
}

ContextFn All(std::vector<ContextFn> fns) {
  return [fns = std::move(fns)](const RequestContext& ctx, policy::ContextKeys& keys) {
    for (const ContextFn& fn : fns) fn(ctx, keys);
  };
}

ContextFn RequestTags() { return AddRequestTagKeys; }

ContextFn PolicyArnKey() {
  return [](const RequestContext& ctx, policy::ContextKeys& keys) {
    if (auto arn = Optional(ctx.input, "PolicyArn"))
      keys.Set("iam:PolicyARN", policy::ContextType::kString, {*arn});
  };
}

ContextFn PermissionsBoundaryKey() {
  return [](const RequestContext& ctx, policy::ContextKeys& keys) {
    if (auto arn = Optional(ctx.input, "PermissionsBoundary")) {
      keys.SetString("iam:PermissionsBoundary", *arn);
    }
  };
}

ContextFn UserResourceTags(const iam::IdentityStore& store) {
  return [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    auto name = Optional(ctx.input, "UserName");
    if (!name) return;
    if (Result<iam::User> user = store.GetUser(*name); user.ok()) AddResourceTags(user->tags, keys);
  };
}

ContextFn RoleResourceTags(const iam::IdentityStore& store) {
  return [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    auto name = Optional(ctx.input, "RoleName");
    if (!name) return;
    if (Result<iam::Role> role = store.GetRole(*name); role.ok()) AddResourceTags(role->tags, keys);
  };
}

ContextFn PolicyResourceTags(const iam::IdentityStore& store) {
  return [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    auto arn = Optional(ctx.input, "PolicyArn");
    if (!arn) return;
    if (Result<iam::ManagedPolicy> p = store.GetPolicy(*arn); p.ok())
      AddResourceTags(p->tags, keys);
  };
}

api::Authorization Auth(ResourcesFn resources, ContextFn context) {
  api::Authorization auth;
  auth.resources = std::move(resources);
  auth.context = std::move(context);
  return auth;
}

}  // namespace kiroku::services::iam_internal
