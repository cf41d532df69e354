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
        history_(*db_, clock_),
        recorder_(*db_, history_, nullptr) {
    iam::BootstrapOptions options;
    options.account_id = "111122223333";
    KIROKU_CHECK(identities_.Bootstrap(options).ok());
    KIROKU_CHECK(identities_.CreateAccountAlias("my-company-alias").ok());
    KIROKU_CHECK(identities_.CreateUser("console-user", "/", {}).ok());
    KIROKU_CHECK(identities_.CreateLoginProfile("console-user", kPassword, false).ok());
    console_ = std::make_unique<Console>(identities_, recorder_, clock_);
  }

  net::Response SignInAs(std::string user, std::string password, std::string target,
                         std::string host = "127.0.0.1:4747") {
    return console_->Handle(
        Make("POST", std::move(target), std::move(host),
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
  net::Response r = SignInAs("console-user", std::string(kPassword),
                             "/console?region=ap-northeast-1",
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
  EXPECT_NE(page.body.find("/console/signout"), std::string::npos);

  net::Request out = Make("GET", "/console/signout");
  out.headers.push_back({"Cookie", value});
  net::Response signed_out = console_->Handle(out);
  EXPECT_EQ(signed_out.status, 302);
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

TEST_F(ConsoleTest, RefusesCrossSiteAndNonFormPosts) {
  net::Request cross = Make("POST", "/signin/my-company-alias/console", "127.0.0.1:4747",
                            "username=console-user&password=x");
  cross.headers.push_back({"Origin", "https://evil.example"});
  EXPECT_EQ(console_->Handle(cross).status, 403);
  net::Request same = cross;
  same.headers.back().value = "http://127.0.0.1:4747";
  EXPECT_EQ(console_->Handle(same).status, 401);  // checked, and wrong
  net::Request json = Make("POST", "/signin/my-company-alias/console");
  json.headers.push_back({"Content-Type", "application/json"});
  json.body = "{}";
  EXPECT_EQ(console_->Handle(json).status, 415);
}

TEST(PagesTest, EscapesEverything) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  SignInForm form{"acct", "us-east-1", "/console?x=\"><script>", "<b>", ""};
  std::string page = SignInPage(form);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
}

}  // namespace
}  // namespace kiroku::console
