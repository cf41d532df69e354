// Console: the web sign-in, a net::Handler for the console's URLs (docs/console.md).
//
//   GET/POST http://<alias-or-account-id>.signin.localhost:<port>/console?region=<region>
//   GET/POST http://<host>:<port>/signin/<alias-or-account-id>/console?region=<region>
//   GET      /console/home?region=<region>     the signed-in page (needs the session cookie)
//   GET      /console/signout                  a page with the sign-out button
//   POST     /console/signout                  ends the session
//   POST     /console/api/credentials          short-lived credentials of the signed-in
//                                              identity, for the console's own API calls
//   GET      /console?region=<region>          (any other host) redirects to the path form
//
// GET shows the form; POST (application/x-www-form-urlencoded username, password, mfaCode)
// signs in through SignIn and, on success, sets an HttpOnly SameSite=Lax session cookie and
// redirects to /console/home. A refused sign-in is a 401 page, a throttled one 429, an unknown
// alias or account 404, a malformed region 400.
//
// Every request must name a host the console is served under (Host: <ref>.signin.localhost,
// localhost, 127.0.0.1, [::1] or a name in ConsoleOptions::hosts, any port), else 421 (400
// when Host is missing or malformed): a page reached through another name (DNS rebinding) is
// never shown. Every POST must come from the console's own pages: its Origin (or, without
// one, its Referer; without either, Sec-Fetch-Site: same-origin) must be the request's own
// origin, else 403. Pages are served with Referrer-Policy: same-origin so that browsers send it.
//
// Thread-safe: Handle may be called concurrently.
#pragma once

#include <string>
#include <vector>

#include "console/form.h"
#include "console/sessions.h"
#include "console/sign_in.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"
#include "net/server.h"
#include "trail/recorder.h"

namespace kiroku::console {

struct ConsoleOptions {
  ThrottleOptions throttle;
  std::chrono::seconds session_lifetime = kSessionLifetime;
  // Host names (or IP literals) served besides *.signin.localhost, localhost, 127.0.0.1 and
  // [::1]: the configured listen host, or the name a remote browser uses for this server.
  std::vector<std::string> hosts;
};

inline constexpr std::string_view kSessionCookie = "kiroku-console-session";
inline constexpr std::string_view kDefaultRegion = "us-east-1";

class Console final : public net::Handler {
 public:
  // Everything borrowed must outlive the console.
  Console(iam::IdentityStore& identities, iam::SessionStore& credentials, trail::Recorder& recorder,
          const Clock& clock, ConsoleOptions options = {});

  // Whether `request` is the console's: its path is /console, /console/…, /signin or
  // /signin/… (paths no AWS API and no S3 request uses; aws::IsS3Request leaves them out).
  static bool Serves(const net::Request& request);

  net::Response Handle(const net::Request& request) override;
  net::Response Reject(const net::Request& head, net::RejectReason reason) override;

 private:
  // The sign-in URL for `account_ref` (GET shows the form, POST signs in).
  net::Response SignInUrl(const net::Request& request, const Authority& host,
                          const std::string& account_ref, const std::string& action);
  net::Response Home(const net::Request& request);
  net::Response SignOut(const net::Request& request, const Authority& host);
  // POST /console/api/credentials: for a live console session, temporary credentials that act
  // as the signed-in user (iam::SessionKind::kConsole), valid for an hour or until the console
  // session ends if sooner. The page's scripts sign their AWS calls with them, so every console
  // action is authenticated, authorized and recorded (sessionCredentialFromConsole) like any
  // other call. JSON {"Credentials": {AccessKeyId, SecretAccessKey, SessionToken, Expiration},
  // "Region"}; 401 without a session; 403 from another origin; never cached.
  net::Response Credentials(const net::Request& request, const Authority& host);
  // Whether the request's Host names this console (see above).
  bool Served(const Authority& host) const;

  iam::IdentityStore& identities_;
  iam::SessionStore& credentials_;
  const Clock& clock_;
  std::vector<std::string> hosts_;  // ConsoleOptions::hosts, normalized like Authority::host
  SignIn sign_in_;
  SessionTable sessions_;
};

}  // namespace kiroku::console
