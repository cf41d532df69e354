"""End to end: KMS (issue 4) with the real aws CLI and boto3.

The tutorial's step 1 as a user types it, envelope encryption with an encryption context, the
key state machine, deletion after its window (the server's clock is moved forward between
restarts), and no plaintext key material in the data dir.
"""
import base64
import datetime
import json
import os
import sys
import tempfile
import unittest
from unittest import mock

import botocore.auth
import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from tutorial_documents import logs_key_policy  # noqa: E402
from kiroku_server import KirokuServer, REGION  # noqa: E402


def error_code(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    raise AssertionError("the call succeeded")


class KmsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.kms = cls.server.client("kms")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_tutorial_step_1_verbatim(self):
        """create-key, create-alias, get-key-policy, put-key-policy with the logs statement."""
        aws = self.server.aws
        _, key_id, _ = aws("kms", "create-key", "--description", "CloudTrail CWL log group key",
                           "--query", "KeyMetadata.KeyId", "--output", "text")
        key_id = key_id.strip()
        aws("kms", "create-alias", "--alias-name", "alias/cloudtrail-cwl", "--target-key-id", key_id)
        _, key_arn, _ = aws("kms", "describe-key", "--key-id", key_id, "--query",
                            "KeyMetadata.Arn", "--output", "text")
        self.assertEqual(key_arn.strip(), f"arn:aws:kms:{REGION}:{self.account}:key/{key_id}")
        _, policy_text, _ = aws("kms", "get-key-policy", "--key-id", key_id, "--policy-name",
                                "default", "--query", "Policy", "--output", "text")
        default = json.loads(policy_text)
        self.assertEqual(default["Statement"][0]["Principal"]["AWS"],
                         f"arn:aws:iam::{self.account}:root")
        self.assertEqual(default["Statement"][0]["Action"], "kms:*")

        lg_arn = f"arn:aws:logs:{REGION}:{self.account}:log-group:/aws/cloudtrail/management-event"
        policy = logs_key_policy(self.account, lg_arn)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(policy, f, indent=2)
        try:
            aws("kms", "put-key-policy", "--key-id", key_id, "--policy-name", "default",
                "--policy", f"file://{f.name}")
        finally:
            os.remove(f.name)
        _, stored, _ = aws("kms", "get-key-policy", "--key-id", key_id, "--policy-name",
                           "default", "--query", "Policy", "--output", "text")
        self.assertEqual(json.loads(stored), policy)
        _, aliases, _ = aws("kms", "list-aliases", "--key-id", key_id)
        self.assertEqual(json.loads(aliases)["Aliases"][0]["AliasName"], "alias/cloudtrail-cwl")

    def test_malformed_and_locking_policies_are_refused(self):
        key_id = self.kms.create_key()["KeyMetadata"]["KeyId"]
        code, _ = error_code(lambda: self.kms.put_key_policy(KeyId=key_id, PolicyName="default",
                                                             Policy='{"Version": "2012-10-17"'))
        self.assertEqual(code, "MalformedPolicyDocumentException")
        locking = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
             "Action": "kms:Decrypt", "Resource": "*"}]})
        code, message = error_code(lambda: self.kms.put_key_policy(
            KeyId=key_id, PolicyName="default", Policy=locking))
        self.assertEqual(code, "MalformedPolicyDocumentException")
        self.assertIn("will not allow you to update the key policy", message)

    def test_encrypt_decrypt_with_context(self):
        key = self.kms.create_key(Description="round trip")["KeyMetadata"]
        context = {"aws:logs:arn": "arn:aws:logs:ap-northeast-1:000000000000:log-group:g",
                   "purpose": "test"}
        out = self.kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello kiroku",
                               EncryptionContext=context)
        self.assertEqual(out["KeyId"], key["Arn"])
        blob = out["CiphertextBlob"]
        plain = self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
        self.assertEqual(plain["Plaintext"], b"hello kiroku")
        self.assertEqual(plain["KeyId"], key["Arn"])
        for wrong in ({}, {"purpose": "test"}, {**context, "purpose": "Test"}):
            code, _ = error_code(lambda: self.kms.decrypt(CiphertextBlob=blob,
                                                          EncryptionContext=wrong))
            self.assertEqual(code, "InvalidCiphertextException", wrong)
        flipped = bytes([blob[0]]) + bytes([blob[1] ^ 1]) + blob[2:]
        self.assertEqual(error_code(lambda: self.kms.decrypt(
            CiphertextBlob=flipped, EncryptionContext=context))[0], "InvalidCiphertextException")
        other = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertEqual(error_code(lambda: self.kms.decrypt(
            CiphertextBlob=blob, EncryptionContext=context, KeyId=other))[0],
            "IncorrectKeyException")
        # ReEncrypt to another key keeps the plaintext.
        moved = self.kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=context,
                                    DestinationKeyId=other)
        self.assertEqual(self.kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"],
                         b"hello kiroku")
        # 4096 bytes is the limit.
        self.kms.encrypt(KeyId=other, Plaintext=b"x" * 4096)
        self.assertEqual(error_code(lambda: self.kms.encrypt(KeyId=other, Plaintext=b"x" * 4097))[0],
                         "ValidationException")

    def test_data_keys_and_random(self):
        key_id = self.kms.create_key()["KeyMetadata"]["KeyId"]
        data_key = self.kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
        self.assertEqual(len(data_key["Plaintext"]), 32)
        again = self.kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])
        self.assertEqual(again["Plaintext"], data_key["Plaintext"])
        without = self.kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=64)
        self.assertNotIn("Plaintext", without)
        self.assertEqual(len(self.kms.decrypt(CiphertextBlob=without["CiphertextBlob"])["Plaintext"]), 64)
        self.assertEqual(len(self.kms.generate_random(NumberOfBytes=100)["Plaintext"]), 100)

    def test_state_machine(self):
        key = self.kms.create_key()["KeyMetadata"]
        key_id = key["KeyId"]
        blob = self.kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]
        self.kms.disable_key(KeyId=key_id)
        code, message = error_code(lambda: self.kms.encrypt(KeyId=key_id, Plaintext=b"x"))
        self.assertEqual((code, message), ("DisabledException", f"{key['Arn']} is disabled."))
        self.assertEqual(error_code(lambda: self.kms.decrypt(CiphertextBlob=blob))[0],
                         "DisabledException")
        self.kms.enable_key(KeyId=key_id)
        self.assertEqual(self.kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"data")

        scheduled = self.kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        self.assertEqual(scheduled["KeyState"], "PendingDeletion")
        self.assertEqual(scheduled["PendingWindowInDays"], 7)
        self.assertEqual(error_code(lambda: self.kms.encrypt(KeyId=key_id, Plaintext=b"x"))[0],
                         "KMSInvalidStateException")
        self.kms.cancel_key_deletion(KeyId=key_id)
        self.assertEqual(self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"], "Disabled")
        self.kms.enable_key(KeyId=key_id)
        self.assertTrue(self.kms.describe_key(KeyId=key_id)["KeyMetadata"]["Enabled"])

    def test_rotation_keeps_old_ciphertexts(self):
        key_id = self.kms.create_key()["KeyMetadata"]["KeyId"]
        old = self.kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
        self.kms.rotate_key_on_demand(KeyId=key_id)
        self.kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
        status = self.kms.get_key_rotation_status(KeyId=key_id)
        self.assertTrue(status["KeyRotationEnabled"])
        self.assertEqual(status["RotationPeriodInDays"], 90)
        rotations = self.kms.list_key_rotations(KeyId=key_id)["Rotations"]
        self.assertEqual([r["RotationType"] for r in rotations], ["ON_DEMAND"])
        self.assertEqual(self.kms.decrypt(CiphertextBlob=old)["Plaintext"], b"before")

    def test_key_policy_decides_for_iam_users(self):
        """IAM allows count only where the key policy delegates to the account (its root)."""
        iam = self.server.client("iam")
        iam.create_user(UserName="kms-user")
        iam.put_user_policy(UserName="kms-user", PolicyName="kms-all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
        created = iam.create_access_key(UserName="kms-user")["AccessKey"]
        user_kms = self.server.client("kms", created["AccessKeyId"], created["SecretAccessKey"])
        user_arn = f"arn:aws:iam::{self.account}:user/kms-user"

        delegating = self.kms.create_key()["KeyMetadata"]  # default policy: root -> IAM decides
        self.assertEqual(user_kms.encrypt(KeyId=delegating["KeyId"], Plaintext=b"ok")["KeyId"],
                         delegating["Arn"])

        # A key whose policy lets the account root administer it but names someone else as user.
        restricted = self.kms.create_key(Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Admin", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{self.account}:root"},
                 "Action": ["kms:Describe*", "kms:Get*", "kms:PutKeyPolicy"], "Resource": "*"},
                {"Sid": "Use", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{self.account}:user/someone-else"},
                 "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}))["KeyMetadata"]
        code, message = error_code(lambda: user_kms.encrypt(KeyId=restricted["KeyId"],
                                                            Plaintext=b"no"))
        self.assertEqual(code, "AccessDeniedException")
        self.assertEqual(message, f"User: {user_arn} is not authorized to perform: kms:Encrypt "
                                  f"on resource: {restricted['Arn']} because no resource-based "
                                  "policy allows the kms:Encrypt action")
        # Delegated actions still need the IAM allow, which the user has.
        self.assertEqual(user_kms.describe_key(KeyId=restricted["KeyId"])["KeyMetadata"]["KeyId"],
                         restricted["KeyId"])

        # An explicit deny in the key policy wins over everything.
        denying = self.kms.create_key()["KeyMetadata"]
        policy = json.loads(self.kms.get_key_policy(KeyId=denying["KeyId"],
                                                    PolicyName="default")["Policy"])
        policy["Statement"].append({"Effect": "Deny", "Principal": {"AWS": user_arn},
                                    "Action": "kms:Encrypt", "Resource": "*"})
        self.kms.put_key_policy(KeyId=denying["KeyId"], PolicyName="default",
                                Policy=json.dumps(policy))
        code, message = error_code(lambda: user_kms.encrypt(KeyId=denying["KeyId"], Plaintext=b"x"))
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("with an explicit deny in a resource-based policy", message)

    def test_resource_tag_conditions(self):
        iam = self.server.client("iam")
        iam.create_user(UserName="tag-user")
        iam.put_user_policy(UserName="tag-user", PolicyName="by-tag", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "audit"}}}]}))
        created = iam.create_access_key(UserName="tag-user")["AccessKey"]
        user_kms = self.server.client("kms", created["AccessKeyId"], created["SecretAccessKey"])
        tagged = self.kms.create_key(Tags=[{"TagKey": "team", "TagValue": "audit"}])["KeyMetadata"]
        untagged = self.kms.create_key()["KeyMetadata"]
        user_kms.encrypt(KeyId=tagged["KeyId"], Plaintext=b"ok")
        self.assertEqual(error_code(lambda: user_kms.encrypt(KeyId=untagged["KeyId"],
                                                             Plaintext=b"no"))[0],
                         "AccessDeniedException")

    def test_aliases_tags_and_listing(self):
        key_id = self.kms.create_key(Tags=[{"TagKey": "team", "TagValue": "audit"}])["KeyMetadata"]["KeyId"]
        self.kms.create_alias(AliasName="alias/listing", TargetKeyId=key_id)
        self.assertEqual(error_code(lambda: self.kms.create_alias(
            AliasName="alias/listing", TargetKeyId=key_id))[0], "AlreadyExistsException")
        self.assertEqual(error_code(lambda: self.kms.create_alias(
            AliasName="alias/aws/mine", TargetKeyId=key_id))[0], "NotAuthorizedException")
        self.assertEqual(self.kms.describe_key(KeyId="alias/listing")["KeyMetadata"]["KeyId"], key_id)
        tags = self.kms.list_resource_tags(KeyId=key_id)["Tags"]
        self.assertEqual(tags, [{"TagKey": "team", "TagValue": "audit"}])
        ids = set()
        for page in self.kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1}):
            ids.update(k["KeyId"] for k in page["Keys"])
        self.assertIn(key_id, ids)
        self.assertEqual(error_code(lambda: self.kms.describe_key(KeyId="alias/none"))[0],
                         "NotFoundException")


class KmsDeletionTest(unittest.TestCase):
    def test_deleted_key_leaves_data_unreadable_and_no_plaintext_on_disk(self):
        server = KirokuServer().start()
        try:
            kms = server.client("kms")
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]
            data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
            blob = data_key["CiphertextBlob"]
            kms.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
            self.assertEqual(server.stop(), 0)

            # The data dir never holds a key's plaintext (here: the data key's bytes).
            for root, _, files in os.walk(server.data_dir):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        content = f.read()
                    self.assertNotIn(data_key["Plaintext"], content, name)
                    self.assertNotIn(base64.b64encode(data_key["Plaintext"]), content, name)

            # Eight days later the window has passed: the key is gone, with its alias. The
            # server and the client (which signs with its own clock) both live in that future.
            later = datetime.timedelta(days=8)
            server.env = {"KIROKU_TEST_CLOCK_OFFSET_SECONDS": str(int(later.total_seconds()))}
            server.start()
            future = datetime.datetime.now(datetime.timezone.utc) + later
            with mock.patch.object(botocore.auth, "get_current_datetime", return_value=future):
                kms = server.client("kms")
                self.assertEqual(error_code(lambda: kms.describe_key(KeyId=key_id))[0],
                                 "NotFoundException")
                self.assertEqual(error_code(lambda: kms.decrypt(CiphertextBlob=blob))[0],
                                 "InvalidCiphertextException")
                self.assertEqual(kms.list_aliases()["Aliases"], [])
            self.assertIn("deleted 1 KMS key(s)", server.log())
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
