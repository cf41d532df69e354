#include "services/cloudtrail/cloudtrail_wire.h"

#include "api/json_members.h"

namespace kiroku::services::cloudtrail {
namespace json = boost::json;

Status Error(std::string_view code, std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode(std::string(code));
}

std::optional<std::string> OptStr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<bool> OptBool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}

std::vector<std::pair<std::string, std::string>> TagList(const json::object& in,
                                                         std::string_view member) {
  std::vector<std::pair<std::string, std::string>> tags;
  if (const json::value* v = in.if_contains(member); v != nullptr && v->is_array()) {
    for (const json::value& t : v->as_array()) {
      if (t.is_object()) {
        tags.emplace_back(api::Str(t.as_object(), "Key"), api::Str(t.as_object(), "Value"));
      }
    }
  }
  return tags;
}

json::array TagsJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

}  // namespace kiroku::services::cloudtrail
