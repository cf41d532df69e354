"""End to end: every authenticated call becomes a CloudTrail record in its region's event
history, read back with LookupEvents (issue 8, recording and event history)."""
import json
import os
import sys
import unittest

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, REGION  # noqa: E402


def records(client, key, value, region_client=None):
    """The CloudTrail records LookupEvents returns for one attribute, newest first."""
    paginator = (region_client or client).get_paginator("lookup_events")
    out = []
    for page in paginator.paginate(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}],
                                   PaginationConfig={"PageSize": 2}):
        out.extend(json.loads(e["CloudTrailEvent"]) for e in page["Events"])
    return out


class CloudTrailHistoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.ct = cls.server.client("cloudtrail")
        cls.ct_us = cls.server.client("cloudtrail", region="us-east-1")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_management_calls_are_recorded_in_their_region(self):
        kms = self.server.client("kms")
        key = kms.create_key(Description="recorded")["KeyMetadata"]
        found = [r for r in records(self.ct, "EventName", "CreateKey")
                 if r["responseElements"]["keyMetadata"]["keyId"] == key["KeyId"]]
        self.assertEqual(len(found), 1)
        r = found[0]
        self.assertEqual(r["eventSource"], "kms.amazonaws.com")
        self.assertEqual(r["awsRegion"], REGION)
        self.assertEqual(r["userIdentity"]["type"], "Root")
        self.assertEqual(r["userIdentity"]["arn"], f"arn:aws:iam::{self.account}:root")
        self.assertEqual(r["requestParameters"], {"description": "recorded"})
        self.assertFalse(r["readOnly"])
        self.assertEqual(r["eventCategory"], "Management")
        self.assertEqual(r["recipientAccountId"], self.account)
        self.assertRegex(r["eventID"], r"^[0-9a-f-]{36}$")
        self.assertTrue(r["userAgent"].startswith("Boto3/") or "botocore" in r["userAgent"])
        # Another region's history does not have it.
        self.assertEqual(self.server.client("cloudtrail", region="eu-west-1").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}])["Events"], [])

    def test_records_name_the_resources_they_acted_on(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        kms.describe_key(KeyId=key["KeyId"])
        by_name = records(self.ct, "ResourceName", key["Arn"])
        self.assertIn("DescribeKey", [r["eventName"] for r in by_name])
        r = next(r for r in by_name if r["eventName"] == "DescribeKey")
        self.assertEqual(r["resources"], [{"accountId": self.account, "type": "AWS::KMS::Key",
                                           "ARN": key["Arn"]}])
        by_type = records(self.ct, "ResourceType", "AWS::KMS::Key")
        self.assertIn(r["eventID"], [x["eventID"] for x in by_type])
        summary = self.ct.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventId", "AttributeValue": r["eventID"]}])["Events"][0]
        self.assertEqual(summary["Resources"], [{"ResourceType": "AWS::KMS::Key",
                                                 "ResourceName": key["Arn"]}])

    def test_iam_events_land_in_us_east_1_and_carry_no_secrets(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="recorded-user")
        iam.create_login_profile(UserName="recorded-user", Password="Correct-Horse-9!")
        key = iam.create_access_key(UserName="recorded-user")["AccessKey"]
        profile = records(self.ct_us, "EventName", "CreateLoginProfile")
        self.assertEqual(len(profile), 1)
        self.assertEqual(profile[0]["awsRegion"], "us-east-1")
        self.assertEqual(profile[0]["eventSource"], "iam.amazonaws.com")
        self.assertNotIn("Correct-Horse-9!", json.dumps(profile[0]))
        created = records(self.ct_us, "EventName", "CreateAccessKey")
        self.assertNotIn(key["SecretAccessKey"], json.dumps(created))
        self.assertEqual(records(self.ct, "EventName", "CreateUser"), [])  # not in ap-northeast-1

        # The user's own calls, allowed or denied, are recorded under its name and key.
        user_iam = self.server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        with self.assertRaises(botocore.exceptions.ClientError):
            user_iam.create_user(UserName="not-allowed")
        by_user = records(self.ct_us, "Username", "recorded-user")
        denied = [r for r in by_user if r["eventName"] == "CreateUser"]
        self.assertEqual(len(denied), 1)
        self.assertEqual(denied[0]["errorCode"], "AccessDenied")
        self.assertIn("is not authorized to perform: iam:CreateUser", denied[0]["errorMessage"])
        self.assertEqual(denied[0]["userIdentity"]["type"], "IAMUser")
        self.assertEqual(denied[0]["userIdentity"]["userName"], "recorded-user")
        by_key = records(self.ct_us, "AccessKeyId", key["AccessKeyId"])
        self.assertEqual([r["eventName"] for r in by_key], ["CreateUser"])

    def test_plaintext_never_reaches_a_record(self):
        kms = self.server.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.encrypt(KeyId=key_id, Plaintext=b"TOP-SECRET-PLAINTEXT",
                    EncryptionContext={"purpose": "audit"})
        encrypts = records(self.ct, "EventName", "Encrypt")
        self.assertTrue(encrypts)
        self.assertTrue(encrypts[0]["readOnly"])
        self.assertEqual(encrypts[0]["requestParameters"]["encryptionContext"], {"purpose": "audit"})
        self.assertNotIn("plaintext", encrypts[0]["requestParameters"])
        self.assertIsNone(encrypts[0]["responseElements"])

    def test_lookup_with_the_cli_and_errors(self):
        self.server.client("kms").list_keys()
        _, out, _ = self.server.aws("cloudtrail", "lookup-events", "--lookup-attributes",
                                    "AttributeKey=EventSource,AttributeValue=kms.amazonaws.com",
                                    "--max-results", "5")
        events = json.loads(out)["Events"]
        self.assertTrue(events)
        self.assertTrue(all(e["EventSource"] == "kms.amazonaws.com" for e in events))
        self.assertIn(events[0]["ReadOnly"], ("true", "false"))
        code, _, err = self.server.aws("cloudtrail", "lookup-events", "--lookup-attributes",
                                       "AttributeKey=Colour,AttributeValue=red", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("InvalidLookupAttributesException", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
