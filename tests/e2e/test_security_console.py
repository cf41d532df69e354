"""Attacks on the console sign-in against a real server (issue 15, item 9 and "a real browser
cannot sign in"): a race of parallel wrong passwords against the failure throttle, a foreign
Host (DNS rebinding), posts without an origin or with "Origin: null", and sign-out by GET or
from another site. Each answer is checked, and so is what CloudTrail recorded."""
import concurrent.futures
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, form_request, wait_for  # noqa: E402

ALIAS = "security-alias"
PASSWORD = "Example-Passw0rd!"
REGION = "eu-central-1"


class ConsoleSecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.iam = cls.server.client("iam")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.iam.create_account_alias(AccountAlias=ALIAS)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def make_user(self, name):
        self.iam.create_user(UserName=name)
        self.iam.create_login_profile(UserName=name, Password=PASSWORD,
                                      PasswordResetRequired=False)

    def agent(self):
        return "kiroku-security-e2e/" + self.id().rsplit(".", 1)[-1]

    def http(self, method, target, host=None, form=None, headers=None):
        """One request with exactly the headers given (no Origin unless asked)."""
        return form_request(self.server.port, method, target,
                            host or f"127.0.0.1:{self.server.port}", self.agent(), form, headers)

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.port}"

    def sign_in(self, username, password, headers=None, host=None):
        return self.http("POST", f"/signin/{ALIAS}/console?region={REGION}", host=host,
                         form={"username": username, "password": password},
                         headers=headers if headers is not None else {"Origin": self.origin})

    def console_logins(self):
        """This test's ConsoleLogin records in REGION (by user agent)."""
        ct = self.server.client("cloudtrail", region=REGION)
        out = []
        for page in ct.get_paginator("lookup_events").paginate(
                LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]):
            for event in page["Events"]:
                record = json.loads(event["CloudTrailEvent"])
                if record["userAgent"] == self.agent():
                    out.append(record)
        return out

    # ---- the failure throttle cannot be raced ----

    def test_thirty_parallel_wrong_passwords_get_at_most_five_checks(self):
        self.make_user("race-user")

        def attempt(i):
            return self.sign_in("race-user", f"wrong-{i}")[0]

        with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(attempt, range(30)))
        checked, refused = statuses.count(401), statuses.count(429)
        self.assertEqual(checked + refused, 30, statuses)
        self.assertLessEqual(checked, 5, statuses)
        self.assertGreaterEqual(checked, 1, statuses)
        # Every checked attempt is one Failure record; the refused ones were never checked.
        records = wait_for(lambda: self.console_logins() if len(self.console_logins()) >= checked
                           else None, timeout=10) or self.console_logins()
        self.assertEqual(len(records), checked)
        self.assertTrue(all(r["responseElements"] == {"ConsoleLogin": "Failure"}
                            for r in records))
        # The right password is refused too now (a cool-down, or places still taken).
        status, headers, _ = self.sign_in("race-user", PASSWORD)
        self.assertEqual(status, 429)
        self.assertGreaterEqual(int(headers["Retry-After"]), 1)

    # ---- Host: only the names kiroku serves ----

    def test_a_foreign_host_is_refused(self):
        self.make_user("rebinding-user")
        # A page of evil.example whose name was rebound to 127.0.0.1 can neither read the
        # console nor post to it, even naming its own origin.
        for host in (f"evil.example:{self.server.port}", "evil.example", "127.0.0.2"):
            status, _, _ = self.http("GET", f"/signin/{ALIAS}/console", host=host)
            self.assertEqual(status, 421, host)
            status, _, _ = self.http("GET", "/console?region=eu-central-1", host=host)
            self.assertEqual(status, 421, host)
            status, _, _ = self.sign_in("rebinding-user", PASSWORD, host=host,
                                        headers={"Origin": f"http://{host}"})
            self.assertEqual(status, 421, host)
        self.assertEqual(self.console_logins(), [])
        # The names kiroku serves still work.
        for host in (f"localhost:{self.server.port}", f"{ALIAS}.signin.localhost:{self.server.port}",
                     f"127.0.0.1:{self.server.port}"):
            status, _, _ = self.http("GET", f"/signin/{ALIAS}/console", host=host)
            self.assertEqual(status, 200, host)

    # ---- posts must come from the console's own pages ----

    def test_a_post_without_origin_or_referer_is_refused(self):
        self.make_user("no-origin-user")
        status, _, body = self.sign_in("no-origin-user", PASSWORD, headers={})
        self.assertEqual(status, 403)
        self.assertIn("must be posted from this console", body)
        # The same post with the console's Referer (a browser that sends no Origin) is taken.
        status, _, _ = self.sign_in("no-origin-user", PASSWORD, headers={
            "Referer": f"{self.origin}/signin/{ALIAS}/console?region={REGION}"})
        self.assertEqual(status, 302)
        records = wait_for(self.console_logins)
        self.assertEqual([r["responseElements"]["ConsoleLogin"] for r in records], ["Success"])

    def test_origin_null_and_other_sites_are_refused(self):
        self.make_user("null-origin-user")
        for headers in ({"Origin": "null"},
                        {"Origin": "null", "Referer": f"{self.origin}/signin/{ALIAS}/console"},
                        {"Origin": "https://evil.example"},
                        {"Origin": f"http://127.0.0.1:{self.server.port + 1}"},
                        {"Referer": "https://evil.example/phish"},
                        {"Origin": self.origin, "Sec-Fetch-Site": "cross-site"}):
            status, headers_out, _ = self.sign_in("null-origin-user", PASSWORD, headers=headers)
            self.assertEqual(status, 403, headers)
            self.assertIsNone(headers_out["Set-Cookie"])
        self.assertEqual(self.console_logins(), [])

    def test_pages_ask_browsers_to_send_their_origin(self):
        status, headers, _ = self.http("GET", f"/signin/{ALIAS}/console")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Referrer-Policy"], "same-origin")
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertIn("form-action 'self'", headers["Content-Security-Policy"])

    # ---- sign-out ----

    def test_sign_out_by_get_or_from_another_site_does_not_sign_out(self):
        self.make_user("signout-user")
        status, headers, _ = self.sign_in("signout-user", PASSWORD)
        self.assertEqual(status, 302)
        cookie = headers["Set-Cookie"].split(";")[0]

        def signed_in():
            status, _, body = self.http("GET", "/console/home", headers={"Cookie": cookie})
            return status == 200 and "signout-user" in body

        self.assertTrue(signed_in())
        status, headers, body = self.http("GET", "/console/signout", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        self.assertIsNone(headers["Set-Cookie"])
        self.assertIn('method="post"', body)
        self.assertTrue(signed_in())
        for extra in ({}, {"Origin": "null"}, {"Origin": "https://evil.example"}):
            status, _, _ = self.http("POST", "/console/signout",
                                     headers={"Cookie": cookie, **extra})
            self.assertEqual(status, 403, extra)
            self.assertTrue(signed_in(), extra)
        status, headers, _ = self.http("POST", "/console/signout",
                                       headers={"Cookie": cookie, "Origin": self.origin})
        self.assertEqual(status, 302)
        self.assertIn("Max-Age=0", headers["Set-Cookie"])
        self.assertFalse(signed_in())


if __name__ == "__main__":
    unittest.main()
