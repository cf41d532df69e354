#include "aws/model.h"

#include <boost/json.hpp>
#include <mutex>

#include "common/check.h"

// The models are linked into the binary as read-only data (see embedded_models.S).
extern "C" {
#define KIROKU_DECLARE_MODEL(name)                 \
  extern const char kiroku_model_##name##_begin[]; \
  extern const char kiroku_model_##name##_end[];
KIROKU_DECLARE_MODEL(sts)
KIROKU_DECLARE_MODEL(iam)
KIROKU_DECLARE_MODEL(kms)
KIROKU_DECLARE_MODEL(logs)
KIROKU_DECLARE_MODEL(cloudtrail)
KIROKU_DECLARE_MODEL(s3)
#undef KIROKU_DECLARE_MODEL
}

namespace kiroku::aws {
namespace {

namespace json = boost::json;

std::string StringOr(const json::object& o, std::string_view key, std::string fallback = "") {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : fallback;
}

bool BoolOr(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : fallback;
}

struct Embedded {
  const char* name;
  const char* begin;
  const char* end;
};

const Embedded kEmbedded[] = {
    {"sts", kiroku_model_sts_begin, kiroku_model_sts_end},
    {"iam", kiroku_model_iam_begin, kiroku_model_iam_end},
    {"kms", kiroku_model_kms_begin, kiroku_model_kms_end},
    {"logs", kiroku_model_logs_begin, kiroku_model_logs_end},
    {"cloudtrail", kiroku_model_cloudtrail_begin, kiroku_model_cloudtrail_end},
    {"s3", kiroku_model_s3_begin, kiroku_model_s3_end},
};

}  // namespace

const Member* Shape::FindMember(std::string_view member_name) const {
  for (const Member& m : members) {
    if (m.name == member_name) return &m;
  }
  return nullptr;
}

std::unique_ptr<ServiceModel> ServiceModel::Parse(std::string service, std::string_view text) {
  std::unique_ptr<ServiceModel> model(new ServiceModel());
  model->service_ = std::move(service);
  json::object root = json::parse(text).as_object();
  const json::object& meta = root.at("metadata").as_object();
  std::string protocol = StringOr(meta, "protocol");
  model->protocol_ = protocol == "query"      ? Protocol::kQuery
                     : protocol == "rest-xml" ? Protocol::kRestXml
                                              : Protocol::kJson;
  model->target_prefix_ = StringOr(meta, "targetPrefix");
  model->xml_namespace_ = StringOr(meta, "xmlNamespace");
  model->api_version_ = StringOr(meta, "apiVersion");
  model->endpoint_prefix_ = StringOr(meta, "endpointPrefix");

  const json::object& shapes = root.at("shapes").as_object();
  // Two passes: create every shape, then resolve references between them.
  for (const auto& [name, value] : shapes) {
    auto shape = std::make_unique<Shape>();
    shape->name = std::string(name);
    shape->type = StringOr(value.as_object(), "type");
    model->shapes_.emplace(shape->name, std::move(shape));
  }
  auto resolve = [&](const json::value& ref, std::string default_location) {
    const json::object& r = ref.as_object();
    Member m;
    m.shape = model->shapes_.at(std::string(r.at("shape").as_string())).get();
    m.location_name = StringOr(r, "locationName", std::move(default_location));
    m.flattened = BoolOr(r, "flattened", false);
    return m;
  };
  for (const auto& [name, value] : shapes) {
    Shape& shape = *model->shapes_.at(std::string(name));
    const json::object& s = value.as_object();
    shape.flattened = BoolOr(s, "flattened", false);
    shape.sensitive = BoolOr(s, "sensitive", false);
    if (const json::value* v = s.if_contains("min"); v && v->is_number())
      shape.min = v->to_number<double>();
    if (const json::value* v = s.if_contains("max"); v && v->is_number())
      shape.max = v->to_number<double>();
    shape.pattern = StringOr(s, "pattern");
    if (const json::value* values = s.if_contains("enum")) {
      for (const json::value& v : values->as_array()) shape.enum_values.emplace_back(v.as_string());
    }
    if (const json::value* members = s.if_contains("members")) {
      for (const auto& [member_name, ref] : members->as_object()) {
        Member m = resolve(ref, std::string(member_name));
        m.name = std::string(member_name);
        shape.members.push_back(std::move(m));
      }
    }
    if (const json::value* required = s.if_contains("required")) {
      for (const json::value& r : required->as_array()) {
        shape.required.emplace_back(r.as_string());
      }
    }
    if (const json::value* member = s.if_contains("member"))
      shape.member = resolve(*member, "member");
    if (const json::value* key = s.if_contains("key")) shape.key = resolve(*key, "key");
    if (const json::value* val = s.if_contains("value")) shape.value = resolve(*val, "value");
    if (BoolOr(s, "exception", false)) {
      shape.exception = true;
      shape.error_code = shape.name;
      if (const json::value* error = s.if_contains("error")) {
        const json::object& e = error->as_object();
        shape.error_code = StringOr(e, "code", shape.name);
        if (const json::value* status = e.if_contains("httpStatusCode")) {
          shape.http_status = static_cast<int>(status->to_number<int64_t>());
        }
        shape.sender_fault = BoolOr(e, "senderFault", shape.http_status < 500);
      } else if (shape.name.find("Internal") != std::string::npos ||
                 shape.name.find("ServiceFailure") != std::string::npos ||
                 shape.name.find("Unavailable") != std::string::npos) {
        shape.http_status = 500;
        shape.sender_fault = false;
      }
      model->errors_[shape.error_code] = ErrorInfo{shape.http_status, shape.sender_fault};
    }
  }
  for (const auto& [name, value] : root.at("operations").as_object()) {
    const json::object& o = value.as_object();
    Operation op;
    op.name = std::string(name);
    if (const json::value* in = o.if_contains("input")) {
      op.input = model->shapes_.at(std::string(in->at("shape").as_string())).get();
    }
    if (const json::value* out = o.if_contains("output")) {
      op.output = model->shapes_.at(std::string(out->at("shape").as_string())).get();
      op.result_wrapper = StringOr(out->as_object(), "resultWrapper");
    }
    if (const json::value* errors = o.if_contains("errors")) {
      for (const json::value& e : errors->as_array()) {
        op.errors.push_back(model->shapes_.at(std::string(e.at("shape").as_string())).get());
      }
    }
    model->operations_.emplace(op.name, std::move(op));
  }
  return model;
}

const ServiceModel* ServiceModel::Find(std::string_view service) {
  static const auto* models = [] {
    auto* all = new std::map<std::string, std::unique_ptr<ServiceModel>, std::less<>>();
    for (const Embedded& e : kEmbedded) {
      (*all)[e.name] = Parse(e.name, std::string_view(e.begin, e.end - e.begin));
    }
    return all;
  }();
  auto it = models->find(service);
  return it == models->end() ? nullptr : it->second.get();
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

std::vector<const Operation*> ServiceModel::Operations() const {
  std::vector<const Operation*> out;
  out.reserve(operations_.size());
  for (const auto& [name, op] : operations_) out.push_back(&op);
  return out;
}

const Shape* ServiceModel::FindShape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second.get();
}

std::optional<ErrorInfo> ServiceModel::FindError(std::string_view code) const {
  auto it = errors_.find(code);
  if (it == errors_.end()) return std::nullopt;
  return it->second;
}

}  // namespace kiroku::aws
