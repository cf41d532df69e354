#include "console/console.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/encoding.h"
#include "common/logging.h"
#include "console/pages.h"

namespace kiroku::console {
namespace {

constexpr std::string_view kSignInHostSuffix = ".signin.localhost";
constexpr std::string_view kSignOutPath = "/console/signout";
constexpr std::string_view kIncorrect =
    "Your authentication information is incorrect. Please try again.";

// "<ref>.signin.localhost" -> ref; nullopt for any other host.
std::optional<std::string> SignInHostAccount(const Authority& host) {
  if (host.host.size() <= kSignInHostSuffix.size() || !host.host.ends_with(kSignInHostSuffix)) {
    return std::nullopt;
  }
  return host.host.substr(0, host.host.size() - kSignInHostSuffix.size());
}

// The value of the only header `name`; nullptr when absent, `*many` set when repeated.
const std::string* OnlyHeader(const net::Request& request, std::string_view name, bool* many) {
  const std::string* found = nullptr;
  for (const net::Header& header : request.headers) {
    if (!net::HeaderNameEquals(header.name, name)) continue;
    if (found != nullptr) *many = true;
    found = &header.value;
  }
  return found;
}

std::optional<std::string> SessionToken(const net::Request& request) {
  for (const net::Header& header : request.headers) {
    if (!net::HeaderNameEquals(header.name, "Cookie")) continue;
    if (auto value = CookieValue(header.value, kSessionCookie)) return value;
  }
  return std::nullopt;
}

net::Response Page(int status, std::string body) {
  net::Response response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "text/html; charset=utf-8");
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("X-Frame-Options", "DENY");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  // Browsers then send the page's origin with its form posts (CrossOriginPost) and nothing to
  // other sites; no-referrer would make them send "Origin: null".
  response.SetHeader("Referrer-Policy", "same-origin");
  response.SetHeader("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                     "frame-ancestors 'none'");
  return response;
}

net::Response Message(int status, std::string_view title, std::string_view message) {
  return Page(status, MessagePage(title, message));
}

net::Response Redirect(std::string location) {
  net::Response response = Page(302, MessagePage("Redirecting", location));
  response.SetHeader("Location", std::move(location));
  return response;
}

net::Response MethodNotAllowed(std::string_view allowed) {
  net::Response response =
      Message(405, "Method not allowed", "This URL answers " + std::string(allowed) + ".");
  response.SetHeader("Allow", std::string(allowed));
  return response;
}

bool IsGet(const net::Request& request) {
  return request.method == "GET" || request.method == "HEAD";
}

std::string SessionCookie(const net::Request& request, std::string_view value, int64_t max_age) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(value) +
                       "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  // Over TLS the cookie is Secure too; plain http://localhost would never send it back.
  if (request.secure) cookie += "; Secure";
  return cookie;
}

// Why a POST did not come from this console's own pages, or "" when it did: its Origin (or,
// without one, its Referer) must be the request's own origin; a browser that sends neither
// must at least say Sec-Fetch-Site: same-origin. "Origin: null" (opaque) is refused, and so is
// a request with no sign of where it came from (curl must send -H 'Origin: http://host:port').
std::string CrossOriginPost(const net::Request& request, const Authority& host) {
  bool many = false;
  const std::string* origin = OnlyHeader(request, "Origin", &many);
  const std::string* referer = OnlyHeader(request, "Referer", &many);
  const std::string* fetch_site = OnlyHeader(request, "Sec-Fetch-Site", &many);
  if (many) return "repeated Origin, Referer or Sec-Fetch-Site header";
  if (fetch_site != nullptr && AsciiLower(*fetch_site) != "same-origin") {
    return "Sec-Fetch-Site is " + *fetch_site;
  }
  const std::string* source = origin != nullptr ? origin : referer;
  if (source == nullptr) {
    if (fetch_site != nullptr) return "";  // same-origin, checked above
    return "no Origin or Referer header";
  }
  std::optional<WebOrigin> parsed = ParseWebOrigin(*source);
  if (!parsed) return (origin != nullptr ? "opaque Origin " : "malformed Referer ") + *source;
  if (!IsSameOrigin(*parsed, host, request.secure)) {
    return (origin != nullptr ? "Origin " : "Referer ") + *source + " is another site";
  }
  return "";
}

net::Response RefusedPost(std::string_view what, std::string_view why,
                          const net::Request& request) {
  spdlog::info("console: refused a {} POST from {}: {}", what, request.remote_address, why);
  return Message(403, "Forbidden",
                 std::string(what) + " forms must be posted from this console's own pages.");
}

}  // namespace

Console::Console(iam::IdentityStore& identities, iam::SessionStore& credentials,
                 trail::Recorder& recorder, const Clock& clock, ConsoleOptions options)
    : identities_(identities),
      credentials_(credentials),
      clock_(clock),
      sign_in_(identities, recorder, clock, options.throttle),
      sessions_(clock, options.session_lifetime) {
  for (const std::string& name : options.hosts) {
    // A listen host may be an IPv6 literal without brackets; Host headers bracket it.
    std::string spelled =
        name.find(':') != std::string::npos && !name.starts_with('[') ? "[" + name + "]" : name;
    if (std::optional<Authority> parsed = ParseAuthority(spelled); parsed && parsed->port.empty()) {
      hosts_.push_back(parsed->host);
    } else {
      spdlog::warn("console: ignoring host name '{}' (not a host name or IP literal)", name);
    }
  }
}

bool Console::Served(const Authority& host) const {
  if (host.host == "localhost" || host.host == "127.0.0.1" || host.host == "[::1]") return true;
  if (SignInHostAccount(host)) return true;  // unknown accounts are a 404 later
  return std::find(hosts_.begin(), hosts_.end(), host.host) != hosts_.end();
}

bool Console::Serves(const net::Request& request) {
  std::string_view path = request.path();
  return path == "/console" || path.starts_with("/console/") || path == "/signin" ||
         path.starts_with("/signin/");
}

net::Response Console::Reject(const net::Request&, net::RejectReason reason) {
  if (reason == net::RejectReason::kBodyTimeout) {
    return Message(408, "Request timeout", "The request body was not received in time.");
  }
  return Message(413, "Request too large", "The request body is too large.");
}

net::Response Console::Handle(const net::Request& request) {
  bool many = false;
  const std::string* host_header = OnlyHeader(request, "Host", &many);
  std::optional<Authority> host =
      host_header == nullptr || many ? std::nullopt : ParseAuthority(*host_header);
  if (!host) return Message(400, "Bad request", "The Host header is missing or malformed.");
  // A name this server does not serve the console under, e.g. an attacker's domain that
  // resolves to 127.0.0.1 (DNS rebinding): never show a page or take a form there.
  if (!Served(*host)) {
    return Message(421, "Misdirected request",
                   "The console is not served under the name '" + host->host + "'.");
  }
  std::string_view path = request.path();
  if (path == "/console/home") return Home(request);
  if (path == "/console/signout") return SignOut(request, *host);
  if (path == "/console/api/credentials") return Credentials(request, *host);
  std::string target(path);
  if (!request.query().empty()) {
    target += '?';
    target += request.query();
  }
  if (path == "/console" || path == "/console/") {
    if (std::optional<std::string> ref = SignInHostAccount(*host)) {
      return SignInUrl(request, *host, *ref, target);
    }
    // Without an account in the host name, name this server's account in the path.
    Result<std::string> account = identities_.AccountId();
    if (!account.ok()) return Message(500, "Internal error", account.status().message());
    std::string location = "/signin/" + *account + "/console";
    if (!request.query().empty()) {
      location += '?';
      location += request.query();
    }
    return Redirect(location);
  }
  // /signin/<ref>/console
  constexpr std::string_view kSignIn = "/signin/";
  if (path.starts_with(kSignIn)) {
    std::string_view rest = path.substr(kSignIn.size());
    size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0 &&
        (rest.substr(slash) == "/console" || rest.substr(slash) == "/console/")) {
      auto ref = UriDecode(rest.substr(0, slash), false);
      if (ref) return SignInUrl(request, *host, AsciiLower(*ref), target);
    }
  }
  return Message(404, "Not found", "There is no console page at this address.");
}

net::Response Console::SignInUrl(const net::Request& request, const Authority& host,
                                 const std::string& account_ref, const std::string& action) {
  if (!IsGet(request) && request.method != "POST") return MethodNotAllowed("GET, HEAD, POST");
  // The URL names this server's account by id or alias.
  Result<std::string> account = identities_.AccountId();
  Result<std::vector<std::string>> aliases = identities_.ListAccountAliases();
  if (!account.ok() || !aliases.ok()) {
    return Message(500, "Internal error", "The account could not be read.");
  }
  bool ours = account_ref == *account ||
              std::find(aliases->begin(), aliases->end(), account_ref) != aliases->end();
  if (!ours) {
    return Message(404, "Account not found",
                   "No account with the alias or id '" + account_ref + "' is served here.");
  }
  auto query = ParseForm(request.query());
  if (!query) return Message(400, "Bad request", "The query string is malformed.");
  std::string region = FormValue(*query, "region");
  if (region.empty()) region = std::string(kDefaultRegion);
  if (!IsRegionName(region)) {
    return Message(400, "Invalid region", "'" + region + "' is not a region name.");
  }
  SignInForm form{account_ref, region, action, "", ""};
  if (IsGet(request)) return Page(200, SignInPage(form));

  if (std::string why = CrossOriginPost(request, host); !why.empty()) {
    return RefusedPost("Sign-in", why, request);
  }
  const std::string* type = request.FindHeader("Content-Type");
  if (type == nullptr || !AsciiLower(*type).starts_with("application/x-www-form-urlencoded")) {
    return Message(415, "Unsupported form", "Post the form as application/x-www-form-urlencoded.");
  }
  auto fields = ParseForm(request.body);
  if (!fields) return Message(400, "Bad request", "The form is malformed.");
  SignInRequest attempt;
  attempt.username = FormValue(*fields, "username");
  attempt.password = FormValue(*fields, "password");
  attempt.mfa_code = FormValue(*fields, "mfaCode");
  attempt.region = region;
  attempt.source_ip = request.remote_address;
  if (const std::string* agent = request.FindHeader("User-Agent")) attempt.user_agent = *agent;
  form.username = attempt.username;

  Result<SignInResult> result = sign_in_.Attempt(attempt);
  if (!result.ok()) {
    spdlog::error("console sign-in failed: {}", result.status().ToString());
    return Message(500, "Internal error", "The sign-in could not be completed.");
  }
  switch (result->outcome) {
    case SignInOutcome::kThrottled: {
      int64_t wait = result->retry_after.count();
      form.error = "Too many failed sign-in attempts. Try again in " + std::to_string(wait) +
                   (wait == 1 ? " second." : " seconds.");
      net::Response response = Page(429, SignInPage(form));
      response.SetHeader("Retry-After", std::to_string(result->retry_after.count()));
      return response;
    }
    case SignInOutcome::kFailure:
      form.error = std::string(kIncorrect);
      return Page(401, SignInPage(form));
    case SignInOutcome::kSuccess:
      break;
  }
  std::string token = sessions_.Create(result->session);
  net::Response response = Redirect("/console/home?region=" + UriEncode(region, false));
  int64_t max_age = std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count();
  response.SetHeader("Set-Cookie", SessionCookie(request, token, max_age));
  return response;
}

net::Response Console::Home(const net::Request& request) {
  if (!IsGet(request)) return MethodNotAllowed("GET, HEAD");
  std::optional<std::string> token = SessionToken(request);
  std::optional<ConsoleSession> session = token ? sessions_.Find(*token) : std::nullopt;
  auto query = ParseForm(request.query());
  std::string region = query ? FormValue(*query, "region") : std::string();
  if (!session) {
    Result<std::string> account = identities_.AccountId();
    if (!account.ok()) return Message(500, "Internal error", "The account could not be read.");
    std::string location = "/signin/" + *account + "/console";
    if (IsRegionName(region)) location += "?region=" + region;
    return Redirect(location);
  }
  if (region.empty()) region = session->region;
  if (!IsRegionName(region)) {
    return Message(400, "Invalid region", "'" + region + "' is not a region name.");
  }
  return Page(200, HomePage(*session, region, kSignOutPath));
}

net::Response Console::SignOut(const net::Request& request, const Authority& host) {
  // GET only asks: a link or an <img> on any page must not sign anybody out.
  if (IsGet(request)) return Page(200, SignOutPage(kSignOutPath));
  if (request.method != "POST") return MethodNotAllowed("GET, HEAD, POST");
  if (std::string why = CrossOriginPost(request, host); !why.empty()) {
    return RefusedPost("Sign-out", why, request);
  }
  std::optional<std::string> token = SessionToken(request);
  std::string region(kDefaultRegion);
  if (token) {
    if (std::optional<ConsoleSession> session = sessions_.Find(*token)) region = session->region;
    sessions_.Remove(*token);
  }
  Result<std::string> account = identities_.AccountId();
  if (!account.ok()) return Message(500, "Internal error", "The account could not be read.");
  net::Response response = Redirect("/signin/" + *account + "/console?region=" + region);
  response.SetHeader("Set-Cookie", SessionCookie(request, "", 0));
  return response;
}

namespace {

net::Response JsonResponse(int status, const boost::json::value& body) {
  net::Response response;
  response.status = status;
  response.body = boost::json::serialize(body);
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  return response;
}

net::Response JsonError(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, {{"Error", {{"Code", code}, {"Message", message}}}});
}

// A console session's credentials last an hour, never beyond the session itself.
constexpr std::chrono::seconds kCredentialLifetime{3600};

}  // namespace

net::Response Console::Credentials(const net::Request& request, const Authority& host) {
  if (request.method != "POST") {
    net::Response response =
        JsonError(405, "MethodNotAllowed", "This URL answers POST from the console's pages.");
    response.SetHeader("Allow", "POST");
    return response;
  }
  if (std::string why = CrossOriginPost(request, host); !why.empty()) {
    spdlog::info("console: refused a credentials request from {}: {}", request.remote_address, why);
    return JsonError(403, "Forbidden", "Credentials are given only to this console's own pages.");
  }
  std::optional<std::string> token = SessionToken(request);
  std::optional<ConsoleSession> session = token ? sessions_.Find(*token) : std::nullopt;
  if (!session) return JsonError(401, "NotSignedIn", "Sign in to the console first.");
  iam::NewSession issue;
  issue.kind = iam::SessionKind::kConsole;
  if (session->identity_type == "Root") {
    issue.principal = iam::RootPrincipal(session->account_id);
  } else {
    Result<iam::Principal> user = identities_.UserPrincipal(session->user_name);
    if (!user.ok()) {
      // The user was deleted (or re-created) since signing in: the session is over.
      sessions_.Remove(*token);
      return JsonError(401, "NotSignedIn", "Sign in to the console again.");
    }
    issue.principal = std::move(*user);
  }
  auto left = std::chrono::duration_cast<std::chrono::seconds>(session->expires - clock_.Now());
  issue.duration = std::min(kCredentialLifetime, left);
  if (issue.duration <= std::chrono::seconds(0)) {
    return JsonError(401, "NotSignedIn", "Sign in to the console again.");
  }
  Result<iam::IssuedCredentials> issued = credentials_.Create(issue);
  if (!issued.ok()) {
    spdlog::error("console: issuing credentials failed: {}", issued.status().ToString());
    return JsonError(500, "InternalError", "The credentials could not be issued.");
  }
  return JsonResponse(200, {{"Credentials",
                             {{"AccessKeyId", issued->access_key_id},
                              {"SecretAccessKey", issued->secret_access_key},
                              {"SessionToken", issued->session_token},
                              {"Expiration", FormatIso8601(issued->expiration)}}},
                            {"Region", session->region}});
}

}  // namespace kiroku::console
