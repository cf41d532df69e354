#include "aws/query_codec.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "aws/validation.h"
#include "common/encoding.h"

namespace kiroku::aws {
namespace json = boost::json;
namespace {

bool HasPrefix(const QueryParams& params, const std::string& prefix) {
  auto it = params.lower_bound(prefix);
  return it != params.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

Status BadValue(const std::string& name, std::string_view value, std::string_view type) {
  return Status::InvalidArgument("Value '" + std::string(value) + "' at '" + name +
                                 "' failed to satisfy constraint: Member must be of type " +
                                 std::string(type))
      .WithAwsCode("ValidationError");
}

std::optional<double> ParseTimestamp(std::string_view text) {
  // ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff]Z" or epoch seconds.
  double epoch = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), epoch);
  if (ec == std::errc() && end == text.data() + text.size()) return epoch;
  if (text.size() < 20 || text[4] != '-' || text[10] != 'T') return std::nullopt;
  std::string compact = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) +
                        std::string(text.substr(8, 2)) + "T" + std::string(text.substr(11, 2)) +
                        std::string(text.substr(14, 2)) + std::string(text.substr(17, 2)) + "Z";
  auto t = ParseAmzDate(compact);
  if (!t) return std::nullopt;
  double seconds = static_cast<double>(std::chrono::system_clock::to_time_t(*t));
  if (text[19] == '.') {
    size_t z = text.find_first_not_of("0123456789", 20);
    std::string_view frac = text.substr(20, z - 20);
    if (!frac.empty()) seconds += std::stod("0." + std::string(frac));
  }
  return seconds;
}

Result<json::value> DecodeValue(const Shape& shape, const std::string& name,
                                const QueryParams& params);

Result<json::value> DecodeScalar(const Shape& shape, const std::string& name,
                                 std::string_view value) {
  const std::string& t = shape.type;
  if (t == "string" || t == "blob") return json::value(json::string(value));
  if (t == "integer" || t == "long") {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size()) return BadValue(name, value, t);
    if (t == "integer" && (n < INT32_MIN || n > INT32_MAX)) return BadValue(name, value, t);
    return json::value(n);
  }
  if (t == "double" || t == "float") {
    double d = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(d)) {
      return BadValue(name, value, t);
    }
    return json::value(d);
  }
  if (t == "boolean") {
    if (value == "true") return json::value(true);
    if (value == "false") return json::value(false);
    return BadValue(name, value, t);
  }
  if (t == "timestamp") {
    auto seconds = ParseTimestamp(value);
    if (!seconds || !std::isfinite(*seconds) || std::fabs(*seconds) > 9.2e15) {
      return BadValue(name, value, t);
    }
    return json::value(*seconds);
  }
  return BadValue(name, value, t);
}

Result<json::value> DecodeList(const Shape& shape, const std::string& name,
                               const QueryParams& params) {
  json::array out;
  // An empty list is sent as a bare "Name=".
  std::string base = shape.flattened || shape.member.flattened
                         ? name + "."
                         : name + "." + shape.member.location_name + ".";
  for (size_t i = 1;; ++i) {
    std::string item = base + std::to_string(i);
    if (params.find(item) == params.end() && !HasPrefix(params, item + ".")) break;
    ASSIGN_OR_RETURN(json::value v, DecodeValue(*shape.member.shape, item, params));
    out.push_back(std::move(v));
  }
  return json::value(std::move(out));
}

Result<json::value> DecodeMap(const Shape& shape, const std::string& name,
                              const QueryParams& params) {
  json::object out;
  std::string base = shape.flattened ? name + "." : name + ".entry.";
  for (size_t i = 1;; ++i) {
    std::string entry = base + std::to_string(i);
    auto key = params.find(entry + "." + shape.key.location_name);
    if (key == params.end()) break;
    ASSIGN_OR_RETURN(json::value v, DecodeValue(*shape.value.shape,
                                                entry + "." + shape.value.location_name, params));
    out[key->second] = std::move(v);
  }
  return json::value(std::move(out));
}

Result<json::object> DecodeStructure(const Shape& shape, const std::string& prefix,
                                     const QueryParams& params) {
  json::object out;
  for (const Member& m : shape.members) {
    std::string name = prefix.empty() ? m.location_name : prefix + "." + m.location_name;
    bool present = params.find(name) != params.end() || HasPrefix(params, name + ".");
    if (!present) continue;
    ASSIGN_OR_RETURN(json::value v, DecodeValue(*m.shape, name, params));
    out[m.name] = std::move(v);
  }
  return out;
}

Result<json::value> DecodeValue(const Shape& shape, const std::string& name,
                                const QueryParams& params) {
  if (shape.type == "structure") {
    ASSIGN_OR_RETURN(json::object o, DecodeStructure(shape, name, params));
    return json::value(std::move(o));
  }
  if (shape.type == "list") return DecodeList(shape, name, params);
  if (shape.type == "map") return DecodeMap(shape, name, params);
  auto it = params.find(name);
  if (it == params.end()) return json::value(nullptr);
  return DecodeScalar(shape, name, it->second);
}

void EncodeValue(const Shape& shape, const json::value& value, std::string& out);

void EncodeMembers(const Shape& shape, const json::object& object, std::string& out) {
  for (const Member& m : shape.members) {
    const json::value* v = object.if_contains(m.name);
    if (v == nullptr || v->is_null()) continue;
    if (m.shape->type == "list" && (m.flattened || m.shape->flattened)) {
      if (!v->is_array()) continue;
      for (const json::value& item : v->as_array()) {
        out += "<" + m.location_name + ">";
        EncodeValue(*m.shape->member.shape, item, out);
        out += "</" + m.location_name + ">";
      }
      continue;
    }
    out += "<" + m.location_name + ">";
    EncodeValue(*m.shape, *v, out);
    out += "</" + m.location_name + ">";
  }
}

void EncodeValue(const Shape& shape, const json::value& value, std::string& out) {
  const std::string& t = shape.type;
  if (t == "structure") {
    if (value.is_object()) EncodeMembers(shape, value.as_object(), out);
  } else if (t == "list") {
    if (!value.is_array()) return;
    const std::string& tag = shape.member.location_name;
    for (const json::value& item : value.as_array()) {
      out += "<" + tag + ">";
      EncodeValue(*shape.member.shape, item, out);
      out += "</" + tag + ">";
    }
  } else if (t == "map") {
    if (!value.is_object()) return;
    for (const auto& [k, v] : value.as_object()) {
      out += "<entry><" + shape.key.location_name + ">" + XmlEscape(k) + "</" +
             shape.key.location_name + "><" + shape.value.location_name + ">";
      EncodeValue(*shape.value.shape, v, out);
      out += "</" + shape.value.location_name + "></entry>";
    }
  } else if (t == "timestamp") {
    if (value.is_number()) {
      double seconds = value.to_number<double>();
      auto tp =
          TimePoint(std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000))));
      out += std::fmod(seconds, 1.0) == 0 ? FormatIso8601(tp) : FormatIso8601Millis(tp);
    } else if (value.is_string()) {
      out += XmlEscape(value.as_string());
    }
  } else if (value.is_string()) {
    out += XmlEscape(value.as_string());
  } else if (value.is_bool()) {
    out += value.as_bool() ? "true" : "false";
  } else if (value.is_int64()) {
    out += std::to_string(value.as_int64());
  } else if (value.is_uint64()) {
    out += std::to_string(value.as_uint64());
  } else if (value.is_double()) {
    out += json::serialize(value);
  }
}

}  // namespace

Status ParseFormParams(std::string_view text, QueryParams& params) {
  if (text.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("The query string exceeds the limit of " +
                                   std::to_string(kMaxQueryBytes) + " bytes")
        .WithAwsCode("MalformedQueryString");
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view pair = text.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = UriDecode(pair.substr(0, eq), true);
    auto value = UriDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) {
      return Status::InvalidArgument("Malformed form parameter: " + std::string(pair))
          .WithAwsCode("MalformedQueryString");
    }
    params[*name] = *value;
    if (params.size() > kMaxQueryParams) {
      return Status::InvalidArgument("The request has more than " +
                                     std::to_string(kMaxQueryParams) + " parameters")
          .WithAwsCode("MalformedQueryString");
    }
  }
  return Status::Ok();
}

Result<json::object> DecodeQueryInput(const Shape* input, const QueryParams& params) {
  if (input == nullptr) return json::object();
  return DecodeStructure(*input, "", params);
}

std::string EncodeQueryOutput(const ServiceModel& model, const Operation& operation,
                              const json::value& output, std::string_view request_id) {
  std::string out = "<" + operation.name + "Response xmlns=\"" + model.xml_namespace() + "\">";
  if (operation.output != nullptr) {
    std::string wrapper =
        operation.result_wrapper.empty() ? operation.name + "Result" : operation.result_wrapper;
    out += "<" + wrapper + ">";
    EncodeValue(*operation.output, output, out);
    out += "</" + wrapper + ">";
  }
  out += "<ResponseMetadata><RequestId>" + XmlEscape(request_id) +
         "</RequestId></ResponseMetadata></" + operation.name + "Response>";
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        case '\t':
        case '\n':
        case '\r':
          out.push_back(static_cast<char>(c));
          break;
        default:
          if (c < 0x20) {
            // XML 1.0 cannot carry control characters, not even as references: spell them.
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04X", c);
            out += buf;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence is copied; any other byte becomes U+FFFD, so the document
    // stays well-formed whatever bytes a request carried.
    size_t len = c >= 0xF0 ? (c <= 0xF4 ? 4 : 0) : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len == 3) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogate
      ok = ok && !(c == 0xEF && c1 == 0xBF && static_cast<unsigned char>(text[i + 2]) >= 0xBE);
    }
    if (ok && len == 4) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace kiroku::aws
