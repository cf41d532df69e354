#include "console/console.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "common/encoding.h"
#include "common/logging.h"
#include "console/pages.h"

namespace kiroku::console {
namespace {

constexpr std::string_view kSignInHostSuffix = ".signin.localhost";
constexpr std::string_view kIncorrect = "Your authentication information is incorrect. Please try again.";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// a=1&b=2 (query strings and form bodies) -> first value of each name; nullopt when malformed.
std::optional<std::map<std::string, std::string>> ParseForm(std::string_view text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    std::string_view part = text.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    pos = amp == std::string_view::npos ? text.size() : amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = UriDecode(part.substr(0, eq), true);
    auto value = UriDecode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.emplace(std::move(*name), std::move(*value));  // the first one wins
  }
  return out;
}

std::string Get(const std::map<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// The Host header without its port, lower-cased.
std::string HostName(const net::Request& request) {
  const std::string* host = request.FindHeader("Host");
  if (host == nullptr) return "";
  std::string_view h = *host;
  if (!h.empty() && h.front() == '[') return Lower(h.substr(0, h.find(']') + 1));
  return Lower(h.substr(0, h.find(':')));
}

// "<ref>.signin.localhost" -> ref; nullopt for any other host.
std::optional<std::string> SignInHostAccount(const net::Request& request) {
  std::string host = HostName(request);
  if (host.size() <= kSignInHostSuffix.size() || !host.ends_with(kSignInHostSuffix)) {
    return std::nullopt;
  }
  return host.substr(0, host.size() - kSignInHostSuffix.size());
}

std::optional<std::string> Cookie(const net::Request& request, std::string_view name) {
  for (const net::Header& header : request.headers) {
    if (!net::HeaderNameEquals(header.name, "Cookie")) continue;
    std::string_view rest = header.value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
    }
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
  response.SetHeader("Referrer-Policy", "no-referrer");
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
  net::Response response = Message(405, "Method not allowed", "This URL answers " +
                                                                   std::string(allowed) + ".");
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

// A cross-site form post: the browser says where the form came from, and it is not this host.
bool CrossOrigin(const net::Request& request) {
  const std::string* origin = request.FindHeader("Origin");
  const std::string* host = request.FindHeader("Host");
  if (origin == nullptr) return false;  // not a browser, or a same-origin GET
  if (host == nullptr) return true;
  std::string_view o = *origin;
  size_t scheme = o.find("://");
  if (scheme == std::string_view::npos) return true;  // "null" and other opaque origins
  return Lower(o.substr(scheme + 3)) != Lower(*host);
}

}  // namespace

Console::Console(iam::IdentityStore& identities, trail::Recorder& recorder, const Clock& clock,
                 ConsoleOptions options)
    : identities_(identities),
      sign_in_(identities, recorder, clock, options.throttle),
      sessions_(clock, options.session_lifetime) {}

bool Console::Serves(const net::Request& request) {
  std::string_view path = request.path();
  return path == "/console" || path.starts_with("/console/") || path == "/signin" ||
         path.starts_with("/signin/");
}

net::Response Console::Reject(const net::Request&, net::RejectReason) {
  return Message(413, "Request too large", "The request body is too large.");
}

net::Response Console::Handle(const net::Request& request) {
  std::string_view path = request.path();
  if (path == "/console/home") return Home(request);
  if (path == "/console/signout") return SignOut(request);
  std::string target(path);
  if (!request.query().empty()) {
    target += '?';
    target += request.query();
  }
  if (path == "/console" || path == "/console/") {
    if (std::optional<std::string> ref = SignInHostAccount(request)) {
      return SignInUrl(request, *ref, target);
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
      if (ref) return SignInUrl(request, Lower(*ref), target);
    }
  }
  return Message(404, "Not found", "There is no console page at this address.");
}

net::Response Console::SignInUrl(const net::Request& request, const std::string& account_ref,
                                 const std::string& action) {
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
  std::string region = Get(*query, "region");
  if (region.empty()) region = std::string(kDefaultRegion);
  if (!IsRegionName(region)) {
    return Message(400, "Invalid region", "'" + region + "' is not a region name.");
  }
  SignInForm form{account_ref, region, action, "", ""};
  if (IsGet(request)) return Page(200, SignInPage(form));

  if (CrossOrigin(request)) {
    return Message(403, "Forbidden", "Sign-in forms must be posted from this console.");
  }
  const std::string* type = request.FindHeader("Content-Type");
  if (type == nullptr || !Lower(*type).starts_with("application/x-www-form-urlencoded")) {
    return Message(415, "Unsupported form",
                   "Post the form as application/x-www-form-urlencoded.");
  }
  auto fields = ParseForm(request.body);
  if (!fields) return Message(400, "Bad request", "The form is malformed.");
  SignInRequest attempt;
  attempt.username = Get(*fields, "username");
  attempt.password = Get(*fields, "password");
  attempt.mfa_code = Get(*fields, "mfaCode");
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
      form.error = "Too many failed sign-in attempts. Try again in " +
                   std::to_string(result->retry_after.count()) + " seconds.";
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
  int64_t max_age =
      std::chrono::duration_cast<std::chrono::seconds>(kSessionLifetime).count();
  response.SetHeader("Set-Cookie", SessionCookie(request, token, max_age));
  return response;
}

net::Response Console::Home(const net::Request& request) {
  if (!IsGet(request)) return MethodNotAllowed("GET, HEAD");
  std::optional<std::string> token = Cookie(request, kSessionCookie);
  std::optional<ConsoleSession> session = token ? sessions_.Find(*token) : std::nullopt;
  auto query = ParseForm(request.query());
  std::string region = query ? Get(*query, "region") : std::string();
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
  return Page(200, HomePage(*session, region, "/console/signout"));
}

net::Response Console::SignOut(const net::Request& request) {
  if (!IsGet(request) && request.method != "POST") return MethodNotAllowed("GET, HEAD, POST");
  std::optional<std::string> token = Cookie(request, kSessionCookie);
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

}  // namespace kiroku::console
