#include "iam/session_store.h"

#include <boost/json.hpp>

#include "common/arn.h"
#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "iam/identity_store.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::iam {
namespace json = boost::json;
namespace {

// Key spaces of the "meta" column family owned by sessions (docs/storage-keys.md).
constexpr uint8_t kSessionTag = 'S';
constexpr uint8_t kExpiryTag = 's';

std::string SessionKey(std::string_view id) {
  return store::KeyBuilder().Tag(kSessionTag).String(id).Build();
}
std::string ExpiryKey(int64_t expiration_ms, std::string_view id) {
  return store::KeyBuilder().Tag(kExpiryTag).I64(expiration_ms).String(id).Build();
}
// The wrapped secret's label: a session secret cannot be swapped for another stored key's.
std::string WrapLabel(std::string_view id) { return "sts-session:" + std::string(id); }

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

const char* KindName(SessionKind kind) {
  switch (kind) {
    case SessionKind::kAssumedRole:
      return "AssumeRole";
    case SessionKind::kConsole:
      return "ConsoleSignIn";
    case SessionKind::kSessionToken:
      break;
  }
  return "GetSessionToken";
}

PrincipalType TypeFromName(std::string_view name) {
  for (PrincipalType t : {PrincipalType::kRoot, PrincipalType::kUser, PrincipalType::kAssumedRole,
                          PrincipalType::kFederatedUser, PrincipalType::kService}) {
    if (name == policy::PrincipalTypeName(t)) return t;
  }
  return PrincipalType::kAnonymous;
}

json::object TagsToJson(const std::map<std::string, std::string>& tags) {
  json::object out;
  for (const auto& [k, v] : tags) out[k] = v;
  return out;
}
std::map<std::string, std::string> TagsFromJson(const json::object& o) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : o) out[std::string(k)] = std::string(v.as_string());
  return out;
}

json::object PrincipalToJson(const Principal& p) {
  return {{"type", policy::PrincipalTypeName(p.type)},
          {"arn", p.arn},
          {"account", p.account},
          {"roleArn", p.role_arn},
          {"userName", p.user_name},
          {"userId", p.user_id},
          {"tags", TagsToJson(p.tags)}};
}
Principal PrincipalFromJson(const json::object& o) {
  Principal p;
  p.type = TypeFromName(o.at("type").as_string());
  p.arn = std::string(o.at("arn").as_string());
  p.account = std::string(o.at("account").as_string());
  p.role_arn = std::string(o.at("roleArn").as_string());
  p.user_name = std::string(o.at("userName").as_string());
  p.user_id = std::string(o.at("userId").as_string());
  p.tags = TagsFromJson(o.at("tags").as_object());
  return p;
}

Result<std::vector<policy::Policy>> ParseSessionPolicies(
    const std::vector<SessionPolicy>& policies) {
  std::vector<policy::Policy> parsed;
  for (const SessionPolicy& p : policies) {
    ASSIGN_OR_RETURN(policy::Policy policy,
                     policy::ParsePolicy(p.document, {policy::PolicyKind::kIdentity, p.name}));
    parsed.push_back(std::move(policy));
  }
  return parsed;
}

// AccessDenied unless `caller` may also perform `action` on `role` (with the role's trust policy
// as the resource policy): sts:TagSession, sts:SetSourceIdentity. Leaves caller.action set.
Status TrustAllows(const policy::PolicySet& caller_policies, policy::RequestContext& caller,
                   const Role& role, std::string action) {
  caller.action = std::move(action);
  policy::PolicySet policies = caller_policies;
  policies.resource = role.trust_policy;
  policies.resource_account.clear();
  policy::Decision decision = policy::Evaluate(policies, caller);
  if (!decision.allowed()) return policy::AccessDeniedError(caller, decision);
  return Status::Ok();
}

// The account of arn:aws:iam::<account>:role/...
std::string RoleAccount(std::string_view arn) {
  std::optional<Arn> parsed = Arn::Parse(arn);
  return parsed ? parsed->account : "";
}

}  // namespace

Principal AssumedRolePrincipal(const std::string& account, const std::string& role_name,
                               const std::string& role_arn, const std::string& role_id,
                               const std::string& session_name) {
  Principal p;
  p.type = PrincipalType::kAssumedRole;
  p.account = account;
  p.arn = Arn::Sts(account, "assumed-role/" + role_name + "/" + session_name).ToString();
  p.role_arn = role_arn;
  p.user_id = role_id + ":" + session_name;
  return p;
}

bool IsValidSessionName(std::string_view name) {
  if (name.size() < 2 || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '=' ||
           c == ',' || c == '.' || c == '@' || c == '-';
  });
}

void AddAssumeRoleKeys(const AssumeRoleParams& params, policy::ContextKeys& keys) {
  keys.SetString("sts:RoleSessionName", params.session_name);
  if (params.external_id) keys.SetString("sts:ExternalId", *params.external_id);
  if (params.source_identity) keys.SetString("sts:SourceIdentity", *params.source_identity);
  if (!params.transitive_tag_keys.empty()) {
    keys.SetStrings("sts:TransitiveTagKeys", params.transitive_tag_keys);
  }
  if (!params.tags.empty()) {
    std::vector<std::string> tag_keys;
    for (const auto& [k, v] : params.tags) {
      keys.SetString("aws:RequestTag/" + k, v);
      tag_keys.push_back(k);
    }
    keys.SetStrings("aws:TagKeys", std::move(tag_keys));
  }
}

policy::Decision EvaluateAssumeRole(const policy::PolicySet& caller_policies,
                                    policy::RequestContext& request, const Role& role) {
  request.action = "sts:AssumeRole";
  request.resource = role.arn;
  policy::PolicySet policies = caller_policies;
  policies.resource = role.trust_policy;
  policies.resource_account.clear();  // roles live in this data dir's one account
  return policy::Evaluate(policies, request);
}

SessionStore::SessionStore(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock)
    : db_(db), master_key_(master_key), clock_(clock) {}

Result<IssuedCredentials> SessionStore::Create(const NewSession& session) {
  if (session.duration.count() <= 0) {
    return Status::InvalidArgument("a session needs a positive duration");
  }
  if (session.principal.arn.empty()) {
    return Status::InvalidArgument("a session needs a principal with an ARN");
  }
  // Validate the policies before anything is written.
  RETURN_IF_ERROR(ParseSessionPolicies(session.policies).status());
  // Keep the expiry index short; a failed purge must not fail the caller's request.
  (void)PurgeExpired();

  IssuedCredentials issued;
  issued.access_key_id = NewAccessKeyId("ASIA");
  issued.secret_access_key = NewSecretAccessKey();
  issued.session_token = Base64Encode(crypto::RandomBytes(96));
  TimePoint now = clock_.Now();
  issued.expiration = std::chrono::time_point_cast<std::chrono::seconds>(now) + session.duration;

  crypto::SecretBytes secret(issued.secret_access_key);
  ASSIGN_OR_RETURN(std::string wrapped,
                   crypto::WrapKey(master_key_, secret, WrapLabel(issued.access_key_id)));
  json::array policies;
  for (const SessionPolicy& p : session.policies) {
    policies.push_back(json::object{{"name", p.name}, {"document", p.document}});
  }
  json::object record{
      {"accessKeyId", issued.access_key_id},
      {"kind", KindName(session.kind)},
      {"secret", Base64Encode(wrapped)},
      {"tokenSha256", HexEncode(crypto::Sha256(issued.session_token))},
      {"issued", Millis(now)},
      {"expiration", Millis(issued.expiration)},
      {"principal", PrincipalToJson(session.principal)},
      {"policies", std::move(policies)},
      {"tags", TagsToJson(session.tags)},
      {"sourceIdentity",
       session.source_identity ? json::value(*session.source_identity) : json::value(nullptr)},
      {"packedPolicySize", session.packed_policy_size}};
  if (!session.role_id.empty()) record["roleId"] = session.role_id;
  store::WriteBatch batch;
  batch.Put(kColumnFamily, SessionKey(issued.access_key_id), json::serialize(record));
  batch.Put(kColumnFamily, ExpiryKey(Millis(issued.expiration), issued.access_key_id), "");
  // 80 random bits make a collision of access key ids practically impossible; the condition
  // still guarantees that an existing session is never overwritten.
  RETURN_IF_ERROR(db_.WriteIf({store::Expectation{std::string(kColumnFamily),
                                                  SessionKey(issued.access_key_id), std::nullopt}},
                              batch));
  return issued;
}

Result<AssumedRole> SessionStore::AssumeRoleAs(const policy::PolicySet& caller_policies,
                                               policy::RequestContext caller, const Role& role,
                                               const AssumeRoleParams& params) {
  if (!IsValidSessionName(params.session_name)) {
    return Status::InvalidArgument("1 validation error detected: Value '" + params.session_name +
                                   "' at 'roleSessionName' failed to satisfy constraint: Member "
                                   "must satisfy regular expression pattern: [\\w+=,.@-]*")
        .WithAwsCode("ValidationError");
  }
  if (caller.principal.type == PrincipalType::kRoot) {
    return Status::AccessDenied("Roles may not be assumed by root accounts.");
  }
  AddAssumeRoleKeys(params, caller.keys);
  policy::Decision decision = EvaluateAssumeRole(caller_policies, caller, role);
  if (!decision.allowed()) return policy::AccessDeniedError(caller, decision);
  if (!params.tags.empty() || !params.transitive_tag_keys.empty()) {
    // Passing session tags is a permission of its own, granted by the trust policy too.
    RETURN_IF_ERROR(TrustAllows(caller_policies, caller, role, "sts:TagSession"));
  }

  // A source identity, once set, follows the session through role chaining unchanged.
  std::optional<std::string> source_identity = params.source_identity;
  if (const policy::ContextKeys::Entry* inherited = caller.keys.Find("aws:SourceIdentity");
      inherited != nullptr && !inherited->values.empty()) {
    if (source_identity && *source_identity != inherited->values[0]) {
      return Status::AccessDenied(
          "The source identity of a role session cannot be changed: "
          "the calling session's is '" +
          inherited->values[0] + "'.");
    }
    source_identity = inherited->values[0];
  } else if (source_identity) {
    RETURN_IF_ERROR(TrustAllows(caller_policies, caller, role, "sts:SetSourceIdentity"));
  }

  if (params.duration.count() > role.max_session_duration) {
    return Status::InvalidArgument(
               "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        .WithAwsCode("ValidationError");
  }
  if (caller.principal.type == PrincipalType::kAssumedRole &&
      params.duration > std::chrono::hours(1)) {
    return Status::InvalidArgument(
               "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed "
               "by role chaining.")
        .WithAwsCode("ValidationError");
  }

  AssumedRole assumed;
  assumed.principal = AssumedRolePrincipal(RoleAccount(role.arn), role.name, role.arn, role.id,
                                           params.session_name);
  // aws:PrincipalTag of the session: the role's tags, overridden by session tags with the same
  // key (ignoring case, as IAM tag keys are).
  for (const auto& [k, v] : role.tags) assumed.principal.tags[k] = v;
  for (const auto& [k, v] : params.tags) {
    const std::string& key = k;  // clang 14 cannot capture a structured binding
    std::erase_if(assumed.principal.tags,
                  [&key](const auto& entry) { return AsciiEqualsIgnoreCase(entry.first, key); });
    assumed.principal.tags[k] = v;
  }
  NewSession session;
  session.kind = SessionKind::kAssumedRole;
  session.principal = assumed.principal;
  session.duration = params.duration;
  session.policies = params.policies;
  session.tags = params.tags;
  session.source_identity = source_identity;
  session.packed_policy_size = params.packed_policy_size;
  session.role_id = role.id;
  assumed.source_identity = source_identity;
  ASSIGN_OR_RETURN(assumed.credentials, Create(session));
  return assumed;
}

Result<Session> SessionStore::Lookup(std::string_view access_key_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   db_.Get(kColumnFamily, SessionKey(access_key_id)));
  if (!value) return Status::NotFound("no session " + std::string(access_key_id));
  ASSIGN_OR_RETURN(json::object record,
                   store::ReadJsonRecord(*value, "session " + std::string(access_key_id)));
  Session s;
  s.access_key_id = std::string(access_key_id);
  const json::string& kind = record.at("kind").as_string();
  s.kind = kind == "AssumeRole"      ? SessionKind::kAssumedRole
           : kind == "ConsoleSignIn" ? SessionKind::kConsole
                                     : SessionKind::kSessionToken;
  auto wrapped = Base64Decode(record.at("secret").as_string());
  auto token_sha = HexDecode(record.at("tokenSha256").as_string());
  if (!wrapped || !token_sha) {
    return Status::Internal("corrupt session record " + std::string(access_key_id));
  }
  ASSIGN_OR_RETURN(s.secret, crypto::UnwrapKey(master_key_, *wrapped, WrapLabel(access_key_id)));
  s.token_sha256 = std::move(*token_sha);
  s.issued = FromMillis(record.at("issued").as_int64());
  s.expiration = FromMillis(record.at("expiration").as_int64());
  s.principal = PrincipalFromJson(record.at("principal").as_object());
  std::vector<SessionPolicy> policies;
  for (const json::value& p : record.at("policies").as_array()) {
    policies.push_back(
        {std::string(p.at("name").as_string()), std::string(p.at("document").as_string())});
  }
  Result<std::vector<policy::Policy>> parsed_policies = CompiledPolicies(policies);
  if (!parsed_policies.ok()) {
    return Status::Internal("unparsable session policy in " + std::string(access_key_id) + ": " +
                            parsed_policies.status().message());
  }
  s.policies = std::move(*parsed_policies);
  s.tags = TagsFromJson(record.at("tags").as_object());
  s.packed_policy_size = static_cast<int>(record.at("packedPolicySize").as_int64());
  if (const json::value* source = record.if_contains("sourceIdentity");
      source != nullptr && source->is_string()) {
    s.source_identity = std::string(source->as_string());
  }
  if (const json::value* role_id = record.if_contains("roleId");
      role_id != nullptr && role_id->is_string()) {
    s.role_id = std::string(role_id->as_string());
  } else if (s.kind == SessionKind::kAssumedRole) {
    // Stored before "roleId": the principal's user id is "<role id>:<session name>".
    s.role_id = s.principal.user_id.substr(0, s.principal.user_id.find(':'));
  }
  return s;
}

Status CheckSessionPrincipal(const IdentityStore& identities, const Session& session) {
  auto refused = [] {
    return Status::Unauthenticated("The security token included in the request is invalid.")
        .WithAwsCode("InvalidClientTokenId");
  };
  const Principal& p = session.principal;
  if (session.kind != SessionKind::kAssumedRole) {  // GetSessionToken, console: the user itself
    if (p.type != PrincipalType::kUser) return Status::Ok();  // root: the account itself
    Result<User> user = identities.GetUser(p.user_name);
    if (!user.ok()) return user.status().code() == Code::kNotFound ? refused() : user.status();
    return user->id == p.user_id ? Status::Ok() : refused();
  }
  // By name, as PoliciesFor finds the role whose policies the session acts with.
  std::string_view arn = p.role_arn;
  size_t slash = arn.rfind('/');
  if (slash == std::string_view::npos || session.role_id.empty()) return refused();
  Result<Role> role = identities.GetRole(arn.substr(slash + 1));
  if (!role.ok()) return role.status().code() == Code::kNotFound ? refused() : role.status();
  return role->id == session.role_id ? Status::Ok() : refused();
}

Result<std::vector<policy::Policy>> SessionStore::CompiledPolicies(
    const std::vector<SessionPolicy>& policies) const {
  std::vector<policy::Policy> compiled;
  for (const SessionPolicy& p : policies) {
    std::string key = p.name + '\0' + p.document;
    {
      MutexLock lock(cache_mu_);
      if (auto it = policy_cache_.find(key); it != policy_cache_.end()) {
        compiled.push_back(it->second);
        continue;
      }
    }
    ASSIGN_OR_RETURN(policy::Policy parsed,
                     policy::ParsePolicy(p.document, {policy::PolicyKind::kIdentity, p.name}));
    MutexLock lock(cache_mu_);
    if (policy_cache_.size() >= kMaxCachedPolicies) policy_cache_.clear();
    policy_cache_.emplace(std::move(key), parsed);
    compiled.push_back(std::move(parsed));
  }
  return compiled;
}

Result<size_t> SessionStore::PurgeExpired() {
  const std::string prefix = store::KeyBuilder().Tag(kExpiryTag).Build();
  const std::string limit =
      store::KeyBuilder().Tag(kExpiryTag).I64(Millis(clock_.Now() - kRetention)).Build();
  store::WriteBatch batch;
  size_t purged = 0;
  RETURN_IF_ERROR(db_.Scan(kColumnFamily, store::Range::Between(prefix, limit),
                           [&](std::string_view key, std::string_view) {
                             store::KeyReader reader(key);
                             std::optional<std::string> id;
                             if (reader.Tag() && reader.I64() && (id = reader.String())) {
                               batch.Delete(kColumnFamily, SessionKey(*id));
                             }
                             batch.Delete(kColumnFamily, key);
                             ++purged;
                             return batch.size() < 1000;
                           }));
  if (!batch.empty()) RETURN_IF_ERROR(db_.Write(batch));
  return purged;
}

}  // namespace kiroku::iam
