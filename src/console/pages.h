// The console's HTML pages: small, self-contained documents (inline CSS, no scripts, no external
// assets). Every value is HTML-escaped here. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "console/sessions.h"

namespace kiroku::console {

std::string HtmlEscape(std::string_view text);

struct SignInForm {
  std::string account;  // the alias or account id the URL named
  std::string region;
  std::string action;    // where the form posts (the sign-in URL itself)
  std::string username;  // refilled after a failure
  std::string error;     // shown above the form; empty for none
};
std::string SignInPage(const SignInForm& form);

// The signed-in page: who, which account, which region, and the sign-out form.
std::string HomePage(const ConsoleSession& session, std::string_view region,
                     std::string_view sign_out_url);

// Sign-out is a POST (a link could be followed by any page): a form with one button.
std::string SignOutForm(std::string_view sign_out_url);
// What GET of the sign-out URL shows: a question and the sign-out form.
std::string SignOutPage(std::string_view sign_out_url);

// An error or notice page: a title and one paragraph.
std::string MessagePage(std::string_view title, std::string_view message);

}  // namespace kiroku::console
