// The console's HTTP surface: URL forms, pages, cookies and status codes.
#include "console/console.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "console/pages.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "trail/event_history.h"

namespace kiroku::console {
namespace {

constexpr std::string_view kPassword = "Example-Passw0rd!";

net::Request Make(std::string method, std::string target, std::string host = "127.0.0.1:4747",
                  std::string body = "") {
  net::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  // A browser's POST from the console's own page names its origin.
  if (r.method == "POST") r.headers.push_back({"Origin", "http://" + host});
  r.headers.push_back({"Host", std::move(host)});
  if (!body.empty()) {
    r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    r.body = std::move(body);
  }
  r.remote_address = "192.0.2.44";
  return r;
}

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest()
      : db_(*store::RocksStore::Open(dir_.path() + "/db", {"meta", "history"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_),
        sessions_(*db_, master_, clock_),
        history_(*db_, clock_),
        recorder_(*db_, history_, nullptr) {
    iam::BootstrapOptions options;
    options.account_id = "111122223333";
    KIROKU_CHECK(identities_.Bootstrap(options).ok());
    KIROKU_CHECK(identities_.CreateAccountAlias("my-company-alias").ok());
    KIROKU_CHECK(identities_.CreateUser("console-user", "/", {}).ok());
    KIROKU_CHECK(identities_.CreateLoginProfile("console-user", kPassword, false).ok());
    console_ = std::make_unique<Console>(identities_, sessions_, recorder_, clock_);
  }

  net::Response SignInAs(std::string user, std::string password, std::string target,
                         std::string host = "127.0.0.1:4747") {
    return console_->Handle(Make("POST", std::move(target), std::move(host),
                                 "username=" + user + "&password=" + UriEncode(password, false)));
  }

  static std::string Header(const net::Response& r, std::string_view name) {
    const std::string* v = r.FindHeader(name);
    return v == nullptr ? "<absent>" : *v;
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  iam::IdentityStore identities_;
  iam::SessionStore sessions_;
  trail::EventHistory history_;
  trail::Recorder recorder_;
  std::unique_ptr<Console> console_;
};

TEST(ConsoleRoutingTest, ServesOnlyConsolePaths) {
  const std::pair<std::string_view, bool> cases[] = {
      {"/console", true},          {"/console?region=us-east-1", true},
      {"/console/home", true},     {"/signin/my-alias/console", true},
      {"/signin", true},           {"/", false},
      {"/consoles", false},        {"/my-bucket/console", false},
      {"/_kiroku/health", false},  {"/?Action=GetCallerIdentity", false},
      {"/signing-bucket/x", false}};
  for (const auto& [target, served] : cases) {
    EXPECT_EQ(Console::Serves(Make("GET", std::string(target))), served) << target;
  }
  // The host alone does not make a request the console's: S3 virtual-hosted style stays S3.
  EXPECT_FALSE(Console::Serves(Make("GET", "/key", "my-bucket.signin.localhost:4747")));
}

TEST_F(ConsoleTest, HostAndPathFormsShowTheForm) {
  for (const auto& [target, host] :
       {std::pair<std::string, std::string>{"/console?region=ap-northeast-1",
                                            "my-company-alias.signin.localhost:4747"},
        {"/console?region=ap-northeast-1", "111122223333.signin.localhost"},
        {"/signin/my-company-alias/console?region=ap-northeast-1", "127.0.0.1:4747"},
        {"/signin/111122223333/console?region=ap-northeast-1", "localhost:4747"}}) {
    net::Response r = console_->Handle(Make("GET", target, host));
    EXPECT_EQ(r.status, 200) << host << target;
    EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<form method=\"post\""), std::string::npos);
    EXPECT_NE(r.body.find("name=\"mfaCode\""), std::string::npos);
    EXPECT_NE(r.body.find("ap-northeast-1"), std::string::npos);
  }
}

TEST_F(ConsoleTest, UnknownAccountIs404AndBadRegion400) {
  EXPECT_EQ(console_->Handle(Make("GET", "/console", "other-alias.signin.localhost")).status, 404);
  EXPECT_EQ(console_->Handle(Make("GET", "/signin/999999999999/console")).status, 404);
  EXPECT_EQ(console_->Handle(Make("GET", "/signin/my-company-alias/elsewhere")).status, 404);
  EXPECT_EQ(console_->Handle(Make("GET", "/signin/my-company-alias/console?region=mars")).status,
            400);
  EXPECT_EQ(console_->Handle(Make("GET", "/console/nothing")).status, 404);
  EXPECT_EQ(console_->Handle(Make("DELETE", "/signin/my-company-alias/console")).status, 405);
}

TEST_F(ConsoleTest, PlainConsoleUrlRedirectsToThePathForm) {
  net::Response r = console_->Handle(Make("GET", "/console?region=eu-west-1"));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(Header(r, "Location"), "/signin/111122223333/console?region=eu-west-1");
}

TEST_F(ConsoleTest, SuccessSetsAnHttpOnlyCookieAndShowsTheUser) {
  net::Response r =
      SignInAs("console-user", std::string(kPassword), "/console?region=ap-northeast-1",
               "my-company-alias.signin.localhost:4747");
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_EQ(Header(r, "Location"), "/console/home?region=ap-northeast-1");
  std::string cookie = Header(r, "Set-Cookie");
  EXPECT_TRUE(cookie.starts_with("kiroku-console-session=")) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_NE(cookie.find("; Max-Age=43200"), std::string::npos);
  std::string value = cookie.substr(0, cookie.find(';'));

  net::Request home = Make("GET", "/console/home?region=ap-northeast-1");
  home.headers.push_back({"Cookie", "other=1; " + value});
  net::Response page = console_->Handle(home);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("console-user (IAM user)"), std::string::npos);
  EXPECT_NE(page.body.find("ap-northeast-1"), std::string::npos);
  EXPECT_NE(page.body.find("<form method=\"post\" action=\"/console/signout\">"),
            std::string::npos);

  net::Request out = Make("POST", "/console/signout");
  out.headers.push_back({"Cookie", value});
  net::Response signed_out = console_->Handle(out);
  EXPECT_EQ(signed_out.status, 302);
  EXPECT_EQ(Header(signed_out, "Location"), "/signin/111122223333/console?region=ap-northeast-1");
  EXPECT_NE(Header(signed_out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  net::Response again = console_->Handle(home);
  EXPECT_EQ(again.status, 302);  // back to the sign-in page
  EXPECT_EQ(Header(again, "Location"), "/signin/111122223333/console?region=ap-northeast-1");
}

TEST_F(ConsoleTest, FailureIs401AndSignsNobodyIn) {
  net::Response r = SignInAs("console-user", "wrong", "/signin/my-company-alias/console");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("Your authentication information is incorrect"), std::string::npos);
  EXPECT_EQ(Header(r, "Set-Cookie"), "<absent>");
  EXPECT_NE(r.body.find("value=\"console-user\""), std::string::npos);  // refilled
}

TEST_F(ConsoleTest, ThrottledIs429WithRetryAfter) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(SignInAs("console-user", "wrong", "/signin/my-company-alias/console").status, 401);
  }
  net::Response r =
      SignInAs("console-user", std::string(kPassword), "/signin/my-company-alias/console");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Header(r, "Retry-After"), "300");
}

// A sign-in POST with the given extra headers (no Origin unless given) to the path form.
net::Request Post(std::initializer_list<net::Header> headers, std::string host = "127.0.0.1:4747") {
  net::Request r = Make("POST", "/signin/my-company-alias/console", std::move(host),
                        "username=console-user&password=x");
  std::erase_if(r.headers, [](const net::Header& h) { return h.name == "Origin"; });
  for (const net::Header& h : headers) r.headers.push_back(h);
  return r;
}

TEST_F(ConsoleTest, PostsMustComeFromTheConsolesOwnOrigin) {
  int address = 0;
  // Accepted (then checked: a wrong password is 401): the same origin by Origin, by Referer
  // when there is no Origin, or by Sec-Fetch-Site alone.
  for (const net::Request& r :
       {Post({{"Origin", "http://127.0.0.1:4747"}}), Post({{"origin", "HTTP://127.0.0.1:4747"}}),
        Post({{"Referer", "http://127.0.0.1:4747/signin/my-company-alias/console?region=x"}}),
        Post({{"Sec-Fetch-Site", "same-origin"}}),
        Post({{"Origin", "http://127.0.0.1:4747"}, {"Sec-Fetch-Site", "same-origin"}}),
        Post({{"Origin", "http://localhost"}}, "localhost"),
        Post({{"Origin", "http://localhost"}}, "localhost:80"),
        Post({{"Origin", "http://[::1]:4747"}}, "[::1]:4747")}) {
    net::Request from = r;
    from.remote_address = "192.0.2." + std::to_string(++address);  // below the throttle
    EXPECT_EQ(console_->Handle(from).status, 401) << r.headers.back().value;
  }
  // Refused: a browser that hid its origin ("null" under Referrer-Policy: no-referrer, in a
  // sandboxed frame), another site, another port or scheme, no sign at all (curl without
  // -H Origin), a cross-site fetch whatever its Origin says, repeated headers.
  for (const net::Request& r :
       {Post({{"Origin", "null"}}),
        Post({{"Origin", "null"}, {"Referer", "http://127.0.0.1:4747/signin/x/console"}}),
        Post({{"Origin", "https://evil.example"}}), Post({{"Origin", "http://127.0.0.1:4748"}}),
        Post({{"Origin", "https://127.0.0.1:4747"}}),
        Post({{"Origin", "http://user@127.0.0.1:4747"}}),
        Post({{"Origin", "http://127.0.0.1.evil.example:4747"}}),
        Post({{"Referer", "http://evil.example/page"}}),
        Post({{"Referer", "/signin/my-company-alias/console"}}), Post({}),
        Post({{"Sec-Fetch-Site", "cross-site"}}),
        Post({{"Sec-Fetch-Site", "same-site"}, {"Origin", "http://127.0.0.1:4747"}}),
        Post({{"Sec-Fetch-Site", "none"}}),
        Post({{"Origin", "http://127.0.0.1:4747"}, {"Origin", "http://127.0.0.1:4747"}})}) {
    net::Response response = console_->Handle(r);
    EXPECT_EQ(response.status, 403) << (r.headers.size() > 2 ? r.headers.back().value : "none");
    EXPECT_NE(response.body.find("must be posted from this console"), std::string::npos);
  }
  // A refused post is never checked: the throttle is not touched by it.
  net::Request fresh = Post({});
  fresh.remote_address = "198.51.100.1";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(console_->Handle(fresh).status, 403);
  fresh.headers.push_back({"Origin", "http://127.0.0.1:4747"});
  fresh.body = "username=console-user&password=" + UriEncode(kPassword, false);
  EXPECT_EQ(console_->Handle(fresh).status, 302);
}

TEST_F(ConsoleTest, RefusesNonFormPosts) {
  net::Request json = Make("POST", "/signin/my-company-alias/console");
  json.headers.push_back({"Content-Type", "application/json"});
  json.body = "{}";
  EXPECT_EQ(console_->Handle(json).status, 415);
}

TEST_F(ConsoleTest, OnlyTheNamesKirokuServesAreAnswered) {
  // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 must not read
  // the console or post to it.
  for (const char* host : {"evil.example:4747", "evil.example", "127.0.0.2:4747",
                           "localhost.evil.example", "signin.localhost:4747", ".signin.localhost",
                           "my-company-alias.signin.localhost.evil:4747"}) {
    EXPECT_EQ(console_->Handle(Make("GET", "/signin/my-company-alias/console", host)).status, 421)
        << host;
    EXPECT_EQ(console_->Handle(Make("GET", "/console/home", host)).status, 421) << host;
    EXPECT_EQ(
        SignInAs("console-user", std::string(kPassword), "/signin/my-company-alias/console", host)
            .status,
        421)
        << host;
  }
  // Missing, repeated or malformed Host: 400.
  net::Request none = Make("GET", "/signin/my-company-alias/console");
  none.headers.clear();
  EXPECT_EQ(console_->Handle(none).status, 400);
  net::Request twice = Make("GET", "/signin/my-company-alias/console");
  twice.headers.push_back({"Host", "127.0.0.1:4747"});
  EXPECT_EQ(console_->Handle(twice).status, 400);
  for (const char* bad : {"", "127.0.0.1:", "127.0.0.1:99999", "a b", "[::1", "user@localhost"}) {
    EXPECT_EQ(console_->Handle(Make("GET", "/signin/my-company-alias/console", bad)).status, 400)
        << bad;
  }
  // Served: loopback names on any port, and *.signin.localhost (an unknown account is a 404).
  for (const char* host : {"127.0.0.1", "localhost:4747", "LOCALHOST:4747", "[::1]:4747",
                           "my-company-alias.signin.localhost"}) {
    EXPECT_EQ(console_->Handle(Make("GET", "/signin/my-company-alias/console", host)).status, 200)
        << host;
  }
  EXPECT_EQ(console_->Handle(Make("GET", "/console", "nobody.signin.localhost:4747")).status, 404);
}

TEST_F(ConsoleTest, ConfiguredHostNamesAreServedToo) {
  ConsoleOptions options;
  options.hosts = {"kiroku.internal", "192.0.2.10", "::1", "fd00::5", "not a host"};
  Console console(identities_, sessions_, recorder_, clock_, options);
  for (const char* host : {"kiroku.internal:4747", "KIROKU.internal", "192.0.2.10:4747",
                           "[fd00::5]:4747", "localhost"}) {
    EXPECT_EQ(console.Handle(Make("GET", "/signin/my-company-alias/console", host)).status, 200)
        << host;
  }
  EXPECT_EQ(console.Handle(Make("GET", "/signin/my-company-alias/console", "evil.example")).status,
            421);
}

TEST_F(ConsoleTest, PagesKeepEverySecurityHeader) {
  for (const net::Response& r :
       {console_->Handle(Make("GET", "/signin/my-company-alias/console")),
        SignInAs("console-user", "wrong", "/signin/my-company-alias/console"),
        console_->Handle(Make("GET", "/console/signout")),
        console_->Handle(Make("GET", "/console/nothing"))}) {
    // same-origin: browsers send the Origin of the console's own form posts (no-referrer made
    // Chromium send "Origin: null", refused) and nothing to other sites.
    EXPECT_EQ(Header(r, "Referrer-Policy"), "same-origin");
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
    EXPECT_EQ(Header(r, "Content-Security-Policy"),
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
              "frame-ancestors 'none'");
  }
}

TEST_F(ConsoleTest, SignOutIsAPostFromTheConsole) {
  net::Response r = SignInAs("console-user", std::string(kPassword),
                             "/signin/my-company-alias/console?region=eu-west-1");
  ASSERT_EQ(r.status, 302);
  std::string cookie = Header(r, "Set-Cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  net::Request home = Make("GET", "/console/home");
  home.headers.push_back({"Cookie", cookie});
  ASSERT_EQ(console_->Handle(home).status, 200);

  // GET (a link, an <img>, a prefetch) only shows the sign-out button.
  net::Request get = Make("GET", "/console/signout");
  get.headers.push_back({"Cookie", cookie});
  net::Response page = console_->Handle(get);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(Header(page, "Set-Cookie"), "<absent>");
  EXPECT_NE(page.body.find("<form method=\"post\" action=\"/console/signout\">"),
            std::string::npos);
  EXPECT_EQ(console_->Handle(home).status, 200);  // still signed in

  // A POST from another site, or with no origin, does not sign out.
  for (const char* origin : {"https://evil.example", "null", ""}) {
    net::Request post = Make("POST", "/console/signout");
    post.headers.push_back({"Cookie", cookie});
    std::erase_if(post.headers, [](const net::Header& h) { return h.name == "Origin"; });
    if (*origin != '\0') post.headers.push_back({"Origin", origin});
    EXPECT_EQ(console_->Handle(post).status, 403) << origin;
    EXPECT_EQ(console_->Handle(home).status, 200) << origin;
  }
  net::Request put = Make("PUT", "/console/signout");
  put.headers.push_back({"Cookie", cookie});
  EXPECT_EQ(console_->Handle(put).status, 405);

  net::Request post = Make("POST", "/console/signout");
  post.headers.push_back({"Cookie", cookie});
  net::Response out = console_->Handle(post);
  EXPECT_EQ(out.status, 302);
  EXPECT_EQ(Header(out, "Location"), "/signin/111122223333/console?region=eu-west-1");
  EXPECT_NE(Header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(console_->Handle(home).status, 302);
}

TEST(PagesTest, EscapesEverything) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  SignInForm form{"acct", "us-east-1", "/console?x=\"><script>", "<b>", ""};
  std::string page = SignInPage(form);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
}

TEST_F(ConsoleTest, ASignedInSessionGetsCredentialsThatActAsTheUser) {
  net::Response r = SignInAs("console-user", std::string(kPassword),
                             "/signin/my-company-alias/console?region=ap-northeast-1");
  ASSERT_EQ(r.status, 302) << r.body;
  std::string cookie = Header(r, "Set-Cookie");
  std::string value = cookie.substr(0, cookie.find(';'));

  net::Request ask = Make("POST", "/console/api/credentials");
  ask.headers.push_back({"Cookie", value});
  net::Response answer = console_->Handle(ask);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(Header(answer, "Cache-Control"), "no-store");
  EXPECT_EQ(Header(answer, "Content-Type"), "application/json");
  boost::json::value body = boost::json::parse(answer.body);
  EXPECT_EQ(body.at("Region").as_string(), "ap-northeast-1");
  std::string key_id(body.at("Credentials").at("AccessKeyId").as_string());
  EXPECT_TRUE(key_id.starts_with("ASIA")) << key_id;

  Result<iam::Session> session = sessions_.Lookup(key_id);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->kind, iam::SessionKind::kConsole);
  EXPECT_EQ(session->principal.arn, "arn:aws:iam::111122223333:user/console-user");
  EXPECT_EQ(session->expiration - session->issued, std::chrono::hours(1));
  EXPECT_TRUE(iam::CheckSessionPrincipal(identities_, *session).ok());
}

TEST_F(ConsoleTest, CredentialsNeedASessionAPostAndTheConsolesOwnOrigin) {
  net::Response r =
      SignInAs("console-user", std::string(kPassword), "/signin/my-company-alias/console");
  std::string cookie = Header(r, "Set-Cookie");
  std::string value = cookie.substr(0, cookie.find(';'));

  EXPECT_EQ(console_->Handle(Make("POST", "/console/api/credentials")).status, 401);
  net::Request get = Make("GET", "/console/api/credentials");
  get.headers.push_back({"Cookie", value});
  EXPECT_EQ(console_->Handle(get).status, 405);
  net::Request other_site = Make("POST", "/console/api/credentials");
  other_site.headers[0].value = "http://evil.example";  // the Origin header
  other_site.headers.push_back({"Cookie", value});
  net::Response refused = console_->Handle(other_site);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.body.find("ASIA"), std::string::npos);
}

}  // namespace
}  // namespace kiroku::console
