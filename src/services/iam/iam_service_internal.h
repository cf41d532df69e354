// Internal to src/services/iam/: reading the decoded input, building the output shapes,
// pagination (Marker/MaxItems) (wire.cc), and the authorization pieces (resource ARNs of users,
// roles, groups and policies; aws:RequestTag/aws:TagKeys, aws:ResourceTag, iam:PolicyARN and
// iam:PermissionsBoundary condition keys) (authorization.cc).
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/json_members.h"
#include "api/operation.h"
#include "iam/identity_store.h"

namespace kiroku::services::iam_internal {

namespace json = boost::json;
using api::RequestContext;
using api::Str;

// Input readers. The decode stage validated the input against the model (required members are
// present, every member has its type and constraints), so modelled required members are read
// directly with Str(); Required() is for members the model leaves optional but an operation
// needs (CreateLoginProfile's Password): ValidationError when absent.
std::optional<std::string> Optional(const json::object& input, std::string_view name);
Result<std::string> Required(const json::object& input, std::string_view name);
std::string OrDefault(const json::object& input, std::string_view name, std::string fallback);
std::optional<bool> OptionalBool(const json::object& input, std::string_view name);
std::optional<int64_t> OptionalInt(const json::object& input, std::string_view name);
// Tags: [{Key, Value}] -> map.
iam::Tags InputTags(const json::object& input);
std::vector<std::string> InputStrings(const json::object& input, std::string_view name);

// Output shapes.
json::array TagList(const iam::Tags& tags);
// `full`: GetUser's form; listings leave out the boundary and tags (RoleJson likewise).
json::object UserJson(const iam::User& user, bool full);
json::object GroupJson(const iam::Group& group);
json::object RoleJson(const iam::Role& role, bool full);
json::object PolicyJson(const iam::ManagedPolicy& policy);
json::object VersionJson(const iam::PolicyVersion& version, bool with_document);
// The output of a handler: `out` as a JSON value.
inline Result<json::value> Out(json::object out = {}) { return json::value(std::move(out)); }
// "UserName", "RoleName" or "GroupName": the input member naming an entity of `kind`.
const char* NameField(iam::EntityKind kind);
// Policy documents travel URL-encoded, as IAM sends them (botocore decodes them).
std::string EncodeDocument(std::string_view document);

// Lists are ordered by name ignoring case; `group` (a leading byte) orders kinds of items.
std::string SortKey(std::string_view name);
std::string SortKey(char group, std::string_view name);

// Marker/MaxItems pagination over `items` sorted by `key`: puts `list_name`, IsTruncated and
// (when truncated) Marker into `out`. ValidationError for MaxItems outside 1..1000, InvalidInput
// for a marker that is not one of ours.
Status Paginate(const json::object& input, std::vector<std::pair<std::string, json::value>> items,
                std::string_view list_name, json::object& out);

// A page of `tags` as Tags: [{Key, Value}], in key order.
Status PaginateTags(const json::object& input, const iam::Tags& tags, json::object& out);

// The caller's own user name for operations whose UserName defaults to the caller; empty for
// the root user. ValidationError for other callers.
Result<std::string> UserNameOrCaller(const RequestContext& ctx,
                                     std::string_view field = "UserName");

// Authorization pieces.
using ResourcesFn = std::function<Result<std::vector<std::string>>(const RequestContext&)>;
using ContextFn = std::function<void(const RequestContext&, policy::ContextKeys&)>;

// arn:aws:iam::<acct>:user/<path><name> of the user named by input `field` (its stored path when
// it exists, else the input Path or "/"); the caller's ARN when the field is absent and
// `default_caller`.
ResourcesFn UserResource(const iam::IdentityStore& store, std::string field = "UserName",
                         bool default_caller = false);
ResourcesFn RoleResource(const iam::IdentityStore& store, std::string field = "RoleName");
ResourcesFn GroupResource(const iam::IdentityStore& store, std::string field = "GroupName");
// The policy ARN of input `field` as given; or arn:…:policy/<path><PolicyName> for CreatePolicy.
ResourcesFn PolicyResource(std::string field = "PolicyArn");
ResourcesFn NewPolicyResource();
// The owner of the access key AccessKeyId ("*" when it has none or is unknown).
ResourcesFn AccessKeyOwnerResource(const iam::IdentityStore& store);
// arn:aws:iam::<acct>:mfa/<path><name> of CreateVirtualMFADevice's input.
ResourcesFn NewMfaDeviceResource();
// The device named by SerialNumber (an ARN) as the resource.
ResourcesFn MfaSerialResource();
// The simulator's PolicySourceArn (a ValidationError when absent).
ResourcesFn PolicySourceResource();

// aws:RequestTag/<k> and aws:TagKeys from the input Tags (or TagKeys for Untag*).
void AddRequestTagKeys(const RequestContext& ctx, policy::ContextKeys& keys);
// Combines context functions.
ContextFn All(std::vector<ContextFn> fns);
ContextFn RequestTags();
ContextFn PolicyArnKey();            // iam:PolicyARN from PolicyArn
ContextFn PermissionsBoundaryKey();  // iam:PermissionsBoundary from PermissionsBoundary
ContextFn UserResourceTags(const iam::IdentityStore& store);  // aws:ResourceTag/* of UserName
ContextFn RoleResourceTags(const iam::IdentityStore& store);  // aws:ResourceTag/* of RoleName
// aws:ResourceTag/* of the customer managed policy named by PolicyArn.
ContextFn PolicyResourceTags(const iam::IdentityStore& store);

// The authorization of a row: the resources it acts on and its condition keys.
api::Authorization Auth(ResourcesFn resources = nullptr, ContextFn context = nullptr);

}  // namespace kiroku::services::iam_internal
