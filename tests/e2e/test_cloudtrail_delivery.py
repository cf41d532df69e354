"""End to end: trails deliver what they select — log files to S3 as CloudTrail writes them,
and events to a KMS-encrypted CloudWatch Logs group through the trail's role — with failures
visible in get-trail-status and nothing lost or duplicated, across kill -9 too (issues 8, 9)."""
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from tutorial_documents import (cloudtrail_bucket_policy, cloudtrail_logs_role_policy,  # noqa: E402
                                cloudtrail_trust_policy, logs_key_policy)
from kiroku_server import KirokuServer, REGION, wait_for  # noqa: E402

# Short delivery intervals; no data-key cache, so a disabled KMS key shows at the next write.
FAST = ["--trail-log-file-interval-ms", "300", "--trail-cloudwatch-logs-delay-ms", "50",
        "--logs-data-key-cache-seconds", "0"]
KEY_RE = re.compile(r"^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/"
                    r"\1_CloudTrail_\2_(\d{8}T\d{4}Z)_[0-9a-f]{16}\.json\.gz$")


def bucket_policy(bucket, account, trail_arn):
    return json.dumps(cloudtrail_bucket_policy(bucket, account, trail_arn))


class Account:
    """The tutorial's fixtures (key, encrypted group, role, bucket) made with boto3."""

    def __init__(self, server, trail, group):
        self.server = server
        self.s3 = server.client("s3")
        self.ct = server.client("cloudtrail")
        self.logs = server.client("logs")
        self.kms = server.client("kms")
        self.iam = server.client("iam")
        self.account = server.client("sts").get_caller_identity()["Account"]
        self.trail = trail
        self.trail_arn = f"arn:aws:cloudtrail:{REGION}:{self.account}:trail/{trail}"
        self.bucket = f"trail-{trail}-{self.account}"
        self.group = group
        self.group_arn = f"arn:aws:logs:{REGION}:{self.account}:log-group:{group}"
        self.stream = f"{self.account}_CloudTrail_{REGION}"

    def make_bucket(self):
        self.s3.create_bucket(Bucket=self.bucket,
                              CreateBucketConfiguration={"LocationConstraint": REGION})
        self.s3.put_bucket_policy(Bucket=self.bucket,
                                  Policy=bucket_policy(self.bucket, self.account, self.trail_arn))

    def make_group_and_role(self):
        self.key_id = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.kms.put_key_policy(KeyId=self.key_id, PolicyName="default",
                                Policy=json.dumps(logs_key_policy(self.account, self.group_arn)))
        self.logs.create_log_group(logGroupName=self.group, kmsKeyId=self.key_id)
        role = f"CloudTrailRoleForCloudWatchLogs_{self.trail}"
        self.iam.create_role(RoleName=role, Path="/service-role/",
                             AssumeRolePolicyDocument=json.dumps(cloudtrail_trust_policy()))
        self.iam.put_role_policy(RoleName=role, PolicyName="cwl", PolicyDocument=json.dumps(
            cloudtrail_logs_role_policy(self.account, self.group_arn)))
        self.role_arn = self.iam.get_role(RoleName=role)["Role"]["Arn"]

    def create_trail(self, test=None, **kwargs):
        self.ct.create_trail(Name=self.trail, S3BucketName=self.bucket, **kwargs)
        self.ct.start_logging(Name=self.trail)
        if test is not None:  # a region holds at most five trails
            test.addCleanup(self.ct.delete_trail, Name=self.trail)

    def status(self):
        return self.ct.get_trail_status(Name=self.trail)

    def log_files(self):
        """{key: [record, ...]} of every CloudTrail log file in the bucket."""
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for o in page.get("Contents", []):
                body = self.s3.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read()
                out[o["Key"]] = json.loads(gzip.decompress(body))["Records"]
        return out

    def delivered_ids(self):
        return [r["eventID"] for records in self.log_files().values() for r in records]

    def cwl_records(self):
        events = []
        for page in self.logs.get_paginator("filter_log_events").paginate(logGroupName=self.group):
            events.extend(page["events"])
        return [(e["logStreamName"], json.loads(e["message"])) for e in events]


class CloudTrailDeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer(extra_args=FAST).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_multi_region_log_files_per_source_region(self):
        a = Account(self.server, "multi", "/unused/multi")
        a.make_bucket()
        a.create_trail(self, IsMultiRegionTrail=True)
        single = Account(self.server, "single", "/unused/single")
        single.make_bucket()
        single.create_trail(self)
        tokyo = a.kms.create_key(Description="in tokyo")["KeyMetadata"]["KeyId"]
        ireland = self.server.client("kms", region="eu-west-1").create_key(
            Description="in ireland")["KeyMetadata"]["KeyId"]
        a.iam.create_user(UserName="global-event-user")

        def created(acct):
            keys = set()
            for records in acct.log_files().values():
                for r in records:
                    if r["eventName"] == "CreateKey":
                        keys.add(r["responseElements"]["keyMetadata"]["keyId"])
            return keys
        def user_delivered():
            return any(r["eventName"] == "CreateUser" for records in a.log_files().values()
                       for r in records)
        self.assertTrue(wait_for(lambda: {tokyo, ireland} <= created(a) and user_delivered()),
                        a.status())
        files = a.log_files()
        regions = {}
        for key, records in files.items():
            m = KEY_RE.match(key)
            self.assertIsNotNone(m, key)
            self.assertEqual(m.group(1), a.account)
            for r in records:
                # Every record sits under its own source region.
                self.assertEqual(r["awsRegion"], m.group(2), key)
                regions.setdefault(m.group(2), []).append(r)
        self.assertIn("eu-west-1", regions)
        self.assertIn("us-east-1", regions)  # IAM: global service events
        self.assertIn("CreateUser", [r["eventName"] for r in regions["us-east-1"]])
        head = a.s3.head_object(Bucket=a.bucket, Key=next(iter(files)))
        self.assertEqual(head["ContentType"], "application/json")
        # The single-region trail (home ap-northeast-1) got Tokyo's key, not Ireland's.
        self.assertTrue(wait_for(lambda: tokyo in created(single)))
        self.assertNotIn(ireland, created(single))
        for key in single.log_files():
            self.assertIn(f"/CloudTrail/{REGION}/", key)
        status = a.status()
        self.assertIn("LatestDeliveryTime", status)
        self.assertNotIn("LatestDeliveryError", status)

        # `aws s3 sync` the log files and search them offline with `kiroku filter`.
        local = os.path.join(self.server.data_dir, "synced")
        self.server.aws("s3", "sync", f"s3://{a.bucket}/AWSLogs", local)
        synced = [os.path.join(d, f) for d, _, fs in os.walk(local) for f in fs]
        self.assertGreaterEqual(len(synced), len(files))
        out = subprocess.run([os.environ["KIROKU_BIN"], "filter", "--count",
                              '{ $.eventName = "CreateKey" && $.awsRegion = "eu-west-1" }', *synced],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        expected = 0
        for path in synced:
            with gzip.open(path) as f:
                expected += sum(1 for r in json.load(f)["Records"]
                                if r["eventName"] == "CreateKey" and r["awsRegion"] == "eu-west-1")
        self.assertGreaterEqual(expected, 1)
        counted = sum(int(line.rsplit(":", 1)[1]) for line in out.stdout.splitlines())
        self.assertEqual(counted, expected)

    def test_bucket_policy_removed_then_restored_loses_nothing(self):
        a = Account(self.server, "policy-outage", "/unused/outage")
        a.make_bucket()
        a.create_trail(self)
        a.s3.delete_bucket_policy(Bucket=a.bucket)
        during = [a.kms.create_key(Description=f"during outage {i}")["KeyMetadata"]["KeyId"]
                  for i in range(3)]
        status = wait_for(lambda: "LatestDeliveryError" in a.status() and a.status())
        self.assertEqual(status["LatestDeliveryError"], "AccessDenied")

        def delivered_keys():
            return {r["responseElements"]["keyMetadata"]["keyId"]
                    for records in a.log_files().values() for r in records
                    if r["eventName"] == "CreateKey"}
        self.assertFalse(set(during) & delivered_keys())
        a.s3.put_bucket_policy(Bucket=a.bucket,
                               Policy=bucket_policy(a.bucket, a.account, a.trail_arn))
        # Retries back off (1 s, 2 s, ...): give it a few seconds.
        self.assertTrue(wait_for(lambda: set(during) <= delivered_keys(), timeout=30))
        self.assertTrue(wait_for(lambda: "LatestDeliveryError" not in a.status()))
        ids = a.delivered_ids()
        self.assertEqual(len(ids), len(set(ids)))

    def test_cloudwatch_logs_through_the_role_and_a_disabled_key(self):
        a = Account(self.server, "to-logs", "/aws/cloudtrail/to-logs")
        a.make_bucket()
        a.make_group_and_role()
        a.create_trail(self, IsMultiRegionTrail=True, CloudWatchLogsLogGroupArn=a.group_arn + ":*",
                       CloudWatchLogsRoleArn=a.role_arn)
        osaka = self.server.client("kms", region="ap-northeast-3").create_key(
            Description="osaka")["KeyMetadata"]["KeyId"]

        def in_logs(key_id):
            return any(r["eventName"] == "CreateKey" and
                       r["responseElements"]["keyMetadata"]["keyId"] == key_id
                       for _, r in a.cwl_records())
        self.assertTrue(wait_for(lambda: in_logs(osaka)), a.status())
        streams = {s for s, _ in a.cwl_records()}
        self.assertEqual(streams, {a.stream})  # every region, one stream named for the home region
        record = next(r for _, r in a.cwl_records() if r["eventName"] == "CreateKey")
        self.assertEqual(record["awsRegion"], "ap-northeast-3")
        self.assertIn("LatestCloudWatchLogsDeliveryTime", a.status())

        # CloudTrail assumed the role as a service: recorded as AWSService, in us-east-1.
        ct_us = self.server.client("cloudtrail", region="us-east-1")
        assumed = [json.loads(e["CloudTrailEvent"]) for e in ct_us.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}])["Events"]]
        assumed = [r for r in assumed if r["requestParameters"]["roleArn"] == a.role_arn]
        self.assertEqual(len(assumed), 1)
        self.assertEqual(assumed[0]["userIdentity"],
                         {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"})
        self.assertEqual(assumed[0]["sourceIPAddress"], "cloudtrail.amazonaws.com")
        # Its own writes are not events (recording does not feed on itself).
        for name in ("PutLogEvents", "CreateLogStream"):
            events = a.ct.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
            self.assertEqual(events, [], name)

        # The key is disabled: CloudWatch Logs cannot encrypt, delivery reports it and waits.
        a.kms.disable_key(KeyId=a.key_id)
        during = [a.iam.create_user(UserName=f"while-disabled-{i}")["User"]["UserName"]
                  for i in range(3)]
        status = wait_for(lambda: "LatestCloudWatchLogsDeliveryError" in a.status() and a.status())
        self.assertTrue(status, a.status())
        self.assertEqual(status["LatestCloudWatchLogsDeliveryError"], "DisabledException")
        a.kms.enable_key(KeyId=a.key_id)

        def users_in_logs():
            return {r["requestParameters"]["userName"] for _, r in a.cwl_records()
                    if r["eventName"] == "CreateUser"}
        self.assertTrue(wait_for(lambda: set(during) <= users_in_logs(), timeout=30), a.status())
        self.assertTrue(wait_for(lambda: "LatestCloudWatchLogsDeliveryError" not in a.status()))
        ids = [r["eventID"] for _, r in a.cwl_records()]
        self.assertEqual(len(ids), len(set(ids)))

    def test_role_policy_removed_reports_access_denied(self):
        a = Account(self.server, "role-changed", "/aws/cloudtrail/role-changed")
        a.make_bucket()
        a.make_group_and_role()
        a.create_trail(self, CloudWatchLogsLogGroupArn=a.group_arn, CloudWatchLogsRoleArn=a.role_arn)
        a.iam.delete_role_policy(RoleName=a.role_arn.rsplit("/", 1)[1], PolicyName="cwl")
        a.kms.create_key(Description="after the role lost its policy")
        status = wait_for(lambda: "LatestCloudWatchLogsDeliveryError" in a.status() and a.status())
        self.assertTrue(status)
        self.assertEqual(status["LatestCloudWatchLogsDeliveryError"], "AccessDeniedException")

    def test_log_group_deleted_then_recreated(self):
        a = Account(self.server, "group-gone", "/aws/cloudtrail/group-gone")
        a.make_bucket()
        a.make_group_and_role()
        a.create_trail(self, CloudWatchLogsLogGroupArn=a.group_arn, CloudWatchLogsRoleArn=a.role_arn)
        first = a.kms.create_key(Description="before the group went")["KeyMetadata"]["KeyId"]

        def keys_in_logs():
            try:
                return {r["responseElements"]["keyMetadata"]["keyId"] for _, r in a.cwl_records()
                        if r["eventName"] == "CreateKey"}
            except a.logs.exceptions.ResourceNotFoundException:
                return set()
        self.assertTrue(wait_for(lambda: first in keys_in_logs()), a.status())
        a.logs.delete_log_group(logGroupName=a.group)
        during = a.kms.create_key(Description="while the group is gone")["KeyMetadata"]["KeyId"]
        status = wait_for(lambda: "LatestCloudWatchLogsDeliveryError" in a.status() and a.status())
        self.assertTrue(status, a.status())
        self.assertEqual(status["LatestCloudWatchLogsDeliveryError"], "ResourceNotFoundException")
        # The group comes back (same name, same key): the stream is made again, nothing lost.
        a.logs.create_log_group(logGroupName=a.group, kmsKeyId=a.key_id)
        self.assertTrue(wait_for(lambda: during in keys_in_logs(), timeout=30), a.status())
        self.assertTrue(wait_for(lambda: "LatestCloudWatchLogsDeliveryError" not in a.status()))
        self.assertEqual({s for s, _ in a.cwl_records()}, {a.stream})

    def test_stop_logging_stops(self):
        a = Account(self.server, "stopper", "/unused/stopper")
        a.make_bucket()
        a.create_trail(self)
        before = a.kms.create_key(Description="before stop")["KeyMetadata"]["KeyId"]
        a.ct.stop_logging(Name=a.trail)
        after = a.kms.create_key(Description="after stop")["KeyMetadata"]["KeyId"]
        time.sleep(1.5)  # several delivery intervals

        def keys():
            return {r["responseElements"]["keyMetadata"]["keyId"]
                    for records in a.log_files().values() for r in records
                    if r["eventName"] == "CreateKey"}
        self.assertTrue(wait_for(lambda: before in keys()))
        self.assertNotIn(after, keys())
        self.assertFalse(a.status()["IsLogging"])


class RestartTest(unittest.TestCase):
    def test_kill_9_with_events_queued_loses_and_duplicates_nothing(self):
        # A long log-file interval keeps the records queued when the server is killed.
        server = KirokuServer(extra_args=["--trail-log-file-interval-ms", "600000"]).start()
        try:
            a = Account(server, "survivor", "/unused/survivor")
            a.make_bucket()
            a.create_trail()
            made = [a.kms.create_key(Description=f"queued {i}")["KeyMetadata"]["KeyId"]
                    for i in range(20)]
            # LookupEvents flushes the recorder: the records are in the history and the queue.
            a.ct.lookup_events(MaxResults=1)
            self.assertEqual(a.log_files(), {})
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            server.extra_args = FAST
            server.start()
            a = Account(server, "survivor", "/unused/survivor")

            def keys():
                return [r["responseElements"]["keyMetadata"]["keyId"]
                        for records in a.log_files().values() for r in records
                        if r["eventName"] == "CreateKey"]
            self.assertTrue(wait_for(lambda: set(made) <= set(keys())))
            ids = a.delivered_ids()
            self.assertEqual(len(ids), len(set(ids)))
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
