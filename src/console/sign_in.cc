#include "console/sign_in.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/arn.h"
#include "common/check.h"
#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/hash.h"
#include "crypto/password.h"

namespace kiroku::console {
namespace json = boost::json;
namespace {

constexpr std::string_view kRootRegion = "us-east-1";
constexpr std::string_view kFailedAuthentication = "Failed authentication";
constexpr std::string_view kNoSuchUser = "No username found in supplied account";
constexpr size_t kMaxUserAgent = 1024;

// What one attempt found out, for its record.
struct Attempted {
  bool success = false;
  bool root = false;
  bool known_user = true;
  iam::User user;     // IAM user (known_user)
  std::string alias;  // the account alias, for the root user's userName
  bool mfa_used = false;
  std::string mfa_serial;  // success with MFA
};

}  // namespace

std::string LoginToUrl(std::string_view region) {
  std::string r(region);
  return "https://" + r + ".console.aws.amazon.com/console/home?region=" + r +
         "&state=hashArgs%23&isauthcode=true";
}

bool IsRegionName(std::string_view region) {
  // <2 letters>(-<letters>)+-<digits>, at most 32 characters.
  if (region.empty() || region.size() > 32) return false;
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dash = region.find('-', start);
    parts.push_back(region.substr(start, dash == std::string_view::npos ? dash : dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  auto all = [](std::string_view part, char lo, char hi) {
    return !part.empty() &&
           std::all_of(part.begin(), part.end(), [&](char c) { return c >= lo && c <= hi; });
  };
  if (parts.size() < 3 || parts.front().size() != 2) return false;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!all(parts[i], 'a', 'z')) return false;
  }
  return all(parts.back(), '0', '9');
}

SignIn::SignIn(iam::IdentityStore& identities, trail::Recorder& recorder, const Clock& clock,
               ThrottleOptions throttle)
    : identities_(identities), recorder_(recorder), clock_(clock), throttle_(clock, throttle) {
  Result<std::string> decoy = crypto::HashPassword(HexEncode(crypto::RandomBytes(16)));
  KIROKU_CHECK(decoy.ok());
  decoy_hash_ = *decoy;
}

Result<SignInResult> SignIn::Attempt(const SignInRequest& request) {
  ASSIGN_OR_RETURN(std::string account, identities_.AccountId());
  // Throttled per (user name, source IP), whether the user exists or not.
  std::string throttle_key = AsciiLower(request.username) + '\n' + request.source_ip;
  SignInResult result;
  // The attempt takes its place in the count before the password is checked, so parallel
  // attempts cannot get more checks than the limit. Leaving early (a store error) frees it.
  FailureThrottle::Admission admission = throttle_.Admit(throttle_key);
  if (!admission.ticket) {
    result.outcome = SignInOutcome::kThrottled;
    result.retry_after = admission.retry_after;
    return result;
  }

  Attempted a;
  ASSIGN_OR_RETURN(auto aliases, identities_.ListAccountAliases());
  if (!aliases.empty()) a.alias = aliases.front();
  Result<std::string> root_email = identities_.RootEmail();
  if (!root_email.ok() && root_email.status().code() != Code::kNotFound) return root_email.status();
  a.root = root_email.ok() && !request.username.empty() &&
           AsciiLower(*root_email) == AsciiLower(request.username);

  if (a.root) {
    ASSIGN_OR_RETURN(a.success, identities_.CheckRootConsolePassword(request.password));
  } else {
    Result<iam::User> user = identities_.GetUser(request.username);
    if (!user.ok()) {
      Code code = user.status().code();
      if (code != Code::kNotFound && code != Code::kInvalidArgument) return user.status();
      a.known_user = false;
      (void)crypto::VerifyPassword(request.password, decoy_hash_);  // same cost as a real check
    } else {
      a.user = *user;
      Result<bool> password = identities_.CheckConsolePassword(a.user.name, request.password);
      if (!password.ok() && password.status().code() != Code::kNotFound) return password.status();
      bool password_ok = password.ok() && *password;  // NotFound: no login profile
      if (!password.ok()) (void)crypto::VerifyPassword(request.password, decoy_hash_);
      if (password_ok) {
        ASSIGN_OR_RETURN(auto devices, identities_.ListMfaDevices(a.user.name));
        if (devices.empty()) {
          a.success = true;
        } else if (!request.mfa_code.empty()) {
          a.mfa_used = true;
          ASSIGN_OR_RETURN(std::optional<std::string> serial,
                           identities_.VerifyMfaCode(a.user.name, request.mfa_code));
          a.success = serial.has_value();
          if (serial) a.mfa_serial = *serial;
        }
      }
    }
  }

  trail::ApiCallRecord r;
  r.event_id = crypto::RandomUuid();
  r.event_time = clock_.Now();
  r.event_source = "signin.amazonaws.com";
  r.event_name = "ConsoleLogin";
  r.event_type = "AwsConsoleSignIn";
  r.aws_region = a.root ? std::string(kRootRegion) : request.region;
  r.source_ip = request.source_ip;
  r.user_agent = request.user_agent.substr(0, kMaxUserAgent);
  r.request_parameters = nullptr;
  r.response_elements = json::object{{"ConsoleLogin", a.success ? "Success" : "Failure"}};
  json::object extra{{"LoginTo", LoginToUrl(request.region)},
                     {"MobileVersion", "No"},
                     {"MFAUsed", a.mfa_used ? "Yes" : "No"}};
  if (a.success && !a.mfa_serial.empty()) extra["MFAIdentifier"] = a.mfa_serial;
  r.additional_event_data = std::move(extra);
  r.read_only = false;
  r.management_event = true;
  r.recipient_account_id = account;
  r.event_category = "Management";
  trail::UserIdentity& id = r.identity;
  id.account_id = account;
  if (a.root) {
    id.type = "Root";
    id.principal_id = account;
    id.empty_access_key_id = true;
    id.user_name = a.alias;
    if (a.success) id.arn = Arn::AccountRoot(account).ToString();
  } else if (a.known_user) {
    id.type = "IAMUser";
    id.principal_id = a.user.id;
    id.user_name = a.user.name;
    // A failed attempt names the user but not its ARN, and writes an empty access key id.
    if (a.success) {
      id.arn = a.user.arn;
    } else {
      id.empty_access_key_id = true;
    }
  } else {
    id.type = "IAMUser";
    id.user_name = std::string(kHiddenUserName);
    id.empty_access_key_id = true;
  }
  if (!a.success) {
    r.error_message = std::string(a.known_user || a.root ? kFailedAuthentication : kNoSuchUser);
  }
  result.event_id = r.event_id;
  recorder_.Record(std::move(r));

  if (!a.success) {
    result.outcome = SignInOutcome::kFailure;
    if (admission.ticket->Failed()) {
      spdlog::warn(
          "console: repeated failed sign-ins for '{}' from {}: refusing further attempts "
          "for a while",
          a.known_user || a.root ? request.username : std::string(kHiddenUserName),
          request.source_ip);
    }
    return result;
  }
  admission.ticket->Succeeded();
  result.outcome = SignInOutcome::kSuccess;
  ConsoleSession& s = result.session;
  s.account_id = account;
  s.region = request.region;
  s.mfa_serial_number = a.mfa_serial;
  if (a.root) {
    s.identity_type = "Root";
    s.user_name = *root_email;
    s.arn = Arn::AccountRoot(account).ToString();
  } else {
    s.identity_type = "IAMUser";
    s.user_name = a.user.name;
    s.arn = a.user.arn;
    ASSIGN_OR_RETURN(iam::LoginProfile profile, identities_.GetLoginProfile(a.user.name));
    s.password_reset_required = profile.password_reset_required;
  }
  return result;
}

}  // namespace kiroku::console
