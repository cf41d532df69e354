#include "policy/evaluator.h"

#include <algorithm>

#include "common/encoding.h"
#include "policy/compiled.h"
#include "policy/values.h"

namespace kiroku::policy {
namespace {

using internal::CompiledPolicy;
using internal::Condition;
using internal::ConditionValue;
using internal::Op;
using internal::PrincipalSpec;
using internal::SetQualifier;
using internal::Statement;
using internal::Template;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// How a resource-policy statement's Principal matched the caller; higher is stronger.
enum class PrincipalMatch {
  kNone,
  kAccount,  // names the caller's account: delegates to the account's IAM policies
  kLimited,  // "*", the role of a role session, NotPrincipal: limited by boundary/session
  kDirect,   // the caller's own ARN (user, session), its service, or root via the account
};

// At most this many expansions of a template whose variables have several values.
constexpr size_t kMaxExpansions = 64;

class Evaluation {
 public:
  Evaluation(const RequestContext& request, const EvalOptions& options, Decision& out)
      : request_(request), options_(options), out_(out) {
    action_.reserve(request.action.size());
    for (char c : request.action) action_.push_back(Lower(c));
    size_t colon = action_.find(':');
    service_ = colon == std::string::npos ? std::string_view()
                                          : std::string_view(action_).substr(0, colon);
  }

  struct SlotResult {
    const Statement* allow = nullptr;
    const Policy* allow_policy = nullptr;
    PrincipalMatch allow_match = PrincipalMatch::kNone;
    const Statement* deny = nullptr;
    const Policy* deny_policy = nullptr;
  };

  // Runs every candidate statement of `policy` and folds the result into `slot`.
  void Scan(const Policy& policy, PolicyType type, SlotResult& slot) {
    const CompiledPolicy& c = policy.compiled();
    const std::vector<uint32_t>* by_service = nullptr;
    auto it = std::lower_bound(c.by_service.begin(), c.by_service.end(), service_,
                               [](const auto& e, std::string_view s) { return e.first < s; });
    if (it != c.by_service.end() && it->first == service_) by_service = &it->second;
    // Merge the two sorted index lists so statements run in document order.
    size_t i = 0;
    size_t j = 0;
    const size_t ni = by_service ? by_service->size() : 0;
    const size_t nj = c.any_service.size();
    while (i < ni || j < nj) {
      uint32_t index;
      if (j >= nj || (i < ni && (*by_service)[i] < c.any_service[j])) {
        index = (*by_service)[i++];
      } else {
        index = c.any_service[j++];
      }
      RunStatement(policy, c.statements[index], type, slot);
    }
  }

 private:
  void RunStatement(const Policy& policy, const Statement& st, PolicyType type, SlotResult& slot) {
    const bool collecting = options_.collect_matched || options_.collect_missing_keys;
    if (!collecting) {
      // Only the first Deny and the strongest Allow matter.
      if (!st.allow && slot.deny != nullptr) return;
      if (st.allow && slot.allow != nullptr &&
          (!st.has_principal || slot.allow_match == PrincipalMatch::kDirect)) {
        return;
      }
    }
    if (!ActionMatches(st)) return;
    PrincipalMatch pm = PrincipalMatch::kDirect;
    if (st.has_principal) {
      pm = MatchPrincipal(st);
      if (pm == PrincipalMatch::kNone) return;
    }
    if (options_.collect_missing_keys) NoteMissingKeys(st);
    if (!ResourceMatches(st)) return;
    if (!ConditionsMatch(st)) return;
    if (options_.collect_matched) out_.matched.push_back(Ref(policy, st, type));
    if (!st.allow) {
      if (slot.deny == nullptr) {
        slot.deny = &st;
        slot.deny_policy = &policy;
      }
    } else if (slot.allow == nullptr || pm > slot.allow_match) {
      slot.allow = &st;
      slot.allow_policy = &policy;
      slot.allow_match = pm;
    }
  }

 public:
  static StatementRef Ref(const Policy& policy, const Statement& st, PolicyType type) {
    StatementRef ref;
    ref.type = type;
    ref.policy_name = policy.name();
    ref.policy_id = policy.id();
    ref.index = st.index;
    ref.sid = st.sid;
    ref.start = st.start;
    ref.end = st.end;
    return ref;
  }

 private:
  bool ActionMatches(const Statement& st) const {
    bool any = false;
    for (const Pattern& p : st.actions) {
      if (p.Matches(action_)) {
        any = true;
        break;
      }
    }
    return any != st.not_action;
  }

  PrincipalMatch MatchSpec(const PrincipalSpec& s) const {
    const Principal& p = request_.principal;
    PrincipalMatch best = PrincipalMatch::kNone;
    auto raise = [&](PrincipalMatch m) {
      if (m > best) best = m;
    };
    if (s.any) raise(PrincipalMatch::kLimited);
    switch (p.type) {
      case PrincipalType::kService:
        for (const std::string& svc : s.services) {
          if (EqualsIgnoreCase(svc, p.service)) return PrincipalMatch::kDirect;
        }
        return best;
      case PrincipalType::kAnonymous:
        return best;
      default:
        break;
    }
    if (s.aws_any) raise(PrincipalMatch::kLimited);
    for (const std::string& arn : s.arns) {
      if (arn == p.arn) return PrincipalMatch::kDirect;
      if (!p.role_arn.empty() && arn == p.role_arn) raise(PrincipalMatch::kLimited);
    }
    for (const std::string& account : s.accounts) {
      if (account == p.account) {
        raise(p.type == PrincipalType::kRoot ? PrincipalMatch::kDirect : PrincipalMatch::kAccount);
      }
    }
    if (!p.federated_provider.empty()) {
      for (const std::string& f : s.federated) {
        if (f == p.federated_provider) return PrincipalMatch::kDirect;
      }
    }
    if (!p.canonical_user.empty()) {
      for (const std::string& c : s.canonical_users) {
        if (c == p.canonical_user) return PrincipalMatch::kDirect;
      }
    }
    return best;
  }

  PrincipalMatch MatchPrincipal(const Statement& st) const {
    PrincipalMatch m = MatchSpec(st.principal);
    if (!st.not_principal) return m;
    // NotPrincipal applies to everyone it does not name; such a grant is never "direct".
    return m == PrincipalMatch::kNone ? PrincipalMatch::kLimited : PrincipalMatch::kNone;
  }

  // Expands `t` with the request's values into patterns. False (and no patterns) when a
  // variable has no value and no default: such an entry matches nothing.
  bool Expand(const Template& t, std::vector<Pattern>& out) const {
    out.clear();
    out.emplace_back();
    for (const Template::Piece& piece : t.pieces) {
      switch (piece.kind) {
        case Template::Piece::Kind::kText:
          for (Pattern& p : out) p.AppendLiteral(piece.text);
          break;
        case Template::Piece::Kind::kStar:
          for (Pattern& p : out) p.AppendStar();
          break;
        case Template::Piece::Kind::kQuestion:
          for (Pattern& p : out) p.AppendQuestion();
          break;
        case Template::Piece::Kind::kVariable: {
          const ContextKeys::Entry* e = request_.keys.Find(piece.text);
          if (e == nullptr || e->values.empty()) {
            if (!piece.default_value) {
              out.clear();
              return false;
            }
            for (Pattern& p : out) p.AppendLiteral(*piece.default_value);
            break;
          }
          if (e->values.size() == 1) {
            for (Pattern& p : out) p.AppendLiteral(e->values[0]);
            break;
          }
          std::vector<Pattern> next;
          for (const Pattern& p : out) {
            for (const std::string& v : e->values) {
              if (next.size() >= kMaxExpansions) break;
              Pattern q = p;
              q.AppendLiteral(v);
              next.push_back(std::move(q));
            }
          }
          out = std::move(next);
          break;
        }
      }
    }
    return true;
  }

  bool ResourceMatches(const Statement& st) const {
    if (!st.has_resource) return true;
    bool any = false;
    std::vector<Pattern> expanded;
    for (const Template& t : st.resources) {
      if (!t.has_variables) {
        if (t.pattern.MatchesArn(request_.resource)) {
          any = true;
          break;
        }
        continue;
      }
      if (!Expand(t, expanded)) continue;
      for (const Pattern& p : expanded) {
        if (p.MatchesArn(request_.resource)) {
          any = true;
          break;
        }
      }
      if (any) break;
    }
    return any != st.not_resource;
  }

  bool ConditionsMatch(const Statement& st) const {
    for (const Condition& c : st.conditions) {
      if (!ConditionMatches(c)) return false;
    }
    return true;
  }

  bool ConditionMatches(const Condition& c) const {
    const ContextKeys::Entry* e = request_.keys.Find(c.key);
    const bool present = e != nullptr && !e->values.empty();
    if (c.op == Op::kNull) {
      // "true" asks for an absent key, "false" for a present one.
      for (const ConditionValue& v : c.values) {
        if (v.boolean != present) return true;
      }
      return false;
    }
    if (!present) {
      // IfExists first: ForAnyValue:StringLikeIfExists on an absent key is true.
      if (c.if_exists) return true;
      if (c.qualifier == SetQualifier::kForAllValues) return true;
      if (c.qualifier == SetQualifier::kForAnyValue) return false;
      return c.negated;
    }
    // Policy values with variables are resolved once per condition.
    std::vector<Pattern> resolved;
    bool uses_resolved = false;
    for (const ConditionValue& v : c.values) {
      if (v.text.has_variables) uses_resolved = true;
    }
    if (uses_resolved) {
      std::vector<Pattern> tmp;
      for (const ConditionValue& v : c.values) {
        if (!v.text.has_variables) {
          resolved.push_back(v.text.pattern);
        } else if (Expand(v.text, tmp)) {
          for (Pattern& p : tmp) resolved.push_back(std::move(p));
        }
      }
    }
    auto matches_any = [&](const std::string& value) {
      return uses_resolved ? MatchesResolved(c.op, value, resolved) : MatchesValues(c, value);
    };
    const std::vector<std::string>& values = e->values;
    switch (c.qualifier) {
      case SetQualifier::kForAllValues:
        for (const std::string& v : values) {
          if (matches_any(v) == c.negated) return false;
        }
        return true;
      case SetQualifier::kForAnyValue:
        for (const std::string& v : values) {
          if (matches_any(v) != c.negated) return true;
        }
        return false;
      case SetQualifier::kNone:
        break;
    }
    if (c.negated) {
      // NOR: no request value equals any policy value.
      for (const std::string& v : values) {
        if (matches_any(v)) return false;
      }
      return true;
    }
    for (const std::string& v : values) {
      if (matches_any(v)) return true;
    }
    return false;
  }

  // String, Bool and Arn operators after variable substitution.
  static bool MatchesResolved(Op op, const std::string& value,
                              const std::vector<Pattern>& patterns) {
    for (const Pattern& p : patterns) {
      switch (op) {
        case Op::kStringEquals:
          if (value == p.text()) return true;
          break;
        case Op::kStringEqualsIgnoreCase:
          if (EqualsIgnoreCase(value, p.text())) return true;
          break;
        case Op::kStringLike:
          if (p.Matches(value)) return true;
          break;
        case Op::kArnLike:
          if (p.MatchesArn(value)) return true;
          break;
        case Op::kBool: {
          std::optional<bool> a = ParseBool(value);
          std::optional<bool> b = ParseBool(p.text());
          if (a && b && *a == *b) return true;
          break;
        }
        default:
          break;
      }
    }
    return false;
  }

  static bool MatchesValues(const Condition& c, const std::string& value) {
    switch (c.op) {
      case Op::kStringEquals:
      case Op::kStringEqualsIgnoreCase:
      case Op::kStringLike:
      case Op::kArnLike: {
        for (const ConditionValue& v : c.values) {
          const Pattern& p = v.text.pattern;
          bool m = false;
          if (c.op == Op::kStringEquals) {
            m = value == p.text();
          } else if (c.op == Op::kStringEqualsIgnoreCase) {
            m = EqualsIgnoreCase(value, p.text());
          } else if (c.op == Op::kStringLike) {
            m = p.Matches(value);
          } else {
            m = p.MatchesArn(value);
          }
          if (m) return true;
        }
        return false;
      }
      case Op::kNumericEquals:
      case Op::kNumericLessThan:
      case Op::kNumericLessThanEquals:
      case Op::kNumericGreaterThan:
      case Op::kNumericGreaterThanEquals: {
        std::optional<double> n = ParseNumber(value);
        if (!n) return false;
        for (const ConditionValue& v : c.values) {
          bool m = c.op == Op::kNumericEquals           ? *n == v.number
                   : c.op == Op::kNumericLessThan       ? *n < v.number
                   : c.op == Op::kNumericLessThanEquals ? *n <= v.number
                   : c.op == Op::kNumericGreaterThan    ? *n > v.number
                                                        : *n >= v.number;
          if (m) return true;
        }
        return false;
      }
      case Op::kDateEquals:
      case Op::kDateLessThan:
      case Op::kDateLessThanEquals:
      case Op::kDateGreaterThan:
      case Op::kDateGreaterThanEquals: {
        std::optional<int64_t> d = ParseDateMillis(value);
        if (!d) return false;
        for (const ConditionValue& v : c.values) {
          bool m = c.op == Op::kDateEquals           ? *d == v.date_ms
                   : c.op == Op::kDateLessThan       ? *d < v.date_ms
                   : c.op == Op::kDateLessThanEquals ? *d <= v.date_ms
                   : c.op == Op::kDateGreaterThan    ? *d > v.date_ms
                                                     : *d >= v.date_ms;
          if (m) return true;
        }
        return false;
      }
      case Op::kBool: {
        std::optional<bool> b = ParseBool(value);
        if (!b) return false;
        for (const ConditionValue& v : c.values) {
          if (v.boolean == *b) return true;
        }
        return false;
      }
      case Op::kBinaryEquals: {
        std::optional<std::string> bytes = Base64Decode(value);
        const std::string& cmp = bytes ? *bytes : value;
        for (const ConditionValue& v : c.values) {
          if (v.binary == cmp) return true;
        }
        return false;
      }
      case Op::kIpAddress: {
        std::optional<IpNet> ip = ParseIpNet(value);
        if (!ip) return false;
        for (const ConditionValue& v : c.values) {
          if (v.net.Contains(*ip)) return true;
        }
        return false;
      }
      case Op::kNull:
        return false;
    }
    return false;
  }

  void NoteMissing(const std::string& name) const {
    auto& keys = out_.missing_context_keys;
    for (const std::string& k : keys) {
      if (EqualsIgnoreCase(k, name)) return;
    }
    keys.push_back(name);
  }

  void NoteTemplate(const Template& t) const {
    for (const Template::Piece& p : t.pieces) {
      if (p.kind == Template::Piece::Kind::kVariable && !p.default_value &&
          request_.keys.Find(p.text) == nullptr) {
        NoteMissing(p.key_name);
      }
    }
  }

  void NoteMissingKeys(const Statement& st) const {
    for (const Template& t : st.resources) NoteTemplate(t);
    for (const Condition& c : st.conditions) {
      if (request_.keys.Find(c.key) == nullptr) NoteMissing(c.key_name);
      for (const ConditionValue& v : c.values) NoteTemplate(v.text);
    }
  }

  const RequestContext& request_;
  const EvalOptions& options_;
  Decision& out_;
  std::string action_;
  std::string_view service_;
};

}  // namespace

const char* PolicyTypeName(PolicyType type) {
  switch (type) {
    case PolicyType::kIdentity:
      return "identity-based";
    case PolicyType::kResource:
      return "resource-based";
    case PolicyType::kRoleTrust:
      return "role trust";
    case PolicyType::kPermissionsBoundary:
      return "permissions boundary";
    case PolicyType::kSession:
      return "session";
  }
  return "identity-based";
}

const char* EvalDecisionName(EvalDecision decision) {
  switch (decision) {
    case EvalDecision::kAllowed:
      return "allowed";
    case EvalDecision::kExplicitDeny:
      return "explicitDeny";
    case EvalDecision::kImplicitDeny:
      return "implicitDeny";
  }
  return "implicitDeny";
}

Decision Evaluate(const PolicySet& policies, const RequestContext& request,
                  const EvalOptions& options) {
  Decision d;
  Evaluation eval(request, options, d);
  const Principal& caller = request.principal;
  const bool is_root = caller.type == PrincipalType::kRoot;
  // Identity-based, boundary and session policies belong to IAM identities only.
  const bool has_identity = caller.type == PrincipalType::kUser ||
                            caller.type == PrincipalType::kAssumedRole ||
                            caller.type == PrincipalType::kFederatedUser;

  Evaluation::SlotResult identity, boundary, session, resource;
  if (has_identity) {
    for (const Policy& p : policies.identity) eval.Scan(p, PolicyType::kIdentity, identity);
    if (policies.permissions_boundary) {
      eval.Scan(*policies.permissions_boundary, PolicyType::kPermissionsBoundary, boundary);
    }
    for (const Policy& p : policies.session) eval.Scan(p, PolicyType::kSession, session);
  }
  PolicyType resource_type = PolicyType::kResource;
  PolicyKind resource_kind = PolicyKind::kResource;
  if (policies.resource) {
    resource_kind = policies.resource->kind();
    resource_type =
        resource_kind == PolicyKind::kTrustPolicy ? PolicyType::kRoleTrust : PolicyType::kResource;
    // An identity-kind document in the resource slot has no Principal; it is treated as naming
    // nobody, so it cannot grant (but its Deny statements still apply to everyone).
    eval.Scan(*policies.resource, resource_type, resource);
  }

  // 1. Explicit deny anywhere wins.
  const std::pair<const Evaluation::SlotResult*, PolicyType> order[] = {
      {&identity, PolicyType::kIdentity},
      {&resource, resource_type},
      {&boundary, PolicyType::kPermissionsBoundary},
      {&session, PolicyType::kSession}};
  for (const auto& [slot, type] : order) {
    if (slot->deny != nullptr) {
      d.decision = EvalDecision::kExplicitDeny;
      d.deciding = Evaluation::Ref(*slot->deny_policy, *slot->deny, type);
      d.denied_by = type;
      return d;
    }
  }

  // 2. Allows.
  const bool identity_allow = is_root || (has_identity && identity.allow != nullptr);
  const bool boundary_ok = is_root || !policies.permissions_boundary || boundary.allow != nullptr;
  const bool session_ok = is_root || policies.session.empty() || session.allow != nullptr;
  const bool ident_ok = identity_allow && boundary_ok && session_ok;
  const bool same_account = policies.resource_account.empty() ||
                            caller.type == PrincipalType::kService ||
                            policies.resource_account == caller.account;
  // A resource policy of identity kind has no principals and grants nothing.
  const PrincipalMatch res_match = (policies.resource && resource_kind != PolicyKind::kIdentity)
                                       ? resource.allow_match
                                       : PrincipalMatch::kNone;
  const bool res_grants = res_match == PrincipalMatch::kDirect ||
                          (res_match == PrincipalMatch::kLimited && boundary_ok && session_ok);

  bool allowed = false;
  bool by_resource = false;
  if (!policies.resource || resource_kind == PolicyKind::kIdentity) {
    allowed = ident_ok;
  } else if (!same_account) {
    allowed = ident_ok && res_match != PrincipalMatch::kNone;
  } else if (resource_kind == PolicyKind::kResource) {
    allowed = ident_ok || res_grants;
    by_resource = !ident_ok;
  } else {
    // KMS key policy or role trust policy: it must allow, directly or by naming the account.
    if (res_grants) {
      allowed = true;
      by_resource = true;
    } else {
      allowed = res_match == PrincipalMatch::kAccount && ident_ok;
    }
  }
  if (allowed) {
    d.decision = EvalDecision::kAllowed;
    if (by_resource) {
      d.deciding = Evaluation::Ref(*resource.allow_policy, *resource.allow, resource_type);
    } else if (identity.allow != nullptr) {
      d.deciding = Evaluation::Ref(*identity.allow_policy, *identity.allow, PolicyType::kIdentity);
    } else if (resource.allow != nullptr) {
      d.deciding = Evaluation::Ref(*resource.allow_policy, *resource.allow, resource_type);
    }
    return d;
  }

  // 3. Implicit deny: name the policy type that failed to allow.
  d.decision = EvalDecision::kImplicitDeny;
  const bool must_allow = policies.resource && (resource_kind == PolicyKind::kKeyPolicy ||
                                                resource_kind == PolicyKind::kTrustPolicy);
  if (!has_identity && !is_root) {
    d.denied_by = resource_type;
  } else if (must_allow && res_match == PrincipalMatch::kNone) {
    d.denied_by = resource_type;
  } else if (res_match == PrincipalMatch::kLimited && !boundary_ok) {
    d.denied_by = PolicyType::kPermissionsBoundary;  // a resource grant the boundary limits
  } else if (res_match == PrincipalMatch::kLimited && !session_ok) {
    d.denied_by = PolicyType::kSession;
  } else if (!identity_allow) {
    d.denied_by = PolicyType::kIdentity;
  } else if (!boundary_ok) {
    d.denied_by = PolicyType::kPermissionsBoundary;
  } else if (!session_ok) {
    d.denied_by = PolicyType::kSession;
  } else {
    d.denied_by = resource_type;
  }
  return d;
}

std::string AccessDeniedMessage(const RequestContext& request, const Decision& decision) {
  const Principal& p = request.principal;
  std::string who = !p.arn.empty()                      ? p.arn
                    : p.type == PrincipalType::kService ? p.service
                                                        : std::string("anonymous");
  std::string msg = "User: " + who + " is not authorized to perform: " + request.action;
  if (!request.resource.empty() && request.resource != "*") {
    msg += " on resource: " + request.resource;
  }
  const char* type = PolicyTypeName(decision.denied_by);
  const bool policy_suffix = decision.denied_by != PolicyType::kPermissionsBoundary;
  if (decision.decision == EvalDecision::kExplicitDeny) {
    const bool vowel = type[0] == 'i';
    msg += std::string(" with an explicit deny in ") + (vowel ? "an " : "a ") + type +
           (policy_suffix ? " policy" : "");
  } else {
    msg += std::string(" because no ") + type + (policy_suffix ? " policy" : "") + " allows the " +
           request.action + " action";
  }
  return msg;
}

Status AccessDeniedError(const RequestContext& request, const Decision& decision) {
  return Status::AccessDenied(AccessDeniedMessage(request, decision));
}

}  // namespace kiroku::policy
