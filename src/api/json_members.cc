#include "api/json_members.h"

#include "common/encoding.h"

namespace kiroku::api {

std::string Str(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<TimePoint> TimeMember(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return FromEpochSeconds(v->to_number<double>());
}

}  // namespace kiroku::api
