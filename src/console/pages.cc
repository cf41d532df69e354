#include "console/pages.h"

namespace kiroku::console {
namespace {

constexpr std::string_view kStyle =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f2f3f3;"
    "color:#16191f;margin:0}"
    "main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.15)}"
    "h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .3rem;font-weight:600}"
    "input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #aab7b8;"
    "border-radius:4px;font-size:1rem}"
    "button{margin-top:1.5rem;width:100%;padding:.6rem;background:#ec7211;color:#fff;border:0;"
    "border-radius:4px;font-size:1rem;font-weight:600;cursor:pointer}"
    ".error{background:#fde8e8;border:1px solid #d13212;color:#d13212;padding:.6rem;"
    "border-radius:4px}"
    ".note{color:#545b64;font-size:.9rem}dt{font-weight:600;margin-top:.6rem}dd{margin:0}";

std::string Document(std::string_view title, std::string_view body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
  out += HtmlEscape(title);
  out += " - kiroku</title><style>";
  out += kStyle;
  out += "</style></head><body><main>";
  out += body;
  out += "</main></body></html>\n";
  return out;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string SignOutForm(std::string_view sign_out_url) {
  return "<form method=\"post\" action=\"" + HtmlEscape(sign_out_url) +
         "\"><button type=\"submit\" id=\"signout\">Sign out</button></form>";
}

std::string SignInPage(const SignInForm& form) {
  std::string body = "<h1>Sign in</h1><p class=\"note\">Account <strong>" +
                     HtmlEscape(form.account) + "</strong> &middot; region <strong>" +
                     HtmlEscape(form.region) + "</strong></p>";
  if (!form.error.empty())
    body += "<p class=\"error\" role=\"alert\">" + HtmlEscape(form.error) + "</p>";
  body += "<form method=\"post\" action=\"" + HtmlEscape(form.action) + "\">";
  body +=
      "<label for=\"username\">IAM user name (or the root user's email)</label>"
      "<input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus "
      "value=\"" +
      HtmlEscape(form.username) +
      "\">"
      "<label for=\"password\">Password</label>"
      "<input id=\"password\" name=\"password\" type=\"password\" "
      "autocomplete=\"current-password\" required>"
      "<label for=\"mfaCode\">MFA code <span class=\"note\">(if the user has an MFA device)</span>"
      "</label><input id=\"mfaCode\" name=\"mfaCode\" inputmode=\"numeric\" "
      "autocomplete=\"one-time-code\" pattern=\"[0-9]{6}\" maxlength=\"6\">"
      "<button type=\"submit\">Sign in</button></form>";
  return Document("Sign in", body);
}

std::string HomePage(const ConsoleSession& session, std::string_view region,
                     std::string_view sign_out_url) {
  bool root = session.identity_type == "Root";
  std::string body = "<h1>Signed in</h1><dl>";
  body += "<dt>User</dt><dd id=\"user\">" + HtmlEscape(session.user_name) +
          (root ? " (root user)" : " (IAM user)") + "</dd>";
  body += "<dt>ARN</dt><dd>" + HtmlEscape(session.arn) + "</dd>";
  body += "<dt>Account</dt><dd>" + HtmlEscape(session.account_id) + "</dd>";
  body += "<dt>Region</dt><dd id=\"region\">" + HtmlEscape(region) + "</dd>";
  body +=
      "<dt>MFA</dt><dd>" +
      (session.mfa_serial_number.empty() ? std::string("not used")
                                         : "used (" + HtmlEscape(session.mfa_serial_number) + ")") +
      "</dd></dl>";
  if (session.password_reset_required) {
    body +=
        "<p class=\"error\">This user's password must be reset. kiroku has no password-change "
        "page: set a new one with <code>aws iam update-login-profile</code>.</p>";
  }
  body +=
      "<p class=\"note\">kiroku serves the AWS APIs on this port; this page only confirms "
      "the sign-in, which was recorded as a CloudTrail ConsoleLogin event.</p>";
  body += SignOutForm(sign_out_url);
  return Document("Console", body);
}

std::string SignOutPage(std::string_view sign_out_url) {
  return Document("Sign out",
                  "<h1>Sign out</h1><p>End this console session?</p>" + SignOutForm(sign_out_url));
}

std::string MessagePage(std::string_view title, std::string_view message) {
  return Document(title, "<h1>" + HtmlEscape(title) + "</h1><p>" + HtmlEscape(message) + "</p>");
}

}  // namespace kiroku::console
