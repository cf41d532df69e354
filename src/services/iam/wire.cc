#include "api/iam_service.h"

#include <algorithm>

#include "api/iam_service_internal.h"
#include "common/encoding.h"

namespace kiroku::api {
namespace iam_internal {
namespace {

// "UserName" -> "userName", as AWS's validation messages name members.
std::string FieldName(std::string_view member) { return LowerFirst(member); }

Status Validation(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("ValidationError");
}

std::string Account(const RequestContext& ctx) { return ctx.principal.account; }

}  // namespace

std::optional<std::string> Optional(const json::object& input, std::string_view name) {
  const json::value* v = input.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Result<std::string> Required(const json::object& input, std::string_view name) {
  std::optional<std::string> v = Optional(input, name);
  if (!v) {
    return Validation("1 validation error detected: Value null at '" + FieldName(name) +
                      "' failed to satisfy constraint: Member must not be null");
  }
  return *v;
}

std::string OrDefault(const json::object& input, std::string_view name, std::string fallback) {
  return Optional(input, name).value_or(std::move(fallback));
}

std::optional<bool> OptionalBool(const json::object& input, std::string_view name) {
  const json::value* v = input.if_contains(name);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}

std::optional<int64_t> OptionalInt(const json::object& input, std::string_view name) {
  const json::value* v = input.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

iam::Tags InputTags(const json::object& input) {
  iam::Tags tags;
  const json::value* v = input.if_contains("Tags");
  if (v == nullptr || !v->is_array()) return tags;
  for (const json::value& item : v->as_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.as_object();
    tags[OrDefault(o, "Key", "")] = OrDefault(o, "Value", "");
  }
  return tags;
}

std::vector<std::string> InputStrings(const json::object& input, std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = input.if_contains(name);
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& item : v->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

json::array TagList(const iam::Tags& tags) {
  json::array list;
  for (const auto& [k, v] : tags) list.push_back(json::object{{"Key", k}, {"Value", v}});
  return list;
}

static json::object Boundary(const std::string& arn) {
  return json::object{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", arn}};
}

json::object UserJson(const iam::User& user, bool full) {
  json::object o{{"Path", user.path},
                 {"UserName", user.name},
                 {"UserId", user.id},
                 {"Arn", user.arn},
                 {"CreateDate", user.create_date}};
  // Listings leave the boundary and tags out, as IAM's do.
  if (full && !user.permissions_boundary.empty())
    o["PermissionsBoundary"] = Boundary(user.permissions_boundary);
  if (full && !user.tags.empty()) o["Tags"] = TagList(user.tags);
  return o;
}

json::object GroupJson(const iam::Group& group) {
  return json::object{{"Path", group.path},
                      {"GroupName", group.name},
                      {"GroupId", group.id},
                      {"Arn", group.arn},
                      {"CreateDate", group.create_date}};
}

json::object RoleJson(const iam::Role& role, bool full) {
  json::object o{{"Path", role.path},
                 {"RoleName", role.name},
                 {"RoleId", role.id},
                 {"Arn", role.arn},
                 {"CreateDate", role.create_date},
                 {"AssumeRolePolicyDocument", EncodeDocument(role.trust_policy_document)},
                 {"MaxSessionDuration", role.max_session_duration}};
  if (!role.description.empty()) o["Description"] = role.description;
  if (full) {
    if (!role.permissions_boundary.empty())
      o["PermissionsBoundary"] = Boundary(role.permissions_boundary);
    if (!role.tags.empty()) o["Tags"] = TagList(role.tags);
    o["RoleLastUsed"] = json::object{};
  }
  return o;
}

json::object PolicyJson(const iam::ManagedPolicy& p) {
  json::object o{{"PolicyName", p.name},
                 {"PolicyId", p.id},
                 {"Arn", p.arn},
                 {"Path", p.path},
                 {"DefaultVersionId", p.default_version_id},
                 {"AttachmentCount", p.attachment_count},
                 {"PermissionsBoundaryUsageCount", p.permissions_boundary_usage},
                 {"IsAttachable", true},
                 {"CreateDate", p.create_date},
                 {"UpdateDate", p.update_date}};
  if (!p.description.empty()) o["Description"] = p.description;
  if (!p.tags.empty()) o["Tags"] = TagList(p.tags);
  return o;
}

json::object VersionJson(const iam::PolicyVersion& v, bool with_document) {
  json::object o{{"VersionId", v.version_id},
                 {"IsDefaultVersion", v.is_default},
                 {"CreateDate", v.create_date}};
  if (with_document) o["Document"] = EncodeDocument(v.document);
  return o;
}

std::string SortKey(std::string_view name) { return AsciiLower(name); }

std::string SortKey(char group, std::string_view name) {
  std::string key(1, group);
  key += SortKey(name);
  return key;
}

std::string EncodeDocument(std::string_view document) { return UriEncode(document, false); }

Status Paginate(const json::object& input, std::vector<std::pair<std::string, json::value>> items,
                std::string_view list_name, json::object& out) {
  int64_t max_items = OptionalInt(input, "MaxItems").value_or(100);
  if (max_items < 1 || max_items > 1000) {
    return Validation("1 validation error detected: Value '" + std::to_string(max_items) +
                      "' at 'maxItems' failed to satisfy constraint: Member must have value "
                      "between 1 and 1000");
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t start = 0;
  if (std::optional<std::string> marker = Optional(input, "Marker")) {
    std::optional<std::string> key = Base64Decode(*marker);
    if (!key) {
      return Status::InvalidArgument("Invalid Marker.").WithAwsCode("InvalidInput");
    }
    // The first item at or after the marked one: items deleted meanwhile are simply skipped.
    start =
        std::lower_bound(items.begin(), items.end(), *key,
                         [](const auto& item, const std::string& k) { return item.first < k; }) -
        items.begin();
  }
  size_t end = std::min(items.size(), start + static_cast<size_t>(max_items));
  json::array page;
  for (size_t i = start; i < end; ++i) page.push_back(std::move(items[i].second));
  out[list_name] = std::move(page);
  out["IsTruncated"] = end < items.size();
  if (end < items.size()) out["Marker"] = Base64Encode(items[end].first);
  return Status::Ok();
}

Result<std::string> UserNameOrCaller(const RequestContext& ctx, std::string_view field) {
  if (std::optional<std::string> name = Optional(ctx.input, field)) return *name;
  switch (ctx.principal.type) {
    case iam::PrincipalType::kUser:
      return ctx.principal.user_name;
    case iam::PrincipalType::kRoot:
      return std::string();
    default:
      return Validation("Must specify userName when calling with non-User credentials");
  }
}

ResourcesFn UserResource(const iam::IdentityStore& store, std::string field, bool default_caller) {
  return [&store, field,
          default_caller](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> name = Optional(ctx.input, field);
    if (!name) {
      if (default_caller && !ctx.principal.arn.empty())
        return std::vector<std::string>{ctx.principal.arn};
      return std::vector<std::string>{"*"};
    }
    if (Result<iam::User> user = store.GetUser(*name); user.ok()) {
      return std::vector<std::string>{user->arn};
    }
    std::string path = OrDefault(ctx.input, "Path", "/");
    return std::vector<std::string>{"arn:aws:iam::" + Account(ctx) + ":user" + path + *name};
  };
}

ResourcesFn RoleResource(const iam::IdentityStore& store, std::string field) {
  return [&store, field](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> name = Optional(ctx.input, field);
    if (!name) return std::vector<std::string>{"*"};
    if (Result<iam::Role> role = store.GetRole(*name); role.ok()) {
      return std::vector<std::string>{role->arn};
    }
    std::string path = OrDefault(ctx.input, "Path", "/");
    return std::vector<std::string>{"arn:aws:iam::" + Account(ctx) + ":role" + path + *name};
  };
}

ResourcesFn GroupResource(const iam::IdentityStore& store, std::string field) {
  return [&store, field](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> name = Optional(ctx.input, field);
    if (!name) return std::vector<std::string>{"*"};
    if (Result<iam::Group> group = store.GetGroup(*name); group.ok()) {
      return std::vector<std::string>{group->arn};
    }
    std::string path = OrDefault(ctx.input, "Path", "/");
    return std::vector<std::string>{"arn:aws:iam::" + Account(ctx) + ":group" + path + *name};
  };
}

ResourcesFn PolicyResource(std::string field) {
  return [field](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::optional<std::string> arn = Optional(ctx.input, field);
    return std::vector<std::string>{arn.value_or("*")};
  };
}

ResourcesFn NewPolicyResource() {
  return [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{"arn:aws:iam::" + Account(ctx) + ":policy" +
                                    OrDefault(ctx.input, "Path", "/") +
                                    OrDefault(ctx.input, "PolicyName", "")};
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
    if (Result<iam::User> user = store.GetUser(*name); user.ok()) {
      for (const auto& [k, v] : user->tags) keys.SetString("aws:ResourceTag/" + k, v);
    }
  };
}

ContextFn RoleResourceTags(const iam::IdentityStore& store) {
  return [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    auto name = Optional(ctx.input, "RoleName");
    if (!name) return;
    if (Result<iam::Role> role = store.GetRole(*name); role.ok()) {
      for (const auto& [k, v] : role->tags) keys.SetString("aws:ResourceTag/" + k, v);
    }
  };
}

ContextFn PolicyResourceTags(const iam::IdentityStore& store) {
  return [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    auto arn = Optional(ctx.input, "PolicyArn");
    if (!arn) return;
    if (Result<iam::ManagedPolicy> p = store.GetPolicy(*arn); p.ok()) {
      for (const auto& [k, v] : p->tags) keys.SetString("aws:ResourceTag/" + k, v);
    }
  };
}

Authorization Auth(std::string action, ResourcesFn resources, ContextFn context) {
  Authorization auth;
  auth.action = std::move(action);
  auth.resources = std::move(resources);
  auth.context = std::move(context);
  return auth;
}

void Add(OperationTable& table, iam::IdentityStore& store, std::string operation,
         IamHandler handler, Authorization authorization) {
  OperationFn noted = [&store,
                       handler = std::move(handler)](RequestContext& ctx) -> Result<json::value> {
    // Best effort: a failed usage note must not fail the call it describes.
    if (!ctx.access_key_id.empty())
      (void)store.NoteAccessKeyUsed(ctx.access_key_id, "iam", ctx.region);
    ASSIGN_OR_RETURN(json::object out, handler(ctx));
    return json::value(std::move(out));
  };
  table.Add("iam", std::move(operation), Operation{.handler = std::move(noted), .authorization = std::move(authorization)});
}

}  // namespace iam_internal

void AddIamOperations(OperationTable& table, iam::IdentityStore& identities) {
  iam_internal::AddUserOperations(table, identities);
  iam_internal::AddRoleOperations(table, identities);
  iam_internal::AddPolicyOperations(table, identities);
  iam_internal::AddAccountOperations(table, identities);
  iam_internal::AddMfaOperations(table, identities);
}

}  // namespace kiroku::api
