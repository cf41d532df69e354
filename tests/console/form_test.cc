// The console's parsers of untrusted text (console/form.h).
#include "console/form.h"

#include <gtest/gtest.h>

namespace kiroku::console {
namespace {

TEST(FormTest, ParsesFormsAndQueryStrings) {
  auto form = ParseForm("username=console-user&password=a%2Bb+c&&mfaCode=&username=second&flag");
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(FormValue(*form, "username"), "console-user");  // the first one wins
  EXPECT_EQ(FormValue(*form, "password"), "a+b c");
  EXPECT_EQ(FormValue(*form, "mfaCode"), "");
  EXPECT_EQ(FormValue(*form, "flag"), "");
  EXPECT_EQ(FormValue(*form, "absent"), "");
  EXPECT_EQ(form->size(), 4u);
  EXPECT_EQ(ParseForm("")->size(), 0u);
  EXPECT_FALSE(ParseForm("a=%zz").has_value());
  EXPECT_FALSE(ParseForm("a=%4").has_value());
  EXPECT_FALSE(ParseForm("%=1").has_value());
}

TEST(FormTest, FindsOneCookie) {
  EXPECT_EQ(CookieValue("a=1; kiroku=abc; b=2", "kiroku"), "abc");
  EXPECT_EQ(CookieValue("kiroku=abc", "kiroku"), "abc");
  EXPECT_EQ(CookieValue("kiroku=", "kiroku"), "");
  EXPECT_EQ(CookieValue("kiroku=first;kiroku=second", "kiroku"), "first");
  EXPECT_EQ(CookieValue("xkiroku=abc; kiroku2=def", "kiroku"), std::nullopt);
  EXPECT_EQ(CookieValue("kiroku", "kiroku"), std::nullopt);
  EXPECT_EQ(CookieValue("", "kiroku"), std::nullopt);
}

TEST(FormTest, ParsesAuthorities) {
  EXPECT_EQ(ParseAuthority("My-Alias.signin.localhost:4747"),
            (Authority{"my-alias.signin.localhost", "4747"}));
  EXPECT_EQ(ParseAuthority("localhost"), (Authority{"localhost", ""}));
  EXPECT_EQ(ParseAuthority("[::1]:4747"), (Authority{"[::1]", "4747"}));
  EXPECT_EQ(ParseAuthority("[FD00::5]"), (Authority{"[fd00::5]", ""}));
  EXPECT_EQ(ParseAuthority("127.0.0.1:65535"), (Authority{"127.0.0.1", "65535"}));
  for (const char* bad : {"", ":80", "host:", "host:65536", "host:123456", "host:8a", "a b",
                          "user@host", "host:80:80", "[::1", "[]", "[::1]x", "[::1]:", "[g::1]",
                          "host/path", "ho\tst", "h\xc3\xa9"}) {
    EXPECT_EQ(ParseAuthority(bad), std::nullopt) << bad;
  }
}

TEST(FormTest, ParsesOriginsAndReferers) {
  auto origin = ParseWebOrigin("HTTP://Example.localhost:4747");
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->scheme, "http");
  EXPECT_EQ(origin->authority, (Authority{"example.localhost", "4747"}));
  auto referer = ParseWebOrigin("https://127.0.0.1/signin/x/console?region=a#b");
  ASSERT_TRUE(referer.has_value());
  EXPECT_EQ(referer->scheme, "https");
  EXPECT_EQ(referer->authority, (Authority{"127.0.0.1", ""}));
  EXPECT_TRUE(ParseWebOrigin("http://h?q").has_value());
  for (const char* bad :
       {"null", "", "file:///etc/passwd", "ftp://host", "http://", "http://user:pw@host",
        "http:/host", "/relative/path", "javascript://host", "http://host:99999/"}) {
    EXPECT_EQ(ParseWebOrigin(bad), std::nullopt) << bad;
  }
}

TEST(FormTest, SameOriginComparesSchemeHostAndEffectivePort) {
  auto o = [](const char* url) { return *ParseWebOrigin(url); };
  auto a = [](const char* host) { return *ParseAuthority(host); };
  EXPECT_TRUE(IsSameOrigin(o("http://127.0.0.1:4747"), a("127.0.0.1:4747"), false));
  EXPECT_TRUE(IsSameOrigin(o("http://LOCALHOST"), a("localhost:80"), false));
  EXPECT_TRUE(IsSameOrigin(o("http://localhost:80"), a("localhost"), false));
  EXPECT_TRUE(IsSameOrigin(o("https://localhost"), a("localhost:443"), true));
  EXPECT_FALSE(IsSameOrigin(o("http://127.0.0.1:4747"), a("127.0.0.1:4747"), true));
  EXPECT_FALSE(IsSameOrigin(o("https://127.0.0.1:4747"), a("127.0.0.1:4747"), false));
  EXPECT_FALSE(IsSameOrigin(o("http://127.0.0.1:4748"), a("127.0.0.1:4747"), false));
  EXPECT_FALSE(IsSameOrigin(o("http://localhost:4747"), a("127.0.0.1:4747"), false));
  EXPECT_FALSE(IsSameOrigin(o("http://localhost:443"), a("localhost"), false));
}

}  // namespace
}  // namespace kiroku::console
