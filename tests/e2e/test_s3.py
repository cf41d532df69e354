"""End to end: S3 (issue 7) with the real aws CLI, boto3, curl and hand-made requests.

`aws s3` flows (mb, cp up and down for small and 20 MB files, ls with prefixes, sync, rm
--recursive), s3api bucket calls with the documented CloudTrail bucket policy, presigned URLs
fetched with curl, an IAM user denied and then allowed by a bucket policy, S3's XML errors,
virtual-hosted addressing, aws-chunked signed uploads, and no plaintext in the data dir.
"""
import datetime
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from tutorial_documents import cloudtrail_bucket_policy  # noqa: E402
from kiroku_server import error_of, KirokuServer, REGION  # noqa: E402

MARKER = b"KIROKU-PLAINTEXT-MARKER-7f3a"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class S3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.s3 = cls.server.client("s3")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.tmp = tempfile.mkdtemp(prefix="kiroku-s3-e2e-")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        subprocess.run(["rm", "-rf", cls.tmp])

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return p

    # ---- aws s3 --------------------------------------------------------------------------

    def test_cli_mb_cp_ls_sync_rm(self):
        aws = self.server.aws
        aws("s3", "mb", "s3://cli-bucket")
        _, out, _ = aws("s3", "ls")
        self.assertIn("cli-bucket", out)

        small = self.write("small.txt", b"hello from kiroku\n")
        big_data = os.urandom(20 * 1024 * 1024 + 12345)
        big = self.write("big.bin", big_data)
        aws("s3", "cp", small, "s3://cli-bucket/docs/small.txt")
        aws("s3", "cp", big, "s3://cli-bucket/data/big.bin")  # multipart above 8 MB
        aws("s3", "cp", "s3://cli-bucket/docs/small.txt", self.path("small.down"))
        aws("s3", "cp", "s3://cli-bucket/data/big.bin", self.path("big.down"))
        with open(self.path("small.down"), "rb") as f:
            self.assertEqual(f.read(), b"hello from kiroku\n")
        self.assertEqual(sha256_file(self.path("big.down")), hashlib.sha256(big_data).hexdigest())
        head = self.s3.head_object(Bucket="cli-bucket", Key="data/big.bin")
        self.assertEqual(head["ContentLength"], len(big_data))
        self.assertRegex(head["ETag"], r'^"[0-9a-f]{32}-3"$')  # 8 MB parts: 3 of them
        self.assertEqual(head["ServerSideEncryption"], "AES256")
        # A copy inside S3 above 8 MB is a multipart copy (UploadPartCopy with byte ranges).
        aws("s3", "cp", "s3://cli-bucket/data/big.bin", "s3://cli-bucket/copies/big.bin")
        copy = self.s3.head_object(Bucket="cli-bucket", Key="copies/big.bin")
        self.assertEqual(copy["ContentLength"], len(big_data))
        self.assertRegex(copy["ETag"], r'^"[0-9a-f]{32}-3"$')
        body = self.s3.get_object(Bucket="cli-bucket", Key="copies/big.bin")["Body"].read()
        self.assertEqual(hashlib.sha256(body).hexdigest(), hashlib.sha256(big_data).hexdigest())

        _, out, _ = aws("s3", "ls", "s3://cli-bucket/")
        self.assertIn("PRE data/", out)
        self.assertIn("PRE docs/", out)
        _, out, _ = aws("s3", "ls", "s3://cli-bucket/docs/")
        self.assertIn("small.txt", out)
        self.assertNotIn("big.bin", out)
        _, out, _ = aws("s3", "ls", "s3://cli-bucket", "--recursive")
        self.assertIn("data/big.bin", out)
        self.assertIn(str(len(big_data)), out)

        tree = os.path.join(self.tmp, "tree")
        for name in ["a.txt", "sub/b.txt", "sub/deeper/c.txt", "with space+plus.txt"]:
            self.write(os.path.join("tree", name), f"content of {name}".encode())
        aws("s3", "sync", tree, "s3://cli-bucket/tree")
        _, out, _ = aws("s3", "sync", tree, "s3://cli-bucket/tree")
        self.assertEqual(out.strip(), "")  # nothing changed: nothing uploaded again
        down = os.path.join(self.tmp, "tree-down")
        aws("s3", "sync", "s3://cli-bucket/tree", down)
        for name in ["a.txt", "sub/b.txt", "sub/deeper/c.txt", "with space+plus.txt"]:
            with open(os.path.join(down, name), "rb") as f:
                self.assertEqual(f.read(), f"content of {name}".encode())

        code, _, err = aws("s3", "rb", "s3://cli-bucket", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("BucketNotEmpty", err)
        aws("s3", "rm", "s3://cli-bucket", "--recursive")
        _, out, _ = aws("s3", "ls", "s3://cli-bucket", "--recursive")
        self.assertEqual(out.strip(), "")
        aws("s3", "rb", "s3://cli-bucket")
        _, out, _ = aws("s3", "ls")
        self.assertNotIn("cli-bucket", out)

    # ---- s3api and CloudTrail's bucket policy ---------------------------------------------

    def test_s3api_bucket_calls_and_cloudtrail_policy(self):
        aws = self.server.aws
        bucket = f"trail-logs-{self.account}"
        aws("s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration",
            f"LocationConstraint={REGION}")
        _, out, _ = aws("s3api", "get-bucket-location", "--bucket", bucket)
        self.assertEqual(json.loads(out)["LocationConstraint"], REGION)
        trail = f"arn:aws:cloudtrail:{REGION}:{self.account}:trail/management-events"
        policy = cloudtrail_bucket_policy(bucket, self.account, trail)
        policy_file = self.write("bucket-policy.json", json.dumps(policy).encode())
        aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", f"file://{policy_file}")
        _, out, _ = aws("s3api", "get-bucket-policy", "--bucket", bucket, "--query", "Policy",
                        "--output", "text")
        self.assertEqual(json.loads(out), policy)
        _, out, _ = aws("s3api", "get-bucket-acl", "--bucket", bucket)
        acl = json.loads(out)
        self.assertEqual(acl["Grants"][0]["Permission"], "FULL_CONTROL")
        self.assertEqual(acl["Owner"]["ID"], self.account)

        # A policy for another bucket's objects, or a malformed one, is refused.
        bad = dict(policy, Statement=[dict(policy["Statement"][0], Resource="arn:aws:s3:::other")])
        code, _, err = aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy",
                           json.dumps(bad), check=False)
        self.assertIn("MalformedPolicy", err)
        code, _, err = aws("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "{",
                           check=False)
        self.assertIn("MalformedPolicy", err)

        aws("s3api", "put-bucket-encryption", "--bucket", bucket,
            "--server-side-encryption-configuration",
            '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}')
        _, out, _ = aws("s3api", "get-bucket-encryption", "--bucket", bucket)
        self.assertEqual(json.loads(out)["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        aws("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging",
            "TagSet=[{Key=team,Value=audit}]")
        _, out, _ = aws("s3api", "get-bucket-tagging", "--bucket", bucket)
        self.assertEqual(json.loads(out)["TagSet"], [{"Key": "team", "Value": "audit"}])
        aws("s3api", "delete-bucket-tagging", "--bucket", bucket)
        self.assertEqual(error_of(lambda: self.s3.get_bucket_tagging(Bucket=bucket)),
                         ("NoSuchTagSet", 404))
        aws("s3api", "delete-bucket-policy", "--bucket", bucket)
        self.assertEqual(error_of(lambda: self.s3.get_bucket_policy(Bucket=bucket)),
                         ("NoSuchBucketPolicy", 404))
        _, out, _ = aws("s3api", "list-buckets")
        self.assertIn(bucket, [b["Name"] for b in json.loads(out)["Buckets"]])
        aws("s3api", "head-bucket", "--bucket", bucket)
        aws("s3api", "delete-bucket", "--bucket", bucket)

    def test_objects_with_boto3(self):
        s3 = self.s3
        s3.create_bucket(Bucket="objects-bucket",
                         CreateBucketConfiguration={"LocationConstraint": REGION})
        body = bytes(range(256)) * 40
        put = s3.put_object(Bucket="objects-bucket", Key="k/one.bin", Body=body,
                            ContentType="application/x-test", Metadata={"origin": "e2e"},
                            ACL="bucket-owner-full-control")
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        got = s3.get_object(Bucket="objects-bucket", Key="k/one.bin")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "application/x-test")
        self.assertEqual(got["Metadata"], {"origin": "e2e"})
        ranged = s3.get_object(Bucket="objects-bucket", Key="k/one.bin", Range="bytes=100-299")
        self.assertEqual(ranged["Body"].read(), body[100:300])
        self.assertEqual(ranged["ContentRange"], f"bytes 100-299/{len(body)}")
        suffix = s3.get_object(Bucket="objects-bucket", Key="k/one.bin", Range="bytes=-10")
        self.assertEqual(suffix["Body"].read(), body[-10:])
        self.assertEqual(error_of(lambda: s3.get_object(Bucket="objects-bucket", Key="k/one.bin",
                                                        Range=f"bytes={len(body)}-")),
                         ("InvalidRange", 416))
        self.assertEqual(error_of(lambda: s3.get_object(Bucket="objects-bucket", Key="k/one.bin",
                                                        IfMatch='"0000"')),
                         ("PreconditionFailed", 412))
        self.assertEqual(error_of(lambda: s3.get_object(Bucket="objects-bucket", Key="k/one.bin",
                                                        IfNoneMatch=put["ETag"])),
                         ("304", 304))

        # One PutObject above the 8 MiB limit of the buffered (JSON/Query) path streams too.
        large = os.urandom(12 * 1024 * 1024 + 3)
        s3.put_object(Bucket="objects-bucket", Key="k/large.bin", Body=large)
        self.assertEqual(s3.get_object(Bucket="objects-bucket", Key="k/large.bin")["Body"].read(), large)
        s3.delete_object(Bucket="objects-bucket", Key="k/large.bin")

        s3.copy_object(Bucket="objects-bucket", Key="k/copy.bin",
                       CopySource={"Bucket": "objects-bucket", "Key": "k/one.bin"})
        self.assertEqual(s3.get_object(Bucket="objects-bucket", Key="k/copy.bin")["Body"].read(), body)

        for i in range(7):
            s3.put_object(Bucket="objects-bucket", Key=f"page/{i:02d}", Body=b"x")
        keys, token = [], None
        while True:
            kwargs = {"Bucket": "objects-bucket", "Prefix": "page/", "MaxKeys": 3}
            if token:
                kwargs["ContinuationToken"] = token
            page = s3.list_objects_v2(**kwargs)
            keys += [o["Key"] for o in page.get("Contents", [])]
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        self.assertEqual(keys, [f"page/{i:02d}" for i in range(7)])
        after = s3.list_objects_v2(Bucket="objects-bucket", Prefix="page/", StartAfter="page/04")
        self.assertEqual([o["Key"] for o in after["Contents"]], ["page/05", "page/06"])
        v1 = s3.list_objects(Bucket="objects-bucket", Delimiter="/")
        self.assertEqual(sorted(p["Prefix"] for p in v1["CommonPrefixes"]), ["k/", "page/"])

        deleted = s3.delete_objects(Bucket="objects-bucket", Delete={
            "Objects": [{"Key": f"page/{i:02d}"} for i in range(7)]})
        self.assertEqual(len(deleted["Deleted"]), 7)
        s3.delete_object(Bucket="objects-bucket", Key="k/copy.bin")
        s3.delete_object(Bucket="objects-bucket", Key="k/copy.bin")  # 204 again, as S3 does

        upload = s3.create_multipart_upload(Bucket="objects-bucket", Key="mpu")
        part = s3.upload_part(Bucket="objects-bucket", Key="mpu", UploadId=upload["UploadId"],
                              PartNumber=1, Body=b"only part")
        listed = s3.list_parts(Bucket="objects-bucket", Key="mpu", UploadId=upload["UploadId"])
        self.assertEqual([p["PartNumber"] for p in listed["Parts"]], [1])
        s3.complete_multipart_upload(Bucket="objects-bucket", Key="mpu", UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertEqual(s3.get_object(Bucket="objects-bucket", Key="mpu")["Body"].read(), b"only part")
        aborted = s3.create_multipart_upload(Bucket="objects-bucket", Key="gone")
        s3.abort_multipart_upload(Bucket="objects-bucket", Key="gone", UploadId=aborted["UploadId"])
        self.assertEqual(error_of(lambda: s3.list_parts(Bucket="objects-bucket", Key="gone",
                                                        UploadId=aborted["UploadId"])),
                         ("NoSuchUpload", 404))

    def test_upload_part_copy_with_ranges(self):
        s3 = self.s3
        s3.create_bucket(Bucket="part-copy", CreateBucketConfiguration={"LocationConstraint": REGION})
        source = os.urandom(6 * 1024 * 1024)
        s3.put_object(Bucket="part-copy", Key="source", Body=source)
        upload = s3.create_multipart_upload(Bucket="part-copy", Key="target")["UploadId"]
        first = s3.upload_part_copy(Bucket="part-copy", Key="target", UploadId=upload, PartNumber=1,
                                    CopySource={"Bucket": "part-copy", "Key": "source"},
                                    CopySourceRange="bytes=0-5242879")["CopyPartResult"]
        second = s3.upload_part_copy(Bucket="part-copy", Key="target", UploadId=upload, PartNumber=2,
                                     CopySource="part-copy/source",
                                     CopySourceRange=f"bytes=5242880-{len(source) - 1}")["CopyPartResult"]
        self.assertEqual(first["ETag"], '"' + hashlib.md5(source[:5242880]).hexdigest() + '"')
        s3.complete_multipart_upload(Bucket="part-copy", Key="target", UploadId=upload,
                                     MultipartUpload={"Parts": [
                                         {"PartNumber": 1, "ETag": first["ETag"]},
                                         {"PartNumber": 2, "ETag": second["ETag"]}]})
        self.assertEqual(s3.get_object(Bucket="part-copy", Key="target")["Body"].read(), source)
        # Ranges outside the object, malformed ranges and a missing source are refused.
        upload = s3.create_multipart_upload(Bucket="part-copy", Key="bad")["UploadId"]
        for source_range, code in ((f"bytes=0-{len(source)}", "InvalidArgument"),
                                   ("bytes=10-5", "InvalidArgument"), ("0-10", "InvalidArgument")):
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                s3.upload_part_copy(Bucket="part-copy", Key="bad", UploadId=upload, PartNumber=1,
                                    CopySource="part-copy/source", CopySourceRange=source_range)
            self.assertEqual(e.exception.response["Error"]["Code"], code, source_range)
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            s3.upload_part_copy(Bucket="part-copy", Key="bad", UploadId=upload, PartNumber=1,
                                CopySource="part-copy/missing")
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchKey")
        self.assertEqual(s3.list_parts(Bucket="part-copy", Key="bad", UploadId=upload).get("Parts", []), [])

    def test_object_tagging(self):
        s3 = self.s3
        s3.create_bucket(Bucket="tagged-objects", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket="tagged-objects", Key="a", Body=b"x", Tagging="team=blue&cost%20center=42")
        self.assertEqual(s3.get_object(Bucket="tagged-objects", Key="a")["TagCount"], 2)
        tags = s3.get_object_tagging(Bucket="tagged-objects", Key="a")["TagSet"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("cost center", "42"), ("team", "blue")])
        # A copy keeps the tags, unless the tagging directive replaces them.
        s3.copy_object(Bucket="tagged-objects", Key="copy", CopySource="tagged-objects/a")
        self.assertEqual(len(s3.get_object_tagging(Bucket="tagged-objects", Key="copy")["TagSet"]), 2)
        s3.copy_object(Bucket="tagged-objects", Key="replaced", CopySource="tagged-objects/a",
                       TaggingDirective="REPLACE", Tagging="only=one")
        self.assertEqual(s3.get_object_tagging(Bucket="tagged-objects", Key="replaced")["TagSet"],
                         [{"Key": "only", "Value": "one"}])
        # The CLI replaces the set; the object's bytes stay.
        self.server.aws("s3api", "put-object-tagging", "--bucket", "tagged-objects", "--key", "a",
                        "--tagging", "TagSet=[{Key=env,Value=prod}]")
        self.assertEqual(s3.get_object_tagging(Bucket="tagged-objects", Key="a")["TagSet"],
                         [{"Key": "env", "Value": "prod"}])
        self.assertEqual(s3.get_object(Bucket="tagged-objects", Key="a")["Body"].read(), b"x")
        s3.delete_object_tagging(Bucket="tagged-objects", Key="a")
        self.assertEqual(s3.get_object_tagging(Bucket="tagged-objects", Key="a")["TagSet"], [])
        self.assertNotIn("TagCount", s3.get_object(Bucket="tagged-objects", Key="a"))
        # Errors: bad keys, duplicates, too many, a missing object.
        for tagging in ("aws:x=1", "a=1&a=2", "&".join(f"k{i}=v" for i in range(11))):
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                s3.put_object(Bucket="tagged-objects", Key="bad", Body=b"x", Tagging=tagging)
            self.assertIn(e.exception.response["Error"]["Code"], ("InvalidTag", "BadRequest"), tagging)
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            s3.put_object_tagging(Bucket="tagged-objects", Key="missing",
                                  Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        self.assertEqual(e.exception.response["Error"]["Code"], "NoSuchKey")
        with self.assertRaises(botocore.exceptions.ClientError):
            s3.head_object(Bucket="tagged-objects", Key="bad")

    def test_errors(self):
        s3 = self.s3
        self.assertEqual(error_of(lambda: s3.get_object(Bucket="no-such-bucket-x", Key="k")),
                         ("NoSuchBucket", 404))
        s3.create_bucket(Bucket="errors-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        self.assertEqual(error_of(lambda: s3.get_object(Bucket="errors-bucket", Key="missing")),
                         ("NoSuchKey", 404))
        self.assertEqual(error_of(lambda: s3.head_object(Bucket="errors-bucket", Key="missing")),
                         ("404", 404))  # HEAD errors carry no body
        self.assertEqual(error_of(lambda: s3.create_bucket(
            Bucket="errors-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})),
            ("BucketAlreadyOwnedByYou", 409))
        self.assertEqual(error_of(lambda: s3.create_bucket(
            Bucket="Bad_Name", CreateBucketConfiguration={"LocationConstraint": REGION})),
            ("InvalidBucketName", 400))
        self.assertEqual(error_of(lambda: s3.create_bucket(Bucket="no-constraint-bucket")),
                         ("IllegalLocationConstraintException", 400))
        s3.put_object(Bucket="errors-bucket", Key="k", Body=b"v")
        self.assertEqual(error_of(lambda: s3.delete_bucket(Bucket="errors-bucket")),
                         ("BucketNotEmpty", 409))
        wrong = self.server.client("s3", self.server.root_keys()[0], "x" * 40)
        self.assertEqual(error_of(lambda: wrong.list_buckets()), ("SignatureDoesNotMatch", 403))
        unknown = self.server.client("s3", "AKIAUNKNOWNKEY000000", "x" * 40)
        self.assertEqual(error_of(lambda: unknown.list_buckets()), ("InvalidAccessKeyId", 403))
        # The raw document: S3's <Error> with the request id, no namespace.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port)
        conn.request("GET", "/errors-bucket/k")
        response = conn.getresponse()
        text = response.read().decode()
        self.assertEqual(response.status, 403)
        self.assertIn("<Error><Code>AccessDenied</Code>", text)
        self.assertIn("<RequestId>", text)
        self.assertEqual(response.getheader("x-amz-request-id") in text, True)

    # ---- authorization ---------------------------------------------------------------------

    def test_user_denied_then_allowed_by_bucket_policy(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="s3-reader")
        key = iam.create_access_key(UserName="s3-reader")["AccessKey"]
        user_arn = f"arn:aws:iam::{self.account}:user/s3-reader"
        self.s3.create_bucket(Bucket="guarded-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        self.s3.put_object(Bucket="guarded-bucket", Key="reports/r.txt", Body=b"report")
        self.s3.put_object(Bucket="guarded-bucket", Key="private/p.txt", Body=b"private")
        user = self.server.client("s3", key["AccessKeyId"], key["SecretAccessKey"])
        time.sleep(0.1)
        self.assertEqual(error_of(lambda: user.get_object(Bucket="guarded-bucket", Key="reports/r.txt")),
                         ("AccessDenied", 403))
        self.assertEqual(error_of(lambda: user.list_objects_v2(Bucket="guarded-bucket")),
                         ("AccessDenied", 403))
        # The CLI shows the same denial.
        env = self.server.cli_env()
        env.pop("AWS_SHARED_CREDENTIALS_FILE")
        env.update({"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]})
        result = subprocess.run(["aws", "s3", "ls", "s3://guarded-bucket"], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("AccessDenied", result.stderr)

        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::guarded-bucket/reports/*"},
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::guarded-bucket",
             "Condition": {"StringEquals": {"s3:prefix": "reports/", "s3:delimiter": "/"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::guarded-bucket/*",
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}]}
        self.s3.put_bucket_policy(Bucket="guarded-bucket", Policy=json.dumps(policy))
        self.assertEqual(user.get_object(Bucket="guarded-bucket", Key="reports/r.txt")["Body"].read(),
                         b"report")
        self.assertEqual(error_of(lambda: user.get_object(Bucket="guarded-bucket", Key="private/p.txt")),
                         ("AccessDenied", 403))
        listed = user.list_objects_v2(Bucket="guarded-bucket", Prefix="reports/", Delimiter="/")
        self.assertEqual([o["Key"] for o in listed["Contents"]], ["reports/r.txt"])
        self.assertEqual(error_of(lambda: user.list_objects_v2(Bucket="guarded-bucket", Prefix="private/",
                                                               Delimiter="/")),
                         ("AccessDenied", 403))
        # DeleteObjects authorizes each key on its own.
        policy["Statement"].append(
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "s3:DeleteObject",
             "Resource": "arn:aws:s3:::guarded-bucket/reports/*"})
        self.s3.put_bucket_policy(Bucket="guarded-bucket", Policy=json.dumps(policy))
        result = user.delete_objects(Bucket="guarded-bucket", Delete={
            "Objects": [{"Key": "reports/r.txt"}, {"Key": "private/p.txt"}]})
        self.assertEqual([d["Key"] for d in result["Deleted"]], ["reports/r.txt"])
        self.assertEqual([(e["Key"], e["Code"]) for e in result["Errors"]],
                         [("private/p.txt", "AccessDenied")])
        self.s3.head_object(Bucket="guarded-bucket", Key="private/p.txt")
        # The explicit deny binds even the root user: uploads must ask for SSE-S3.
        self.assertEqual(error_of(lambda: self.s3.put_object(Bucket="guarded-bucket", Key="x", Body=b"x")),
                         ("AccessDenied", 403))
        self.s3.put_object(Bucket="guarded-bucket", Key="x", Body=b"x", ServerSideEncryption="AES256")

    # ---- presigned URLs, virtual hosts, aws-chunked ------------------------------------------

    def test_presigned_get_and_put_with_curl(self):
        self.s3.create_bucket(Bucket="presign-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        self.s3.put_object(Bucket="presign-bucket", Key="shared/doc.txt", Body=b"shared document")
        _, url, _ = self.server.aws("s3", "presign", "s3://presign-bucket/shared/doc.txt",
                                    "--expires-in", "300")
        out = subprocess.run(["curl", "-s", "-f", url.strip()], capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, b"shared document")
        tampered = url.strip().replace("shared/doc.txt", "shared/other.txt")
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", tampered],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout, "403")

        # SigV4 query signing (botocore's s3v4); kiroku does not accept SigV2.
        access, secret = self.server.root_keys()
        signer = boto3.session.Session().client(
            "s3", endpoint_url=self.server.endpoint, region_name=REGION, aws_access_key_id=access,
            aws_secret_access_key=secret, config=botocore.config.Config(signature_version="s3v4"))
        put_url = signer.generate_presigned_url(
            "put_object", Params={"Bucket": "presign-bucket", "Key": "uploaded.txt"}, ExpiresIn=300)
        src = self.write("presigned-put.txt", b"uploaded through a presigned URL")
        out = subprocess.run(["curl", "-s", "-f", "-X", "PUT", "--upload-file", src, put_url],
                             capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.s3.get_object(Bucket="presign-bucket", Key="uploaded.txt")["Body"].read(),
                         b"uploaded through a presigned URL")

    def signed_request(self, method, host, path, body=b"", headers=None, payload_hash=None):
        access, secret = self.server.root_keys()
        creds = botocore.credentials.Credentials(access, secret)
        url = f"http://{host}{path}"
        request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                                 headers=dict(headers or {}))
        request.headers["X-Amz-Content-SHA256"] = payload_hash or hashlib.sha256(body).hexdigest()
        botocore.auth.S3SigV4Auth(creds, "s3", REGION).add_auth(request)
        return request

    def send(self, request, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port)
        parts = urllib.parse.urlsplit(request.url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        headers = dict(request.headers.items())
        headers["Host"] = parts.netloc
        conn.request(request.method, target, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    def test_virtual_hosted_addressing(self):
        self.s3.create_bucket(Bucket="vhost-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        for host in [f"vhost-bucket.localhost:{self.server.port}",
                     f"vhost-bucket.s3.localhost:{self.server.port}"]:
            body = host.encode()
            req = self.signed_request("PUT", host, "/dir/key.txt", body)
            status, _ = self.send(req, body)
            self.assertEqual(status, 200, host)
            self.assertEqual(self.s3.get_object(Bucket="vhost-bucket", Key="dir/key.txt")["Body"].read(), body)
            req = self.signed_request("GET", host, "/dir/key.txt")
            status, got = self.send(req, None)
            self.assertEqual((status, got), (200, body))

    def chunked_upload(self, chunks, tamper=False):
        access, secret = self.server.root_keys()
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        scope = f"{day}/{REGION}/s3/aws4_request"
        host = f"127.0.0.1:{self.server.port}"
        decoded = sum(len(c) for c in chunks)
        path = "/chunked-bucket/streamed.bin"

        def sign_key():
            k = hmac.new(b"AWS4" + secret.encode(), day.encode(), hashlib.sha256).digest()
            for part in (REGION, "s3", "aws4_request"):
                k = hmac.new(k, part.encode(), hashlib.sha256).digest()
            return k
        key = sign_key()
        # Frame sizes are known up front: compute the encoded length with placeholder signatures.
        frames = list(chunks) + [b""]
        length = sum(len(f"{len(c):x};chunk-signature=".encode()) + 64 + 2 + len(c) + 2 for c in frames)
        headers = {"host": host, "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                   "x-amz-date": amz_date, "x-amz-decoded-content-length": str(decoded),
                   "content-encoding": "aws-chunked", "content-length": str(length)}
        signed = sorted(headers)
        canonical = "\n".join(["PUT", path, "", "".join(f"{h}:{headers[h]}\n" for h in signed),
                               ";".join(signed), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        seed = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        previous, body = seed, b""
        for i, chunk in enumerate(frames):
            to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                                 hashlib.sha256(b"").hexdigest(), hashlib.sha256(chunk).hexdigest()])
            sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            data = chunk
            if tamper and i == 1:
                data = bytes([chunk[0] ^ 1]) + chunk[1:]
            body += f"{len(chunk):x};chunk-signature={sig}\r\n".encode() + data + b"\r\n"
            previous = sig
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={access}/{scope}, "
                                    f"SignedHeaders={';'.join(signed)}, Signature={seed}")
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port)
        conn.request("PUT", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    def test_aws_chunked_signed_upload(self):
        self.s3.create_bucket(Bucket="chunked-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        chunks = [os.urandom(64 * 1024), os.urandom(64 * 1024), b"tail"]
        status, text = self.chunked_upload(chunks)
        self.assertEqual(status, 200, text)
        got = self.s3.get_object(Bucket="chunked-bucket", Key="streamed.bin")
        self.assertEqual(got["Body"].read(), b"".join(chunks))
        self.assertEqual(got["ETag"], '"%s"' % hashlib.md5(b"".join(chunks)).hexdigest())
        # A chunk altered in flight fails its signature and the object is left as it was.
        status, text = self.chunked_upload([os.urandom(1000), os.urandom(1000)], tamper=True)
        self.assertEqual(status, 403)
        self.assertIn(b"SignatureDoesNotMatch", text)
        self.assertEqual(self.s3.get_object(Bucket="chunked-bucket", Key="streamed.bin")["Body"].read(),
                         b"".join(chunks))

    def test_payload_hash_mismatch_is_refused(self):
        self.s3.create_bucket(Bucket="hash-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        host = f"127.0.0.1:{self.server.port}"
        req = self.signed_request("PUT", host, "/hash-bucket/k", b"declared body")
        status, text = self.send(req, b"another body!")
        self.assertEqual(status, 400)
        self.assertIn(b"XAmzContentSHA256Mismatch", text)
        self.assertEqual(error_of(lambda: self.s3.head_object(Bucket="hash-bucket", Key="k")), ("404", 404))

    # ---- CloudTrail --------------------------------------------------------------------------

    def test_bucket_calls_are_management_events_and_object_calls_are_not(self):
        self.s3.create_bucket(Bucket="audited-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        self.s3.put_bucket_tagging(Bucket="audited-bucket", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
        self.s3.put_object(Bucket="audited-bucket", Key="data-event", Body=b"x")
        trail = self.server.client("cloudtrail")
        names = set()
        deadline = time.time() + 10
        while time.time() < deadline and not {"CreateBucket", "PutBucketTagging"} <= names:
            time.sleep(0.2)
            events = trail.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventSource", "AttributeValue": "s3.amazonaws.com"}])["Events"]
            names = {e["EventName"] for e in events}
        self.assertLessEqual({"CreateBucket", "PutBucketTagging"}, names)
        self.assertNotIn("PutObject", names)
        record = next(json.loads(e["CloudTrailEvent"]) for e in events if e["EventName"] == "CreateBucket")
        self.assertEqual(record["eventSource"], "s3.amazonaws.com")
        self.assertEqual(record["awsRegion"], REGION)

    # ---- at rest -----------------------------------------------------------------------------

    def test_no_plaintext_in_the_data_dir(self):
        self.s3.create_bucket(Bucket="rest-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        small = MARKER * 10
        big = (MARKER + os.urandom(100)) * 100000  # ~13 MB, multipart through the CLI
        self.s3.put_object(Bucket="rest-bucket", Key="small", Body=small)
        path = self.write("marker-big.bin", big)
        self.server.aws("s3", "cp", path, "s3://rest-bucket/big")
        self.assertEqual(self.s3.get_object(Bucket="rest-bucket", Key="big")["Body"].read(), big)
        found = []
        for root, _, files in os.walk(self.server.data_dir):
            for name in files:
                p = os.path.join(root, name)
                if name == "serve.log":
                    continue
                with open(p, "rb") as f:
                    if MARKER in f.read():
                        found.append(p)
        self.assertEqual(found, [])
        objects = os.path.join(self.server.data_dir, "objects")
        self.assertTrue(any(files for _, _, files in os.walk(objects)))

    def test_objects_survive_a_restart(self):
        self.s3.create_bucket(Bucket="durable-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        data = os.urandom(3 * 1024 * 1024 + 7)
        self.s3.put_object(Bucket="durable-bucket", Key="d.bin", Body=data)
        self.server.stop()
        self.server.start()
        S3Test.s3 = self.server.client("s3")
        self.assertEqual(self.s3.get_object(Bucket="durable-bucket", Key="d.bin")["Body"].read(), data)


if __name__ == "__main__":
    unittest.main()
