"""End to end: the foundation (issue 2) driven by the real aws CLI and boto3.

Covers the README tour, the bad-signature matrix for a JSON service (kms) and a query service
(sts), presigned URLs, unknown operations, request size limits, health, graceful shutdown and
restarts that keep the account and its keys.
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import unittest
import urllib.error
import urllib.request
from unittest import mock

import botocore.auth
import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer  # noqa: E402


def error_of(call):
    """Runs `call`, which must fail with an AWS error; returns (code, HTTP status, message)."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"].get("Message", ""))
    raise AssertionError("the call succeeded")


class FoundationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_tour_get_caller_identity_with_the_cli(self):
        code, out, _ = self.server.aws("sts", "get-caller-identity")
        self.assertEqual(code, 0)
        identity = json.loads(out)
        self.assertRegex(identity["Account"], r"^\d{12}$")
        self.assertEqual(identity["Arn"], f"arn:aws:iam::{identity['Account']}:root")
        self.assertEqual(identity["UserId"], identity["Account"])

    def test_credentials_file_is_private_and_uses_aws_format(self):
        mode = os.stat(self.server.credentials_file).st_mode & 0o777
        self.assertEqual(mode, 0o600)
        key_id, secret = self.server.root_keys()
        self.assertRegex(key_id, r"^AKIA[A-Z2-7]{16}$")
        self.assertEqual(len(secret), 40)
        with open(os.path.join(self.server.data_dir, "master.key"), "rb") as f:
            self.assertEqual(len(f.read()), 32)
        for name in os.listdir(os.path.join(self.server.data_dir, "db")):
            path = os.path.join(self.server.data_dir, "db", name)
            with open(path, "rb") as f:
                self.assertNotIn(secret.encode(), f.read(), f"secret in plaintext in {name}")

    def test_any_region_in_the_scope_is_the_request_region(self):
        for region in ("us-east-1", "ap-northeast-3", "eu-west-1"):
            sts = self.server.client("sts", region=region)
            self.assertIn(":root", sts.get_caller_identity()["Arn"])

    def bad_signature_matrix(self, service, call, expected):
        key_id, secret = self.server.root_keys()
        cases = {}
        # One character changed (a secret that already ends in "x" gets a "y").
        wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")
        cases["wrong secret"] = error_of(lambda: call(self.server.client(service, key_id, wrong)))
        cases["unknown key"] = error_of(
            lambda: call(self.server.client(service, "AKIAAAAAAAAAAAAAAAAA", secret)))

        tampering = self.server.client(service)

        def tamper(request, **_):
            # Same length, one byte changed: the body still arrives whole.
            body = request.body.encode() if isinstance(request.body, str) else request.body
            request.body = body[:-1] + (b"x" if body[-1:] != b"x" else b"y")
        tampering.meta.events.register_first("before-send", tamper)
        cases["tampered body"] = error_of(lambda: call(tampering))

        old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=6)
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=old):
            cases["six minutes old"] = error_of(lambda: call(self.server.client(service)))

        unsigned = self.server.client(service)

        def strip_auth(request, **_):
            del request.headers["Authorization"]
        unsigned.meta.events.register_first("before-send", strip_auth)
        cases["no authorization"] = error_of(lambda: call(unsigned))

        for name, (code, status) in expected.items():
            self.assertEqual(cases[name][:2], (code, status), f"{service}: {name}: {cases[name]}")
        self.assertIn("Signature expired", cases["six minutes old"][2])
        self.assertIn("- 5 min.", cases["six minutes old"][2])

    def test_bad_signatures_on_a_query_service(self):
        self.bad_signature_matrix("sts", lambda c: c.get_caller_identity(), {
            "wrong secret": ("SignatureDoesNotMatch", 403),
            "unknown key": ("InvalidClientTokenId", 403),
            "tampered body": ("SignatureDoesNotMatch", 403),
            "six minutes old": ("SignatureDoesNotMatch", 403),
            "no authorization": ("MissingAuthenticationToken", 403),
        })

    def test_bad_signatures_on_a_json_service(self):
        self.bad_signature_matrix("kms", lambda c: c.list_keys(), {
            "wrong secret": ("InvalidSignatureException", 400),
            "unknown key": ("UnrecognizedClientException", 400),
            "tampered body": ("InvalidSignatureException", 400),
            "six minutes old": ("InvalidSignatureException", 400),
            "no authorization": ("MissingAuthenticationTokenException", 400),
        })

    def test_bad_signature_with_the_cli(self):
        # The CLI with a wrong secret, as a user would mistype it.
        env_key = self.server.root_keys()[0]
        env = self.server.cli_env()
        env.pop("AWS_SHARED_CREDENTIALS_FILE")
        env.update({"AWS_ACCESS_KEY_ID": env_key, "AWS_SECRET_ACCESS_KEY": "x" * 40})
        result = subprocess.run(["aws", "sts", "get-caller-identity"], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("An error occurred (SignatureDoesNotMatch) when calling the "
                      "GetCallerIdentity operation", result.stderr)

    def test_presigned_url(self):
        sts = self.server.client("sts")
        # Signed for GET, as EKS-style tokens are; the method is part of the signature.
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        with urllib.request.urlopen(url, timeout=5) as r:
            body = r.read().decode()
        self.assertIn("<GetCallerIdentityResult>", body)
        self.assertIn(":root</Arn>", body)
        with self.assertRaises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), timeout=5)
        self.assertEqual(denied.exception.code, 403)
        self.assertIn("<Code>SignatureDoesNotMatch</Code>", denied.exception.read().decode())

    def test_unknown_operations_get_protocol_errors(self):
        kms = self.server.client("kms")
        kms.meta.events.register_first(
            "before-sign.kms.ListKeys",
            lambda request, **_: request.headers.replace_header("X-Amz-Target",
                                                                "TrentService.MakeCoffee"))
        code, status, _ = error_of(kms.list_keys)
        self.assertEqual((code, status), ("UnknownOperationException", 400))

        sts = self.server.client("sts")

        def rename(request, **_):
            request.data = request.data.replace("GetCallerIdentity", "MakeCoffee") \
                if isinstance(request.data, str) else \
                {**request.data, "Action": "MakeCoffee"}
        sts.meta.events.register_first("before-sign.sts.GetCallerIdentity",
                                       lambda request, **_: rename(request))
        code, status, _ = error_of(sts.get_caller_identity)
        self.assertEqual((code, status), ("InvalidAction", 400))

    def test_oversized_bodies_are_refused_before_reading(self):
        logs = self.server.client("logs")
        code, status, _ = error_of(lambda: logs.put_log_events(
            logGroupName="g", logStreamName="s",
            logEvents=[{"timestamp": 1, "message": "x" * (9 * 1024 * 1024)}]))
        self.assertEqual(status, 413)
        self.assertEqual(code, "RequestEntityTooLargeException")

    def test_health_needs_no_signature(self):
        with urllib.request.urlopen(self.server.endpoint + "/_kiroku/health", timeout=5) as r:
            health = json.load(r)
        self.assertEqual(health["status"], "ok")
        self.assertIn("sts", health["services"])
        self.assertGreaterEqual(health["uptimeSeconds"], 0)
        self.assertTrue(health["version"])

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        sts = self.server.client("sts")
        for _ in range(50):
            sts.get_caller_identity()


class LifecycleTest(unittest.TestCase):
    def test_restart_keeps_account_and_keys_and_sigterm_exits_zero(self):
        server = KirokuServer().start()
        try:
            first = server.client("sts").get_caller_identity()
            keys = server.root_keys()
            self.assertEqual(server.stop(signal.SIGTERM), 0)
            self.assertIn("stopped", server.log())
            server.start()
            self.assertEqual(server.root_keys(), keys)
            self.assertEqual(server.client("sts").get_caller_identity()["Account"],
                             first["Account"])
            # A lost credentials file is written again from the store.
            server.stop()
            os.remove(server.credentials_file)
            server.start()
            self.assertEqual(server.root_keys(), keys)
        finally:
            server.cleanup()

    def test_account_and_root_keys_from_the_environment(self):
        env = {"KIROKU_ACCOUNT_ID": "111122223333",
               "KIROKU_ROOT_ACCESS_KEY_ID": "AKIAKIROKUTESTKEY001",
               "KIROKU_ROOT_SECRET_ACCESS_KEY": "kiroku-test-secret-key-0123456789abcdef"}
        server = KirokuServer(env=env).start()
        try:
            sts = server.client("sts", env["KIROKU_ROOT_ACCESS_KEY_ID"],
                                env["KIROKU_ROOT_SECRET_ACCESS_KEY"])
            self.assertEqual(sts.get_caller_identity()["Account"], "111122223333")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
