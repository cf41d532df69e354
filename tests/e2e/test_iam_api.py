"""End to end: the IAM API (users, groups, roles, inline and managed policies, access keys,
login profiles, account settings) driven by boto3 and, for a user's typical flows, the real
aws CLI; and IAM policies enforced on IAM calls themselves.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer  # noqa: E402


def error_of(call):
    """Runs `call`, which must fail with an AWS error; returns (code, HTTP status, message)."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"].get("Message", ""))
    raise AssertionError("the call succeeded")


def allow(action, resource="*", condition=None):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def deny(action, resource="*"):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource}]})


def trust(principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


AWS_MANAGED = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess",
               "CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess",
               "AWSKeyManagementServicePowerUser", "AWSCloudTrail_FullAccess",
               "AWSCloudTrail_ReadOnlyAccess"]


class IamApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.iam = cls.server.client("iam")
        cls.account = cls.server.client("sts").get_caller_identity()["Account"]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def new_user_with_key(self, name, policy=None):
        self.iam.create_user(UserName=name)
        if policy:
            self.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return key, self.server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])

    def arn(self, kind, name):
        return f"arn:aws:iam::{self.account}:{kind}/{name}"

    # ---- the aws CLI, as a user would type it ----

    def test_cli_user_flow(self):
        code, out, _ = self.server.aws("iam", "create-user", "--user-name", "cli-user",
                                       "--path", "/cli/")
        user = json.loads(out)["User"]
        self.assertEqual(user["Arn"], f"arn:aws:iam::{self.account}:user/cli/cli-user")
        self.assertRegex(user["UserId"], r"^AIDA[A-Z0-9]{17}$")

        _, out, _ = self.server.aws("iam", "create-access-key", "--user-name", "cli-user")
        key = json.loads(out)["AccessKey"]
        self.assertRegex(key["AccessKeyId"], r"^AKIA[A-Z2-7]{16}$")
        self.assertEqual(len(key["SecretAccessKey"]), 40)
        self.assertEqual(key["Status"], "Active")

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(allow("iam:List*"))
        try:
            self.server.aws("iam", "put-user-policy", "--user-name", "cli-user",
                            "--policy-name", "list-only", "--policy-document", f"file://{f.name}")
        finally:
            os.unlink(f.name)
        _, out, _ = self.server.aws("iam", "get-user-policy", "--user-name", "cli-user",
                                    "--policy-name", "list-only")
        self.assertEqual(json.loads(out)["PolicyDocument"]["Statement"][0]["Action"], "iam:List*")

        _, out, _ = self.server.aws("iam", "create-login-profile", "--user-name", "cli-user",
                                    "--password", "Example-Passw0rd!", "--password-reset-required")
        self.assertTrue(json.loads(out)["LoginProfile"]["PasswordResetRequired"])

        _, out, _ = self.server.aws("iam", "list-users", "--path-prefix", "/cli/")
        self.assertEqual([u["UserName"] for u in json.loads(out)["Users"]], ["cli-user"])

        # The new user's own key works with the CLI, and only for what its policy allows.
        env_key = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                   "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        env = dict(self.server.cli_env(), **env_key)
        env.pop("AWS_SHARED_CREDENTIALS_FILE")
        listed = subprocess.run(["aws", "iam", "list-users"], env=env, capture_output=True,
                                text=True, timeout=60)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        denied = subprocess.run(["aws", "iam", "create-user", "--user-name", "x"], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(denied.returncode, 0)
        self.assertIn("AccessDenied", denied.stderr)

    def test_cli_account_alias(self):
        self.server.aws("iam", "create-account-alias", "--account-alias", "kiroku-dev")
        _, out, _ = self.server.aws("iam", "list-account-aliases")
        self.assertEqual(json.loads(out)["AccountAliases"], ["kiroku-dev"])
        # One alias per account: a new one replaces it.
        self.server.aws("iam", "create-account-alias", "--account-alias", "kiroku-prod")
        _, out, _ = self.server.aws("iam", "list-account-aliases")
        self.assertEqual(json.loads(out)["AccountAliases"], ["kiroku-prod"])
        code, _, err = self.server.aws("iam", "delete-account-alias", "--account-alias",
                                       "kiroku-dev", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("NoSuchEntity", err)
        self.server.aws("iam", "delete-account-alias", "--account-alias", "kiroku-prod")
        _, out, _ = self.server.aws("iam", "list-account-aliases")
        self.assertEqual(json.loads(out)["AccountAliases"], [])
        code, _, err = self.server.aws("iam", "create-account-alias", "--account-alias",
                                       "Bad--Alias", check=False)
        self.assertIn("ValidationError", err)

    # ---- enforcement of IAM policies on IAM calls ----

    def test_list_only_user_is_denied_create_and_explicit_deny_wins(self):
        _, client = self.new_user_with_key("lister", allow("iam:List*"))
        names = [u["UserName"] for u in client.list_users()["Users"]]
        self.assertIn("lister", names)
        code, status, message = error_of(lambda: client.create_user(UserName="newbie"))
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertEqual(
            message,
            f"User: {self.arn('user', 'lister')} is not authorized to perform: iam:CreateUser on "
            f"resource: {self.arn('user', 'newbie')} because no identity-based policy allows the "
            f"iam:CreateUser action")

        self.iam.put_user_policy(UserName="lister", PolicyName="no-users",
                                 PolicyDocument=deny("iam:ListUsers"))
        code, status, message = error_of(lambda: client.list_users())
        self.assertEqual((code, status), ("AccessDenied", 403))
        self.assertEqual(
            message,
            f"User: {self.arn('user', 'lister')} is not authorized to perform: iam:ListUsers "
            f"with an explicit deny in an identity-based policy")
        client.list_roles()  # other List* calls are still allowed
        self.iam.delete_user_policy(UserName="lister", PolicyName="no-users")
        client.list_users()

    def test_deactivated_and_deleted_keys_are_locked_out(self):
        key, client = self.new_user_with_key("keyholder", allow("iam:List*"))
        client.list_users()
        self.iam.update_access_key(UserName="keyholder", AccessKeyId=key["AccessKeyId"],
                                   Status="Inactive")
        listed = self.iam.list_access_keys(UserName="keyholder")["AccessKeyMetadata"]
        self.assertEqual([k["Status"] for k in listed], ["Inactive"])
        code, status, _ = error_of(lambda: client.list_users())
        self.assertEqual((code, status), ("InvalidClientTokenId", 403))
        self.iam.update_access_key(UserName="keyholder", AccessKeyId=key["AccessKeyId"],
                                   Status="Active")
        client.list_users()
        self.iam.delete_access_key(UserName="keyholder", AccessKeyId=key["AccessKeyId"])
        code, status, message = error_of(lambda: client.list_users())
        self.assertEqual((code, status), ("InvalidClientTokenId", 403))
        self.assertEqual(message, "The security token included in the request is invalid.")
        self.assertEqual(self.iam.list_access_keys(UserName="keyholder")["AccessKeyMetadata"], [])

    def test_group_and_managed_policies_apply_to_members(self):
        _, client = self.new_user_with_key("member")
        self.assertEqual(error_of(lambda: client.list_roles())[0], "AccessDenied")
        self.iam.create_group(GroupName="readers")
        self.iam.attach_group_policy(GroupName="readers",
                                     PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.iam.add_user_to_group(GroupName="readers", UserName="member")
        client.list_roles()
        client.get_user(UserName="member")
        self.assertEqual(error_of(lambda: client.create_group(GroupName="g2"))[0], "AccessDenied")
        groups = self.iam.list_groups_for_user(UserName="member")["Groups"]
        self.assertEqual([g["GroupName"] for g in groups], ["readers"])
        group = self.iam.get_group(GroupName="readers")
        self.assertEqual([u["UserName"] for u in group["Users"]], ["member"])
        self.assertRegex(group["Group"]["GroupId"], r"^AGPA")
        # A renamed group keeps its members and policies.
        self.iam.update_group(GroupName="readers", NewGroupName="viewers")
        client.list_roles()
        self.iam.remove_user_from_group(GroupName="viewers", UserName="member")
        self.assertEqual(error_of(lambda: client.list_roles())[0], "AccessDenied")

    def test_request_tag_conditions(self):
        _, client = self.new_user_with_key("tagger", allow(
            "iam:TagUser", condition={"StringEquals": {"aws:RequestTag/team": "blue"}}))
        self.iam.create_user(UserName="tagged")
        client.tag_user(UserName="tagged", Tags=[{"Key": "team", "Value": "blue"}])
        code, _, _ = error_of(lambda: client.tag_user(
            UserName="tagged", Tags=[{"Key": "team", "Value": "red"}]))
        self.assertEqual(code, "AccessDenied")
        tags = self.iam.list_user_tags(UserName="tagged")["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "blue"}])

    def test_role_tags(self):
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
        self.iam.create_role(RoleName="tagged-role", AssumeRolePolicyDocument=trust)
        self.iam.tag_role(RoleName="tagged-role", Tags=[{"Key": "a", "Value": "1"},
                                                        {"Key": "b", "Value": "2"}])
        self.iam.untag_role(RoleName="tagged-role", TagKeys=["a"])
        self.assertEqual(self.iam.list_role_tags(RoleName="tagged-role")["Tags"],
                         [{"Key": "b", "Value": "2"}])
        self.assertEqual(error_of(lambda: self.iam.list_role_tags(RoleName="no-such-role"))[0],
                         "NoSuchEntity")

    def test_principal_tags_and_policy_variables_come_from_the_user(self):
        self.iam.create_user(UserName="tagged-caller", Tags=[{"Key": "team", "Value": "blue"}])
        self.iam.put_user_policy(UserName="tagged-caller", PolicyName="abac", PolicyDocument=allow(
            "iam:ListGroups", condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}))
        # Each user may read only itself: the ARN names the caller through ${aws:username}.
        self.iam.put_user_policy(UserName="tagged-caller", PolicyName="self", PolicyDocument=allow(
            "iam:GetUser", resource=f"arn:aws:iam::{self.account}:user/${{aws:username}}"))
        key = self.iam.create_access_key(UserName="tagged-caller")["AccessKey"]
        client = self.server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        client.list_groups()
        self.assertEqual(client.get_user(UserName="tagged-caller")["User"]["UserName"],
                         "tagged-caller")
        self.iam.create_user(UserName="someone-else")
        self.assertEqual(error_of(lambda: client.get_user(UserName="someone-else"))[0],
                         "AccessDenied")
        # Tags are read per request: retagging the user changes the decision at once.
        self.iam.tag_user(UserName="tagged-caller", Tags=[{"Key": "team", "Value": "red"}])
        self.assertEqual(error_of(lambda: client.list_groups())[0], "AccessDenied")

    def test_resource_tags_of_managed_policies(self):
        _, client = self.new_user_with_key("policy-reader", allow(
            "iam:GetPolicy", condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}))
        blue = self.iam.create_policy(PolicyName="blue-policy", PolicyDocument=allow("s3:Get*"),
                                      Tags=[{"Key": "team", "Value": "blue"}])["Policy"]["Arn"]
        red = self.iam.create_policy(PolicyName="red-policy",
                                     PolicyDocument=allow("s3:Get*"))["Policy"]["Arn"]
        self.assertEqual(client.get_policy(PolicyArn=blue)["Policy"]["Tags"],
                         [{"Key": "team", "Value": "blue"}])
        self.assertEqual(error_of(lambda: client.get_policy(PolicyArn=red))[0], "AccessDenied")
        self.iam.tag_policy(PolicyArn=red, Tags=[{"Key": "team", "Value": "blue"}])
        client.get_policy(PolicyArn=red)

    def test_permissions_boundary_limits_an_administrator(self):
        _, client = self.new_user_with_key("bounded")
        self.iam.attach_user_policy(UserName="bounded",
                                    PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        client.create_group(GroupName="made-by-bounded")
        boundary = self.iam.create_policy(PolicyName="list-boundary",
                                          PolicyDocument=allow("iam:List*"))["Policy"]["Arn"]
        self.iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=boundary)
        boundaries = self.iam.list_policies(Scope="Local", PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual([p["Arn"] for p in boundaries["Policies"]], [boundary])
        used_by = self.iam.list_entities_for_policy(PolicyArn=boundary,
                                                    PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual([u["UserName"] for u in used_by["PolicyUsers"]], ["bounded"])
        user = self.iam.get_user(UserName="bounded")["User"]
        self.assertEqual(user["PermissionsBoundary"]["PermissionsBoundaryArn"], boundary)
        client.list_groups()
        code, _, message = error_of(lambda: client.create_group(GroupName="g3"))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("because no permissions boundary allows the iam:CreateGroup action", message)
        self.iam.delete_user_permissions_boundary(UserName="bounded")
        client.create_group(GroupName="g3")

    # ---- entities and their rules ----

    def test_user_errors_as_aws_writes_them(self):
        self.iam.create_user(UserName="dup")
        self.assertEqual(error_of(lambda: self.iam.create_user(UserName="dup")),
                         ("EntityAlreadyExists", 409, "User with name dup already exists."))
        self.assertEqual(error_of(lambda: self.iam.get_user(UserName="ghost")),
                         ("NoSuchEntity", 404, "The user with name ghost cannot be found."))
        code, status, _ = error_of(lambda: self.iam.create_user(UserName="bad name"))
        self.assertEqual((code, status), ("ValidationError", 400))
        self.iam.create_access_key(UserName="dup")
        self.assertEqual(error_of(lambda: self.iam.delete_user(UserName="dup")),
                         ("DeleteConflict", 409,
                          "Cannot delete entity, must delete access keys first."))

    def test_get_user_without_name_is_the_caller(self):
        _, client = self.new_user_with_key("self-aware", allow("iam:GetUser"))
        self.assertEqual(client.get_user()["User"]["UserName"], "self-aware")
        root = self.iam.get_user()["User"]
        self.assertEqual(root["Arn"], f"arn:aws:iam::{self.account}:root")
        self.assertEqual(root["UserId"], self.account)

    def test_rename_user_keeps_its_key_and_policies(self):
        key, client = self.new_user_with_key("old-name", allow("iam:GetUser"))
        self.iam.update_user(UserName="old-name", NewUserName="new-name", NewPath="/moved/")
        user = client.get_user(UserName="new-name")["User"]
        self.assertEqual(user["Arn"], f"arn:aws:iam::{self.account}:user/moved/new-name")
        self.assertEqual(client.get_user()["User"]["UserName"], "new-name")
        self.assertEqual(error_of(lambda: self.iam.get_user(UserName="old-name"))[0],
                         "NoSuchEntity")
        self.assertEqual(self.iam.list_user_policies(UserName="new-name")["PolicyNames"], ["p"])
        self.iam.create_user(UserName="occupied")
        self.assertEqual(error_of(lambda: self.iam.update_user(UserName="new-name",
                                                              NewUserName="occupied")),
                         ("EntityAlreadyExists", 409, "User with name occupied already exists."))

    def test_delete_user_requires_everything_gone(self):
        self.iam.create_user(UserName="full")
        key = self.iam.create_access_key(UserName="full")["AccessKey"]
        self.iam.put_user_policy(UserName="full", PolicyName="p", PolicyDocument=allow("s3:*"))
        self.iam.attach_user_policy(UserName="full",
                                    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.iam.create_group(GroupName="full-group")
        self.iam.add_user_to_group(GroupName="full-group", UserName="full")
        self.iam.create_login_profile(UserName="full", Password="Str0ng-Password!")
        steps = [
            ("access keys", lambda: self.iam.delete_access_key(UserName="full",
                                                                AccessKeyId=key["AccessKeyId"])),
            ("policies", lambda: self.iam.delete_user_policy(UserName="full", PolicyName="p")),
            ("detach all policies", lambda: self.iam.detach_user_policy(
                UserName="full", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")),
            ("remove users from group", lambda: self.iam.remove_user_from_group(
                GroupName="full-group", UserName="full")),
            ("login profile", lambda: self.iam.delete_login_profile(UserName="full")),
        ]
        for what, fix in steps:
            code, status, message = error_of(lambda: self.iam.delete_user(UserName="full"))
            self.assertEqual((code, status), ("DeleteConflict", 409))
            self.assertIn(what, message)
            fix()
        self.iam.delete_user(UserName="full")
        self.assertEqual(error_of(lambda: self.iam.get_user(UserName="full"))[0], "NoSuchEntity")

    def test_access_key_limit_and_last_used(self):
        key, client = self.new_user_with_key("two-keys", allow("iam:List*"))
        self.iam.create_access_key(UserName="two-keys")
        self.assertEqual(error_of(lambda: self.iam.create_access_key(UserName="two-keys")),
                         ("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2"))
        unused = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(unused["UserName"], "two-keys")
        self.assertEqual(unused["AccessKeyLastUsed"]["ServiceName"], "N/A")
        client.list_users()
        used = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(used["AccessKeyLastUsed"]["ServiceName"], "iam")
        self.assertEqual(used["AccessKeyLastUsed"]["Region"], "ap-northeast-1")
        self.assertIn("LastUsedDate", used["AccessKeyLastUsed"])
        code, status, message = error_of(lambda: self.iam.update_access_key(
            UserName="two-keys", AccessKeyId="AKIAAAAAAAAAAAAAAAAA", Status="Inactive"))
        self.assertEqual((code, status), ("NoSuchEntity", 404))
        self.assertEqual(message, "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.")

    def test_roles(self):
        document = trust(f"arn:aws:iam::{self.account}:root")
        role = self.iam.create_role(RoleName="Delivery", Path="/service-role/",
                                    AssumeRolePolicyDocument=document, Description="delivers",
                                    MaxSessionDuration=7200,
                                    Tags=[{"Key": "env", "Value": "test"}])["Role"]
        self.assertRegex(role["RoleId"], r"^AROA")
        self.assertEqual(role["Arn"], f"arn:aws:iam::{self.account}:role/service-role/Delivery")
        got = self.iam.get_role(RoleName="Delivery")["Role"]
        self.assertEqual(got["AssumeRolePolicyDocument"], json.loads(document))
        self.assertEqual(got["MaxSessionDuration"], 7200)
        self.assertEqual(got["Tags"], [{"Key": "env", "Value": "test"}])
        code, status, _ = error_of(lambda: self.iam.create_role(
            RoleName="TooLong", AssumeRolePolicyDocument=document, MaxSessionDuration=50000))
        self.assertEqual((code, status), ("ValidationError", 400))
        code, status, _ = error_of(lambda: self.iam.create_role(
            RoleName="NotTrust", AssumeRolePolicyDocument=allow("sts:AssumeRole")))
        self.assertEqual((code, status), ("MalformedPolicyDocument", 400))
        self.assertEqual(error_of(lambda: self.iam.get_role(RoleName="Nope")),
                         ("NoSuchEntity", 404, "The role with name Nope cannot be found."))
        self.iam.update_role(RoleName="Delivery", MaxSessionDuration=43200)
        # A trust policy may name only users and roles of the account that exist.
        self.assertEqual(error_of(lambda: self.iam.update_assume_role_policy(
            RoleName="Delivery", PolicyDocument=trust(self.arn("user", "someone")))),
            ("MalformedPolicyDocument", 400,
             f'Invalid principal in policy: "AWS":"{self.arn("user", "someone")}"'))
        self.iam.create_user(UserName="someone")
        self.iam.update_assume_role_policy(RoleName="Delivery",
                                           PolicyDocument=trust(self.arn("user", "someone")))
        got = self.iam.get_role(RoleName="Delivery")["Role"]
        self.assertEqual(got["MaxSessionDuration"], 43200)
        self.assertEqual(got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"],
                         self.arn("user", "someone"))
        roles = self.iam.list_roles(PathPrefix="/service-role/")["Roles"]
        self.assertEqual([r["RoleName"] for r in roles], ["Delivery"])
        self.iam.put_role_policy(RoleName="Delivery", PolicyName="logs",
                                 PolicyDocument=allow("logs:PutLogEvents"))
        self.assertEqual(self.iam.list_role_policies(RoleName="Delivery")["PolicyNames"], ["logs"])
        self.assertEqual(error_of(lambda: self.iam.delete_role(RoleName="Delivery"))[0],
                         "DeleteConflict")
        self.iam.delete_role_policy(RoleName="Delivery", PolicyName="logs")
        profiles = self.iam.list_instance_profiles_for_role(RoleName="Delivery")
        self.assertEqual((profiles["InstanceProfiles"], profiles["IsTruncated"]), ([], False))
        self.iam.delete_role(RoleName="Delivery")
        self.assertEqual(error_of(lambda: self.iam.list_instance_profiles_for_role(
            RoleName="Delivery"))[0], "NoSuchEntity")

    def test_inline_policy_documents_are_validated(self):
        self.iam.create_user(UserName="validated")
        code, status, message = error_of(lambda: self.iam.put_user_policy(
            UserName="validated", PolicyName="bad",
            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Maybe",'
                           '"Action":"s3:*","Resource":"*"}]}'))
        self.assertEqual((code, status), ("MalformedPolicyDocument", 400))
        self.assertIn("Effect", message)
        self.assertEqual(
            error_of(lambda: self.iam.get_user_policy(UserName="validated", PolicyName="bad")),
            ("NoSuchEntity", 404, "The user policy with name bad cannot be found."))

    def test_managed_policy_versions(self):
        arn = self.iam.create_policy(PolicyName="versioned", Path="/team/",
                                     PolicyDocument=allow("logs:Get*"),
                                     Description="v test")["Policy"]["Arn"]
        self.assertEqual(arn, f"arn:aws:iam::{self.account}:policy/team/versioned")
        policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        self.assertRegex(policy["PolicyId"], r"^ANPA")
        self.assertEqual((policy["DefaultVersionId"], policy["AttachmentCount"]), ("v1", 0))
        for n in range(2, 6):
            v = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow(f"logs:Op{n}"),
                                               SetAsDefault=(n == 4))["PolicyVersion"]
            self.assertEqual(v["VersionId"], f"v{n}")
        code, status, message = error_of(lambda: self.iam.create_policy_version(
            PolicyArn=arn, PolicyDocument=allow("logs:*")))
        self.assertEqual((code, status), ("LimitExceeded", 409))
        self.assertIn("5 versions", message)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v4")
        versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["v5", "v4", "v3", "v2", "v1"])
        self.assertEqual([v["IsDefaultVersion"] for v in versions],
                         [False, True, False, False, False])
        doc = self.iam.get_policy_version(PolicyArn=arn, VersionId="v4")["PolicyVersion"]
        self.assertEqual(doc["Document"]["Statement"][0]["Action"], "logs:Op4")
        self.assertEqual(error_of(lambda: self.iam.delete_policy_version(
            PolicyArn=arn, VersionId="v4"))[:2], ("DeleteConflict", 409))
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v4")

        self.iam.create_user(UserName="attached")
        self.iam.attach_user_policy(UserName="attached", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)
        entities = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([u["UserName"] for u in entities["PolicyUsers"]], ["attached"])
        attached = self.iam.list_attached_user_policies(UserName="attached")["AttachedPolicies"]
        self.assertEqual(attached, [{"PolicyName": "versioned", "PolicyArn": arn}])
        self.assertEqual(error_of(lambda: self.iam.delete_policy(PolicyArn=arn)),
                         ("DeleteConflict", 409, "Cannot delete a policy attached to entities."))
        self.iam.detach_user_policy(UserName="attached", PolicyArn=arn)
        for v in ["v1", "v3", "v5"]:
            self.iam.delete_policy_version(PolicyArn=arn, VersionId=v)
        self.iam.delete_policy(PolicyArn=arn)
        self.assertEqual(error_of(lambda: self.iam.get_policy(PolicyArn=arn))[:2],
                         ("NoSuchEntity", 404))

    def test_aws_managed_policies(self):
        aws = self.iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
        names = {p["PolicyName"] for p in aws}
        self.assertTrue(set(AWS_MANAGED) <= names, names)
        for p in aws:
            self.assertTrue(p["Arn"].startswith("arn:aws:iam::aws:policy/"))
            version = self.iam.get_policy_version(PolicyArn=p["Arn"],
                                                  VersionId=p["DefaultVersionId"])
            self.assertIn("Statement", version["PolicyVersion"]["Document"])
        admin = self.iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        self.assertEqual(admin["Policy"]["PolicyId"], "ANPAIWMBCKSKIEE64ZLYK")
        self.assertEqual(error_of(lambda: self.iam.attach_user_policy(
            UserName="nobody-here", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"))[0],
            "NoSuchEntity")
        self.iam.create_user(UserName="logs-reader")
        self.assertEqual(error_of(lambda: self.iam.attach_user_policy(
            UserName="logs-reader", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")),
            ("NoSuchEntity", 404,
             "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable."))
        self.iam.attach_user_policy(UserName="logs-reader",
                                    PolicyArn="arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess")
        attached = self.iam.list_policies(OnlyAttached=True, Scope="AWS")["Policies"]
        self.assertIn("CloudWatchLogsReadOnlyAccess", [p["PolicyName"] for p in attached])
        local = self.iam.list_policies(Scope="Local")["Policies"]
        self.assertFalse(any(p["Arn"].startswith("arn:aws:iam::aws:") for p in local))

    def test_pagination(self):
        for i in range(7):
            self.iam.create_user(UserName=f"page-{i}", Path="/paged/")
        first = self.iam.list_users(PathPrefix="/paged/", MaxItems=3)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual([u["UserName"] for u in first["Users"]], ["page-0", "page-1", "page-2"])
        second = self.iam.list_users(PathPrefix="/paged/", MaxItems=3, Marker=first["Marker"])
        self.assertEqual([u["UserName"] for u in second["Users"]], ["page-3", "page-4", "page-5"])
        paginator = self.iam.get_paginator("list_users")
        names = [u["UserName"] for page in paginator.paginate(PathPrefix="/paged/",
                                                              PaginationConfig={"PageSize": 2})
                 for u in page["Users"]]
        self.assertEqual(names, [f"page-{i}" for i in range(7)])
        last = self.iam.list_users(PathPrefix="/paged/", MaxItems=100)
        self.assertFalse(last["IsTruncated"])
        self.assertNotIn("Marker", last)

    def test_login_profiles_and_password_policy(self):
        self.iam.create_user(UserName="console")
        code, status, _ = error_of(lambda: self.iam.create_login_profile(
            UserName="console", Password="short"))
        self.assertEqual((code, status), ("PasswordPolicyViolation", 400))
        self.assertEqual(error_of(lambda: self.iam.get_account_password_policy())[:2],
                         ("NoSuchEntity", 404))
        self.iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True,
                                                RequireNumbers=True, MaxPasswordAge=90)
        policy = self.iam.get_account_password_policy()["PasswordPolicy"]
        self.assertEqual((policy["MinimumPasswordLength"], policy["ExpirePasswords"],
                          policy["MaxPasswordAge"]), (12, True, 90))
        self.assertEqual(error_of(lambda: self.iam.create_login_profile(
            UserName="console", Password="NoSymbols1234"))[0], "PasswordPolicyViolation")
        profile = self.iam.create_login_profile(UserName="console", Password="Long-enough-1!")
        self.assertEqual(profile["LoginProfile"]["UserName"], "console")
        self.assertEqual(error_of(lambda: self.iam.create_login_profile(
            UserName="console", Password="Long-enough-1!")),
            ("EntityAlreadyExists", 409, "Login Profile for user console already exists."))
        self.iam.update_login_profile(UserName="console", PasswordResetRequired=True)
        self.assertTrue(
            self.iam.get_login_profile(UserName="console")["LoginProfile"]["PasswordResetRequired"])
        self.iam.delete_account_password_policy()
        self.iam.delete_login_profile(UserName="console")
        self.assertEqual(error_of(lambda: self.iam.get_login_profile(UserName="console")),
                         ("NoSuchEntity", 404, "Login Profile for User console cannot be found."))
        # The password is kept only as a scrypt hash.
        db = os.path.join(self.server.data_dir, "db")
        for name in os.listdir(db):
            with open(os.path.join(db, name), "rb") as f:
                self.assertNotIn(b"Long-enough-1!", f.read(), name)

    def test_account_authorization_details_and_summary(self):
        self.iam.create_user(UserName="detailed")
        self.iam.put_user_policy(UserName="detailed", PolicyName="inline",
                                 PolicyDocument=allow("kms:Encrypt"))
        self.iam.attach_user_policy(UserName="detailed",
                                    PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
        details = self.iam.get_account_authorization_details(Filter=["User", "AWSManagedPolicy"])
        user = next(u for u in details["UserDetailList"] if u["UserName"] == "detailed")
        self.assertEqual(user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"],
                         "kms:Encrypt")
        self.assertEqual(user["AttachedManagedPolicies"][0]["PolicyName"], "PowerUserAccess")
        self.assertEqual(details["RoleDetailList"], [])
        power = next(p for p in details["Policies"] if p["PolicyName"] == "PowerUserAccess")
        self.assertTrue(power["PolicyVersionList"][0]["IsDefaultVersion"])
        summary = self.iam.get_account_summary()["SummaryMap"]
        users = self.iam.get_paginator("list_users").paginate().build_full_result()["Users"]
        self.assertEqual(summary["Users"], len(users))
        self.assertEqual(summary["AccessKeysPerUserQuota"], 2)

    def test_entities_survive_a_restart(self):
        self.iam.create_user(UserName="durable")
        key = self.iam.create_access_key(UserName="durable")["AccessKey"]
        self.iam.attach_user_policy(UserName="durable",
                                    PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        server = KirokuServer(data_dir=self.server.data_dir)
        self.server.stop()
        try:
            server.start()
            client = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
            self.assertEqual(client.get_user(UserName="durable")["User"]["UserName"], "durable")
        finally:
            server.stop()
            self.server.start()
            type(self).iam = self.server.client("iam")


if __name__ == "__main__":
    unittest.main()
