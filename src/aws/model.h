// ServiceModel: botocore's service-2.json for one service (embedded in the binary from
// third_party/botocore-models), indexed for the protocol layer: operations, shapes, members with
// their wire names, result wrappers, and each error code's HTTP status and fault.
// Models are parsed once, on first use, and immutable afterwards; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiroku::aws {

enum class Protocol { kJson, kQuery, kRestXml };  // kRestXml: S3 (services/s3/)

struct Shape;

struct Member {
  std::string name;           // member name (JSON key)
  std::string location_name;  // wire name for query/XML (defaults to name)
  const Shape* shape = nullptr;
  bool flattened = false;
};

struct Shape {
  std::string name;
  std::string type;  // structure list map string integer long boolean timestamp blob double float
  std::vector<Member> members;        // structure, in model order
  std::vector<std::string> required;  // structure
  Member member;                      // list element (location_name defaults to "member")
  Member key, value;                  // map entry (location names default to "key"/"value")
  bool flattened = false;             // list/map
  // Constraint and secrecy traits, as the model states them (checked by aws/ validation and
  // by CloudTrail redaction). min/max: length for strings, blobs, lists and maps; value for
  // numbers. `enum_values` empty: any value. `pattern`: the model's regular expression text.
  bool sensitive = false;  // the value is a secret: never logged, recorded or echoed
  std::optional<double> min, max;
  std::vector<std::string> enum_values;
  std::string pattern;
  // Error shapes.
  bool exception = false;
  std::string error_code;  // the "error.code" trait, else the shape name
  int http_status = 400;
  bool sender_fault = true;

  const Member* FindMember(std::string_view member_name) const;
};

struct Operation {
  std::string name;
  const Shape* input = nullptr;   // may be null
  const Shape* output = nullptr;  // may be null
  std::string result_wrapper;     // query protocol: "<Name>Result"
  std::vector<const Shape*> errors;
};

struct ErrorInfo {
  int http_status;
  bool sender_fault;
};

class ServiceModel {
 public:
  // The model of `service` ("iam", "sts", "kms", "logs", "cloudtrail", "s3"), or nullptr.
  static const ServiceModel* Find(std::string_view service);

  const std::string& service() const { return service_; }
  Protocol protocol() const { return protocol_; }
  const std::string& target_prefix() const { return target_prefix_; }  // JSON only
  const std::string& xml_namespace() const { return xml_namespace_; }  // query only
  const std::string& api_version() const { return api_version_; }
  // "cloudtrail.amazonaws.com"-style event source / service principal host.
  const std::string& endpoint_prefix() const { return endpoint_prefix_; }

  const Operation* FindOperation(std::string_view name) const;
  const Shape* FindShape(std::string_view name) const;
  // HTTP status and fault of an error code modelled anywhere in this service.
  std::optional<ErrorInfo> FindError(std::string_view code) const;
  size_t operation_count() const { return operations_.size(); }
  // Every operation, in name order.
  std::vector<const Operation*> Operations() const;

  // Builds a model from service-2.json text (exposed for tests). Aborts on a malformed model:
  // models are build inputs, not user data.
  static std::unique_ptr<ServiceModel> Parse(std::string service, std::string_view json);

 private:
  ServiceModel() = default;

  std::string service_;
  Protocol protocol_ = Protocol::kJson;
  std::string target_prefix_, xml_namespace_, api_version_, endpoint_prefix_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, ErrorInfo, std::less<>> errors_;
};

}  // namespace kiroku::aws
