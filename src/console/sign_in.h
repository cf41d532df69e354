// SignIn: checks one console sign-in attempt (IAM user with a login profile, or the root user
// by its email) and records it as a CloudTrail ConsoleLogin event, success or failure, in the
// region AWS records it: the requested region for IAM users, us-east-1 for the root user
// (aws-behavior.md §2.3–2.4). Failed attempts are throttled per (user name, source IP); an
// attempt is admitted by the throttle before its password is checked (so at most
// max_failures attempts of one pair are ever checked per window, however many run in
// parallel), and an attempt refused by the throttle is not checked and not recorded.
//
// No HTTP here: console.cc turns requests into SignInRequest and results into pages.
// Thread-safe: Attempt may be called concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "console/sessions.h"
#include "console/throttle.h"
#include "iam/identity_store.h"
#include "trail/recorder.h"

namespace kiroku::console {

struct SignInRequest {
  std::string username;  // an IAM user name, or the root user's email
  std::string password;
  std::string mfa_code;  // empty when not given
  std::string region;    // already validated (IsRegionName)
  std::string source_ip;
  std::string user_agent;
};

enum class SignInOutcome { kSuccess, kFailure, kThrottled };

struct SignInResult {
  SignInOutcome outcome = SignInOutcome::kFailure;
  ConsoleSession session;               // kSuccess: who signed in (times unset)
  std::chrono::seconds retry_after{0};  // kThrottled
  std::string event_id;                 // the ConsoleLogin record's eventID; empty if none
};

// The values every ConsoleLogin record shares.
inline constexpr std::string_view kHiddenUserName = "HIDDEN_DUE_TO_SECURITY_REASONS";
// Where AWS's console sends a signed-in browser; kiroku records the same URL shape.
std::string LoginToUrl(std::string_view region);
// Region names as AWS spells them: "us-east-1", "ap-northeast-3", "us-gov-west-1".
bool IsRegionName(std::string_view region);

class SignIn {
 public:
  // Everything borrowed must outlive this object.
  SignIn(iam::IdentityStore& identities, trail::Recorder& recorder, const Clock& clock,
         ThrottleOptions throttle = {});

  // Errors: only failures of the store (Internal); a refused sign-in is an OK result.
  Result<SignInResult> Attempt(const SignInRequest& request);

 private:
  iam::IdentityStore& identities_;
  trail::Recorder& recorder_;
  const Clock& clock_;
  FailureThrottle throttle_;
  // A hash no password matches, checked for unknown users so that they take as long as known
  // ones (no user enumeration by timing).
  std::string decoy_hash_;
};

}  // namespace kiroku::console
