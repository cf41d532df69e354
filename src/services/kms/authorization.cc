// How the KMS rows are authorized: the key a request names (by KeyId or by its ciphertext), the
// key policy as the resource policy, grants, the KMS condition keys, and the lockout safety
// check of a new key policy.
#include <algorithm>
#include <unordered_map>

#include "common/arn.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "policy/evaluator.h"
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

namespace kms_internal {

void KmsContextKeys(const api::RequestContext& ctx, policy::ContextKeys& keys) {
  keys.SetString("kms:CallerAccount",
                 ctx.principal.account.empty() ? ctx.account : ctx.principal.account);
  for (std::string_view member :
       {"EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext"}) {
    kms::EncryptionContext context = Context(ctx.input, member);
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

}  // namespace kms_internal

// Parsed key policies, keyed by their text (a policy changes only through PutKeyPolicy, which
// changes the text). A cache: bounded, rebuilt on demand.
class KmsService::KeyPolicyCache {
 public:
  Result<policy::Policy> Get(const std::string& text) {
    {
      MutexLock lock(mu_);
      if (auto it = parsed_.find(text); it != parsed_.end()) return it->second;
    }
    ASSIGN_OR_RETURN(policy::Policy parsed,
                     policy::ParsePolicy(text, {policy::PolicyKind::kKeyPolicy, "key policy"}));
    MutexLock lock(mu_);
    if (parsed_.size() >= 4096) parsed_.clear();
    parsed_.emplace(text, parsed);
    return parsed;
  }

 private:
  Mutex mu_;
  std::unordered_map<std::string, policy::Policy> parsed_ GUARDED_BY(mu_);
};

KmsService::KmsService(kms::KeyStore& keys, const iam::IdentityStore& identities)
    : keys_(keys), identities_(identities), policy_cache_(std::make_unique<KeyPolicyCache>()) {}

KmsService::~KmsService() = default;

// Resolves the key to its ARN ("*" when the key cannot be found: the handler then answers
// NotFoundException, after authorization as AWS does for the key).
Result<std::vector<std::string>> KmsService::KeyNamedBy(const RequestContext& ctx,
                                                        std::string_view member) const {
  std::string ref = Str(ctx.input, member);
  if (ref.empty()) return std::vector<std::string>{"*"};
  Result<kms::KeyMetadata> key = keys_.DescribeKey(ScopeOf(ctx), ref);
  if (!key.ok()) return key.status();
  return std::vector<std::string>{key->arn};
}

Result<std::optional<policy::Policy>> KmsService::KeyPolicyOf(const RequestContext& ctx,
                                                              const std::string& resource) const {
  if (resource.find(":key/") == std::string::npos) return std::optional<policy::Policy>();
  Result<std::string> text = keys_.GetKeyPolicy(ScopeOf(ctx), resource);
  if (!text.ok()) {
    // A ciphertext naming an unknown key: AWS's Decrypt answer.
    if (text.status().code() == Code::kNotFound) {
      return Status::InvalidArgument("").WithAwsCode("InvalidCiphertextException");
    }
    return text.status();
  }
  ASSIGN_OR_RETURN(policy::Policy parsed, policy_cache_->Get(*text));
  return std::optional<policy::Policy>(std::move(parsed));
}

bool KmsService::GrantAllows(const RequestContext& ctx, const std::string& resource,
                             std::string_view grant_operation) const {
  if (resource.find(":key/") == std::string::npos) return false;
  auto grants = keys_.ListGrants(ScopeOf(ctx), resource);
  if (!grants.ok()) return false;
  kms::EncryptionContext context = Context(ctx.input, "EncryptionContext");
  const std::string& caller = ctx.principal.type == policy::PrincipalType::kService
                                  ? ctx.principal.service
                                  : ctx.principal.arn;
  for (const kms::Grant& g : *grants) {
    if (g.grantee_principal != caller &&
        !(ctx.principal.type == policy::PrincipalType::kAssumedRole &&
          g.grantee_principal == ctx.principal.role_arn)) {
      continue;
    }
    if (std::find(g.operations.begin(), g.operations.end(), grant_operation) ==
        g.operations.end()) {
      continue;
    }
    if (!g.context_equals.empty() && g.context_equals != context) continue;
    bool subset =
        std::all_of(g.context_subset.begin(), g.context_subset.end(), [&](const auto& kv) {
          auto it = context.find(kv.first);
          return it != context.end() && it->second == kv.second;
        });
    if (subset) return true;
  }
  return false;
}

api::Authorization KmsService::KeyAuthorization(std::string key_member) const {
  api::Authorization auth;
  auth.resources = [this, key_member](const RequestContext& ctx) {
    return KeyNamedBy(ctx, key_member);
  };
  // The request's KMS keys plus aws:ResourceTag/<k> for the tags of the key it names.
  auth.context = [this, key_member](const RequestContext& ctx, policy::ContextKeys& keys) {
    KmsContextKeys(ctx, keys);
    std::string ref = Str(ctx.input, key_member);
    if (ref.empty()) return;
    Result<kms::KeyMetadata> key = keys_.DescribeKey(ScopeOf(ctx), ref);
    if (!key.ok()) return;  // the handler reports the missing key
    for (const auto& [k, v] : key->tags) keys.SetString("aws:ResourceTag/" + k, v);
  };
  auth.resource_policy = [this](const RequestContext& ctx, const std::string& resource) {
    return KeyPolicyOf(ctx, resource);
  };
  // A grant lists operations by the name of the row's action ("kms:ReEncryptFrom" is allowed
  // by a grant for "ReEncryptFrom"); ctx.served is the row being authorized.
  auth.grants = [this](const RequestContext& ctx, const std::string& resource) {
    if (ctx.served == nullptr || !ctx.served->action.starts_with("kms:")) return false;
    return GrantAllows(ctx, resource, std::string_view(ctx.served->action).substr(4));
  };
  return auth;
}

api::Authorization KmsService::CiphertextKeyAuthorization() const {
  api::Authorization auth = KeyAuthorization();
  auth.resources = [this](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    for (std::string_view member : {"KeyId", "SourceKeyId"}) {
      if (!Str(ctx.input, member).empty()) return KeyNamedBy(ctx, member);
    }
    ASSIGN_OR_RETURN(std::string blob, Blob(ctx.input, "CiphertextBlob"));
    ASSIGN_OR_RETURN(std::string arn, keys_.KeyArnOfCiphertext(ScopeOf(ctx), blob));
    return std::vector<std::string>{arn};
  };
  return auth;
}

api::Authorization KmsService::AliasAndKeyAuthorization() const {
  api::Authorization auth = KeyAuthorization();
  auth.resources = [this](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::vector<std::string> arns = {
        Arn::Kms(ctx.region, ctx.account, Str(ctx.input, "AliasName")).ToString()};
    ASSIGN_OR_RETURN(std::vector<std::string> key, KeyNamedBy(ctx, "TargetKeyId"));
    arns.insert(arns.end(), key.begin(), key.end());
    return arns;
  };
  return auth;
}

api::Authorization KmsService::AliasAuthorization() const {
  api::Authorization auth = AccountAuthorization();
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{
        Arn::Kms(ctx.region, ctx.account, Str(ctx.input, "AliasName")).ToString()};
  };
  return auth;
}

api::Authorization KmsService::AccountAuthorization() const {
  api::Authorization auth;
  auth.context = KmsContextKeys;
  return auth;
}

Status KmsService::CheckLockout(const RequestContext& ctx, const policy::Policy& new_policy,
                                const std::string& key_arn) const {
  if (Bool(ctx.input, "BypassPolicyLockoutSafetyCheck")) return Status::Ok();
  ASSIGN_OR_RETURN(policy::PolicySet set, identities_.PoliciesFor(ctx.principal));
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

}  // namespace kiroku::services
