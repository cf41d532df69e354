// The wire side shared by the IAM handlers: input readers, output shapes and Marker/MaxItems
// pagination.
#include <algorithm>

#include "common/encoding.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services::iam_internal {
namespace {

// "UserName" -> "userName", as AWS's validation messages name members.
std::string FieldName(std::string_view member) { return LowerFirst(member); }

Status Validation(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("ValidationError");
}

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

namespace {

json::object Boundary(const std::string& arn) {
  return json::object{{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", arn}};
}

}  // namespace

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

const char* NameField(iam::EntityKind kind) {
  switch (kind) {
    case iam::EntityKind::kUser:
      return "UserName";
    case iam::EntityKind::kRole:
      return "RoleName";
    case iam::EntityKind::kGroup:
      return "GroupName";
  }
  return "";
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

Status PaginateTags(const json::object& input, const iam::Tags& tags, json::object& out) {
  std::vector<std::pair<std::string, json::value>> items;
  for (const auto& [k, v] : tags) items.emplace_back(k, json::object{{"Key", k}, {"Value", v}});
  return Paginate(input, std::move(items), "Tags", out);
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

}  // namespace kiroku::services::iam_internal
