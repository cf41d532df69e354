"""End to end: console sign-in through both URL forms, the ConsoleLogin records it leaves in
each region's event history, virtual MFA devices (boto3 and the aws CLI), throttling, and the
session cookie (issue 9, part 2)."""
import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import tempfile
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, form_request  # noqa: E402

ALIAS = "my-company-alias"
PASSWORD = "Example-Passw0rd!"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) kiroku-e2e/{}"


def hotp(seed_base32, counter):
    """RFC 4226 HOTP with HMAC-SHA1, 6 digits (pyotp is not installed)."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def step_now():
    return int(time.time()) // 30


class ConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.iam = cls.server.client("iam")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.iam.create_account_alias(AccountAlias=ALIAS)
        cls.user = cls.make_user("console-user")
        with open(os.path.join(cls.server.data_dir, "root-console-password")) as f:
            fields = dict(line.split(" = ", 1) for line in f.read().splitlines()
                          if " = " in line)
        cls.root_email, cls.root_password = fields["email"], fields["password"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def make_user(cls, name):
        user = cls.iam.create_user(UserName=name)["User"]
        cls.iam.create_login_profile(UserName=name, Password=PASSWORD,
                                     PasswordResetRequired=False)
        return user

    def http(self, method, target, host=None, form=None, headers=None):
        """One request to 127.0.0.1 with an explicit Host header; redirects are not followed.
        A POST names its origin, as a browser posting the console's own form does."""
        host = host or f"127.0.0.1:{self.server.port}"
        all_headers = {"Origin": f"http://{host}"} if method == "POST" else {}
        all_headers.update(headers or {})
        return form_request(self.server.port, method, target, host,
                            BROWSER.format(self.id().rsplit(".", 1)[-1]), form, all_headers,
                            timeout=30)

    def alias_host(self, ref=ALIAS):
        return f"{ref}.signin.localhost:{self.server.port}"

    def sign_in(self, username, password, region, mfa_code=None, form="host"):
        fields = {"username": username, "password": password}
        if mfa_code is not None:
            fields["mfaCode"] = mfa_code
        if form == "host":
            return self.http("POST", f"/console?region={region}", host=self.alias_host(),
                             form=fields)
        return self.http("POST", f"/signin/{ALIAS}/console?region={region}", form=fields)

    def console_logins(self, region):
        """This test's ConsoleLogin records in `region` (by its user agent), newest first."""
        ct = self.server.client("cloudtrail", region=region)
        agent = BROWSER.format(self.id().rsplit(".", 1)[-1])
        out = []
        for page in ct.get_paginator("lookup_events").paginate(
                LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]):
            for event in page["Events"]:
                record = json.loads(event["CloudTrailEvent"])
                if record["userAgent"] == agent:
                    out.append(record)
        return out

    def assert_record(self, record, expected):
        """Field by field; no field beyond the expected ones and eventVersion/eventTime/eventID."""
        for key, value in expected.items():
            self.assertEqual(record.get(key), value, key)
        self.assertEqual(set(record), set(expected) | {"eventVersion", "eventTime", "eventID"})
        self.assertTrue(record["eventVersion"].startswith("1."))
        self.assertRegex(record["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def expected(self, region, identity, outcome, mfa_used="No", mfa_identifier=None,
                 login_region=None, error=None):
        login_region = login_region or region
        extra = {"LoginTo": f"https://{login_region}.console.aws.amazon.com/console/home?"
                            f"region={login_region}&state=hashArgs%23&isauthcode=true",
                 "MobileVersion": "No", "MFAUsed": mfa_used}
        if mfa_identifier:
            extra["MFAIdentifier"] = mfa_identifier
        out = {"userIdentity": identity,
               "eventSource": "signin.amazonaws.com",
               "eventName": "ConsoleLogin",
               "awsRegion": region,
               "sourceIPAddress": "127.0.0.1",
               "userAgent": BROWSER.format(self.id().rsplit(".", 1)[-1]),
               "requestParameters": None,
               "responseElements": {"ConsoleLogin": outcome},
               "additionalEventData": extra,
               "readOnly": False,
               "eventType": "AwsConsoleSignIn",
               "managementEvent": True,
               "recipientAccountId": self.account,
               "eventCategory": "Management"}
        if error:
            out["errorMessage"] = error
        return out

    def iam_identity(self, user, success=True):
        if success:
            return {"type": "IAMUser", "principalId": user["UserId"], "arn": user["Arn"],
                    "accountId": self.account, "userName": user["UserName"]}
        return {"type": "IAMUser", "principalId": user["UserId"], "accountId": self.account,
                "accessKeyId": "", "userName": user["UserName"]}

    # ---- pages and URL forms ----

    def test_both_url_forms_show_the_sign_in_form(self):
        for host, target in [(self.alias_host(), "/console?region=ap-northeast-1"),
                             (self.alias_host(self.account), "/console?region=ap-northeast-1"),
                             (None, f"/signin/{ALIAS}/console?region=ap-northeast-1"),
                             (None, f"/signin/{self.account}/console")]:
            status, headers, body = self.http("GET", target, host=host)
            self.assertEqual(status, 200, target)
            self.assertTrue(headers["Content-Type"].startswith("text/html"))
            for field in ('name="username"', 'name="password"', 'name="mfaCode"',
                          'method="post"'):
                self.assertIn(field, body)
            self.assertNotIn("<script", body)
        status, _, body = self.http("GET", "/console", host=self.alias_host("no-such-alias"))
        self.assertEqual(status, 404)
        status, _, _ = self.http("GET", "/signin/999999999999/console")
        self.assertEqual(status, 404)
        status, _, _ = self.http("GET", f"/signin/{ALIAS}/console?region=not_a_region")
        self.assertEqual(status, 400)

    # ---- IAM users: regions and records ----

    def test_iam_user_sign_ins_are_recorded_in_tokyo_and_osaka(self):
        status, headers, _ = self.sign_in("console-user", PASSWORD, "ap-northeast-1", form="host")
        self.assertEqual(status, 302)
        self.assertEqual(headers["Location"], "/console/home?region=ap-northeast-1")
        status, headers, _ = self.sign_in("console-user", PASSWORD, "ap-northeast-3", form="path")
        self.assertEqual(status, 302)
        self.assertEqual(headers["Location"], "/console/home?region=ap-northeast-3")
        for region in ("ap-northeast-1", "ap-northeast-3"):
            records = self.console_logins(region)
            self.assertEqual(len(records), 1, region)
            self.assert_record(records[0], self.expected(region, self.iam_identity(self.user),
                                                         "Success"))
        self.assertEqual(self.console_logins("us-east-1"), [])

    def test_wrong_password_is_refused_and_recorded_as_failure(self):
        status, headers, body = self.sign_in("console-user", "not-the-password", "ap-northeast-1")
        self.assertEqual(status, 401)
        self.assertIn("Your authentication information is incorrect", body)
        self.assertIsNone(headers["Set-Cookie"])
        records = self.console_logins("ap-northeast-1")
        self.assertEqual(len(records), 1)
        self.assert_record(records[0], self.expected(
            "ap-northeast-1", self.iam_identity(self.user, success=False), "Failure",
            error="Failed authentication"))

    def test_unknown_user_name_is_hidden(self):
        status, _, body = self.sign_in("no-such-user", PASSWORD, "ap-northeast-3", form="path")
        self.assertEqual(status, 401)
        self.assertIn("Your authentication information is incorrect", body)
        records = self.console_logins("ap-northeast-3")
        self.assertEqual(len(records), 1)
        identity = records[0]["userIdentity"]
        self.assertEqual(identity["userName"], "HIDDEN_DUE_TO_SECURITY_REASONS")
        self.assertEqual(identity["accountId"], self.account)
        self.assertEqual(identity["accessKeyId"], "")
        self.assertNotIn("arn", identity)
        self.assertEqual(records[0]["errorMessage"], "No username found in supplied account")
        self.assertEqual(records[0]["responseElements"], {"ConsoleLogin": "Failure"})

    # ---- the root user ----

    def test_root_sign_in_is_recorded_in_us_east_1(self):
        status, _, _ = self.sign_in(self.root_email, self.root_password, "ap-northeast-1")
        self.assertEqual(status, 302)
        self.assertEqual(self.console_logins("ap-northeast-1"), [])
        records = self.console_logins("us-east-1")
        self.assertEqual(len(records), 1)
        identity = {"type": "Root", "principalId": self.account,
                    "arn": f"arn:aws:iam::{self.account}:root", "accountId": self.account,
                    "accessKeyId": "", "userName": ALIAS}
        self.assert_record(records[0], self.expected("us-east-1", identity, "Success",
                                                     login_region="ap-northeast-1"))
        status, _, _ = self.sign_in(self.root_email, "wrong-root-password", "ap-northeast-1")
        self.assertEqual(status, 401)
        failure = self.console_logins("us-east-1")[0]
        self.assertEqual(failure["userIdentity"]["type"], "Root")
        self.assertEqual(failure["errorMessage"], "Failed authentication")

    def test_root_password_file_is_private(self):
        path = os.path.join(self.server.data_dir, "root-console-password")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertIn("root-console-password", self.server.log())  # the banner points at it

    # ---- MFA ----

    def test_mfa_user_needs_the_code_and_is_recorded_with_mfa_used(self):
        user = self.make_user("mfa-user")
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-user-phone")
        serial = device["VirtualMFADevice"]["SerialNumber"]
        self.assertEqual(serial, f"arn:aws:iam::{self.account}:mfa/mfa-user-phone")
        seed = device["VirtualMFADevice"]["Base32StringSeed"].decode()
        self.assertEqual(len(seed), 64)
        now = step_now()
        with self.assertRaises(self.iam.exceptions.InvalidAuthenticationCodeException):
            self.iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                                       AuthenticationCode1=hotp(seed, now),
                                       AuthenticationCode2=hotp(seed, now - 1))
        self.iam.enable_mfa_device(UserName="mfa-user", SerialNumber=serial,
                                   AuthenticationCode1=hotp(seed, now - 1),
                                   AuthenticationCode2=hotp(seed, now))
        listed = self.iam.list_mfa_devices(UserName="mfa-user")["MFADevices"]
        self.assertEqual([d["SerialNumber"] for d in listed], [serial])

        status, _, _ = self.sign_in("mfa-user", PASSWORD, "ap-northeast-1")
        self.assertEqual(status, 401)  # the password alone is not enough
        code = hotp(seed, step_now() + 1)  # within the window, after the codes enabling used
        status, _, _ = self.sign_in("mfa-user", PASSWORD, "ap-northeast-1", mfa_code=code)
        self.assertEqual(status, 302)
        status, _, _ = self.sign_in("mfa-user", PASSWORD, "ap-northeast-1", mfa_code=code)
        self.assertEqual(status, 401)  # a code works once

        success, without_code = self.console_logins("ap-northeast-1")[1:3]
        self.assert_record(success, self.expected("ap-northeast-1", self.iam_identity(user),
                                                  "Success", mfa_used="Yes",
                                                  mfa_identifier=serial))
        self.assert_record(without_code, self.expected(
            "ap-northeast-1", self.iam_identity(user, success=False), "Failure",
            error="Failed authentication"))

    def test_mfa_devices_through_the_cli(self):
        self.make_user("cli-mfa-user")
        with tempfile.TemporaryDirectory() as tmp:
            seed_file = os.path.join(tmp, "seed.txt")
            _, out, _ = self.server.aws("iam", "create-virtual-mfa-device",
                                        "--virtual-mfa-device-name", "cli-phone", "--path",
                                        "/team/", "--outfile", seed_file,
                                        "--bootstrap-method", "Base32StringSeed")
            serial = json.loads(out)["VirtualMFADevice"]["SerialNumber"]
            self.assertEqual(serial, f"arn:aws:iam::{self.account}:mfa/team/cli-phone")
            with open(seed_file) as f:
                seed = f.read().strip()
        self.assertRegex(seed, r"^[A-Z2-7]{64}$")
        now = step_now()
        self.server.aws("iam", "enable-mfa-device", "--user-name", "cli-mfa-user",
                        "--serial-number", serial, "--authentication-code1", hotp(seed, now - 1),
                        "--authentication-code2", hotp(seed, now))
        _, out, _ = self.server.aws("iam", "list-virtual-mfa-devices", "--assignment-status",
                                    "Assigned")
        assigned = [d for d in json.loads(out)["VirtualMFADevices"] if d["SerialNumber"] == serial]
        self.assertEqual(assigned[0]["User"]["UserName"], "cli-mfa-user")
        code, _, err = self.server.aws("iam", "delete-virtual-mfa-device", "--serial-number",
                                       serial, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("DeleteConflict", err)
        self.server.aws("iam", "deactivate-mfa-device", "--user-name", "cli-mfa-user",
                        "--serial-number", serial)
        self.server.aws("iam", "delete-virtual-mfa-device", "--serial-number", serial)
        _, out, _ = self.server.aws("iam", "list-mfa-devices", "--user-name", "cli-mfa-user")
        self.assertEqual(json.loads(out)["MFADevices"], [])

    def test_mfa_qr_code_png_through_the_cli(self):
        with tempfile.TemporaryDirectory() as tmp:
            png_file = os.path.join(tmp, "qr.png")
            self.server.aws("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name",
                            "qr-phone", "--outfile", png_file, "--bootstrap-method", "QRCodePNG")
            with open(png_file, "rb") as f:
                png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        chunks, at = {}, 8
        while at < len(png):
            length = int.from_bytes(png[at:at + 4], "big")
            kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
            self.assertEqual(int.from_bytes(png[at + 8 + length:at + 12 + length], "big"),
                             zlib.crc32(kind + data))
            chunks[kind] = chunks.get(kind, b"") + data
            at += 12 + length
        width, height = int.from_bytes(chunks[b"IHDR"][:4], "big"), int.from_bytes(chunks[b"IHDR"][4:8], "big")
        self.assertEqual((width, height, chunks[b"IHDR"][8], chunks[b"IHDR"][9]), (width, width, 8, 0))
        pixels = zlib.decompress(chunks[b"IDAT"])
        self.assertEqual(len(pixels), height * (width + 1))
        row = lambda y: pixels[y * (width + 1) + 1:(y + 1) * (width + 1)]  # noqa: E731
        # Quiet zone (4 modules of 4 pixels), then the top-left finder pattern: 7 dark modules.
        self.assertEqual(set(row(0)), {0xFF})
        self.assertEqual(row(16)[16:16 + 28], bytes(28))
        self.assertEqual(row(20)[20:24], b"\xff" * 4)  # its light ring
        # A boto3 caller gets both bootstraps for one device.
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="both")["VirtualMFADevice"]
        self.assertTrue(device["QRCodePNG"].startswith(b"\x89PNG"))
        self.assertRegex(device["Base32StringSeed"].decode(), r"^[A-Z2-7]{64}$")

    def test_mfa_errors_are_aws_shaped(self):
        self.make_user("err-user")
        self.iam.create_virtual_mfa_device(VirtualMFADeviceName="dup-device")
        with self.assertRaises(self.iam.exceptions.EntityAlreadyExistsException):
            self.iam.create_virtual_mfa_device(VirtualMFADeviceName="dup-device")
        missing = f"arn:aws:iam::{self.account}:mfa/missing"
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.enable_mfa_device(UserName="err-user", SerialNumber=missing,
                                       AuthenticationCode1="123456",
                                       AuthenticationCode2="654321")
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.delete_virtual_mfa_device(SerialNumber=missing)
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.list_mfa_devices(UserName="no-such-user")

    # ---- throttling ----

    def test_repeated_failures_are_throttled(self):
        self.make_user("throttled-user")
        for _ in range(5):
            status, _, _ = self.sign_in("throttled-user", "wrong", "eu-west-1")
            self.assertEqual(status, 401)
        status, headers, body = self.sign_in("throttled-user", PASSWORD, "eu-west-1")
        self.assertEqual(status, 429)
        self.assertEqual(headers["Retry-After"], "300")
        self.assertIn("Too many failed sign-in attempts", body)
        # The five failures are recorded; the refused attempt was never checked.
        records = self.console_logins("eu-west-1")
        self.assertEqual(len(records), 5)
        self.assertTrue(all(r["responseElements"] == {"ConsoleLogin": "Failure"}
                            for r in records))
        # Another user from the same address is unaffected.
        status, _, _ = self.sign_in("console-user", PASSWORD, "eu-west-1")
        self.assertEqual(status, 302)

    # ---- the session ----

    def test_cookie_is_http_only_and_the_home_page_shows_the_user(self):
        status, headers, _ = self.sign_in("console-user", PASSWORD, "ap-northeast-1")
        self.assertEqual(status, 302)
        cookie = headers["Set-Cookie"]
        attributes = [a.strip() for a in cookie.split(";")]
        name, _, token = attributes[0].partition("=")
        self.assertEqual(name, "kiroku-console-session")
        self.assertRegex(token, r"^[0-9a-f]{64}$")
        for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"):
            self.assertIn(attribute, attributes)
        status, _, body = self.http("GET", "/console/home?region=ap-northeast-1",
                                    host=self.alias_host(),
                                    headers={"Cookie": attributes[0]})
        self.assertEqual(status, 200)
        self.assertIn("console-user", body)
        self.assertIn("ap-northeast-1", body)
        self.assertIn('<form method="post" action="/console/signout">', body)
        # Without the cookie, or after signing out, the home page sends the browser to sign in.
        status, headers, _ = self.http("GET", "/console/home?region=ap-northeast-1")
        self.assertEqual(status, 302)
        self.assertIn("/console", headers["Location"])
        status, _, body = self.http("GET", "/console/signout", headers={"Cookie": attributes[0]})
        self.assertEqual(status, 200)  # only asks; sign-out is a POST
        self.assertIn('<form method="post" action="/console/signout">', body)
        status, _, _ = self.http("GET", "/console/home", headers={"Cookie": attributes[0]})
        self.assertEqual(status, 200)
        status, headers, _ = self.http("POST", "/console/signout",
                                       headers={"Cookie": attributes[0]})
        self.assertEqual(status, 302)
        self.assertIn("Max-Age=0", headers["Set-Cookie"])
        status, _, _ = self.http("GET", "/console/home", headers={"Cookie": attributes[0]})
        self.assertEqual(status, 302)

    # ---- everything else still reaches the AWS frontend ----

    def test_aws_requests_are_not_taken_by_the_console(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket="console-routing",
                         CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
        s3.put_object(Bucket="console-routing", Key="console", Body=b"object named console")
        self.assertEqual(s3.get_object(Bucket="console-routing", Key="console")["Body"].read(),
                         b"object named console")
        # Virtual-hosted style (unsigned, so refused): S3 answers with XML, not the console.
        for host in (f"console-routing.localhost:{self.server.port}",
                     f"console-routing.s3.localhost:{self.server.port}"):
            status, headers, body = self.http("GET", "/console-key", host=host)
            self.assertEqual(status, 403, host)
            self.assertTrue(body.startswith("<?xml"), body)
            self.assertIn("<Code>AccessDenied</Code>", body)
        status, _, body = self.http("GET", "/_kiroku/health")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")
        self.assertEqual(self.iam.list_account_aliases()["AccountAliases"], [ALIAS])


if __name__ == "__main__":
    unittest.main()
