"""End to end: the IAM policy simulator over HTTP.

Every case of tests/data/policy/iam_policies.jsonl (the shared IAM conformance corpus, ids kept)
goes through SimulateCustomPolicy in one boto3 process, reported by id; a few also go through
`aws iam simulate-custom-policy --cli-input-json`. Then the simulator's own behaviour:
MatchedStatements, MissingContextValues, pagination, permissions boundaries, resource policies,
SimulatePrincipalPolicy, GetContextKeysFor*Policy, errors and authorization.
"""
import json
import os
import sys
import tempfile
import unittest

import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer  # noqa: E402

CORPUS = os.path.join(os.path.dirname(__file__), "..", "data", "policy", "iam_policies.jsonl")


def load_corpus():
    with open(CORPUS) as f:
        return [json.loads(line) for line in f if line.strip()]


def request_for(case):
    """The SimulateCustomPolicy input of one corpus case (../shared/docs/iam-corpus.md)."""
    request = {
        "PolicyInputList": [json.dumps(p) for p in case["identity_policies"]],
        "ActionNames": [case["action"]],
        "ResourceArns": [case["resource"]],
        "ContextEntries": [{"ContextKeyName": c["key"], "ContextKeyType": c["type"],
                            "ContextKeyValues": c["values"]} for c in case["context"]],
    }
    if case.get("boundary_policies"):
        request["PermissionsBoundaryPolicyInputList"] = [
            json.dumps(p) for p in case["boundary_policies"]]
    if case.get("resource_policy") is not None:
        request["ResourcePolicy"] = json.dumps(case["resource_policy"])
    if case.get("caller_arn"):
        request["CallerArn"] = case["caller_arn"]
    return request


def error_of(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    raise AssertionError("the call succeeded")


ALLOW_S3_READ = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": "*"}]}


class SimulatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.iam = cls.server.client("iam")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_every_corpus_case_through_simulate_custom_policy(self):
        cases = load_corpus()
        self.assertGreaterEqual(len(cases), 300)
        failures = []
        for case in cases:
            with self.subTest(id=case["id"]):
                out = self.iam.simulate_custom_policy(**request_for(case))
                results = out["EvaluationResults"]
                self.assertEqual(len(results), 1)
                result = results[0]
                self.assertEqual(result["EvalActionName"], case["action"])
                self.assertEqual(result["EvalResourceName"], case["resource"])
                specific = result["ResourceSpecificResults"]
                self.assertEqual(len(specific), 1)
                self.assertEqual(specific[0]["EvalResourceDecision"], result["EvalDecision"])
                if result["EvalDecision"] != case["expected"]:
                    failures.append(case["id"])
                self.assertEqual(result["EvalDecision"], case["expected"],
                                 f"{case['id']}: {case['note']} ({case['source']})")
                if case["expected"] != "implicitDeny":
                    self.assertTrue(result["MatchedStatements"], case["id"])
        self.assertEqual(failures, [])

    def test_corpus_cases_through_the_cli(self):
        cases = {c["id"]: c for c in load_corpus()}
        # One of each: identity allow, explicit deny, boundary, resource policy with a caller,
        # and an empty policy list.
        chosen = ["pub-eval-001", "pub-eval-002", "pub-eval-003"]
        chosen += [c["id"] for c in cases.values() if c.get("boundary_policies")][:1]
        chosen += [c["id"] for c in cases.values() if c.get("resource_policy")][:1]
        chosen += [c["id"] for c in cases.values() if c["expected"] == "explicitDeny"][:1]
        for case_id in chosen:
            case = cases[case_id]
            with self.subTest(id=case_id), tempfile.NamedTemporaryFile(
                    "w", suffix=".json", delete=False) as f:
                json.dump(request_for(case), f)
                f.close()
                try:
                    _, out, _ = self.server.aws("iam", "simulate-custom-policy",
                                                "--cli-input-json", "file://" + f.name)
                finally:
                    os.unlink(f.name)
                result = json.loads(out)["EvaluationResults"][0]
                self.assertEqual(result["EvalDecision"], case["expected"], case["note"])

    def test_matched_statements_name_the_policy_and_its_position(self):
        policy = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
                  '"Resource":"*","Condition":{"DateGreaterThan":'
                  '{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(ALLOW_S3_READ), policy],
            ActionNames=["dynamodb:CreateBackup"],
            ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyType": "date",
                             "ContextKeyValues": ["2019-04-25T11:00:00Z"]}])
        result = out["EvaluationResults"][0]
        self.assertEqual(result["EvalDecision"], "allowed")
        self.assertEqual(result["EvalResourceName"], "*")
        self.assertNotIn("ResourceSpecificResults", result)
        [statement] = result["MatchedStatements"]
        self.assertEqual(statement["SourcePolicyId"], "PolicyInputList.2")
        self.assertEqual(statement["StartPosition"]["Line"], 1)
        self.assertEqual(statement["EndPosition"]["Line"], 1)
        self.assertLess(statement["StartPosition"]["Column"], statement["EndPosition"]["Column"])
        self.assertEqual(statement["EndPosition"]["Column"], len(policy))

        early = self.iam.simulate_custom_policy(
            PolicyInputList=[policy], ActionNames=["dynamodb:CreateBackup"],
            ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyType": "date",
                             "ContextKeyValues": ["2014-04-25T11:00:00Z"]}])
        self.assertEqual(early["EvaluationResults"][0]["EvalDecision"], "implicitDeny")
        self.assertEqual(early["EvaluationResults"][0]["MatchedStatements"], [])

    def test_context_is_exactly_the_given_entries(self):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
        out = self.iam.simulate_custom_policy(PolicyInputList=[json.dumps(policy)],
                                              ActionNames=["s3:GetObject"])
        result = out["EvaluationResults"][0]
        # No aws:SecureTransport is invented: the key is missing and the condition fails.
        self.assertEqual(result["EvalDecision"], "implicitDeny")
        self.assertEqual(result["MissingContextValues"], ["aws:SecureTransport"])
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(policy)], ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "AWS:securetransport", "ContextKeyType": "boolean",
                             "ContextKeyValues": ["true"]}])
        self.assertEqual(out["EvaluationResults"][0]["EvalDecision"], "allowed")
        self.assertEqual(out["EvaluationResults"][0]["MissingContextValues"], [])

    def test_explicit_deny_reports_only_the_deny(self):
        deny = {"Version": "2012-10-17", "Statement": [
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(ALLOW_S3_READ), json.dumps(deny)],
            ActionNames=["s3:GetObject"])
        result = out["EvaluationResults"][0]
        self.assertEqual(result["EvalDecision"], "explicitDeny")
        self.assertEqual([s["SourcePolicyId"] for s in result["MatchedStatements"]],
                         ["PolicyInputList.2"])

    def test_pagination_over_actions_and_resources(self):
        actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
        resources = ["arn:aws:s3:::b1", "arn:aws:s3:::b2"]
        seen = []
        marker = None
        pages = 0
        while True:
            kwargs = {"Marker": marker} if marker else {}
            out = self.iam.simulate_custom_policy(
                PolicyInputList=[json.dumps(ALLOW_S3_READ)], ActionNames=actions,
                ResourceArns=resources, MaxItems=4, **kwargs)
            pages += 1
            seen += [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"])
                     for r in out["EvaluationResults"]]
            if not out["IsTruncated"]:
                self.assertNotIn("Marker", out)
                break
            marker = out["Marker"]
        self.assertEqual(pages, 2)
        expected = [(a, r, "implicitDeny" if a == "s3:PutObject" else "allowed")
                    for a in actions for r in resources]
        self.assertEqual(seen, expected)
        # The paginator built from the model walks the same pages.
        paginated = [r["EvalActionName"] for page in self.iam.get_paginator(
            "simulate_custom_policy").paginate(
                PolicyInputList=[json.dumps(ALLOW_S3_READ)], ActionNames=actions,
                ResourceArns=resources, PaginationConfig={"PageSize": 5})
            for r in page["EvaluationResults"]]
        self.assertEqual(len(paginated), 6)
        code, _ = error_of(lambda: self.iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(ALLOW_S3_READ)], ActionNames=actions, Marker="99"))
        self.assertEqual(code, "InvalidInput")

    def test_permissions_boundary_detail(self):
        boundary = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(ALLOW_S3_READ)],
            PermissionsBoundaryPolicyInputList=[json.dumps(boundary)],
            ActionNames=["s3:GetObject", "s3:ListBucket"])
        decisions = {r["EvalActionName"]: (r["EvalDecision"],
                                           r["PermissionsBoundaryDecisionDetail"][
                                               "AllowedByPermissionsBoundary"])
                     for r in out["EvaluationResults"]}
        self.assertEqual(decisions, {"s3:GetObject": ("implicitDeny", False),
                                     "s3:ListBucket": ("allowed", True)})

    def test_resource_policy_needs_an_iam_user_caller(self):
        bucket_policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/carol"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
        base = {"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
                "ResourceArns": ["arn:aws:s3:::shared/a.txt"],
                "ResourcePolicy": json.dumps(bucket_policy)}
        code, _ = error_of(lambda: self.iam.simulate_custom_policy(**base))
        self.assertEqual(code, "InvalidInput")
        code, _ = error_of(lambda: self.iam.simulate_custom_policy(
            CallerArn="arn:aws:iam::123456789012:role/r", **base))
        self.assertEqual(code, "InvalidInput")
        carol = self.iam.simulate_custom_policy(
            CallerArn="arn:aws:iam::123456789012:user/carol", **base)["EvaluationResults"][0]
        self.assertEqual(carol["EvalDecision"], "allowed")
        self.assertEqual(carol["MatchedStatements"][0]["SourcePolicyId"], "ResourcePolicy")
        self.assertEqual(carol["MatchedStatements"][0]["SourcePolicyType"], "resource")
        dave = self.iam.simulate_custom_policy(
            CallerArn="arn:aws:iam::123456789012:user/dave", **base)["EvaluationResults"][0]
        self.assertEqual(dave["EvalDecision"], "implicitDeny")
        # Another account owns the bucket: the bucket policy alone is no longer enough.
        cross = self.iam.simulate_custom_policy(
            CallerArn="arn:aws:iam::123456789012:user/carol", ResourceOwner="210987654321",
            **base)["EvaluationResults"][0]
        self.assertEqual(cross["EvalDecision"], "implicitDeny")

    def test_malformed_policies_are_rejected(self):
        code, message = error_of(lambda: self.iam.simulate_custom_policy(
            PolicyInputList=['{"Version":"2012-10-17","Statement":[{"Effect":"Maybe",'
                             '"Action":"s3:*","Resource":"*"}]}'],
            ActionNames=["s3:GetObject"]))
        self.assertEqual(code, "MalformedPolicyDocument")
        self.assertIn("Effect", message)
        code, _ = error_of(lambda: self.iam.simulate_custom_policy(
            PolicyInputList=["{not json"], ActionNames=["s3:GetObject"]))
        self.assertEqual(code, "MalformedPolicyDocument")
        # A context key type outside the model's enum fails IAM's input validation.
        code, message = error_of(lambda: self.iam.simulate_custom_policy(
            PolicyInputList=[json.dumps(ALLOW_S3_READ)], ActionNames=["s3:GetObject"],
            ContextEntries=[{"ContextKeyName": "aws:username", "ContextKeyType": "text",
                             "ContextKeyValues": ["x"]}]))
        self.assertEqual(code, "ValidationError")
        self.assertIn("Value 'text' at 'contextEntries.1.member.contextKeyType' failed to "
                      "satisfy constraint: Member must satisfy enum value set: [string, ", message)

    def test_get_context_keys_for_custom_policy(self):
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::home/${aws:username}/*",
             "Condition": {"StringEquals": {"s3:prefix": "x", "aws:RequestedRegion": "us-east-1"},
                           "Bool": {"AWS:SecureTransport": "true"}}}]}
        other = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:requestedregion": "us-east-1"}}}]}
        out = self.iam.get_context_keys_for_custom_policy(
            PolicyInputList=[json.dumps(policy), json.dumps(other)])
        names = [n.lower() for n in out["ContextKeyNames"]]
        self.assertEqual(sorted(names), sorted(
            ["aws:username", "s3:prefix", "aws:requestedregion", "aws:securetransport"]))

    def test_simulate_principal_policy_uses_the_entitys_policies(self):
        iam = self.iam
        iam.create_user(UserName="sim-alice")
        iam.put_user_policy(UserName="sim-alice", PolicyName="read-s3",
                            PolicyDocument=json.dumps(ALLOW_S3_READ))
        iam.create_group(GroupName="sim-loggers")
        iam.add_user_to_group(GroupName="sim-loggers", UserName="sim-alice")
        iam.put_group_policy(GroupName="sim-loggers", PolicyName="logs", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "logs:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "ap-northeast-1"}}}]}))
        user_arn = iam.get_user(UserName="sim-alice")["User"]["Arn"]

        out = iam.simulate_principal_policy(
            PolicySourceArn=user_arn,
            ActionNames=["s3:GetObject", "logs:PutLogEvents", "kms:Decrypt"],
            ContextEntries=[{"ContextKeyName": "aws:RequestedRegion", "ContextKeyType": "string",
                             "ContextKeyValues": ["ap-northeast-1"]}])
        by_action = {r["EvalActionName"]: r for r in out["EvaluationResults"]}
        self.assertEqual(by_action["s3:GetObject"]["EvalDecision"], "allowed")
        self.assertEqual(by_action["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyId"],
                         "read-s3")
        self.assertEqual(by_action["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"],
                         "user")
        self.assertEqual(by_action["logs:PutLogEvents"]["EvalDecision"], "allowed")
        self.assertEqual(
            by_action["logs:PutLogEvents"]["MatchedStatements"][0]["SourcePolicyType"], "group")
        self.assertEqual(by_action["kms:Decrypt"]["EvalDecision"], "implicitDeny")

        _, cli_out, _ = self.server.aws("iam", "simulate-principal-policy",
                                        "--policy-source-arn", user_arn,
                                        "--action-names", "s3:GetObject", "kms:Decrypt")
        self.assertEqual([r["EvalDecision"] for r in json.loads(cli_out)["EvaluationResults"]],
                         ["allowed", "implicitDeny"])

        # A policy given in the request is simulated together with the user's own.
        deny = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}
        out = iam.simulate_principal_policy(PolicySourceArn=user_arn,
                                            PolicyInputList=[json.dumps(deny)],
                                            ActionNames=["s3:GetObject"])
        self.assertEqual(out["EvaluationResults"][0]["EvalDecision"], "explicitDeny")

        keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=user_arn)
        self.assertEqual([k.lower() for k in keys["ContextKeyNames"]], ["aws:requestedregion"])

        role_arn = iam.create_role(RoleName="sim-role", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        iam.put_role_policy(RoleName="sim-role", PolicyName="put-logs", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": "*"}]}))
        out = iam.simulate_principal_policy(PolicySourceArn=role_arn,
                                            ActionNames=["logs:PutLogEvents", "logs:DeleteLogGroup"])
        self.assertEqual([r["EvalDecision"] for r in out["EvaluationResults"]],
                         ["allowed", "implicitDeny"])

        account = user_arn.split(":")[4]
        code, _ = error_of(lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{account}:user/nobody", ActionNames=["s3:GetObject"]))
        self.assertEqual(code, "NoSuchEntity")

    def test_simulator_calls_are_authorized(self):
        iam = self.iam
        iam.create_user(UserName="sim-bob")
        key = iam.create_access_key(UserName="sim-bob")["AccessKey"]
        bob = self.server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        request = {"PolicyInputList": [json.dumps(ALLOW_S3_READ)], "ActionNames": ["s3:GetObject"]}
        code, message = error_of(lambda: bob.simulate_custom_policy(**request))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("iam:SimulateCustomPolicy", message)
        iam.put_user_policy(UserName="sim-bob", PolicyName="sim", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "iam:SimulateCustomPolicy", "Resource": "*"}]}))
        self.assertEqual(bob.simulate_custom_policy(**request)["EvaluationResults"][0]
                         ["EvalDecision"], "allowed")
        bob_arn = iam.get_user(UserName="sim-bob")["User"]["Arn"]
        code, message = error_of(lambda: bob.simulate_principal_policy(
            PolicySourceArn=bob_arn, ActionNames=["s3:GetObject"]))
        self.assertEqual(code, "AccessDenied")
        self.assertIn("iam:SimulatePrincipalPolicy on resource: " + bob_arn, message)


if __name__ == "__main__":
    unittest.main()
