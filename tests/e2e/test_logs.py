"""End to end: CloudWatch Logs (issue 6) with the real aws CLI and boto3.

Log groups encrypted under a KMS key whose policy names the group (the tutorial's step 1 and
the AccessDeniedException when it does not), put/get/filter across streams and pages, every
PutLogEvents rule, the data-key cache expiring after a key is disabled, a deleted key, retention
deleting old data, no plaintext event in the data dir, nothing acknowledged lost on kill -9, and
the botocore model's shapes for every served operation's response.
"""
import base64
import datetime
import json
import os
import signal
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

import botocore.auth
import botocore.exceptions
import botocore.session

sys.path.insert(0, os.path.dirname(__file__))
from tutorial_documents import logs_key_policy  # noqa: E402
from kiroku_server import KirokuServer, REGION  # noqa: E402

DAY_MS = 86400 * 1000


def now_ms():
    return int(time.time() * 1000)


def error(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    raise AssertionError("the call succeeded")



def all_events(logs, group, **kwargs):
    events = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, **kwargs):
        events.extend(page["events"])
    return events


class LogsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer(extra_args=["--logs-data-key-cache-seconds", "1"]).start()
        cls.logs = cls.server.client("logs")
        cls.kms = cls.server.client("kms")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def group_arn(self, name):
        return f"arn:aws:logs:{REGION}:{self.account}:log-group:{name}"

    def key_for(self, group):
        key_id = self.kms.create_key(Description="logs")["KeyMetadata"]["KeyId"]
        self.kms.put_key_policy(KeyId=key_id, PolicyName="default",
                                Policy=json.dumps(logs_key_policy(self.account, self.group_arn(group))))
        return self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]

    def test_tutorial_group_with_kms_key(self):
        """create-log-group --kms-key-id works when the key policy names the group, and fails
        with AWS's AccessDeniedException when it does not (or names another group)."""
        group = "/aws/cloudtrail/management-event"
        key_arn = self.key_for(group)
        aws = self.server.aws
        aws("logs", "create-log-group", "--log-group-name", group, "--kms-key-id", key_arn)
        _, out, _ = aws("logs", "describe-log-groups", "--log-group-name-prefix", group)
        [described] = json.loads(out)["logGroups"]
        self.assertEqual(described["kmsKeyId"], key_arn)
        self.assertEqual(described["arn"], self.group_arn(group) + ":*")
        self.assertEqual(described["logGroupArn"], self.group_arn(group))
        self.assertEqual(described["storedBytes"], 0)
        self.assertEqual(described["metricFilterCount"], 0)
        self.assertEqual(described["logGroupClass"], "STANDARD")
        self.assertNotIn("retentionInDays", described)

        other = "/aws/cloudtrail/other"
        code, _, err = aws("logs", "create-log-group", "--log-group-name", other, "--kms-key-id",
                           key_arn, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("AccessDeniedException", err)
        self.assertIn("The specified KMS key does not exist or is not allowed to be used with "
                      f"Arn '{self.group_arn(other)}'", err)
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=other)["logGroups"], [])

        # A key whose policy has no logs statement: same answer, at AssociateKmsKey too.
        plain_key = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.logs.create_log_group(logGroupName=other)
        code, message = error(lambda: self.logs.associate_kms_key(logGroupName=other, kmsKeyId=plain_key))
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn(self.group_arn(other), message)
        missing = f"arn:aws:kms:{REGION}:{self.account}:key/00000000-0000-0000-0000-000000000000"
        self.assertEqual(error(lambda: self.logs.associate_kms_key(logGroupName=other, kmsKeyId=missing))[0],
                         "AccessDeniedException")
        # Round trip through the encrypted group with the CLI.
        aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s")
        ts = now_ms()
        aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s",
            "--log-events", f"timestamp={ts},message=hello-tutorial")
        _, out, _ = aws("logs", "filter-log-events", "--log-group-name", group,
                        "--filter-pattern", "hello")
        self.assertEqual([e["message"] for e in json.loads(out)["events"]], ["hello-tutorial"])

    def test_round_trip_across_streams_and_pages(self):
        group = "rt"
        self.logs.create_log_group(logGroupName=group, tags={"team": "a"})
        base = now_ms() - 60000
        expected = []
        for s in range(3):
            stream = f"stream-{s}"
            self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
            for batch in range(3):
                events = [{"timestamp": base + i * 10 + s, "message": json.dumps(
                    {"stream": s, "batch": batch, "i": i, "level": "ERROR" if i % 7 == 0 else "INFO"})}
                    for i in range(batch * 100, batch * 100 + 100)]
                self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
                expected.extend((e["timestamp"], stream, e["message"]) for e in events)
        expected.sort()

        got = all_events(self.logs, group, limit=250)
        self.assertEqual([(e["timestamp"], e["logStreamName"], e["message"]) for e in got], expected)
        self.assertEqual(len({e["eventId"] for e in got}), len(got))

        errors = all_events(self.logs, group, filterPattern='{ $.level = "ERROR" }', limit=7)
        self.assertEqual([e["message"] for e in errors],
                         [m for _, _, m in expected if '"ERROR"' in m])
        only = all_events(self.logs, group, logStreamNames=["stream-1"],
                          startTime=base + 1000, endTime=base + 2001)
        self.assertEqual([e["message"] for e in only],
                         [m for t, s, m in expected if s == "stream-1" and base + 1000 <= t <= base + 2001])
        self.assertEqual(error(lambda: self.logs.filter_log_events(
            logGroupName=group, logStreamNames=["a"], logStreamNamePrefix="a"))[0], "InvalidParameterException")

        # GetLogEvents: forward pages end when the same token comes back.
        forward, token = [], None
        for _ in range(100):
            kwargs = {"nextToken": token} if token else {}
            page = self.logs.get_log_events(logGroupName=group, logStreamName="stream-2",
                                            startFromHead=True, limit=64, **kwargs)
            forward.extend(e["message"] for e in page["events"])
            if page["nextForwardToken"] == token:
                break
            token = page["nextForwardToken"]
        self.assertEqual(forward, [m for _, s, m in expected if s == "stream-2"])
        # From the tail, backwards.
        tail = self.logs.get_log_events(logGroupName=group, logStreamName="stream-2", limit=10)
        self.assertEqual([e["message"] for e in tail["events"]], forward[-10:])
        older = self.logs.get_log_events(logGroupName=group, logStreamName="stream-2", limit=10,
                                         nextToken=tail["nextBackwardToken"])
        self.assertEqual([e["message"] for e in older["events"]], forward[-20:-10])

        streams = self.logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime",
                                                 descending=True)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in streams], ["stream-2", "stream-1", "stream-0"])
        self.assertEqual(streams[0]["firstEventTimestamp"], base + 2)
        self.assertEqual(streams[0]["lastEventTimestamp"], base + 2990 + 2)
        self.assertIn("lastIngestionTime", streams[0])
        page1 = self.logs.describe_log_streams(logGroupName=group, limit=2)
        page2 = self.logs.describe_log_streams(logGroupName=group, limit=2, nextToken=page1["nextToken"])
        self.assertEqual([s["logStreamName"] for s in page1["logStreams"] + page2["logStreams"]],
                         ["stream-0", "stream-1", "stream-2"])
        self.assertNotIn("nextToken", page2)
        [described] = self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        self.assertGreater(described["storedBytes"], 0)

    def test_pages_hold_at_most_one_megabyte(self):
        group, stream = "big", "s"
        self.logs.create_log_group(logGroupName=group)
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
        ts = now_ms()
        for b in range(3):
            self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
                {"timestamp": ts, "message": f"{b:02d}-{i:04d}-" + "x" * 990} for i in range(1000)])
        sizes, seen, token = [], [], None
        while True:
            kwargs = {"nextToken": token} if token else {}
            page = self.logs.get_log_events(logGroupName=group, logStreamName=stream,
                                            startFromHead=True, **kwargs)
            sizes.append(sum(len(e["message"]) for e in page["events"]))
            seen.extend(e["message"][:7] for e in page["events"])
            if page["nextForwardToken"] == token:
                break
            token = page["nextForwardToken"]
        self.assertTrue(all(size <= 1048576 for size in sizes), sizes)
        self.assertGreater(len(sizes), 3)
        self.assertEqual(seen, [f"{b:02d}-{i:04d}" for b in range(3) for i in range(1000)])
        pages = list(self.logs.get_paginator("filter_log_events").paginate(logGroupName=group))
        self.assertGreater(len(pages), 2)
        self.assertTrue(all(sum(len(e["message"]) for e in p["events"]) <= 1048576 for p in pages))
        self.assertEqual(sum(len(p["events"]) for p in pages), 3000)

    def test_put_log_events_rules(self):
        group, stream = "rules", "s"
        self.logs.create_log_group(logGroupName=group)
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
        put = lambda events: self.logs.put_log_events(logGroupName=group, logStreamName=stream,
                                                      logEvents=events)
        now = now_ms()
        r = put([{"timestamp": now - 15 * DAY_MS, "message": "too old"},
                 {"timestamp": now - 1000, "message": "fine"},
                 {"timestamp": now + 3 * 3600 * 1000, "message": "too new"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 1,
                                                      "tooNewLogEventStartIndex": 2})
        self.logs.put_retention_policy(logGroupName=group, retentionInDays=3)
        r = put([{"timestamp": now - 4 * DAY_MS, "message": "expired"},
                 {"timestamp": now, "message": "kept"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"expiredLogEventEndIndex": 1})
        r = put([{"timestamp": now, "message": "no rejections"}])
        self.assertNotIn("rejectedLogEventsInfo", r)
        self.assertEqual(error(lambda: self.logs.put_retention_policy(logGroupName=group,
                                                                     retentionInDays=4))[0],
                         "InvalidParameterException")

        def invalid(events):
            code, message = error(lambda: put(events))
            self.assertEqual(code, "InvalidParameterException", message)
            return message
        self.assertIn("chronological", invalid([{"timestamp": now, "message": "b"},
                                                {"timestamp": now - 1, "message": "a"}]))
        self.assertIn("24 hours", invalid([{"timestamp": now - 2 * DAY_MS, "message": "a"},
                                           {"timestamp": now, "message": "b"}]))
        invalid([{"timestamp": now, "message": "x"}] * 10001)
        put([{"timestamp": now, "message": "x"}] * 10000)
        at_limit = 1048576 - 2 * 26 - 1
        put([{"timestamp": now, "message": "x" * at_limit}, {"timestamp": now, "message": "y"}])
        invalid([{"timestamp": now, "message": "x" * (at_limit + 1)}, {"timestamp": now, "message": "y"}])
        # Sequence tokens are accepted and ignored.
        self.logs.put_log_events(logGroupName=group, logStreamName=stream, sequenceToken="whatever",
                                 logEvents=[{"timestamp": now, "message": "with token"}])
        self.assertEqual(error(lambda: self.logs.put_log_events(
            logGroupName=group, logStreamName="missing",
            logEvents=[{"timestamp": now, "message": "m"}]))[0], "ResourceNotFoundException")
        self.assertEqual(error(lambda: self.logs.put_log_events(
            logGroupName="missing", logStreamName=stream,
            logEvents=[{"timestamp": now, "message": "m"}]))[0], "ResourceNotFoundException")

    def test_disabled_key_fails_after_cache_expiry_then_recovers(self):
        group = "kms-state"
        key_arn = self.key_for(group)
        self.logs.create_log_group(logGroupName=group, kmsKeyId=key_arn)
        self.logs.create_log_stream(logGroupName=group, logStreamName="s")
        put = lambda m: self.logs.put_log_events(logGroupName=group, logStreamName="s",
                                                 logEvents=[{"timestamp": now_ms(), "message": m}])
        put("before")
        self.kms.disable_key(KeyId=key_arn)
        time.sleep(1.5)  # the server caches data keys for 1 s (--logs-data-key-cache-seconds)
        code, message = error(lambda: put("while disabled"))
        self.assertEqual(code, "DisabledException", message)
        self.assertEqual(error(lambda: self.logs.get_log_events(logGroupName=group,
                                                                logStreamName="s"))[0],
                         "DisabledException")
        self.assertEqual(error(lambda: self.logs.filter_log_events(logGroupName=group))[0],
                         "DisabledException")
        self.kms.enable_key(KeyId=key_arn)
        put("after")
        self.assertEqual([e["message"] for e in all_events(self.logs, group)], ["before", "after"])

    def test_associate_and_disassociate_keep_old_data_under_old_key(self):
        group = "assoc"
        self.logs.create_log_group(logGroupName=group)
        self.logs.create_log_stream(logGroupName=group, logStreamName="s")
        put = lambda m: self.logs.put_log_events(logGroupName=group, logStreamName="s",
                                                 logEvents=[{"timestamp": now_ms(), "message": m}])
        put("service-owned")
        key_arn = self.key_for(group)
        self.logs.associate_kms_key(logGroupName=group, kmsKeyId=key_arn)
        put("customer-key")
        self.logs.disassociate_kms_key(logGroupName=group)
        self.assertNotIn("kmsKeyId", self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0])
        put("service-owned-again")
        self.kms.disable_key(KeyId=key_arn)
        time.sleep(1.5)
        # The middle event is still under the disabled key.
        self.assertEqual(error(lambda: all_events(self.logs, group))[0], "DisabledException")
        self.kms.enable_key(KeyId=key_arn)
        self.assertEqual([e["message"] for e in all_events(self.logs, group)],
                         ["service-owned", "customer-key", "service-owned-again"])
        self.assertEqual(error(lambda: self.logs.disassociate_kms_key(
            logGroupName=group, resourceIdentifier=self.group_arn(group)))[0], "InvalidParameterException")

    def test_tags_policies_metric_filters(self):
        group = "tagged"
        self.logs.create_log_group(logGroupName=group, tags={"a": "1"})
        arn = self.group_arn(group)
        self.logs.tag_resource(resourceArn=arn, tags={"b": "2"})
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"a": "1", "b": "2"})
        self.logs.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.logs.tag_log_group(logGroupName=group, tags={"c": "3"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=group)["tags"], {"b": "2", "c": "3"})
        self.logs.untag_log_group(logGroupName=group, tags=["b"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"c": "3"})

        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
            "Action": ["logs:PutLogEvents"], "Resource": "*"}]})
        p = self.logs.put_resource_policy(policyName="r53", policyDocument=doc)["resourcePolicy"]
        self.assertEqual(p["policyName"], "r53")
        self.assertEqual([x["policyName"] for x in self.logs.describe_resource_policies()["resourcePolicies"]], ["r53"])
        self.logs.delete_resource_policy(policyName="r53")
        self.assertEqual(self.logs.describe_resource_policies()["resourcePolicies"], [])

        self.logs.put_metric_filter(
            logGroupName=group, filterName="errors", filterPattern='{ $.level = "ERROR" }',
            metricTransformations=[{"metricName": "Errors", "metricNamespace": "App",
                                    "metricValue": "1", "defaultValue": 0}])
        [f] = self.logs.describe_metric_filters(logGroupName=group)["metricFilters"]
        self.assertEqual(f["filterName"], "errors")
        self.assertEqual(f["metricTransformations"][0]["metricName"], "Errors")
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"], 1)
        self.assertEqual(error(lambda: self.logs.put_metric_filter(
            logGroupName=group, filterName="bad", filterPattern="{ $.x = ",
            metricTransformations=[{"metricName": "M", "metricNamespace": "N", "metricValue": "1"}]))[0],
            "InvalidParameterException")
        self.logs.delete_metric_filter(logGroupName=group, filterName="errors")
        self.assertEqual(self.logs.describe_metric_filters(logGroupName=group)["metricFilters"], [])

        r = self.logs.test_metric_filter(
            filterPattern="[ip, user, status = 4*, bytes]",
            logEventMessages=["127.0.0.1 frank 404 100", "127.0.0.1 frank 200 5", "10.0.0.1 bob 403 7"])
        self.assertEqual([m["eventNumber"] for m in r["matches"]], [1, 3])
        self.assertEqual(r["matches"][1]["extractedValues"],
                         {"$ip": "10.0.0.1", "$user": "bob", "$status": "403", "$bytes": "7"})

    def test_groups_listing_and_errors(self):
        for name in ["list/a", "list/b", "list/c"]:
            self.logs.create_log_group(logGroupName=name)
        self.assertEqual(error(lambda: self.logs.create_log_group(logGroupName="list/a"))[0],
                         "ResourceAlreadyExistsException")
        self.assertEqual(error(lambda: self.logs.create_log_group(logGroupName="aws/x"))[0],
                         "InvalidParameterException")
        self.assertEqual(error(lambda: self.logs.delete_log_group(logGroupName="list/none"))[0],
                         "ResourceNotFoundException")
        names = []
        for page in self.logs.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix="list/", PaginationConfig={"PageSize": 2}):
            names.extend(g["logGroupName"] for g in page["logGroups"])
        self.assertEqual(names, ["list/a", "list/b", "list/c"])
        pattern = self.logs.describe_log_groups(logGroupNamePattern="ist/b")["logGroups"]
        self.assertEqual([set(g) for g in pattern], [{"logGroupName", "creationTime", "arn"}])
        self.logs.delete_log_group(logGroupName="list/b")
        names = [g["logGroupName"] for g in self.logs.describe_log_groups(logGroupNamePrefix="list/")["logGroups"]]
        self.assertEqual(names, ["list/a", "list/c"])


    def test_iam_policies_decide_on_group_and_stream_arns(self):
        """CloudTrail's role policy shape: CreateLogStream and PutLogEvents on a stream prefix;
        a group-level action on the group ARN; aws:ResourceTag from the group's tags."""
        group = "authz"
        self.logs.create_log_group(logGroupName=group, tags={"env": "prod"})
        iam = self.server.client("iam")
        iam.create_user(UserName="log-writer")
        streams = f"{self.group_arn(group)}:log-stream:app-*"
        iam.put_user_policy(UserName="log-writer", PolicyName="logs", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": streams},
                {"Effect": "Allow", "Action": "logs:FilterLogEvents", "Resource": self.group_arn(group)},
                {"Effect": "Allow", "Action": "logs:ListTagsLogGroup", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}}}]}))
        key = iam.create_access_key(UserName="log-writer")["AccessKey"]
        writer = self.server.client("logs", key["AccessKeyId"], key["SecretAccessKey"])
        time.sleep(0.1)
        writer.create_log_stream(logGroupName=group, logStreamName="app-1")
        writer.put_log_events(logGroupName=group, logStreamName="app-1",
                              logEvents=[{"timestamp": now_ms(), "message": "allowed"}])
        code, message = error(lambda: writer.create_log_stream(logGroupName=group, logStreamName="other"))
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn(f"logs:CreateLogStream on resource: {self.group_arn(group)}:log-stream:other", message)
        self.assertEqual([e["message"] for e in writer.filter_log_events(logGroupName=group)["events"]],
                         ["allowed"])
        self.assertEqual(error(lambda: writer.delete_log_group(logGroupName=group))[0], "AccessDeniedException")
        self.assertEqual(error(lambda: writer.list_tags_log_group(logGroupName=group))[0], "AccessDeniedException")
        self.logs.tag_log_group(logGroupName=group, tags={"env": "dev"})
        self.assertEqual(writer.list_tags_log_group(logGroupName=group)["tags"], {"env": "dev"})


class LogsDurabilityTest(unittest.TestCase):
    def test_kill_9_keeps_acknowledged_events_and_no_plaintext_on_disk(self):
        server = KirokuServer().start()
        try:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="durable")
            needle = "kiroku-needle-" + base64.b32encode(os.urandom(10)).decode()
            acked = []
            lock = threading.Lock()
            stop = threading.Event()

            def writer(n):
                client = server.client("logs")
                client.create_log_stream(logGroupName="durable", logStreamName=f"w{n}")
                i = 0
                while not stop.is_set():
                    msg = f"{needle} writer {n} event {i}"
                    try:
                        client.put_log_events(logGroupName="durable", logStreamName=f"w{n}",
                                              logEvents=[{"timestamp": now_ms(), "message": msg}])
                    except Exception:  # the server died under us: not acknowledged
                        return
                    with lock:
                        acked.append(msg)
                    i += 1

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.0)
            server.stop(signal.SIGKILL)
            stop.set()
            for t in threads:
                t.join()
            self.assertGreater(len(acked), 10)

            for root, _, files in os.walk(server.data_dir):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        self.assertNotIn(needle.encode(), f.read(), os.path.join(root, name))

            server.start()
            logs = server.client("logs")
            found = {e["message"] for e in all_events(logs, "durable")}
            missing = [m for m in acked if m not in found]
            self.assertEqual(missing, [])
        finally:
            server.cleanup()

    def test_retention_deletes_old_data_and_deleted_key_leaves_it_unreadable(self):
        server = KirokuServer().start()
        try:
            logs = server.client("logs")
            kms = server.client("kms")
            account = server.client("sts").get_caller_identity()["Account"]
            logs.create_log_group(logGroupName="ret")
            logs.create_log_stream(logGroupName="ret", logStreamName="s")
            now = now_ms()
            logs.put_log_events(logGroupName="ret", logStreamName="s",
                                logEvents=[{"timestamp": now - 6 * DAY_MS, "message": "six days old"}])
            logs.put_log_events(logGroupName="ret", logStreamName="s",
                                logEvents=[{"timestamp": now, "message": "fresh"}])
            logs.put_retention_policy(logGroupName="ret", retentionInDays=7)

            group = "keyed"
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            arn = f"arn:aws:logs:{REGION}:{account}:log-group:{group}"
            kms.put_key_policy(KeyId=key_id, PolicyName="default",
                               Policy=json.dumps(logs_key_policy(account, arn)))
            logs.create_log_group(logGroupName=group, kmsKeyId=key_id)
            logs.create_log_stream(logGroupName=group, logStreamName="s")
            logs.put_log_events(logGroupName=group, logStreamName="s",
                                logEvents=[{"timestamp": now, "message": "secret"}])
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
            self.assertEqual(server.stop(), 0)

            # Eight days later: the six-day-old event is past its 7-day retention and the key's
            # deletion window has passed.
            later = datetime.timedelta(days=8)
            server.env = {"KIROKU_TEST_CLOCK_OFFSET_SECONDS": str(int(later.total_seconds()))}
            server.start()
            future = datetime.datetime.now(datetime.timezone.utc) + later
            with mock.patch.object(botocore.auth, "get_current_datetime", return_value=future):
                logs = server.client("logs")
                deadline = time.time() + 10
                while time.time() < deadline and "expired chunk" not in server.log():
                    time.sleep(0.1)
                self.assertIn("logs retention: deleted 2 expired chunk(s)", server.log())
                self.assertEqual(all_events(logs, "ret"), [])
                self.assertEqual(logs.describe_log_groups(logGroupNamePrefix="ret")["logGroups"][0]["storedBytes"], 0)
                code, message = error(lambda: all_events(logs, group))
                self.assertEqual(code, "AccessDeniedException", message)
                self.assertIn(arn, message)
        finally:
            server.cleanup()


# --- model conformance --------------------------------------------------------------------

SERVED = ["CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "PutRetentionPolicy",
          "DeleteRetentionPolicy", "AssociateKmsKey", "DisassociateKmsKey", "TagResource",
          "UntagResource", "ListTagsForResource", "TagLogGroup", "UntagLogGroup",
          "ListTagsLogGroup", "CreateLogStream", "DeleteLogStream", "DescribeLogStreams",
          "PutLogEvents", "GetLogEvents", "FilterLogEvents", "PutMetricFilter",
          "DescribeMetricFilters", "DeleteMetricFilter", "TestMetricFilter",
          "PutResourcePolicy", "DescribeResourcePolicies", "DeleteResourcePolicy"]


def conformance_errors(shape, value, path):
    """Where `value` (the raw JSON) departs from the botocore `shape`."""
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        errors = []
        for k, v in value.items():
            if k not in shape.members:
                errors.append(f"{path}.{k}: not a member of {shape.name}")
            else:
                errors.extend(conformance_errors(shape.members[k], v, f"{path}.{k}"))
        return errors
    if t == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [e for i, v in enumerate(value) for e in conformance_errors(shape.member, v, f"{path}[{i}]")]
    if t == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        return [e for k, v in value.items() for e in conformance_errors(shape.value, v, f"{path}[{k}]")]
    ok = {"string": lambda v: isinstance(v, str),
          "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
          "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
          "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          "boolean": lambda v: isinstance(v, bool),
          "timestamp": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
          "blob": lambda v: isinstance(v, str)}[t](value)
    return [] if ok else [f"{path}: {value!r} is not a {t}"]


class LogsModelConformanceTest(unittest.TestCase):
    def test_every_served_operation_answers_with_modelled_members(self):
        model = botocore.session.get_session().get_service_model("logs")
        for op in SERVED:  # every name is a real operation of the model
            model.operation_model(op)
        server = KirokuServer().start()
        try:
            logs = server.client("logs")
            kms = server.client("kms")
            account = server.client("sts").get_caller_identity()["Account"]
            seen = {}

            def capture(http_response, model, **_):
                seen.setdefault(model.name, []).append(http_response.content)
            logs.meta.events.register("after-call.logs.*", capture)

            g = "conf"
            arn = f"arn:aws:logs:{REGION}:{account}:log-group:{g}"
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            kms.put_key_policy(KeyId=key_id, PolicyName="default",
                               Policy=json.dumps(logs_key_policy(account, arn)))
            now = now_ms()
            logs.create_log_group(logGroupName=g, tags={"t": "v"})
            logs.put_retention_policy(logGroupName=g, retentionInDays=30)
            logs.associate_kms_key(logGroupName=g, kmsKeyId=key_id)
            logs.create_log_stream(logGroupName=g, logStreamName="s")
            logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[
                {"timestamp": now - 20 * DAY_MS, "message": "old"},
                {"timestamp": now, "message": '{"a": 1}'}])
            logs.get_log_events(logGroupName=g, logStreamName="s", startFromHead=True)
            logs.filter_log_events(logGroupName=g, filterPattern="{ $.a = 1 }", limit=1)
            logs.describe_log_groups()
            logs.describe_log_groups(logGroupNamePattern="con")
            logs.describe_log_streams(logGroupName=g)
            logs.tag_resource(resourceArn=arn, tags={"u": "w"})
            logs.untag_resource(resourceArn=arn, tagKeys=["u"])
            logs.list_tags_for_resource(resourceArn=arn)
            logs.tag_log_group(logGroupName=g, tags={"x": "y"})
            logs.untag_log_group(logGroupName=g, tags=["x"])
            logs.list_tags_log_group(logGroupName=g)
            logs.put_metric_filter(logGroupName=g, filterName="f", filterPattern="[a, b]",
                                   metricTransformations=[{"metricName": "m", "metricNamespace": "n",
                                                           "metricValue": "$b",
                                                           "dimensions": {"A": "$a"}}])
            logs.describe_metric_filters(logGroupName=g)
            logs.test_metric_filter(filterPattern="[a, b]", logEventMessages=["1 2"])
            logs.delete_metric_filter(logGroupName=g, filterName="f")
            logs.put_resource_policy(policyName="p", policyDocument='{"Version": "2012-10-17", "Statement": []}')
            logs.describe_resource_policies()
            logs.delete_resource_policy(policyName="p")
            logs.disassociate_kms_key(logGroupName=g)
            logs.delete_retention_policy(logGroupName=g)
            logs.delete_log_stream(logGroupName=g, logStreamName="s")
            logs.delete_log_group(logGroupName=g)

            self.assertEqual(sorted(seen), sorted(SERVED))
            problems = []
            for op, bodies in seen.items():
                output = model.operation_model(op).output_shape
                for body in bodies:
                    value = json.loads(body) if body else {}
                    if output is None:
                        if value:
                            problems.append(f"{op}: no output shape but {value}")
                        continue
                    problems.extend(conformance_errors(output, value, op))
            self.assertEqual(problems, [])
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
