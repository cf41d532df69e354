"""The console's own API credentials against a real server (issue 17's first piece): a signed-in
console session asks POST /console/api/credentials for short-lived credentials of the signed-in
user; boto3 signs calls with them, the policy engine authorizes them as that user, and
CloudTrail records them with sessionCredentialFromConsole "true", as AWS records console
actions."""
import json
import os
import sys
import unittest

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, form_request, wait_for  # noqa: E402

ALIAS = "console-api-alias"
PASSWORD = "Example-Passw0rd!"
REGION = "ap-northeast-1"
AGENT = "kiroku-console-credentials-e2e"


class ConsoleCredentialsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.iam = cls.server.client("iam")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.iam.create_account_alias(AccountAlias=ALIAS)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.port}"

    def http(self, method, target, headers=None, form=None):
        return form_request(self.server.port, method, target, f"127.0.0.1:{self.server.port}",
                            AGENT, form, headers)

    def sign_in(self, user):
        """Creates `user` with a console password and signs in; returns the session cookie."""
        self.iam.create_user(UserName=user)
        self.iam.create_login_profile(UserName=user, Password=PASSWORD,
                                      PasswordResetRequired=False)
        status, headers, body = self.http(
            "POST", f"/signin/{ALIAS}/console?region={REGION}", {"Origin": self.origin},
            {"username": user, "password": PASSWORD})
        self.assertEqual(status, 302, body)
        return headers["Set-Cookie"].split(";")[0]

    def credentials(self, cookie):
        status, headers, body = self.http("POST", "/console/api/credentials",
                                          {"Origin": self.origin, "Cookie": cookie})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Cache-Control"], "no-store")
        return json.loads(body)

    def client_of(self, answer, service):
        c = answer["Credentials"]
        return self.server.client(service, c["AccessKeyId"], c["SecretAccessKey"],
                                  region=answer["Region"], aws_session_token=c["SessionToken"])

    def test_credentials_act_as_the_user_and_are_recorded_as_console_calls(self):
        cookie = self.sign_in("console-reader")
        self.iam.attach_user_policy(UserName="console-reader",
                                    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        answer = self.credentials(cookie)
        self.assertEqual(answer["Region"], REGION)
        self.assertTrue(answer["Credentials"]["AccessKeyId"].startswith("ASIA"))

        me = self.client_of(answer, "sts").get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:iam::{self.account}:user/console-reader")
        # Allowed by ReadOnlyAccess; a write is denied with AWS's message, and changes nothing.
        kms = self.client_of(answer, "kms")
        kms.list_keys()
        with self.assertRaises(botocore.exceptions.ClientError) as denied:
            kms.create_key(Description="from the console")
        self.assertEqual(denied.exception.response["Error"]["Code"], "AccessDeniedException")
        self.assertIn("console-reader", denied.exception.response["Error"]["Message"])
        self.assertEqual(self.server.client("kms", region=REGION).list_keys()["Keys"], [])

        ct = self.server.client("cloudtrail", region=REGION)

        def list_keys_record():
            for event in ct.lookup_events(LookupAttributes=[
                    {"AttributeKey": "EventName", "AttributeValue": "ListKeys"}])["Events"]:
                record = json.loads(event["CloudTrailEvent"])
                if record["userIdentity"].get("userName") == "console-reader":
                    return record
            return None

        record = wait_for(list_keys_record)
        self.assertIsNotNone(record)
        self.assertEqual(record["sessionCredentialFromConsole"], "true")
        self.assertEqual(record["userIdentity"]["type"], "IAMUser")
        self.assertEqual(record["userIdentity"]["accessKeyId"],
                         answer["Credentials"]["AccessKeyId"])
        # The root user's own calls with long-term keys carry no such flag (IAM: us-east-1).
        own = self.server.client("cloudtrail", region="us-east-1").lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "CreateAccountAlias"}])["Events"]
        self.assertNotIn("sessionCredentialFromConsole", json.loads(own[0]["CloudTrailEvent"]))

    def test_no_credentials_without_a_session_or_from_another_site(self):
        cookie = self.sign_in("console-other")
        status, _, body = self.http("POST", "/console/api/credentials", {"Origin": self.origin})
        self.assertEqual(status, 401, body)
        status, _, body = self.http("POST", "/console/api/credentials",
                                    {"Origin": "http://evil.example", "Cookie": cookie})
        self.assertEqual(status, 403, body)
        self.assertNotIn("ASIA", body)
        status, _, _ = self.http("GET", "/console/api/credentials", {"Cookie": cookie})
        self.assertEqual(status, 405)

    def test_a_deleted_users_console_credentials_stop_working(self):
        cookie = self.sign_in("console-leaver")
        answer = self.credentials(cookie)
        sts = self.client_of(answer, "sts")
        sts.get_caller_identity()
        self.iam.delete_login_profile(UserName="console-leaver")
        self.iam.delete_user(UserName="console-leaver")
        with self.assertRaises(botocore.exceptions.ClientError) as refused:
            sts.get_caller_identity()
        self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidClientTokenId")
        status, _, _ = self.http("POST", "/console/api/credentials",
                                 {"Origin": self.origin, "Cookie": cookie})
        self.assertEqual(status, 401)


if __name__ == "__main__":
    unittest.main()
