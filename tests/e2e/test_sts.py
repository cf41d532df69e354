"""End to end: STS temporary credentials with boto3 and the real aws CLI.

AssumeRole against trust policies (user named, user not named, account delegation, ExternalId,
session tags), session policies narrowing a session, GetSessionToken, role chaining, duration
limits, wrong tokens, sessions surviving a restart, and expiry: a session issued for 900 seconds
is refused with ExpiredToken once kiroku runs with KIROKU_TEST_CLOCK_OFFSET_SECONDS=1000 (the
client signs with the same shifted time, so only the expiry is at fault).
"""
import datetime
import json
import os
import subprocess
import sys
import unittest
from unittest import mock

import boto3
import botocore.auth
import botocore.config
import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, REGION  # noqa: E402


def error_of(call):
    """Runs `call`, which must fail with an AWS error; returns (code, HTTP status, message)."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"].get("Message", ""))
    raise AssertionError("the call succeeded")


def trust(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, actions=("sts:AssumeRole",), condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return statement


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class StsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.iam = cls.server.client("iam")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]
        cls.alice_arn, cls.alice_key = cls.make_user("alice")
        cls.bob_arn, cls.bob_key = cls.make_user("bob")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def make_user(cls, name):
        arn = cls.iam.create_user(UserName=name)["User"]["Arn"]
        key = cls.iam.create_access_key(UserName=name)["AccessKey"]
        return arn, (key["AccessKeyId"], key["SecretAccessKey"])

    def make_role(self, name, trust_document, path="/", max_session=3600, policies=()):
        role = self.iam.create_role(RoleName=name, Path=path,
                                    AssumeRolePolicyDocument=trust_document,
                                    MaxSessionDuration=max_session)["Role"]
        for i, document in enumerate(policies):
            self.iam.put_role_policy(RoleName=name, PolicyName=f"p{i}", PolicyDocument=document)
        return role["Arn"]

    def client(self, service, key, token=None, server=None):
        server = server or self.server
        return server.client(service, key[0], key[1], aws_session_token=token)

    def session_client(self, service, credentials, server=None):
        return self.client(service, (credentials["AccessKeyId"], credentials["SecretAccessKey"]),
                           credentials["SessionToken"], server)

    def aws_as(self, key, token, *args):
        """The real aws CLI with the given credentials in its environment."""
        env = self.server.cli_env()
        env.update({"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]})
        if token:
            env["AWS_SESSION_TOKEN"] = token
        return subprocess.run(["aws", *args], env=env, capture_output=True, text=True,
                              timeout=60)

    # ---- AssumeRole and the trust policy

    def test_assume_role_trusting_the_user_with_boto3(self):
        role_arn = self.make_role("deployer", trust(allow({"AWS": self.alice_arn})), path="/ci/")
        sts = self.client("sts", self.alice_key)
        out = sts.assume_role(RoleArn=role_arn, RoleSessionName="build-42", DurationSeconds=900)
        credentials = out["Credentials"]
        self.assertRegex(credentials["AccessKeyId"], r"^ASIA[A-Z2-7]{16}$")
        self.assertEqual(len(credentials["SecretAccessKey"]), 40)
        self.assertTrue(credentials["SessionToken"])
        lifetime = credentials["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(800 < lifetime.total_seconds() <= 905, lifetime)
        role_id = self.iam.get_role(RoleName="deployer")["Role"]["RoleId"]
        session_arn = f"arn:aws:sts::{self.account}:assumed-role/deployer/build-42"
        self.assertEqual(out["AssumedRoleUser"],
                         {"AssumedRoleId": f"{role_id}:build-42", "Arn": session_arn})
        self.assertNotIn("PackedPolicySize", out)

        identity = self.session_client("sts", credentials).get_caller_identity()
        self.assertEqual(identity["Arn"], session_arn)
        self.assertEqual(identity["UserId"], f"{role_id}:build-42")
        self.assertEqual(identity["Account"], self.account)

    def test_assume_role_with_the_cli(self):
        role_arn = self.make_role("cli-role", trust(allow({"AWS": self.alice_arn})))
        result = self.aws_as(self.alice_key, None, "sts", "assume-role", "--role-arn", role_arn,
                             "--role-session-name", "cli-session")
        self.assertEqual(result.returncode, 0, result.stderr)
        credentials = json.loads(result.stdout)["Credentials"]
        result = self.aws_as((credentials["AccessKeyId"], credentials["SecretAccessKey"]),
                             credentials["SessionToken"], "sts", "get-caller-identity")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["Arn"],
                         f"arn:aws:sts::{self.account}:assumed-role/cli-role/cli-session")

    def test_role_whose_trust_policy_does_not_name_the_user_is_refused(self):
        role_arn = self.make_role("bobs-role", trust(allow({"AWS": self.bob_arn})))
        # Even with an identity policy allowing sts:AssumeRole: the trust policy must allow.
        self.iam.put_user_policy(UserName="alice", PolicyName="assume-any",
                                 PolicyDocument=policy({"Effect": "Allow",
                                                        "Action": "sts:AssumeRole",
                                                        "Resource": "*"}))
        try:
            code, status, message = error_of(lambda: self.client("sts", self.alice_key).assume_role(
                RoleArn=role_arn, RoleSessionName="s1"))
        finally:
            self.iam.delete_user_policy(UserName="alice", PolicyName="assume-any")
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertTrue(message.startswith(
            f"User: {self.alice_arn} is not authorized to perform: sts:AssumeRole on resource: "
            f"{role_arn}"), message)
        result = self.aws_as(self.alice_key, None, "sts", "assume-role", "--role-arn", role_arn,
                             "--role-session-name", "s1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("AccessDenied", result.stderr)
        # Bob, whom it names, may.
        self.client("sts", self.bob_key).assume_role(RoleArn=role_arn, RoleSessionName="s1")

    def test_missing_role_is_refused_like_an_untrusting_one(self):
        missing = f"arn:aws:iam::{self.account}:role/no-such-role"
        code, _, message = error_of(lambda: self.client("sts", self.alice_key).assume_role(
            RoleArn=missing, RoleSessionName="s1"))
        self.assertEqual(code, "AccessDenied")
        self.assertTrue(message.startswith(
            f"User: {self.alice_arn} is not authorized to perform: sts:AssumeRole on resource: "
            f"{missing}"), message)

    def test_root_cannot_assume_roles(self):
        role_arn = self.make_role("root-target",
                                  trust(allow({"AWS": f"arn:aws:iam::{self.account}:root"})))
        other_arn = self.make_role("root-untrusted", trust(allow({"AWS": self.bob_arn})))
        for arn in (role_arn, other_arn):
            code, status, message = error_of(lambda: self.server.client("sts").assume_role(
                RoleArn=arn, RoleSessionName="s1"))
            self.assertEqual((code, status, message),
                             ("AccessDenied", 403, "Roles may not be assumed by root accounts."))

    def test_trust_naming_the_account_needs_an_identity_allow(self):
        role_arn = self.make_role("account-role",
                                  trust(allow({"AWS": f"arn:aws:iam::{self.account}:root"})))
        sts = self.client("sts", self.bob_key)
        code, _, _ = error_of(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="s1"))
        self.assertEqual(code, "AccessDenied")
        self.iam.put_user_policy(UserName="bob", PolicyName="assume-account-role",
                                 PolicyDocument=policy({"Effect": "Allow",
                                                        "Action": "sts:AssumeRole",
                                                        "Resource": role_arn}))
        try:
            sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
        finally:
            self.iam.delete_user_policy(UserName="bob", PolicyName="assume-account-role")

    def test_external_id_condition(self):
        role_arn = self.make_role("partner-role", trust(allow(
            {"AWS": self.alice_arn},
            condition={"StringEquals": {"sts:ExternalId": "partner-7f3a"}})))
        sts = self.client("sts", self.alice_key)
        self.assertEqual(error_of(lambda: sts.assume_role(
            RoleArn=role_arn, RoleSessionName="s1"))[0], "AccessDenied")
        self.assertEqual(error_of(lambda: sts.assume_role(
            RoleArn=role_arn, RoleSessionName="s1", ExternalId="partner-0000"))[0], "AccessDenied")
        sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", ExternalId="partner-7f3a")

    def test_explicit_deny_in_the_callers_policy_wins(self):
        role_arn = self.make_role("denied-role", trust(allow({"AWS": self.bob_arn})))
        self.iam.put_user_policy(UserName="bob", PolicyName="no-sts",
                                 PolicyDocument=policy({"Effect": "Deny", "Action": "sts:*",
                                                        "Resource": "*"}))
        try:
            code, _, message = error_of(lambda: self.client("sts", self.bob_key).assume_role(
                RoleArn=role_arn, RoleSessionName="s1"))
        finally:
            self.iam.delete_user_policy(UserName="bob", PolicyName="no-sts")
        self.assertEqual(code, "AccessDenied")
        self.assertIn("with an explicit deny in an identity-based policy", message)

    # ---- what a role session may do

    def test_role_session_acts_with_the_roles_policies(self):
        role_arn = self.make_role("lister", trust(allow({"AWS": self.alice_arn})), policies=[
            policy({"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListRoles"],
                    "Resource": "*"})])
        out = self.client("sts", self.alice_key).assume_role(RoleArn=role_arn,
                                                             RoleSessionName="s1")
        iam = self.session_client("iam", out["Credentials"])
        users = [u["UserName"] for u in iam.list_users()["Users"]]
        self.assertIn("alice", users)
        iam.list_roles()
        code, _, message = error_of(lambda: iam.create_user(UserName="mallory"))
        self.assertEqual(code, "AccessDenied")
        self.assertEqual(
            message,
            f"User: arn:aws:sts::{self.account}:assumed-role/lister/s1 is not authorized to "
            f"perform: iam:CreateUser on resource: arn:aws:iam::{self.account}:user/mallory "
            "because no identity-based policy allows the iam:CreateUser action")

    def test_sessions_carry_aws_token_issue_time(self):
        role_arn = self.make_role("issued", trust(allow({"AWS": self.alice_arn})), policies=[
            policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                    "Condition": {"DateGreaterThan": {"aws:TokenIssueTime":
                                                      "2020-01-01T00:00:00Z"}}}),
            policy({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                    "Condition": {"DateLessThan": {"aws:TokenIssueTime":
                                                   "2020-01-01T00:00:00Z"}}})])
        out = self.client("sts", self.alice_key).assume_role(RoleArn=role_arn,
                                                             RoleSessionName="s1")
        iam = self.session_client("iam", out["Credentials"])
        iam.list_users()
        self.assertEqual(error_of(lambda: iam.list_roles())[0], "AccessDenied")

    def test_session_policies_limit_the_session(self):
        role_arn = self.make_role("broad", trust(allow({"AWS": self.alice_arn})), policies=[
            policy({"Effect": "Allow", "Action": ["iam:List*", "iam:Get*"], "Resource": "*"})])
        session_policy = policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})
        out = self.client("sts", self.alice_key).assume_role(
            RoleArn=role_arn, RoleSessionName="narrow", Policy=session_policy)
        self.assertGreaterEqual(out["PackedPolicySize"], 1)
        self.assertLessEqual(out["PackedPolicySize"], 100)
        iam = self.session_client("iam", out["Credentials"])
        iam.list_users()
        code, _, message = error_of(lambda: iam.list_roles())
        self.assertEqual(code, "AccessDenied")
        self.assertIn("because no session policy allows the iam:ListRoles action", message)
        # Without a session policy the same role may list roles.
        plain = self.client("sts", self.alice_key).assume_role(RoleArn=role_arn,
                                                               RoleSessionName="plain")
        self.session_client("iam", plain["Credentials"]).list_roles()

    def test_managed_session_policies(self):
        role_arn = self.make_role("managed-narrow", trust(allow({"AWS": self.alice_arn})),
                                  policies=[policy({"Effect": "Allow", "Action": "iam:*",
                                                    "Resource": "*"})])
        policy_arn = self.iam.create_policy(
            PolicyName="only-list-roles",
            PolicyDocument=policy({"Effect": "Allow", "Action": "iam:ListRoles",
                                   "Resource": "*"}))["Policy"]["Arn"]
        out = self.client("sts", self.alice_key).assume_role(
            RoleArn=role_arn, RoleSessionName="managed", PolicyArns=[{"arn": policy_arn}])
        iam = self.session_client("iam", out["Credentials"])
        iam.list_roles()
        self.assertEqual(error_of(lambda: iam.list_users())[0], "AccessDenied")

    def test_session_tags_need_tag_session_and_become_principal_tags(self):
        role_arn = self.make_role(
            "tagged", trust(allow({"AWS": self.alice_arn},
                                  actions=("sts:AssumeRole", "sts:TagSession"))),
            policies=[policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}})])
        sts = self.client("sts", self.alice_key)
        blue = sts.assume_role(RoleArn=role_arn, RoleSessionName="blue",
                               Tags=[{"Key": "team", "Value": "blue"}])
        self.assertIn("PackedPolicySize", blue)
        self.session_client("iam", blue["Credentials"]).list_users()
        red = sts.assume_role(RoleArn=role_arn, RoleSessionName="red",
                              Tags=[{"Key": "team", "Value": "red"}])
        self.assertEqual(error_of(lambda: self.session_client("iam", red["Credentials"])
                                  .list_users())[0], "AccessDenied")
        # A trust policy without sts:TagSession refuses tagged sessions.
        untagged_arn = self.make_role("untagged", trust(allow({"AWS": self.alice_arn})))
        code, _, message = error_of(lambda: sts.assume_role(
            RoleArn=untagged_arn, RoleSessionName="tagged", Tags=[{"Key": "team", "Value": "blue"}]))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("sts:TagSession", message)

    def test_source_identity_is_kept_through_role_chaining(self):
        first = self.make_role(
            "si-1", trust(allow({"AWS": self.alice_arn},
                                actions=("sts:AssumeRole", "sts:SetSourceIdentity"))),
            policies=[policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
                      policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                              "Condition": {"StringEquals": {
                                  "aws:SourceIdentity": "alice@example.com"}}})])
        second = self.make_role("si-2", trust(allow({"AWS": first})))
        sts = self.client("sts", self.alice_key)
        out = sts.assume_role(RoleArn=first, RoleSessionName="s1",
                              SourceIdentity="alice@example.com")
        self.assertEqual(out["SourceIdentity"], "alice@example.com")
        self.session_client("iam", out["Credentials"]).list_users()
        hop = self.session_client("sts", out["Credentials"]).assume_role(
            RoleArn=second, RoleSessionName="s2")
        self.assertEqual(hop["SourceIdentity"], "alice@example.com")
        # A trust policy without sts:SetSourceIdentity refuses it.
        third = self.make_role("si-3", trust(allow({"AWS": self.alice_arn})))
        code, _, message = error_of(lambda: sts.assume_role(
            RoleArn=third, RoleSessionName="s3", SourceIdentity="alice@example.com"))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("sts:SetSourceIdentity", message)

    def test_role_chaining_is_limited_to_one_hour(self):
        first = self.make_role("chain-1", trust(allow({"AWS": self.alice_arn})), policies=[
            policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})])
        second = self.make_role("chain-2", trust(allow({"AWS": first})), max_session=7200)
        hop = self.client("sts", self.alice_key).assume_role(RoleArn=first, RoleSessionName="hop1")
        sts = self.session_client("sts", hop["Credentials"])
        code, _, message = error_of(lambda: sts.assume_role(
            RoleArn=second, RoleSessionName="hop2", DurationSeconds=7200))
        self.assertEqual(code, "ValidationError")
        self.assertIn("role chaining", message)
        out = sts.assume_role(RoleArn=second, RoleSessionName="hop2", DurationSeconds=3600)
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{self.account}:assumed-role/chain-2/hop2")

    # ---- input validation

    def test_duration_and_session_name_validation(self):
        role_arn = self.make_role("short", trust(allow({"AWS": self.alice_arn})), max_session=3600)
        sts = self.client("sts", self.alice_key)
        code, status, message = error_of(lambda: sts.assume_role(
            RoleArn=role_arn, RoleSessionName="s1", DurationSeconds=7200))
        self.assertEqual((code, status), ("ValidationError", 400))
        self.assertEqual(message, "The requested DurationSeconds exceeds the MaxSessionDuration "
                                  "set for this role.")
        # botocore checks the model's limits before sending: a client that skips validation
        # shows the server's own checks.
        raw = boto3.session.Session().client(
            "sts", endpoint_url=self.server.endpoint, region_name=REGION,
            aws_access_key_id=self.alice_key[0], aws_secret_access_key=self.alice_key[1],
            config=botocore.config.Config(parameter_validation=False,
                                          retries={"max_attempts": 1}))
        code, _, message = error_of(lambda: raw.assume_role(
            RoleArn=role_arn, RoleSessionName="s1", DurationSeconds=60))
        self.assertEqual(code, "ValidationError")
        self.assertIn("Member must have value greater than or equal to 900", message)
        code, _, message = error_of(lambda: raw.assume_role(
            RoleArn=role_arn, RoleSessionName="has space"))
        self.assertEqual(code, "ValidationError")
        self.assertIn("roleSessionName", message)
        code, _, _ = error_of(lambda: sts.assume_role(
            RoleArn=role_arn, RoleSessionName="s1", Policy='{"Version":"2012-10-17",'
                                                          '"Statement":[{"Effect":"Nope"}]}'))
        self.assertEqual(code, "MalformedPolicyDocument")

    # ---- GetSessionToken

    def test_get_session_token_for_a_user(self):
        out = self.client("sts", self.bob_key).get_session_token(DurationSeconds=900)
        credentials = out["Credentials"]
        self.assertRegex(credentials["AccessKeyId"], r"^ASIA")
        sts = self.session_client("sts", credentials)
        self.assertEqual(sts.get_caller_identity()["Arn"], self.bob_arn)
        code, _, message = error_of(lambda: sts.get_session_token())
        self.assertEqual(code, "AccessDenied")
        self.assertIn("Cannot call GetSessionToken with session credentials", message)
        # Without MFA such credentials cannot call IAM at all.
        code, status, _ = error_of(lambda: self.session_client("iam", credentials).list_users())
        self.assertEqual((code, status), ("InvalidClientTokenId", 403))

    def test_get_session_token_needs_no_permission_but_an_explicit_deny_wins(self):
        arn, key = self.make_user("carol")
        sts = self.client("sts", key)
        sts.get_session_token(DurationSeconds=900)  # carol has no policy at all
        self.iam.put_user_policy(UserName="carol", PolicyName="no-tokens",
                                 PolicyDocument=policy({"Effect": "Deny",
                                                        "Action": "sts:GetSessionToken",
                                                        "Resource": "*"}))
        code, _, message = error_of(lambda: sts.get_session_token(DurationSeconds=900))
        self.assertEqual(code, "AccessDenied")
        self.assertEqual(message, f"User: {arn} is not authorized to perform: sts:GetSessionToken "
                                  "with an explicit deny in an identity-based policy")

    def test_get_session_token_for_root_lasts_at_most_an_hour(self):
        out = self.server.client("sts").get_session_token(DurationSeconds=129600)
        lifetime = (out["Credentials"]["Expiration"] -
                    datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(3500 < lifetime <= 3605, lifetime)
        result = self.server.aws("sts", "get-session-token", "--duration-seconds", "900")
        credentials = json.loads(result[1])["Credentials"]
        identity = self.aws_as((credentials["AccessKeyId"], credentials["SecretAccessKey"]),
                               credentials["SessionToken"], "sts", "get-caller-identity")
        self.assertEqual(json.loads(identity.stdout)["Arn"], f"arn:aws:iam::{self.account}:root")

    # ---- tokens

    def test_wrong_or_missing_session_token_is_refused(self):
        role_arn = self.make_role("token-role", trust(allow({"AWS": self.alice_arn})))
        credentials = self.client("sts", self.alice_key).assume_role(
            RoleArn=role_arn, RoleSessionName="s1")["Credentials"]
        key = (credentials["AccessKeyId"], credentials["SecretAccessKey"])
        wrong = credentials["SessionToken"][:-4] + "AAAA"
        for token in (None, wrong):
            code, status, message = error_of(
                lambda: self.client("sts", key, token).get_caller_identity())
            self.assertEqual((code, status), ("InvalidClientTokenId", 403), token)
            self.assertEqual(message, "The security token included in the request is invalid.")


class StsExpiryTest(unittest.TestCase):
    """Sessions across restarts, and expiry seen through the test clock offset."""

    def setUp(self):
        self.server = KirokuServer().start()
        self.addCleanup(self.server.cleanup)
        self.clients = []

    def track(self, client):
        self.clients.append(client)
        return client

    def stop(self, server):
        # Close the clients' kept-alive connections first: the test is about sessions, not about
        # shutting down under idle keep-alive connections.
        for client in self.clients:
            client.close()
        self.clients.clear()
        return server.stop()

    def shifted(self, seconds):
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
        return mock.patch.object(botocore.auth, "get_current_datetime", return_value=now)

    def test_sessions_survive_a_restart_and_expire(self):
        iam = self.track(self.server.client("iam"))
        alice = iam.create_user(UserName="alice")["User"]["Arn"]
        key = iam.create_access_key(UserName="alice")["AccessKey"]
        role_arn = iam.create_role(RoleName="short-lived", AssumeRolePolicyDocument=trust(
            allow({"AWS": alice})))["Role"]["Arn"]
        sts = self.track(self.server.client("sts", key["AccessKeyId"], key["SecretAccessKey"]))
        role_session = sts.assume_role(RoleArn=role_arn, RoleSessionName="s1",
                                       DurationSeconds=900)["Credentials"]
        token_session = self.track(self.server.client("sts")).get_session_token(
            DurationSeconds=900)["Credentials"]

        def client(credentials, server):
            return self.track(server.client("sts", credentials["AccessKeyId"],
                                            credentials["SecretAccessKey"],
                                            aws_session_token=credentials["SessionToken"]))

        data_dir = self.server.data_dir
        self.assertEqual(self.stop(self.server), 0)
        # Restarted on the same data dir: the sessions still work.
        restarted = KirokuServer(data_dir=data_dir).start()
        try:
            self.assertIn("assumed-role/short-lived/s1",
                          client(role_session, restarted).get_caller_identity()["Arn"])
        finally:
            self.stop(restarted)

        # 1000 s later (past the 900 s sessions), as far as the server and the signer know.
        later = KirokuServer(data_dir=data_dir,
                             env={"KIROKU_TEST_CLOCK_OFFSET_SECONDS": "1000"}).start()
        try:
            with self.shifted(1000):
                for credentials in (role_session, token_session):
                    code, status, message = error_of(
                        lambda: client(credentials, later).get_caller_identity())
                    self.assertEqual((code, status), ("ExpiredToken", 403))
                    self.assertEqual(message,
                                     "The security token included in the request is expired")
                # A JSON-protocol service names the same error in its own spelling.
                kms = self.track(later.client("kms", role_session["AccessKeyId"],
                                              role_session["SecretAccessKey"],
                                              aws_session_token=role_session["SessionToken"]))
                code, status, message = error_of(kms.list_keys)
                self.assertEqual((code, status), ("ExpiredTokenException", 400))
                self.assertEqual(message, "The security token included in the request is expired")
                # Long-term keys are unaffected: only the sessions expired.
                self.assertIn(":root",
                              self.track(later.client("sts")).get_caller_identity()["Arn"])
        finally:
            self.stop(later)

    def test_clock_offset_is_documented_in_serve_help(self):
        from kiroku_server import kiroku_bin
        result = subprocess.run([kiroku_bin(), "serve", "--help"], capture_output=True, text=True)
        self.assertIn("KIROKU_TEST_CLOCK_OFFSET_SECONDS", result.stdout)


if __name__ == "__main__":
    unittest.main()
