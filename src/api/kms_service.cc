#include "api/kms_service.h"
#include "api/json_members.h"

#include <mutex>
#include <unordered_map>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "policy/evaluator.h"

namespace kiroku::api {
namespace json = boost::json;
namespace {

using kms::EncryptionContext;
using kms::KeyMetadata;
using kms::Scope;

Status Validation(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("ValidationException");
}

// --- reading the JSON input -------------------------------------------------------------

// (Presence, type and length of the modelled members were checked by the decode stage.)

std::optional<int64_t> Int(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<int64_t>();
}

bool Bool(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// A blob member the operation needs even where the model leaves it optional (Decrypt's and
// ReEncrypt's CiphertextBlob, optional in the model for Recipient and DryRun calls).
Result<std::string> Blob(const json::object& in, std::string_view name) {
  std::string text = Str(in, name);
  if (text.empty()) {
    std::string field = LowerFirst(name);  // "CiphertextBlob" -> "ciphertextBlob", as AWS names it
    return Validation("1 validation error detected: Value null at '" + field +
                      "' failed to satisfy constraint: Member must not be null");
  }
  auto bytes = Base64Decode(text);
  if (!bytes) return Status::InvalidArgument("Invalid base64 in " + std::string(name)).WithAwsCode("SerializationException");
  return *bytes;
}

EncryptionContext Context(const json::object& in, std::string_view name) {
  EncryptionContext context;
  if (const json::value* v = in.if_contains(name); v != nullptr && v->is_object()) {
    for (const auto& [k, val] : v->as_object()) {
      if (val.is_string()) context[std::string(k)] = std::string(val.as_string());
    }
  }
  return context;
}

kms::Tags TagList(const json::object& in) {
  kms::Tags tags;
  if (const json::value* v = in.if_contains("Tags"); v != nullptr && v->is_array()) {
    for (const json::value& t : v->as_array()) {
      if (t.is_object()) tags[Str(t.as_object(), "TagKey")] = Str(t.as_object(), "TagValue");
    }
  }
  return tags;
}

Scope ScopeOf(const RequestContext& ctx) { return Scope{ctx.account, ctx.region}; }

json::object MetadataJson(const KeyMetadata& m) {
  json::object o{{"AWSAccountId", m.account_id},
                 {"KeyId", m.key_id},
                 {"Arn", m.arn},
                 {"CreationDate", EpochSeconds(m.creation_date)},
                 {"Enabled", m.state == kms::KeyState::kEnabled},
                 {"Description", m.description},
                 {"KeyUsage", m.key_usage},
                 {"KeyState", kms::KeyStateName(m.state)},
                 {"Origin", "AWS_KMS"},
                 {"KeyManager", "CUSTOMER"},
                 {"CustomerMasterKeySpec", m.key_spec},
                 {"KeySpec", m.key_spec},
                 {"EncryptionAlgorithms", json::array{"SYMMETRIC_DEFAULT"}},
                 {"MultiRegion", false},
                 {"CurrentKeyMaterialId", m.current_key_material_id}};
  if (m.deletion_date) {
    o["DeletionDate"] = EpochSeconds(*m.deletion_date);
    o["PendingDeletionWindowInDays"] = m.pending_window_days;
  }
  return o;
}

// Condition keys every KMS request carries, plus the encryption context's.
void KmsContextKeys(const RequestContext& ctx, policy::ContextKeys& keys) {
  keys.SetString("kms:CallerAccount", ctx.principal.account.empty() ? ctx.account : ctx.principal.account);
  for (std::string_view member : {"EncryptionContext", "SourceEncryptionContext",
                                  "DestinationEncryptionContext"}) {
    EncryptionContext context = Context(ctx.input, member);
    if (context.empty()) continue;
    std::vector<std::string> names;
    for (const auto& [k, v] : context) {
      keys.SetString("kms:EncryptionContext:" + k, v);
      names.push_back(k);
    }
    keys.SetStrings("kms:EncryptionContextKeys", names);
  }
  std::string key_id = Str(ctx.input, "KeyId");
  if (key_id.starts_with("alias/") || key_id.find(":alias/") != std::string::npos) {
    keys.SetString("kms:RequestAlias", key_id.substr(key_id.find("alias/")));
  }
  if (ctx.principal.type == policy::PrincipalType::kService) {
    keys.SetString("kms:ViaService", ctx.principal.service);
    // A service acting for a resource of its own (CloudTrail for a trail) names it through
    // InternalCaller; an HTTP caller is never a service principal, so cannot set these.
    if (std::string arn = Str(ctx.input, "SourceArn"); !arn.empty()) {
      keys.SetString("aws:SourceArn", arn);
    }
    if (std::string account = Str(ctx.input, "SourceAccount"); !account.empty()) {
      keys.SetString("aws:SourceAccount", account);
    }
  }
  kms::Tags request_tags = TagList(ctx.input);
  if (!request_tags.empty()) {
    std::vector<std::string> tag_keys;
    for (const auto& [k, v] : request_tags) {
      keys.SetString("aws:RequestTag/" + k, v);
      tag_keys.push_back(k);
    }
    keys.SetStrings("aws:TagKeys", tag_keys);
  }
}

// --- authorization ----------------------------------------------------------------------

// Parsed key policies, keyed by their text (a policy changes only through PutKeyPolicy, which
// changes the text). A cache: bounded, rebuilt on demand.
class KeyPolicyCache {
 public:
  Result<policy::Policy> Get(const std::string& text) {
    {
      std::lock_guard lock(mu_);
      if (auto it = parsed_.find(text); it != parsed_.end()) return it->second;
    }
    ASSIGN_OR_RETURN(policy::Policy parsed,
                     policy::ParsePolicy(text, {policy::PolicyKind::kKeyPolicy, "key policy"}));
    std::lock_guard lock(mu_);
    if (parsed_.size() >= 4096) parsed_.clear();
    parsed_.emplace(text, parsed);
    return parsed;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, policy::Policy> parsed_;
};

// Shared by the authorization callbacks of every KMS operation; each callback co-owns it.
class KmsAuthorization : public std::enable_shared_from_this<KmsAuthorization> {
 public:
  explicit KmsAuthorization(kms::KeyStore& keys) : keys_(keys) {}

  // Resolves the key the request names to its ARN ("*" when the key cannot be found: the
  // handler then answers NotFoundException, after authorization as AWS does for the key).
  std::function<Result<std::vector<std::string>>(const RequestContext&)> KeyFrom(
      std::string member) {
    return [self = shared_from_this(), member](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      std::string ref = Str(ctx.input, member);
      if (ref.empty()) return std::vector<std::string>{"*"};
      Result<KeyMetadata> key = self->keys_.DescribeKey(ScopeOf(ctx), ref);
      if (!key.ok()) return key.status();
      return std::vector<std::string>{key->arn};
    };
  }

  // Decrypt / ReEncrypt: the key named by the ciphertext (or KeyId when given).
  std::function<Result<std::vector<std::string>>(const RequestContext&)> KeyOfCiphertext() {
    return [self = shared_from_this()](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      for (std::string member : {"KeyId", "SourceKeyId"}) {
        if (!Str(ctx.input, member).empty()) return self->KeyFrom(member)(ctx);
      }
      ASSIGN_OR_RETURN(std::string blob, Blob(ctx.input, "CiphertextBlob"));
      ASSIGN_OR_RETURN(std::string arn, self->keys_.KeyArnOfCiphertext(ScopeOf(ctx), blob));
      return std::vector<std::string>{arn};
    };
  }

  // The key policy of a key ARN resource.
  std::function<Result<std::optional<policy::Policy>>(const RequestContext&, const std::string&)>
  KeyPolicy() {
    return [self = shared_from_this()](const RequestContext& ctx, const std::string& resource)
               -> Result<std::optional<policy::Policy>> {
      if (resource.find(":key/") == std::string::npos) return std::optional<policy::Policy>();
      Result<std::string> text = self->keys_.GetKeyPolicy(ScopeOf(ctx), resource);
      if (!text.ok()) {
        // A ciphertext naming an unknown key: AWS's Decrypt answer.
        if (text.status().code() == Code::kNotFound) {
          return Status::InvalidArgument("").WithAwsCode("InvalidCiphertextException");
        }
        return text.status();
      }
      ASSIGN_OR_RETURN(policy::Policy parsed, self->cache_.Get(*text));
      return std::optional<policy::Policy>(std::move(parsed));
    };
  }

  // The request's KMS keys plus aws:ResourceTag/<k> for the tags of the key it names.
  std::function<void(const RequestContext&, policy::ContextKeys&)> ContextWithKeyTags(
      std::string member) {
    return [self = shared_from_this(), member](const RequestContext& ctx,
                                               policy::ContextKeys& keys) {
      KmsContextKeys(ctx, keys);
      std::string ref = Str(ctx.input, member);
      if (ref.empty()) return;
      Result<KeyMetadata> key = self->keys_.DescribeKey(ScopeOf(ctx), ref);
      if (!key.ok()) return;  // the handler reports the missing key
      for (const auto& [k, v] : key->tags) keys.SetString("aws:ResourceTag/" + k, v);
    };
  }

  // Grants: a grant for the caller that lists the operation (and whose encryption-context
  // constraints hold) allows what no policy allowed.
  std::function<bool(const RequestContext&, const std::string&)> Grants(std::string operation) {
    return [self = shared_from_this(), operation](const RequestContext& ctx,
                                                  const std::string& resource) {
      if (resource.find(":key/") == std::string::npos) return false;
      auto grants = self->keys_.ListGrants(ScopeOf(ctx), resource);
      if (!grants.ok()) return false;
      EncryptionContext context = Context(ctx.input, "EncryptionContext");
      for (const kms::Grant& g : *grants) {
        const std::string& caller = ctx.principal.type == policy::PrincipalType::kService
                                        ? ctx.principal.service
                                        : ctx.principal.arn;
        if (g.grantee_principal != caller &&
            !(ctx.principal.type == policy::PrincipalType::kAssumedRole &&
              g.grantee_principal == ctx.principal.role_arn)) {
          continue;
        }
        if (std::find(g.operations.begin(), g.operations.end(), operation) == g.operations.end()) {
          continue;
        }
        if (!g.context_equals.empty() && g.context_equals != context) continue;
        bool subset = std::all_of(g.context_subset.begin(), g.context_subset.end(),
                                  [&](const auto& kv) {
                                    auto it = context.find(kv.first);
                                    return it != context.end() && it->second == kv.second;
                                  });
        if (subset) return true;
      }
      return false;
    };
  }

 private:
  kms::KeyStore& keys_;
  KeyPolicyCache cache_;
};

Operation KeyOperation(KmsAuthorization& auth, std::string name, OperationFn handler,
                       std::string key_member = "KeyId") {
  Operation op;
  op.handler = std::move(handler);
  op.authorization.action = "kms:" + name;
  op.authorization.resources = auth.KeyFrom(key_member);
  op.authorization.context = auth.ContextWithKeyTags(std::move(key_member));
  op.authorization.resource_policy = auth.KeyPolicy();
  op.authorization.grants = auth.Grants(name);
  return op;
}

Operation AccountOperation(std::string name, OperationFn handler) {
  Operation op;
  op.handler = std::move(handler);
  op.authorization.action = "kms:" + name;
  op.authorization.context = KmsContextKeys;
  return op;
}

// The lockout safety check: a new key policy must still let the caller change it.
Status CheckLockout(const RequestContext& ctx, const iam::IdentityStore& identities,
                    const policy::Policy& new_policy, const std::string& key_arn) {
  if (Bool(ctx.input, "BypassPolicyLockoutSafetyCheck")) return Status::Ok();
  ASSIGN_OR_RETURN(policy::PolicySet set, identities.PoliciesFor(ctx.principal));
  set.resource = new_policy;
  policy::RequestContext request;
  request.principal = ctx.principal;
  request.action = "kms:PutKeyPolicy";
  request.resource = key_arn;
  policy::AddPrincipalKeys(ctx.principal, request.keys);
  KmsContextKeys(ctx, request.keys);
  if (policy::Evaluate(set, request).allowed()) return Status::Ok();
  return Status::InvalidArgument(
             "The new key policy will not allow you to update the key policy in the future.")
      .WithAwsCode("MalformedPolicyDocumentException");
}

Result<policy::Policy> ParseKeyPolicy(const std::string& text) {
  if (text.size() > 131072) {
    return Status::InvalidArgument("Policy exceeds 131072 characters")
        .WithAwsCode("MalformedPolicyDocumentException");
  }
  Result<policy::Policy> parsed =
      policy::ParsePolicy(text, {policy::PolicyKind::kKeyPolicy, "key policy"});
  if (!parsed.ok()) {
    return Status::InvalidArgument(parsed.status().message())
        .WithAwsCode("MalformedPolicyDocumentException");
  }
  return parsed;
}

}  // namespace

void AddKmsOperations(OperationTable& table, kms::KeyStore& keys,
                      const iam::IdentityStore& identities) {
  auto shared_auth = std::make_shared<KmsAuthorization>(keys);
  KmsAuthorization& auth = *shared_auth;  // the callbacks below co-own it

  table.Add("kms", "CreateKey", AccountOperation("CreateKey", [&keys, &identities](RequestContext& ctx) -> Result<json::value> {
    kms::CreateKeyOptions options;
    options.description = Str(ctx.input, "Description");
    options.tags = TagList(ctx.input);
    if (std::string usage = Str(ctx.input, "KeyUsage"); !usage.empty()) options.key_usage = usage;
    if (std::string spec = Str(ctx.input, "KeySpec"); !spec.empty()) options.key_spec = spec;
    if (std::string spec = Str(ctx.input, "CustomerMasterKeySpec"); !spec.empty()) options.key_spec = spec;
    if (std::string policy_text = Str(ctx.input, "Policy"); !policy_text.empty()) {
      ASSIGN_OR_RETURN(policy::Policy parsed, ParseKeyPolicy(policy_text));
      RETURN_IF_ERROR(CheckLockout(ctx, identities, parsed,
                                   "arn:aws:kms:" + ctx.region + ":" + ctx.account + ":key/*"));
      options.policy = policy_text;
    }
    ASSIGN_OR_RETURN(KeyMetadata key, keys.CreateKey(ScopeOf(ctx), options));
    return json::value{{"KeyMetadata", MetadataJson(key)}};
  }));

  table.Add("kms", "DescribeKey", KeyOperation(auth, "DescribeKey", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    return json::value{{"KeyMetadata", MetadataJson(key)}};
  }));

  table.Add("kms", "ListKeys", AccountOperation("ListKeys", [&keys](RequestContext& ctx) -> Result<json::value> {
    int64_t limit = Int(ctx.input, "Limit").value_or(100);
    if (limit < 1 || limit > 1000) return Validation("Limit must be between 1 and 1000");
    bool truncated = false;
    ASSIGN_OR_RETURN(auto list, keys.ListKeys(ScopeOf(ctx), Str(ctx.input, "Marker"),
                                              static_cast<size_t>(limit), &truncated));
    json::array out;
    for (const KeyMetadata& k : list) out.push_back({{"KeyId", k.key_id}, {"KeyArn", k.arn}});
    json::object result{{"Keys", std::move(out)}, {"Truncated", truncated}};
    if (truncated && !list.empty()) result["NextMarker"] = list.back().key_id;
    return json::value(std::move(result));
  }));

  auto simple = [&](std::string name, std::function<Status(const Scope&, const std::string&)> fn) {
    table.Add("kms", name, KeyOperation(auth, name, [fn](RequestContext& ctx) -> Result<json::value> {
      std::string ref = Str(ctx.input, "KeyId");
      RETURN_IF_ERROR(fn(ScopeOf(ctx), ref));
      return json::value(json::object());
    }));
  };
  simple("EnableKey", [&keys](const Scope& s, const std::string& r) { return keys.EnableKey(s, r); });
  simple("DisableKey", [&keys](const Scope& s, const std::string& r) { return keys.DisableKey(s, r); });
  simple("DisableKeyRotation",
         [&keys](const Scope& s, const std::string& r) { return keys.DisableKeyRotation(s, r); });

  table.Add("kms", "UpdateKeyDescription", KeyOperation(auth, "UpdateKeyDescription", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    RETURN_IF_ERROR(keys.UpdateKeyDescription(ScopeOf(ctx), ref, Str(ctx.input, "Description")));
    return json::value(json::object());
  }));

  table.Add("kms", "ScheduleKeyDeletion", KeyOperation(auth, "ScheduleKeyDeletion", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    int days = static_cast<int>(Int(ctx.input, "PendingWindowInDays").value_or(30));
    ASSIGN_OR_RETURN(KeyMetadata key, keys.ScheduleKeyDeletion(ScopeOf(ctx), ref, days));
    return json::value{{"KeyId", key.arn},
                       {"DeletionDate", EpochSeconds(*key.deletion_date)},
                       {"KeyState", kms::KeyStateName(key.state)},
                       {"PendingWindowInDays", key.pending_window_days}};
  }));

  table.Add("kms", "CancelKeyDeletion", KeyOperation(auth, "CancelKeyDeletion", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.CancelKeyDeletion(ScopeOf(ctx), ref));
    return json::value{{"KeyId", key.arn}};
  }));

  table.Add("kms", "GetKeyPolicy", KeyOperation(auth, "GetKeyPolicy", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    std::string name = Str(ctx.input, "PolicyName");
    if (!name.empty() && name != "default") return Status::NotFound("No such policy exists").WithAwsCode("NotFoundException");
    ASSIGN_OR_RETURN(std::string text, keys.GetKeyPolicy(ScopeOf(ctx), ref));
    return json::value{{"Policy", text}, {"PolicyName", "default"}};
  }));

  table.Add("kms", "ListKeyPolicies", KeyOperation(auth, "ListKeyPolicies", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    return json::value{{"PolicyNames", json::array{"default"}}, {"Truncated", false}};
  }));

  table.Add("kms", "PutKeyPolicy", KeyOperation(auth, "PutKeyPolicy", [&keys, &identities](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    std::string text = Str(ctx.input, "Policy");
    std::string name = Str(ctx.input, "PolicyName");
    if (!name.empty() && name != "default") return Validation("PolicyName must be default");
    ASSIGN_OR_RETURN(policy::Policy parsed, ParseKeyPolicy(text));
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    RETURN_IF_ERROR(CheckLockout(ctx, identities, parsed, key.arn));
    RETURN_IF_ERROR(keys.PutKeyPolicy(ScopeOf(ctx), ref, text));
    return json::value(json::object());
  }));

  table.Add("kms", "EnableKeyRotation", KeyOperation(auth, "EnableKeyRotation", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    std::optional<int> period;
    if (auto p = Int(ctx.input, "RotationPeriodInDays")) period = static_cast<int>(*p);
    RETURN_IF_ERROR(keys.EnableKeyRotation(ScopeOf(ctx), ref, period));
    return json::value(json::object());
  }));

  table.Add("kms", "GetKeyRotationStatus", KeyOperation(auth, "GetKeyRotationStatus", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    json::object out{{"KeyRotationEnabled", key.rotation_enabled},
                     {"KeyId", key.arn}};
    if (key.rotation_enabled) {
      out["RotationPeriodInDays"] = key.rotation_period_days;
      if (key.next_rotation_date) out["NextRotationDate"] = EpochSeconds(*key.next_rotation_date);
    }
    return json::value(std::move(out));
  }));

  table.Add("kms", "RotateKeyOnDemand", KeyOperation(auth, "RotateKeyOnDemand", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.RotateKeyOnDemand(ScopeOf(ctx), ref));
    return json::value{{"KeyId", key.key_id}};
  }));

  table.Add("kms", "ListKeyRotations", KeyOperation(auth, "ListKeyRotations", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    ASSIGN_OR_RETURN(auto rotations, keys.ListKeyRotations(ScopeOf(ctx), ref));
    json::array out;
    for (const kms::KeyRotation& r : rotations) {
      out.push_back({{"KeyId", key.key_id},
                     {"KeyMaterialId", r.key_material_id},
                     {"RotationDate", EpochSeconds(r.rotation_date)},
                     {"RotationType", r.rotation_type}});
    }
    return json::value{{"Rotations", std::move(out)}, {"Truncated", false}};
  }));

  table.Add("kms", "TagResource", KeyOperation(auth, "TagResource", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    RETURN_IF_ERROR(keys.TagResource(ScopeOf(ctx), ref, TagList(ctx.input)));
    return json::value(json::object());
  }));

  table.Add("kms", "UntagResource", KeyOperation(auth, "UntagResource", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    std::vector<std::string> tag_keys;
    if (const json::value* v = ctx.input.if_contains("TagKeys"); v != nullptr && v->is_array()) {
      for (const json::value& k : v->as_array()) tag_keys.emplace_back(k.as_string());
    }
    RETURN_IF_ERROR(keys.UntagResource(ScopeOf(ctx), ref, tag_keys));
    return json::value(json::object());
  }));

  table.Add("kms", "ListResourceTags", KeyOperation(auth, "ListResourceTags", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    json::array tags;
    for (const auto& [k, v] : key.tags) tags.push_back({{"TagKey", k}, {"TagValue", v}});
    return json::value{{"Tags", std::move(tags)}, {"Truncated", false}};
  }));

  // Aliases: the action is checked on the alias and on the key (CreateAlias, UpdateAlias).
  auto alias_and_key = [shared_auth](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::string alias = Str(ctx.input, "AliasName");
    std::vector<std::string> arns = {"arn:aws:kms:" + ctx.region + ":" + ctx.account +
                                     ":" + alias};
    ASSIGN_OR_RETURN(std::vector<std::string> key, shared_auth->KeyFrom("TargetKeyId")(ctx));
    arns.insert(arns.end(), key.begin(), key.end());
    return arns;
  };
  for (std::string name : {"CreateAlias", "UpdateAlias"}) {
    Operation op = KeyOperation(auth, name, [&keys, name](RequestContext& ctx) -> Result<json::value> {
      std::string alias = Str(ctx.input, "AliasName");
      std::string target = Str(ctx.input, "TargetKeyId");
      RETURN_IF_ERROR(name == "CreateAlias" ? keys.CreateAlias(ScopeOf(ctx), alias, target)
                                            : keys.UpdateAlias(ScopeOf(ctx), alias, target));
      return json::value(json::object());
    });
    op.authorization.resources = alias_and_key;
    table.Add("kms", name, std::move(op));
  }

  {
    Operation op = AccountOperation("DeleteAlias", [&keys](RequestContext& ctx) -> Result<json::value> {
      std::string alias = Str(ctx.input, "AliasName");
      RETURN_IF_ERROR(keys.DeleteAlias(ScopeOf(ctx), alias));
      return json::value(json::object());
    });
    op.authorization.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      return std::vector<std::string>{"arn:aws:kms:" + ctx.region + ":" + ctx.account +
                                      ":" + Str(ctx.input, "AliasName")};
    };
    table.Add("kms", "DeleteAlias", std::move(op));
  }

  table.Add("kms", "ListAliases", AccountOperation("ListAliases", [&keys](RequestContext& ctx) -> Result<json::value> {
    ASSIGN_OR_RETURN(auto aliases, keys.ListAliases(ScopeOf(ctx), Str(ctx.input, "KeyId")));
    json::array out;
    for (const kms::Alias& a : aliases) {
      out.push_back({{"AliasName", a.name},
                     {"AliasArn", a.arn},
                     {"TargetKeyId", a.target_key_id},
                     {"CreationDate", EpochSeconds(a.creation_date)},
                     {"LastUpdatedDate", EpochSeconds(a.last_updated_date)}});
    }
    return json::value{{"Aliases", std::move(out)}, {"Truncated", false}};
  }));

  table.Add("kms", "CreateGrant", KeyOperation(auth, "CreateGrant", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    kms::Grant grant;
    grant.grantee_principal = Str(ctx.input, "GranteePrincipal");
    grant.retiring_principal = Str(ctx.input, "RetiringPrincipal");
    grant.name = Str(ctx.input, "Name");
    if (const json::value* ops = ctx.input.if_contains("Operations"); ops && ops->is_array()) {
      for (const json::value& o : ops->as_array()) grant.operations.emplace_back(o.as_string());
    }
    if (const json::value* c = ctx.input.if_contains("Constraints"); c && c->is_object()) {
      grant.context_equals = Context(c->as_object(), "EncryptionContextEquals");
      grant.context_subset = Context(c->as_object(), "EncryptionContextSubset");
    }
    ASSIGN_OR_RETURN(kms::Grant created, keys.CreateGrant(ScopeOf(ctx), ref, grant));
    std::string token = Base64Encode(created.key_id + ":" + created.grant_id);
    return json::value{{"GrantId", created.grant_id}, {"GrantToken", token}};
  }));

  table.Add("kms", "ListGrants", KeyOperation(auth, "ListGrants", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(auto grants, keys.ListGrants(ScopeOf(ctx), ref));
    std::string only_id = Str(ctx.input, "GrantId");
    std::string only_grantee = Str(ctx.input, "GranteePrincipal");
    json::array out;
    for (const kms::Grant& g : grants) {
      if (!only_id.empty() && g.grant_id != only_id) continue;
      if (!only_grantee.empty() && g.grantee_principal != only_grantee) continue;
      json::array ops;
      for (const std::string& o : g.operations) ops.emplace_back(o);
      json::object grant{{"KeyId", "arn:aws:kms:" + ctx.region + ":" + ctx.account + ":key/" + g.key_id},
                         {"GrantId", g.grant_id},
                         {"Name", g.name},
                         {"CreationDate", EpochSeconds(g.creation_date)},
                         {"GranteePrincipal", g.grantee_principal},
                         {"IssuingAccount", g.issuing_account},
                         {"Operations", std::move(ops)}};
      if (!g.retiring_principal.empty()) grant["RetiringPrincipal"] = g.retiring_principal;
      out.push_back(std::move(grant));
    }
    return json::value{{"Grants", std::move(out)}, {"Truncated", false}};
  }));

  table.Add("kms", "RevokeGrant", KeyOperation(auth, "RevokeGrant", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    std::string grant_id = Str(ctx.input, "GrantId");
    RETURN_IF_ERROR(keys.RevokeGrant(ScopeOf(ctx), ref, grant_id));
    return json::value(json::object());
  }));

  {
    // RetireGrant is authorized by the grant itself: the retiring principal (or the grantee,
    // when the grant lists RetireGrant) may retire it, whatever the policies say.
    Operation op;
    op.handler = [&keys](RequestContext& ctx) -> Result<json::value> {
      std::string key_ref = Str(ctx.input, "KeyId");
      std::string grant_id = Str(ctx.input, "GrantId");
      if (std::string token = Str(ctx.input, "GrantToken"); !token.empty()) {
        auto decoded = Base64Decode(token);
        size_t colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos) {
          return Status::InvalidArgument("Invalid grant token").WithAwsCode("InvalidGrantTokenException");
        }
        key_ref = decoded->substr(0, colon);
        grant_id = decoded->substr(colon + 1);
      }
      if (key_ref.empty() || grant_id.empty()) return Validation("GrantToken, or KeyId and GrantId, are required");
      ASSIGN_OR_RETURN(auto grants, keys.ListGrants(ScopeOf(ctx), key_ref));
      for (const kms::Grant& g : grants) {
        if (g.grant_id != grant_id) continue;
        bool grantee_may = g.grantee_principal == ctx.principal.arn &&
                           std::find(g.operations.begin(), g.operations.end(), "RetireGrant") != g.operations.end();
        bool may = g.retiring_principal == ctx.principal.arn || grantee_may ||
                   ctx.principal.type == policy::PrincipalType::kRoot;
        if (!may) {
          return Status::AccessDenied("User: " + ctx.principal.arn +
                                      " is not authorized to perform: kms:RetireGrant on this grant");
        }
        RETURN_IF_ERROR(keys.RetireGrant(ScopeOf(ctx), key_ref, grant_id).status());
        return json::value(json::object());
      }
      return Status::NotFound("Grant ID " + grant_id + " not found").WithAwsCode("NotFoundException");
    };
    table.Add("kms", "RetireGrant", std::move(op));
  }

  // Cryptography.
  table.Add("kms", "Encrypt", KeyOperation(auth, "Encrypt", [&keys](RequestContext& ctx) -> Result<json::value> {
    std::string ref = Str(ctx.input, "KeyId");
    ASSIGN_OR_RETURN(std::string plaintext, Blob(ctx.input, "Plaintext"));
    ASSIGN_OR_RETURN(KeyMetadata key, keys.DescribeKey(ScopeOf(ctx), ref));
    ASSIGN_OR_RETURN(std::string blob, keys.Encrypt(ScopeOf(ctx), ref, plaintext,
                                                    Context(ctx.input, "EncryptionContext")));
    crypto::Cleanse(plaintext);
    return json::value{{"CiphertextBlob", Base64Encode(blob)},
                       {"KeyId", key.arn},
                       {"EncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
  }));

  {
    Operation op = KeyOperation(auth, "Decrypt", [&keys](RequestContext& ctx) -> Result<json::value> {
      ASSIGN_OR_RETURN(std::string blob, Blob(ctx.input, "CiphertextBlob"));
      ASSIGN_OR_RETURN(kms::DecryptResult result,
                       keys.Decrypt(ScopeOf(ctx), blob, Context(ctx.input, "EncryptionContext"),
                                    Str(ctx.input, "KeyId")));
      json::value out{{"KeyId", result.key_arn},
                      {"Plaintext", Base64Encode(result.plaintext)},
                      {"EncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
                      {"KeyMaterialId", result.key_material_id}};
      crypto::Cleanse(result.plaintext);
      return out;
    });
    op.authorization.resources = auth.KeyOfCiphertext();
    table.Add("kms", "Decrypt", std::move(op));
  }

  {
    // ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the
    // destination; the pipeline checks the first, the handler the second through the same
    // evaluator.
    Operation op = KeyOperation(auth, "ReEncryptFrom", [&keys, shared_auth, &identities](RequestContext& ctx) -> Result<json::value> {
      ASSIGN_OR_RETURN(std::string blob, Blob(ctx.input, "CiphertextBlob"));
      std::string destination = Str(ctx.input, "DestinationKeyId");
      ASSIGN_OR_RETURN(KeyMetadata dest, keys.DescribeKey(ScopeOf(ctx), destination));
      {
        ASSIGN_OR_RETURN(policy::PolicySet set, identities.PoliciesFor(ctx.principal));
        ASSIGN_OR_RETURN(set.resource, shared_auth->KeyPolicy()(ctx, dest.arn));
        policy::RequestContext request;
        request.principal = ctx.principal;
        request.action = "kms:ReEncryptTo";
        request.resource = dest.arn;
        policy::AddPrincipalKeys(ctx.principal, request.keys);
        KmsContextKeys(ctx, request.keys);
        policy::Decision d = policy::Evaluate(set, request);
        if (!d.allowed() && !shared_auth->Grants("ReEncryptTo")(ctx, dest.arn)) {
          return policy::AccessDeniedError(request, d);
        }
      }
      ASSIGN_OR_RETURN(kms::DecryptResult source,
                       keys.Decrypt(ScopeOf(ctx), blob, Context(ctx.input, "SourceEncryptionContext"),
                                    Str(ctx.input, "SourceKeyId")));
      ASSIGN_OR_RETURN(std::string out_blob,
                       keys.Encrypt(ScopeOf(ctx), destination, source.plaintext,
                                    Context(ctx.input, "DestinationEncryptionContext")));
      crypto::Cleanse(source.plaintext);
      return json::value{{"CiphertextBlob", Base64Encode(out_blob)},
                         {"SourceKeyId", source.key_arn},
                         {"KeyId", dest.arn},
                         {"SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
                         {"DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
    });
    op.authorization.resources = auth.KeyOfCiphertext();
    table.Add("kms", "ReEncrypt", std::move(op));
  }

  for (bool with_plaintext : {true, false}) {
    std::string name = with_plaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
    table.Add("kms", name, KeyOperation(auth, name, [&keys, with_plaintext](RequestContext& ctx) -> Result<json::value> {
      std::string ref = Str(ctx.input, "KeyId");
      std::string spec = Str(ctx.input, "KeySpec");
      std::optional<int64_t> n = Int(ctx.input, "NumberOfBytes");
      if (!spec.empty() && n) return Validation("Specify either KeySpec or NumberOfBytes, not both");
      if (spec.empty() && !n) return Validation("Specify either KeySpec or NumberOfBytes");
      size_t bytes = n ? static_cast<size_t>(*n) : spec == "AES_256" ? 32 : spec == "AES_128" ? 16 : 0;
      if (bytes == 0) return Validation("KeySpec must be AES_256 or AES_128");
      ASSIGN_OR_RETURN(kms::DataKey key,
                       keys.GenerateDataKey(ScopeOf(ctx), ref, bytes,
                                            Context(ctx.input, "EncryptionContext"), with_plaintext));
      json::object out{{"CiphertextBlob", Base64Encode(key.ciphertext_blob)}, {"KeyId", key.key_arn}};
      if (with_plaintext) {
        out["Plaintext"] = Base64Encode(key.plaintext);
        crypto::Cleanse(key.plaintext);
      }
      return json::value(std::move(out));
    }));
  }

  table.Add("kms", "GenerateRandom", AccountOperation("GenerateRandom", [](RequestContext& ctx) -> Result<json::value> {
    int64_t n = Int(ctx.input, "NumberOfBytes").value_or(0);
    if (n < 1 || n > 1024) return Validation("NumberOfBytes must be between 1 and 1024");
    return json::value{{"Plaintext", Base64Encode(crypto::RandomBytes(static_cast<size_t>(n)))}};
  }));
}

}  // namespace kiroku::api
