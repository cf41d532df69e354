"""End to end, as an attacker would try it (issue 15, items 1, 2 and 5, secrets at rest):

- S3 records keep no request header but Host: a user allowed only cloudtrail:LookupEvents reads
  root's GetBucketPolicy record, finds no authorization / x-amz-* header, and replaying what the
  record holds is refused;
- no MFA seed, QR code, grant token, session token or secret in event history, nor in a trail's
  S3 log files and CloudWatch Logs stream;
- a role deleted and re-created under the same name lends nothing to its old sessions;
- the master key file may live outside the data dir, and a key file others may read, or a
  missing key for an existing store, stops the server with a clear message.
"""
import base64
import http.client
import json
import os
import shutil
import stat
import sys
import tempfile
import unittest
import urllib.parse

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import error_of, KirokuServer, REGION, kiroku_bin, wait_for  # noqa: E402
from test_cloudtrail_delivery import FAST, Account  # noqa: E402

# Strings that must never appear in a record: credential and signing headers and their values.
FORBIDDEN = ("authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token",
             "aws4-hmac-sha256", "signature=", "credential=")


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def lookup(ct, name):
    """Every record of event `name` in `ct`'s region, newest first."""
    out = []
    for page in ct.get_paginator("lookup_events").paginate(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}]):
        out.extend(e["CloudTrailEvent"] for e in page["Events"])
    return out


class SecurityRecordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer(extra_args=FAST).start()
        cls.iam = cls.server.client("iam")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        # The auditor may read event history and nothing else.
        cls.iam.create_user(UserName="auditor")
        cls.iam.put_user_policy(UserName="auditor", PolicyName="history", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}))
        key = cls.iam.create_access_key(UserName="auditor")["AccessKey"]
        cls.auditor = (key["AccessKeyId"], key["SecretAccessKey"])

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def as_auditor(self, service, region=REGION):
        return self.server.client(service, *self.auditor, region=region)

    def assert_no_credential_material(self, text, *secrets):
        lowered = text.lower()
        for word in FORBIDDEN:
            self.assertNotIn(word, lowered, text)
        for secret in secrets:
            self.assertNotIn(secret, text)

    # ---- item 1: request headers

    def test_s3_records_hold_no_replayable_header(self):
        s3 = self.server.client("s3")
        bucket = f"replay-{self.account}"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.account}:root"},
             "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
        s3.get_bucket_policy(Bucket=bucket)
        # The same call with temporary credentials (an x-amz-security-token header).
        session = self.server.client("sts").get_session_token()["Credentials"]
        self.server.client("s3", session["AccessKeyId"], session["SecretAccessKey"],
                           aws_session_token=session["SessionToken"]).get_bucket_policy(Bucket=bucket)

        ct = self.as_auditor("cloudtrail")
        def mine():
            found = [t for t in lookup(ct, "GetBucketPolicy")
                     if json.loads(t)["requestParameters"]["bucketName"] == bucket]
            return found if len(found) == 2 else None
        texts = wait_for(mine)
        self.assertTrue(texts)
        self.assertEqual(len(texts), 2)
        host = urllib.parse.urlparse(self.server.endpoint).netloc
        for text in texts:
            record = json.loads(text)
            self.assertEqual(record["requestParameters"],
                             {"bucketName": bucket, "Host": host, "policy": ""})
            self.assert_no_credential_material(text, session["SessionToken"],
                                               session["SecretAccessKey"])
        put = [json.loads(t) for t in lookup(ct, "PutBucketPolicy")
               if json.loads(t)["requestParameters"]["bucketName"] == bucket]
        self.assertEqual(len(put), 1)
        self.assert_no_credential_material(json.dumps(put[0]))

        # The auditor cannot read the policy itself...
        self.assertEqual(error_of(lambda: self.server.client("s3", *self.auditor)
                                  .get_bucket_policy(Bucket=bucket)), ("AccessDenied", 403))
        # ...nor through a replay of what the record holds.
        record = json.loads(texts[0])
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        headers = {k: v for k, v in record["requestParameters"].items()
                   if k not in ("bucketName", "key", "policy")}
        conn.request("GET", f"/{bucket}?policy", headers=headers)
        response = conn.getresponse()
        body = response.read().decode()
        conn.close()
        self.assertEqual(response.status, 403, body)
        self.assertNotIn("Statement", body)

    # ---- item 2: secrets in records

    def test_mfa_seed_is_absent_from_history(self):
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="seeded")["VirtualMFADevice"]
        seed = device["Base32StringSeed"].decode()
        png = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="pictured")["VirtualMFADevice"]
        ct = self.as_auditor("cloudtrail", region="us-east-1")
        def mine():
            found = [t for t in lookup(ct, "CreateVirtualMFADevice")
                     if json.loads(t)["requestParameters"]["virtualMFADeviceName"]
                     in ("seeded", "pictured")]
            return found if len(found) == 2 else None
        texts = wait_for(mine)
        self.assertTrue(texts)
        self.assertEqual(len(texts), 2)
        serials = {device["SerialNumber"], png["SerialNumber"]}
        for text in texts:
            record = json.loads(text)
            self.assertIn(record["responseElements"]["virtualMFADevice"]["serialNumber"], serials)
            self.assertEqual(list(record["responseElements"]["virtualMFADevice"]), ["serialNumber"])
            for absent in ("base32StringSeed", "qRCodePNG", seed,
                           base64.b64encode(seed.encode()).decode()):
                self.assertNotIn(absent, text)

    def test_grant_token_is_absent_from_history(self):
        kms = self.server.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        grant = kms.create_grant(KeyId=key_id, Operations=["Decrypt"],
                                 GranteePrincipal=f"arn:aws:iam::{self.account}:user/auditor")
        ct = self.as_auditor("cloudtrail")
        found = wait_for(lambda: [t for t in lookup(ct, "CreateGrant")
                                  if grant["GrantId"] in t] or None)
        self.assertTrue(found)
        record = json.loads(found[0])
        self.assertEqual(record["responseElements"], {"grantId": grant["GrantId"]})
        self.assertNotIn(grant["GrantToken"], found[0])
        self.assertNotIn("grantToken", found[0])

    def test_login_password_and_session_secrets_are_absent_from_history(self):
        self.iam.create_user(UserName="console-user")
        self.iam.create_login_profile(UserName="console-user", Password="Pa55word-Never-Recorded!")
        access_key = self.iam.create_access_key(UserName="console-user")["AccessKey"]
        session = self.server.client("sts").get_session_token()["Credentials"]
        ct = self.as_auditor("cloudtrail", region="us-east-1")
        login = wait_for(lambda: [t for t in lookup(ct, "CreateLoginProfile")
                                  if "console-user" in t] or None)
        self.assertEqual(json.loads(login[0])["requestParameters"]["password"],
                         "HIDDEN_DUE_TO_SECURITY_REASONS")
        self.assertNotIn("Pa55word-Never-Recorded!", login[0])
        created = wait_for(lambda: [t for t in lookup(ct, "CreateAccessKey")
                                    if access_key["AccessKeyId"] in t] or None)
        self.assertNotIn(access_key["SecretAccessKey"], created[0])
        self.assertNotIn("secretAccessKey", created[0])
        # GetSessionToken only reads: its record has no responseElements at all.
        tokens = wait_for(lambda: lookup(ct, "GetSessionToken"))
        self.assertTrue(tokens)
        for text in tokens:
            self.assertIsNone(json.loads(text)["responseElements"])
            self.assertNotIn(session["SessionToken"], text)
            self.assertNotIn(session["SecretAccessKey"], text)

    def test_trail_destinations_carry_no_seed(self):
        a = Account(self.server, "secrets", "/trail/secrets")
        a.make_bucket()
        a.make_group_and_role()
        # Multi-region: IAM records are us-east-1 records.
        a.create_trail(self, IsMultiRegionTrail=True, CloudWatchLogsLogGroupArn=a.group_arn + ":*",
                       CloudWatchLogsRoleArn=a.role_arn)
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="trailed")["VirtualMFADevice"]
        seed = device["Base32StringSeed"].decode()

        def mfa_records(records):
            return [r for r in records if r["eventName"] == "CreateVirtualMFADevice"
                    and r["requestParameters"]["virtualMFADeviceName"] == "trailed"]
        in_logs = wait_for(lambda: mfa_records(r for _, r in a.cwl_records()), timeout=30)
        self.assertTrue(in_logs, [(r["eventName"], r["awsRegion"]) for _, r in a.cwl_records()])
        in_files = wait_for(lambda: mfa_records(r for rs in a.log_files().values() for r in rs),
                            timeout=30)
        self.assertTrue(in_files, a.status())
        for record in in_logs + in_files:
            text = json.dumps(record)
            self.assertNotIn(seed, text)
            self.assertNotIn("base32StringSeed", text)
            self.assertEqual(record["responseElements"],
                             {"virtualMFADevice": {"serialNumber": device["SerialNumber"]}})
        # No credential header in the S3 calls the trail itself recorded either.
        for _, record in a.cwl_records():
            if record["eventSource"] == "s3.amazonaws.com":
                self.assert_no_credential_material(json.dumps(record))

    # ---- item 5: sessions bound to the role's unique id

    def test_recreated_role_denies_old_sessions(self):
        arn = self.iam.create_user(UserName="assumer")["User"]["Arn"]
        self.iam.put_user_policy(UserName="assumer", PolicyName="assume", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
        k = self.iam.create_access_key(UserName="assumer")["AccessKey"]
        sts = self.server.client("sts", k["AccessKeyId"], k["SecretAccessKey"])
        trust = policy({"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"})

        def make_role(actions):
            role = self.iam.create_role(RoleName="recreated", AssumeRolePolicyDocument=trust)["Role"]
            self.iam.put_role_policy(RoleName="recreated", PolicyName="p", PolicyDocument=policy(
                {"Effect": "Allow", "Action": actions, "Resource": "*"}))
            return role

        def delete_role():
            self.iam.delete_role_policy(RoleName="recreated", PolicyName="p")
            self.iam.delete_role(RoleName="recreated")

        def clients(role_arn, name):
            c = sts.assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
            return {service: self.server.client(service, c["AccessKeyId"], c["SecretAccessKey"],
                                                aws_session_token=c["SessionToken"])
                    for service in ("iam", "sts", "s3")}

        first = make_role(["iam:ListUsers"])
        old = clients(first["Arn"], "before")
        old["iam"].list_users()
        self.assertEqual(error_of(lambda: old["iam"].list_roles()), ("AccessDenied", 403))

        # Deleted: the session is refused.
        delete_role()
        self.assertEqual(error_of(lambda: old["sts"].get_caller_identity()),
                         ("InvalidClientTokenId", 403))
        # Re-created with more permissions: the old session gets none of them.
        second = make_role(["iam:ListUsers", "iam:ListRoles", "s3:ListAllMyBuckets"])
        self.assertNotEqual(second["RoleId"], first["RoleId"])
        self.assertEqual(error_of(lambda: old["iam"].list_roles()), ("InvalidClientTokenId", 403))
        self.assertEqual(error_of(lambda: old["iam"].list_users()), ("InvalidClientTokenId", 403))
        self.assertEqual(error_of(lambda: old["s3"].list_buckets())[0], "InvalidToken")
        # A session of the new role acts with the new role's permissions.
        new = clients(second["Arn"], "after")
        new["iam"].list_roles()
        new["s3"].list_buckets()
        self.assertTrue(new["sts"].get_caller_identity()["UserId"].startswith(second["RoleId"]))
        delete_role()

    def test_recreated_user_denies_old_session_tokens(self):
        self.iam.create_user(UserName="tokened")
        self.iam.put_user_policy(UserName="tokened", PolicyName="p", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}))
        k = self.iam.create_access_key(UserName="tokened")["AccessKey"]
        c = self.server.client("sts", k["AccessKeyId"], k["SecretAccessKey"]).get_session_token(
            DurationSeconds=900)["Credentials"]
        old = self.server.client("kms", c["AccessKeyId"], c["SecretAccessKey"],
                                 aws_session_token=c["SessionToken"])
        old.list_keys()
        self.iam.delete_access_key(UserName="tokened", AccessKeyId=k["AccessKeyId"])
        self.iam.delete_user_policy(UserName="tokened", PolicyName="p")
        self.iam.delete_user(UserName="tokened")
        self.iam.create_user(UserName="tokened")
        self.iam.put_user_policy(UserName="tokened", PolicyName="p", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
        # The awsJson spelling of InvalidClientTokenId.
        self.assertEqual(error_of(old.list_keys), ("UnrecognizedClientException", 400))
        self.iam.delete_user_policy(UserName="tokened", PolicyName="p")
        self.iam.delete_user(UserName="tokened")


class MasterKeyFileTest(unittest.TestCase):
    """--master-key-file / KIROKU_MASTER_KEY_FILE: the key outside the data dir, and refusals."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kiroku-key-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.data = os.path.join(self.dir, "data")
        self.key = os.path.join(self.dir, "secrets", "master.key")
        os.makedirs(os.path.dirname(self.key), mode=0o700)
        os.makedirs(self.data, mode=0o700)

    def serve(self, args=(), env=None):
        server = KirokuServer(data_dir=self.data, extra_args=args, env=env)
        self.addCleanup(server.stop)
        return server

    def refused(self, args=(), env=None):
        """Starts the server, which must exit at once; returns its log."""
        server = self.serve(args, env)
        with self.assertRaises(RuntimeError) as raised:
            server.start()
        self.assertNotEqual(server.process.returncode, 0)
        return str(raised.exception)

    def test_key_outside_the_data_dir(self):
        server = self.serve(["--master-key-file", self.key]).start()
        self.assertEqual(stat.S_IMODE(os.stat(self.key).st_mode), 0o600)
        self.assertFalse(os.path.exists(os.path.join(self.data, "master.key")))
        kms = server.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
        server.stop()

        # The environment variable names the same key: the data is readable again.
        again = self.serve(env={"KIROKU_MASTER_KEY_FILE": self.key}).start()
        self.assertEqual(again.client("kms").decrypt(CiphertextBlob=blob)["Plaintext"], b"kept")
        again.stop()

        # Without the key, the data dir alone does not start (no new key is made for it).
        log = self.refused()
        self.assertIn("already holds a store", log)
        self.assertFalse(os.path.exists(os.path.join(self.data, "master.key")))

    def test_group_or_world_readable_key_is_refused(self):
        self.serve(["--master-key-file", self.key]).start().stop()
        for mode in (0o644, 0o640, 0o604):
            os.chmod(self.key, mode)
            log = self.refused(["--master-key-file", self.key])
            self.assertIn(f"chmod 600 {self.key}", log)
            self.assertIn(f"mode {mode:04o}", log)
        os.chmod(self.key, 0o600)
        self.serve(["--master-key-file", self.key]).start().stop()


if __name__ == "__main__":
    unittest.main()
