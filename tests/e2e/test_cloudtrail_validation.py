"""End to end: log file integrity validation and SSE-KMS log files (issue 8, item 4).

A trail with --enable-log-file-validation gets signed, chained digest files; the real
`aws cloudtrail validate-logs` (which reads ListPublicKeys and the bucket through
AWS_ENDPOINT_URL) accepts them, and reports a log file that was altered or deleted. A trail with
a KmsKeyId writes SSE-KMS log files whose encryption context carries aws:cloudtrail:arn, which
the documented CloudTrail key policy conditions on."""
import base64
import datetime
import gzip
import hashlib
import json
import os
import sys
import time
import unittest

import botocore.exceptions
import rsa

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, REGION, wait_for  # noqa: E402
from tutorial_documents import cloudtrail_bucket_policy  # noqa: E402

FAST = ["--trail-log-file-interval-ms", "300", "--trail-digest-interval-seconds", "2"]


def bucket_policy(bucket, account, trail_arn):
    return json.dumps(cloudtrail_bucket_policy(bucket, account, trail_arn))


def cloudtrail_key_policy(account, trail_arn):
    """The key policy AWS documents for CloudTrail (create-kms-key-policy-for-cloudtrail)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                      f"arn:aws:cloudtrail:*:{account}:trail/*"}}},
        {"Sid": "Allow CloudTrail to describe key", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey",
         "Resource": "*"},
        {"Sid": "Allow principals in the account to decrypt log files", "Effect": "Allow",
         "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                      f"arn:aws:cloudtrail:*:{account}:trail/*"}}}]})


class ValidationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer(extra_args=FAST).start()
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.s3 = cls.server.client("s3")
        cls.ct = cls.server.client("cloudtrail")
        cls.kms = cls.server.client("kms")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def make_trail(self, name, *extra):
        arn = f"arn:aws:cloudtrail:{REGION}:{self.account}:trail/{name}"
        bucket = f"validation-{name}-{self.account}"
        self.s3.create_bucket(Bucket=bucket,
                              CreateBucketConfiguration={"LocationConstraint": REGION})
        self.s3.put_bucket_policy(Bucket=bucket, Policy=bucket_policy(bucket, self.account, arn))
        self.server.aws("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", bucket,
                        "--enable-log-file-validation", *extra)
        self.addCleanup(self.ct.delete_trail, Name=name)
        self.server.aws("cloudtrail", "start-logging", "--name", name)
        return arn, bucket

    def objects(self, bucket, kind):
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=f"AWSLogs/{self.account}/{kind}/"):
            keys.extend(o["Key"] for o in page.get("Contents", []))
        return keys

    def digests(self, bucket):
        out = []
        for key in self.objects(bucket, "CloudTrail-Digest"):
            obj = self.s3.get_object(Bucket=bucket, Key=key)
            out.append((key, json.loads(gzip.decompress(obj["Body"].read())), obj["Metadata"]))
        return out

    def wait_for_digested_log_files(self, bucket, count):
        """Waits until `count` log files are listed in digests, and one more digest follows."""
        def ready():
            digests = self.digests(bucket)
            listed = [f["s3Object"] for _, d, _ in digests for f in d["logFiles"]]
            if len(listed) < count:
                return None
            last_with_files = max(i for i, (_, d, _) in enumerate(digests) if d["logFiles"])
            return digests if last_with_files < len(digests) - 1 else None
        digests = wait_for(ready, timeout=30)
        self.assertTrue(digests, f"no digests listing {count} log files:\n{self.digests(bucket)}")
        return digests

    def validate(self, arn, start):
        return self.server.aws("cloudtrail", "validate-logs", "--trail-arn", arn,
                               "--start-time", start, "--verbose", check=False)

    def test_validate_logs_passes_then_reports_altered_and_deleted_log_files(self):
        start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2))
        start = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        arn, bucket = self.make_trail("validated")
        # Two rounds of calls, a log-file interval apart: at least two log files.
        self.kms.create_key(Description="first")
        wait_for(lambda: len(self.objects(bucket, "CloudTrail")) >= 1, timeout=30)
        self.kms.create_key(Description="second")
        wait_for(lambda: len(self.objects(bucket, "CloudTrail")) >= 2, timeout=30)
        digests = self.wait_for_digested_log_files(bucket, 2)

        # The digest files are what CloudTrail writes.
        key, first, meta = digests[0]
        self.assertRegex(key, rf"^AWSLogs/{self.account}/CloudTrail-Digest/{REGION}/\d{{4}}/\d{{2}}/"
                              rf"\d{{2}}/{self.account}_CloudTrail-Digest_{REGION}_validated_"
                              rf"{REGION}_\d{{8}}T\d{{6}}Z\.json\.gz$")
        self.assertIsNone(first["previousDigestSignature"])
        self.assertEqual(first["digestS3Object"], key)
        self.assertEqual(first["digestSignatureAlgorithm"], "SHA256withRSA")
        self.assertEqual(meta["signature-algorithm"], "SHA256withRSA")
        self.assertEqual(digests[1][1]["previousDigestSignature"], meta["signature"])
        status = self.ct.get_trail_status(Name="validated")
        self.assertIn("LatestDigestDeliveryTime", status)
        self.assertNotIn("LatestDigestDeliveryError", status)

        rc, out, err = self.validate(arn, start)
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("INVALID", out + err)
        self.assertRegex(out, r"\d+/\d+ digest files valid")
        self.assertRegex(out, r"\d+/\d+ log files valid")
        listed = [f["s3Object"] for _, d, _ in digests for f in d["logFiles"]]
        for log_key in listed:
            self.assertIn(f"Log file\ts3://{bucket}/{log_key}\tvalid", out)

        # Alter one log file (valid gzip, different records) and delete another.
        altered, deleted = listed[0], listed[1]
        body = json.loads(gzip.decompress(self.s3.get_object(Bucket=bucket, Key=altered)["Body"].read()))
        body["Records"][0]["eventName"] = "NothingHappened"
        self.s3.put_object(Bucket=bucket, Key=altered, Body=gzip.compress(json.dumps(body).encode()))
        self.s3.delete_object(Bucket=bucket, Key=deleted)
        rc, out, err = self.validate(arn, start)
        self.assertNotEqual(rc, 0, out + err)
        self.assertIn(f"Log file\ts3://{bucket}/{altered}\tINVALID: hash value doesn't match", err)
        self.assertIn(f"Log file\ts3://{bucket}/{deleted}\tINVALID: not found", err)
        self.assertRegex(out, r"log files valid, 2/\d+ log files INVALID")

    def test_multi_region_trail_digests_each_source_region(self):
        start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2))
        start = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        other = "eu-west-1"
        arn, bucket = self.make_trail("everywhere", "--is-multi-region-trail")
        self.server.client("kms", region=other).create_key(Description="in ireland")

        def other_region_digest_with_files():
            for key, d, _ in self.digests(bucket):
                if f"/CloudTrail-Digest/{other}/" in key and d["logFiles"]:
                    return key, d
            return None
        found = wait_for(other_region_digest_with_files, timeout=30)
        self.assertTrue(found, self.objects(bucket, "CloudTrail-Digest"))
        key, digest = found
        # Named for the source region, and for the trail and its home region.
        self.assertIn(f"_CloudTrail-Digest_{other}_everywhere_{REGION}_", key)
        for f in digest["logFiles"]:
            self.assertIn(f"/CloudTrail/{other}/", f["s3Object"])
        # Signed with the source region's key, which ListPublicKeys there returns.
        fingerprints = {k["Fingerprint"] for k in self.server.client(
            "cloudtrail", region=other).list_public_keys()["PublicKeyList"]}
        self.assertIn(digest["digestPublicKeyFingerprint"], fingerprints)
        # validate-logs checks that region's chain when asked for it.
        def validated():
            rc, out, err = self.server.aws("cloudtrail", "validate-logs", "--trail-arn", arn,
                                           "--start-time", start, "--region", other, "--verbose",
                                           check=False)
            return (rc, out, err) if rc == 0 and f"/CloudTrail/{other}/" in out else None
        result = wait_for(validated, timeout=20, interval=1)
        self.assertTrue(result, self.server.aws("cloudtrail", "validate-logs", "--trail-arn", arn,
                                                "--start-time", start, "--region", other,
                                                check=False))
        self.assertNotIn("INVALID", result[1] + result[2])

    def test_altered_digest_fails_its_signature(self):
        start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2))
        start = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        arn, bucket = self.make_trail("digestaltered")
        self.kms.create_key(Description="x")
        digests = self.wait_for_digested_log_files(bucket, 1)
        key, digest, meta = digests[-1]
        digest["logFiles"] = []  # hide the log files, keep the signature
        self.s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(json.dumps(digest).encode()),
                           Metadata=meta)
        rc, out, err = self.validate(arn, start)
        self.assertNotEqual(rc, 0, out + err)
        self.assertIn(f"Digest file\ts3://{bucket}/{key}\tINVALID: signature verification failed",
                      err)

    def test_list_public_keys_returns_the_signing_key(self):
        _, bucket = self.make_trail("keys")
        digests = wait_for(lambda: self.digests(bucket), timeout=30)
        self.assertTrue(digests)
        rc, out, _ = self.server.aws("cloudtrail", "list-public-keys")
        keys = json.loads(out)["PublicKeyList"]
        self.assertEqual(len(keys), 1)
        der = base64.b64decode(keys[0]["Value"])
        rsa.PublicKey.load_pkcs1(der, format="DER")  # PKCS#1, as validate-logs loads it
        self.assertEqual(keys[0]["Fingerprint"], hashlib.md5(der).hexdigest())
        self.assertEqual(digests[0][1]["digestPublicKeyFingerprint"], keys[0]["Fingerprint"])
        self.assertIn("ValidityStartTime", keys[0])
        # Another region has its own key.
        other = self.server.client("cloudtrail", region="eu-west-1").list_public_keys()
        self.assertNotEqual(other["PublicKeyList"][0]["Fingerprint"], keys[0]["Fingerprint"])
        # A window that ended before the key existed holds no key; a reversed one is an error.
        old = self.ct.list_public_keys(StartTime=datetime.datetime(2001, 1, 1),
                                       EndTime=datetime.datetime(2001, 1, 2))
        self.assertEqual(old["PublicKeyList"], [])
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.ct.list_public_keys(StartTime=datetime.datetime(2001, 1, 2),
                                     EndTime=datetime.datetime(2001, 1, 1))
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidTimeRangeException")

    def test_sse_kms_trail_log_files(self):
        start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2))
        start = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        name = "encrypted"
        arn = f"arn:aws:cloudtrail:{REGION}:{self.account}:trail/{name}"
        key = self.kms.create_key(Description="CloudTrail log files")["KeyMetadata"]
        self.kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default",
                                Policy=cloudtrail_key_policy(self.account, arn))
        _, bucket = self.make_trail(name, "--kms-key-id", key["KeyId"])
        self.kms.list_keys()
        self.assertTrue(wait_for(lambda: self.objects(bucket, "CloudTrail"), timeout=30))
        log_key = self.objects(bucket, "CloudTrail")[0]
        head = self.s3.head_object(Bucket=bucket, Key=log_key)
        self.assertEqual(head["ServerSideEncryption"], "aws:kms")
        self.assertEqual(head["SSEKMSKeyId"], key["Arn"])
        records = json.loads(gzip.decompress(
            self.s3.get_object(Bucket=bucket, Key=log_key)["Body"].read()))["Records"]
        self.assertTrue(records)
        # `aws s3 cp` decrypts it for the root user, and validate-logs reads the encrypted
        # log and digest files.
        target = os.path.join(self.server.data_dir, "downloaded.json.gz")
        self.server.aws("s3", "cp", f"s3://{bucket}/{log_key}", target)
        with gzip.open(target) as f:
            self.assertIn("Records", json.load(f))
        digests = self.wait_for_digested_log_files(bucket, 1)
        digest_head = self.s3.head_object(Bucket=bucket, Key=digests[0][0])
        self.assertEqual(digest_head["ServerSideEncryption"], "aws:kms")
        rc, out, err = self.validate(arn, start)
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("INVALID", out + err)

    def test_s3_encryption_context_is_bound_to_the_object(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="reader")
        keys = iam.create_access_key(UserName="reader")["AccessKey"]
        iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
        key = self.kms.create_key()["KeyMetadata"]
        self.kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.account}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{self.account}:user/reader"},
                 "Action": "kms:Decrypt", "Resource": "*",
                 "Condition": {"StringEquals": {"kms:EncryptionContext:project": "blue"}}}]}))
        bucket = f"context-{self.account}"
        self.s3.create_bucket(Bucket=bucket,
                              CreateBucketConfiguration={"LocationConstraint": REGION})
        context = base64.b64encode(json.dumps({"project": "blue"}).encode()).decode()
        put = self.s3.put_object(Bucket=bucket, Key="with", Body=b"blue data",
                                 ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"],
                                 SSEKMSEncryptionContext=context)
        self.assertEqual(json.loads(base64.b64decode(put["SSEKMSEncryptionContext"])),
                         {"project": "blue"})
        self.s3.put_object(Bucket=bucket, Key="without", Body=b"plain data",
                           ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
        reader = self.server.client("s3", keys["AccessKeyId"], keys["SecretAccessKey"])
        self.assertEqual(reader.get_object(Bucket=bucket, Key="with")["Body"].read(), b"blue data")
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            reader.get_object(Bucket=bucket, Key="without")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")
        # The same through the CLI's --ssekms-encryption-context.
        body = os.path.join(self.server.data_dir, "cli-body.txt")
        with open(body, "w") as f:
            f.write("cli data")
        self.server.aws("s3api", "put-object", "--bucket", bucket, "--key", "cli", "--body",
                        body, "--server-side-encryption", "aws:kms", "--ssekms-key-id",
                        key["KeyId"], "--ssekms-encryption-context", context)
        reader.get_object(Bucket=bucket, Key="cli")
        for bad in ({"ServerSideEncryption": "AES256", "SSEKMSEncryptionContext": context},
                    {"ServerSideEncryption": "aws:kms", "SSEKMSEncryptionContext": "not-base64!"},
                    {"ServerSideEncryption": "aws:kms", "SSEKMSEncryptionContext":
                     base64.b64encode(b'{"n": 1}').decode()}):
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                self.s3.put_object(Bucket=bucket, Key="bad", Body=b"x", **bad)
            self.assertEqual(e.exception.response["Error"]["Code"], "InvalidArgument", bad)


if __name__ == "__main__":
    unittest.main()
