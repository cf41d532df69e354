"""End to end: the CloudTrail trail management API (issue 8 item 3, issue 9 item 1's synchronous
CreateTrail/UpdateTrail checks), with the fixtures built exactly as TUTORIAL-FLOW.md builds them
and the tutorial's cloudtrail commands run through the real aws CLI."""
import json
import os
import sys
import unittest

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from tutorial_documents import (cloudtrail_bucket_policy, cloudtrail_logs_role_policy,  # noqa: E402
                                cloudtrail_trust_policy, logs_key_policy)
from kiroku_server import KirokuServer, REGION  # noqa: E402

TRAIL = "management-events"
LG = "/aws/cloudtrail/management-event"
OTHER_REGION = "ap-northeast-3"


def bucket_policy(bucket, account, trail_arns, prefix=""):
    """The documented CloudTrail bucket policy (TUTORIAL-FLOW.md step 2c), as text."""
    return json.dumps(cloudtrail_bucket_policy(bucket, account, trail_arns, prefix))


class CloudTrailTrailsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.ct = cls.server.client("cloudtrail")
        cls.ct_other = cls.server.client("cloudtrail", region=OTHER_REGION)
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.lg_arn = f"arn:aws:logs:{REGION}:{cls.account}:log-group:{LG}"
        cls.trail_arn = f"arn:aws:cloudtrail:{REGION}:{cls.account}:trail/{TRAIL}"
        cls.bucket = f"aws-cloudtrail-logs-{cls.account}-tutorial"
        cls._tutorial_fixtures()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def _tutorial_fixtures(cls):
        """TUTORIAL-FLOW.md steps 1, 2a, 2b and 2c, as written (minus the bucket policy, which
        test_tutorial_flow puts in place after seeing create-trail refused without it)."""
        aws = cls.server.aws
        account, lg_arn = cls.account, cls.lg_arn
        _, out, _ = aws("kms", "create-key", "--description", "CloudTrail CWL log group key",
                        "--query", "KeyMetadata.KeyId", "--output", "text")
        cls.key_id = out.strip()
        aws("kms", "create-alias", "--alias-name", "alias/cloudtrail-cwl", "--target-key-id", cls.key_id)
        _, out, _ = aws("kms", "describe-key", "--key-id", cls.key_id, "--query", "KeyMetadata.Arn",
                        "--output", "text")
        cls.key_arn = out.strip()
        key_policy = logs_key_policy(account, lg_arn)
        aws("kms", "put-key-policy", "--key-id", cls.key_id, "--policy-name", "default",
            "--policy", json.dumps(key_policy))
        aws("logs", "create-log-group", "--log-group-name", LG, "--kms-key-id", cls.key_arn)

        trust = cloudtrail_trust_policy()
        cwl_policy = cloudtrail_logs_role_policy(account, lg_arn)
        role = f"CloudTrailRoleForCloudWatchLogs_{TRAIL}"
        aws("iam", "create-role", "--role-name", role, "--path", "/service-role/",
            "--assume-role-policy-document", json.dumps(trust))
        _, out, _ = aws("iam", "create-policy", "--policy-name",
                        f"CloudTrailPolicyForCloudWatchLogs_{TRAIL}", "--path", "/service-role/",
                        "--description", "CloudTrail policy to send logs to CloudWatch Logs",
                        "--policy-document", json.dumps(cwl_policy), "--query", "Policy.Arn",
                        "--output", "text")
        aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", out.strip())
        _, out, _ = aws("iam", "get-role", "--role-name", role, "--query", "Role.Arn", "--output", "text")
        cls.role_arn = out.strip()
        aws("s3api", "create-bucket", "--bucket", cls.bucket, "--create-bucket-configuration",
            f"LocationConstraint={REGION}")

    # --- helpers --------------------------------------------------------------------------

    def assertError(self, call, code, message=None):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call()
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        if message is not None:
            self.assertEqual(err["Message"], message)
        return err

    def assertCliError(self, args, code, message):
        rc, _, err = self.server.aws(*args, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn(f"({code})", err)
        self.assertIn(message, err)

    def make_bucket(self, name, trail_arns, prefix=""):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_policy(Bucket=name, Policy=bucket_policy(name, self.account, trail_arns, prefix))
        return name

    def arn(self, name, region=REGION):
        return f"arn:aws:cloudtrail:{region}:{self.account}:trail/{name}"

    # --- the tutorial ---------------------------------------------------------------------

    def test_tutorial_flow(self):
        aws = self.server.aws
        create = ["cloudtrail", "create-trail", "--name", TRAIL, "--s3-bucket-name", self.bucket,
                  "--is-multi-region-trail", "--include-global-service-events",
                  "--cloud-watch-logs-log-group-arn", f"{self.lg_arn}:*",
                  "--cloud-watch-logs-role-arn", self.role_arn]
        # The bucket has no policy yet: refused, as CloudTrail refuses it.
        self.assertCliError(create, "InsufficientS3BucketPolicyException",
                            f"Incorrect S3 bucket policy is detected for bucket: {self.bucket}")
        aws("s3api", "put-bucket-policy", "--bucket", self.bucket, "--policy",
            bucket_policy(self.bucket, self.account, self.trail_arn))

        _, out, _ = aws(*create)
        trail = json.loads(out)
        self.assertEqual(trail, {
            "Name": TRAIL, "S3BucketName": self.bucket, "IncludeGlobalServiceEvents": True,
            "IsMultiRegionTrail": True, "TrailARN": self.trail_arn,
            "LogFileValidationEnabled": False, "CloudWatchLogsLogGroupArn": f"{self.lg_arn}:*",
            "CloudWatchLogsRoleArn": self.role_arn, "IsOrganizationTrail": False})
        # A new trail is not logging.
        _, out, _ = aws("cloudtrail", "get-trail-status", "--name", TRAIL)
        status = json.loads(out)
        self.assertEqual(status, {
            "IsLogging": False, "LatestDeliveryAttemptTime": "", "LatestNotificationAttemptTime": "",
            "LatestNotificationAttemptSucceeded": "", "LatestDeliveryAttemptSucceeded": "",
            "TimeLoggingStarted": "", "TimeLoggingStopped": ""})

        _, out, _ = aws("cloudtrail", "put-event-selectors", "--trail-name", TRAIL, "--event-selectors",
                        '[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[]}]')
        self.assertEqual(json.loads(out), {
            "TrailARN": self.trail_arn,
            "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                "DataResources": [], "ExcludeManagementEventSources": []}]})
        aws("cloudtrail", "start-logging", "--name", TRAIL)
        _, out, _ = aws("cloudtrail", "get-trail-status", "--name", TRAIL)
        status = json.loads(out)
        self.assertTrue(status["IsLogging"])
        self.assertIsInstance(status["StartLoggingTime"], float)  # epoch seconds on the wire
        self.assertRegex(status["TimeLoggingStarted"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertNotIn("StopLoggingTime", status)

        # The tutorial's variant: update-trail with the same CloudWatch Logs settings.
        _, out, _ = aws("cloudtrail", "update-trail", "--name", TRAIL, "--cloud-watch-logs-log-group-arn",
                        f"{self.lg_arn}:*", "--cloud-watch-logs-role-arn", self.role_arn)
        self.assertEqual(json.loads(out)["CloudWatchLogsRoleArn"], self.role_arn)

        # From another region: the shadow trail, and no updates.
        rc, out, _ = aws("cloudtrail", "describe-trails", "--region", OTHER_REGION)
        shadow = [t for t in json.loads(out)["trailList"] if t["Name"] == TRAIL]
        self.assertEqual(len(shadow), 1)
        self.assertEqual(shadow[0]["HomeRegion"], REGION)
        self.assertEqual(shadow[0]["TrailARN"], self.trail_arn)
        self.assertTrue(shadow[0]["HasCustomEventSelectors"])
        _, out, _ = aws("cloudtrail", "describe-trails", "--region", OTHER_REGION, "--no-include-shadow-trails")
        self.assertNotIn(TRAIL, [t["Name"] for t in json.loads(out)["trailList"]])
        rc, _, err = aws("cloudtrail", "update-trail", "--region", OTHER_REGION, "--name", TRAIL,
                         "--no-include-global-service-events", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("(InvalidHomeRegionException)", err)
        # The shadow trail's status by ARN; by name it is not this region's trail.
        _, out, _ = aws("cloudtrail", "get-trail-status", "--region", OTHER_REGION, "--name", self.trail_arn)
        self.assertTrue(json.loads(out)["IsLogging"])
        self.assertCliError(["cloudtrail", "get-trail-status", "--region", OTHER_REGION, "--name", TRAIL],
                            "TrailNotFoundException",
                            f"Unknown trail: {TRAIL} for the user: {self.account}")
        # A second create is refused, here and in a region the multi-region trail covers.
        self.assertCliError(create, "TrailAlreadyExistsException",
                            f"Trail {TRAIL} already exists for customer: {self.account}")

    # --- CloudWatch Logs checks (aws-behavior.md §1.4) ------------------------------------

    def cwl_trail(self, name, **cwl):
        bucket = self.make_bucket(f"cwl-{name}", self.arn(name))
        return lambda: self.ct.create_trail(Name=name, S3BucketName=bucket, **cwl)

    def test_role_without_group_and_group_without_role(self):
        need_both = "You must specify a role ARN as well as a log group."
        self.assertError(self.cwl_trail("only-role", CloudWatchLogsRoleArn=self.role_arn),
                         "InvalidCloudWatchLogsRoleArnException", need_both)
        self.assertError(self.cwl_trail("only-group", CloudWatchLogsLogGroupArn=self.lg_arn + ":*"),
                         "InvalidCloudWatchLogsRoleArnException", need_both)

    def test_missing_malformed_or_foreign_group(self):
        bad = "Check the log group ARN: CloudTrail can't validate it."
        for i, group in enumerate([
                f"arn:aws:logs:{REGION}:{self.account}:log-group:/no/such/group:*",
                "not-an-arn",
                f"arn:aws:logs:{OTHER_REGION}:{self.account}:log-group:{LG}:*"]):
            self.assertError(self.cwl_trail(f"bad-group-{i}", CloudWatchLogsLogGroupArn=group,
                                            CloudWatchLogsRoleArn=self.role_arn),
                             "InvalidCloudWatchLogsLogGroupArnException", bad)

    def test_role_without_trust_or_missing(self):
        iam = self.server.client("iam")
        iam.create_role(RoleName="trusts-nobody", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}))
        role_arn = iam.get_role(RoleName="trusts-nobody")["Role"]["Arn"]
        trust = "Access denied. Check the trust relationships for your role."
        self.assertError(self.cwl_trail("no-trust", CloudWatchLogsLogGroupArn=self.lg_arn + ":*",
                                        CloudWatchLogsRoleArn=role_arn),
                         "InvalidCloudWatchLogsRoleArnException", trust)
        self.assertError(self.cwl_trail("no-role", CloudWatchLogsLogGroupArn=self.lg_arn,
                                        CloudWatchLogsRoleArn=f"arn:aws:iam::{self.account}:role/none"),
                         "InvalidCloudWatchLogsRoleArnException", trust)

    def test_role_policy_on_the_wrong_stream_prefix(self):
        iam = self.server.client("iam")
        trust = iam.get_role(RoleName=f"CloudTrailRoleForCloudWatchLogs_{TRAIL}")["Role"]["AssumeRolePolicyDocument"]
        iam.create_role(RoleName="wrong-prefix", Path="/service-role/",
                        AssumeRolePolicyDocument=json.dumps(trust))
        # Streams of another region's name: not the stream this trail writes.
        wrong = f"{self.lg_arn}:log-stream:{self.account}_CloudTrail_{OTHER_REGION}*"
        iam.put_role_policy(RoleName="wrong-prefix", PolicyName="cwl", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                           "Resource": [wrong]}]}))
        role_arn = iam.get_role(RoleName="wrong-prefix")["Role"]["Arn"]
        self.assertError(self.cwl_trail("wrong-prefix", CloudWatchLogsLogGroupArn=self.lg_arn + ":*",
                                        CloudWatchLogsRoleArn=role_arn),
                         "InvalidCloudWatchLogsLogGroupArnException",
                         "Access denied. Verify in IAM that the role has adequate permissions.")
        # Fixing the policy fixes the trail.
        iam.put_role_policy(RoleName="wrong-prefix", PolicyName="cwl", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                           "Resource": [f"{self.lg_arn}:log-stream:{self.account}_CloudTrail_{REGION}*"]}]}))
        out = self.ct.create_trail(Name="wrong-prefix", S3BucketName="cwl-wrong-prefix",
                                   CloudWatchLogsLogGroupArn=self.lg_arn, CloudWatchLogsRoleArn=role_arn)
        self.assertEqual(out["CloudWatchLogsLogGroupArn"], self.lg_arn)
        # UpdateTrail with "" for both removes the CloudWatch Logs settings.
        out = self.ct.update_trail(Name="wrong-prefix", CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
        self.assertNotIn("CloudWatchLogsLogGroupArn", out)
        self.assertNotIn("CloudWatchLogsRoleArn", self.ct.get_trail(Name="wrong-prefix")["Trail"])
        self.ct.delete_trail(Name="wrong-prefix")

    # --- S3 and KMS checks ----------------------------------------------------------------

    def test_bucket_missing_then_policy_checks(self):
        self.assertError(lambda: self.ct.create_trail(Name="no-bucket", S3BucketName="no-such-bucket-xyz"),
                         "S3BucketDoesNotExistException", "S3 bucket no-such-bucket-xyz does not exist.")
        # A policy for another trail's ARN does not do.
        self.make_bucket("policy-for-other", self.arn("someone-else"))
        self.assertError(lambda: self.ct.create_trail(Name="policy-check", S3BucketName="policy-for-other"),
                         "InsufficientS3BucketPolicyException",
                         "Incorrect S3 bucket policy is detected for bucket: policy-for-other")
        # With a prefix, the policy must cover <prefix>/AWSLogs/<account>/*.
        self.make_bucket("prefixed", self.arn("prefixed"), prefix="logs/")
        self.assertError(lambda: self.ct.create_trail(Name="prefixed", S3BucketName="prefixed"),
                         "InsufficientS3BucketPolicyException")
        out = self.ct.create_trail(Name="prefixed", S3BucketName="prefixed", S3KeyPrefix="logs")
        self.assertEqual(out["S3KeyPrefix"], "logs")
        self.assertTrue(out["IncludeGlobalServiceEvents"])
        self.assertFalse(out["IsMultiRegionTrail"])
        self.assertNotIn("HomeRegion", out)
        self.ct.delete_trail(Name="prefixed")

    def test_kms_key_checks(self):
        bucket = self.make_bucket("kms-trail", [self.arn("kms-trail")])
        kms = self.server.client("kms")
        self.assertError(lambda: self.ct.create_trail(Name="kms-trail", S3BucketName=bucket,
                                                      KmsKeyId="alias/no-such-key"),
                         "KmsKeyNotFoundException")
        key = kms.create_key()["KeyMetadata"]
        kms.create_alias(AliasName="alias/trail-key", TargetKeyId=key["KeyId"])
        # The default key policy does not let CloudTrail use the key.
        self.assertError(lambda: self.ct.create_trail(Name="kms-trail", S3BucketName=bucket,
                                                      KmsKeyId="alias/trail-key"),
                         "InsufficientEncryptionPolicyException",
                         f"Insufficient permissions to access S3 bucket {bucket} or KMS key {key['Arn']}.")
        kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.account}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
                 "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceArn": self.arn("kms-trail")},
                               "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                              f"arn:aws:cloudtrail:*:{self.account}:trail/*"}}}]}))
        out = self.ct.create_trail(Name="kms-trail", S3BucketName=bucket, KmsKeyId="alias/trail-key")
        self.assertEqual(out["KmsKeyId"], key["Arn"])
        kms.disable_key(KeyId=key["KeyId"])
        self.assertError(lambda: self.ct.update_trail(Name="kms-trail", KmsKeyId=key["KeyId"]),
                         "KmsKeyDisabledException")
        self.assertNotIn("KmsKeyId", self.ct.update_trail(Name="kms-trail", KmsKeyId="")) 
        self.ct.delete_trail(Name=self.arn("kms-trail"))

    # --- names, parameters, lifecycle -----------------------------------------------------

    def test_invalid_names(self):
        for name, message in [
                ("ab", "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters."),
                ("my-_trail", None), ("my--trail", None), ("-trail", None), ("trail-", None),
                ("bad name", None), ("192.168.5.4", "Trail name cannot be formatted as an IP address."),
                ("x" * 129, None)]:
            with self.subTest(name=name):
                self.assertError(lambda: self.ct.create_trail(Name=name, S3BucketName=self.bucket),
                                 "InvalidTrailNameException", message)
        self.assertError(lambda: self.ct.get_trail_status(Name="arn:aws:cloudtrail:x"),
                         "CloudTrailARNInvalidException")

    def test_multi_region_needs_global_events(self):
        self.assertError(lambda: self.ct.create_trail(Name="no-global", S3BucketName=self.bucket,
                                                      IsMultiRegionTrail=True,
                                                      IncludeGlobalServiceEvents=False),
                         "InvalidParameterCombinationException",
                         "Multi-Region trail must include global service events.")

    def test_lifecycle_update_delete_and_home_region(self):
        name = "lifecycle"
        bucket = self.make_bucket("lifecycle-bucket", self.arn(name))
        self.ct.create_trail(Name=name, S3BucketName=bucket, IncludeGlobalServiceEvents=False,
                             EnableLogFileValidation=True, SnsTopicName="topic",
                             TagsList=[{"Key": "team", "Value": "audit"}])
        trail = self.ct.get_trail(Name=name)["Trail"]
        self.assertEqual(trail["HomeRegion"], REGION)
        self.assertFalse(trail["IncludeGlobalServiceEvents"])
        self.assertTrue(trail["LogFileValidationEnabled"])
        self.assertFalse(trail["HasCustomEventSelectors"])
        self.assertFalse(trail["HasInsightSelectors"])
        self.assertEqual(trail["SnsTopicARN"], f"arn:aws:sns:{REGION}:{self.account}:topic")
        # A single-region trail is not seen from another region.
        self.assertNotIn(name, [t["Name"] for t in self.ct_other.describe_trails()["trailList"]])
        self.assertError(lambda: self.ct_other.get_trail(Name=name), "TrailNotFoundException")
        # Becoming multi-region turns global service events on and makes a shadow trail.
        out = self.ct.update_trail(Name=name, IsMultiRegionTrail=True)
        self.assertTrue(out["IncludeGlobalServiceEvents"])
        self.assertTrue(out["IsMultiRegionTrail"])
        self.assertIn(name, [t["Name"] for t in self.ct_other.describe_trails()["trailList"]])
        for call in (lambda: self.ct_other.update_trail(Name=name, S3KeyPrefix="x"),
                     lambda: self.ct_other.delete_trail(Name=name),
                     lambda: self.ct_other.start_logging(Name=self.arn(name)),
                     lambda: self.ct_other.stop_logging(Name=name),
                     lambda: self.ct_other.put_event_selectors(
                         TrailName=name, EventSelectors=[{"ReadWriteType": "All"}])):
            self.assertError(call, "InvalidHomeRegionException")
        # Back to single-region: global events off again.
        out = self.ct.update_trail(Name=name, IsMultiRegionTrail=False)
        self.assertFalse(out["IncludeGlobalServiceEvents"])
        # Start, stop: both times kept.
        self.ct.start_logging(Name=name)
        self.ct.stop_logging(Name=self.arn(name))
        status = self.ct.get_trail_status(Name=name)
        self.assertFalse(status["IsLogging"])
        self.assertLessEqual(status["StartLoggingTime"], status["StopLoggingTime"])
        self.assertNotEqual(status["TimeLoggingStopped"], "")
        self.ct.delete_trail(Name=name)
        self.assertError(lambda: self.ct.get_trail(Name=name), "TrailNotFoundException",
                         f"Unknown trail: {name} for the user: {self.account}")
        self.assertError(lambda: self.ct.delete_trail(Name=name), "TrailNotFoundException")

    def test_list_trails_pages_through_every_region(self):
        regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "sa-east-1", "ca-central-1"]
        names = [f"list-{i:02d}" for i in range(21)] + [f"list-extra-{i}" for i in range(5)]
        bucket = self.make_bucket("list-bucket", [self.arn(n, r) for r in regions for n in names])
        created = set()

        def create(name, region):
            self.server.client("cloudtrail", region=region).create_trail(Name=name, S3BucketName=bucket)
            created.add((name, region))
            self.addCleanup(self.server.client("cloudtrail", region=region).delete_trail, Name=name)

        for i, n in enumerate(names[:21]):
            create(n, regions[i % len(regions)])
        first = self.ct.list_trails()
        self.assertIn("NextToken", first)
        self.assertEqual(len(first["Trails"]), 20)
        seen = set()
        for page in self.ct.get_paginator("list_trails").paginate():
            for t in page["Trails"]:
                self.assertEqual(t["TrailARN"], self.arn(t["Name"], t["HomeRegion"]))
                seen.add((t["Name"], t["HomeRegion"]))
        self.assertTrue(created <= seen, created - seen)
        # A region holds at most five trails, shadow trails included.
        sa = self.server.client("cloudtrail", region="sa-east-1")
        room = 5 - len(sa.describe_trails()["trailList"])
        for extra in names[21:21 + room]:
            create(extra, "sa-east-1")
        self.assertError(lambda: sa.create_trail(Name=names[-1], S3BucketName=bucket),
                         "MaximumNumberOfTrailsExceededException")
        # DescribeTrails by ARN finds another region's trail only where it is visible.
        us = self.server.client("cloudtrail", region="us-east-1")
        self.assertEqual(us.describe_trails(trailNameList=[self.arn("list-00", "us-east-1")])["trailList"][0]["Name"],
                         "list-00")
        self.assertEqual(self.ct.describe_trails(trailNameList=[self.arn("list-00", "us-east-1"), "list-00"])["trailList"], [])

    # --- selectors and tags ---------------------------------------------------------------

    def test_event_selectors(self):
        name = "selectors"
        self.ct.create_trail(Name=name, S3BucketName=self.make_bucket("selectors-bucket", self.arn(name)))
        self.assertEqual(self.ct.get_event_selectors(TrailName=name)["EventSelectors"], [
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
             "ExcludeManagementEventSources": []}])
        for selectors, fragment in [
                ([{"ReadWriteType": "All"}] * 6, "1 to 5 event selectors"),
                ([{"ExcludeManagementEventSources": ["s3.amazonaws.com"]}], "s3.amazonaws.com"),
                ([{"DataResources": [{"Type": "AWS::S3::Object",
                                      "Values": [f"arn:aws:s3:::b{i}/" for i in range(251)]}]}], "250"),
                ([{"DataResources": [{"Type": "AWS::EC2::Instance", "Values": ["arn:aws:ec2"]}]}],
                 "AWS::EC2::Instance")]:
            err = self.assertError(lambda: self.ct.put_event_selectors(TrailName=name, EventSelectors=selectors),
                                   "InvalidEventSelectorsException")
            self.assertIn(fragment, err["Message"])
        for advanced, fragment in [
                ([{"FieldSelectors": [{"Field": "readOnly", "Equals": ["true"]}]}], "eventCategory"),
                ([{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                      {"Field": "colour", "Equals": ["x"]}]}], "colour"),
                ([{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                      {"Field": "readOnly", "Equals": ["maybe"]}]}], "maybe"),
                ([{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}], "resources.type")]:
            err = self.assertError(lambda: self.ct.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced),
                                   "InvalidEventSelectorsException")
            self.assertIn(fragment, err["Message"])
        self.assertError(lambda: self.ct.put_event_selectors(
            TrailName=name, EventSelectors=[{}], AdvancedEventSelectors=[
                {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]),
            "InvalidEventSelectorsException")

        out = self.ct.put_event_selectors(TrailName=name, EventSelectors=[
            {"ReadWriteType": "WriteOnly", "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])
        self.assertEqual(out["EventSelectors"], [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True,
                                                  "DataResources": [],
                                                  "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])
        advanced = [{"Name": "writes", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["false"]}]}]
        out = self.ct.put_event_selectors(TrailName=self.arn(name), AdvancedEventSelectors=advanced)
        self.assertEqual(out["AdvancedEventSelectors"], advanced)
        self.assertNotIn("EventSelectors", out)
        got = self.ct.get_event_selectors(TrailName=name)
        self.assertEqual(got["AdvancedEventSelectors"], advanced)
        self.assertNotIn("EventSelectors", got)
        self.assertTrue(self.ct.get_trail(Name=name)["Trail"]["HasCustomEventSelectors"])
        self.assertError(lambda: self.ct.get_insight_selectors(TrailName=name), "InsightNotEnabledException")
        self.ct.delete_trail(Name=name)

    def test_tags(self):
        name = "tagged"
        arn = self.arn(name)
        self.ct.create_trail(Name=name, S3BucketName=self.make_bucket("tagged-bucket", arn),
                             TagsList=[{"Key": "a", "Value": "1"}])
        self.ct.add_tags(ResourceId=arn, TagsList=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
        tags = self.ct.list_tags(ResourceIdList=[arn])["ResourceTagList"]
        self.assertEqual(tags, [{"ResourceId": arn, "TagsList": [{"Key": "a", "Value": "3"},
                                                                 {"Key": "b", "Value": "2"}]}])
        self.ct.remove_tags(ResourceId=arn, TagsList=[{"Key": "a"}])
        self.assertEqual(self.ct.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"],
                         [{"Key": "b", "Value": "2"}])
        self.assertError(lambda: self.ct.add_tags(
            ResourceId=arn, TagsList=[{"Key": f"k{i}", "Value": "v"} for i in range(50)]),
            "TagsLimitExceededException")
        self.assertError(lambda: self.ct.list_tags(ResourceIdList=[self.arn("nothing-here")]),
                         "ResourceNotFoundException")
        self.assertError(lambda: self.ct.add_tags(ResourceId="tagged", TagsList=[{"Key": "x"}]),
                         "CloudTrailARNInvalidException")
        self.ct.delete_trail(Name=name)

    # --- authorization --------------------------------------------------------------------

    def test_denied_without_permission(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="trail-reader")
        iam.put_user_policy(UserName="trail-reader", PolicyName="read", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["cloudtrail:DescribeTrails",
                                                         "cloudtrail:GetTrailStatus"], "Resource": "*"}]}))
        key = iam.create_access_key(UserName="trail-reader")["AccessKey"]
        reader = self.server.client("cloudtrail", access_key=key["AccessKeyId"],
                                    secret_key=key["SecretAccessKey"])
        reader.describe_trails()
        err = self.assertError(lambda: reader.create_trail(Name="denied-trail", S3BucketName=self.bucket),
                               "AccessDeniedException")
        self.assertIn("cloudtrail:CreateTrail", err["Message"])
        self.assertIn(self.arn("denied-trail"), err["Message"])


if __name__ == "__main__":
    unittest.main()
