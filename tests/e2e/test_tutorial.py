"""The acceptance test: ../shared/docs/TUTORIAL-FLOW.md as a user runs it — examples/tutorial.sh
(the aws CLI and curl) against a fresh kiroku — then the records it printed are checked field
by field, and the tutorial's failure modes give the symptoms AWS gives (issue 9)."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "examples", "tutorial.sh")
LG = "/aws/cloudtrail/management-event"
ALIAS = "my-company-alias"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(server, region, password):
    """POSTs the console form through the path URL form, from the console's own origin as a
    browser does; returns the HTTP status."""
    body = urllib.parse.urlencode({"username": "console-user", "password": password}).encode()
    url = f"{server.endpoint}/signin/{ALIAS}/console?region={region}"
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body, method="POST",
                                           headers={"Origin": server.endpoint}), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class TutorialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The server's defaults: nothing tuned for the test.
        cls.server = KirokuServer().start()
        env = cls.server.cli_env()
        env.update({"KIROKU_ENDPOINT": cls.server.endpoint, "KIROKU_DATA_DIR": cls.server.data_dir})
        started = time.time()
        cls.run_result = subprocess.run(["bash", SCRIPT], env=env, capture_output=True, text=True,
                                        timeout=300)
        cls.seconds = time.time() - started
        cls.logs = cls.server.client("logs")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def console_logins(self):
        events = []
        for page in self.logs.get_paginator("filter_log_events").paginate(
                logGroupName=LG, filterPattern='{ $.eventName = "ConsoleLogin" }'):
            events.extend(page["events"])
        return events

    def test_1_script_prints_both_sign_ins(self):
        self.assertEqual(self.run_result.returncode, 0,
                         f"stdout:\n{self.run_result.stdout}\nstderr:\n{self.run_result.stderr}")
        printed = [json.loads(part) for line in self.run_result.stdout.splitlines()
                   for part in line.split("\t") if part.startswith('{"eventVersion"')]
        self.assertEqual(sorted(r["awsRegion"] for r in printed),
                         ["ap-northeast-1", "ap-northeast-3"], self.run_result.stdout)
        print(f"\ntutorial.sh ran in {self.seconds:.1f} s", file=sys.stderr)

    def test_2_records_field_by_field(self):
        events = self.console_logins()
        self.assertEqual(len(events), 2)
        stream = f"{self.account}_CloudTrail_ap-northeast-1"
        by_region = {}
        for e in events:
            self.assertEqual(e["logStreamName"], stream)  # the home region's stream
            r = json.loads(e["message"])
            by_region[r["awsRegion"]] = r
        self.assertEqual(set(by_region), {"ap-northeast-1", "ap-northeast-3"})
        user = self.server.client("iam").get_user(UserName="console-user")["User"]
        for region, r in by_region.items():
            self.assertEqual(r["eventSource"], "signin.amazonaws.com")
            self.assertEqual(r["eventType"], "AwsConsoleSignIn")
            self.assertEqual(r["userIdentity"]["type"], "IAMUser")
            self.assertEqual(r["userIdentity"]["userName"], "console-user")
            self.assertEqual(r["userIdentity"]["principalId"], user["UserId"])
            self.assertEqual(r["userIdentity"]["arn"], user["Arn"])
            self.assertEqual(r["userIdentity"]["accountId"], self.account)
            self.assertIsNone(r["requestParameters"])
            self.assertEqual(r["responseElements"], {"ConsoleLogin": "Success"})
            self.assertEqual(r["additionalEventData"]["MFAUsed"], "No")
            self.assertEqual(r["additionalEventData"]["MobileVersion"], "No")
            self.assertIn(region, r["additionalEventData"]["LoginTo"])
            self.assertFalse(r["readOnly"])
            self.assertTrue(r["managementEvent"])
            self.assertEqual(r["eventCategory"], "Management")
            self.assertEqual(r["recipientAccountId"], self.account)
            self.assertNotIn("requestID", r)
        # The group is encrypted with the tutorial's customer managed key.
        group = self.logs.describe_log_groups(logGroupNamePrefix=LG)["logGroups"][0]
        key = self.server.client("kms").describe_key(KeyId="alias/cloudtrail-cwl")["KeyMetadata"]
        self.assertEqual(group["kmsKeyId"], key["Arn"])
        status = self.server.client("cloudtrail").get_trail_status(Name="management-events")
        self.assertIn("LatestCloudWatchLogsDeliveryTime", status)
        self.assertNotIn("LatestCloudWatchLogsDeliveryError", status)

    def test_3_failed_sign_in_is_recorded_as_failure(self):
        self.assertEqual(sign_in(self.server, "ap-northeast-3", "wrong-password"), 401)

        def failure():
            return [json.loads(e["message"]) for e in self.console_logins()
                    if json.loads(e["message"])["responseElements"]["ConsoleLogin"] == "Failure"]
        deadline = time.time() + 10
        while not failure() and time.time() < deadline:
            time.sleep(0.1)
        records = failure()
        self.assertEqual(len(records), 1)
        r = records[0]
        self.assertEqual(r["awsRegion"], "ap-northeast-3")
        self.assertEqual(r["errorMessage"], "Failed authentication")
        self.assertEqual(r["userIdentity"]["userName"], "console-user")
        self.assertNotIn("arn", r["userIdentity"])

    def test_4_disabled_key_then_enabled_loses_no_sign_in(self):
        kms = self.server.client("kms")
        ct = self.server.client("cloudtrail")
        before = len(self.console_logins())
        kms.disable_key(KeyId="alias/cloudtrail-cwl")
        try:
            # The logs data-key cache (default 5 minutes) still holds a key: like AWS, a
            # disabled key stops delivery once CloudWatch Logs must ask KMS again. New data
            # keys are needed when the group's key cache is cold: restart the server to see it.
            self.server.stop()
            self.server.start()
            self.assertEqual(sign_in(self.server, "ap-northeast-1", "Example-Passw0rd!"), 302)
            ct = self.server.client("cloudtrail")
            deadline = time.time() + 15
            status = {}
            while time.time() < deadline:
                status = ct.get_trail_status(Name="management-events")
                if "LatestCloudWatchLogsDeliveryError" in status:
                    break
                time.sleep(0.2)
            self.assertEqual(status.get("LatestCloudWatchLogsDeliveryError"), "DisabledException")
        finally:
            self.server.client("kms").enable_key(KeyId="alias/cloudtrail-cwl")
        self.logs = self.server.client("logs")
        deadline = time.time() + 30
        while len(self.console_logins()) < before + 1 and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(len(self.console_logins()), before + 1)
        deadline = time.time() + 10
        while "LatestCloudWatchLogsDeliveryError" in ct.get_trail_status(Name="management-events") \
                and time.time() < deadline:
            time.sleep(0.2)
        self.assertNotIn("LatestCloudWatchLogsDeliveryError",
                         ct.get_trail_status(Name="management-events"))


if __name__ == "__main__":
    unittest.main()
