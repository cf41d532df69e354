"""End to end (issue 15, item 6 and the JSON side of item 3): bad input never reaches a handler.

Requests an SDK would refuse to build are sent anyway: botocore clients with parameter
validation off, and raw requests signed with botocore.auth.SigV4Auth. Every wrong type, number
out of range, NUL in a name, deep or malformed document answers 4xx with the protocol's error
shape and AWS's code (SerializationException for awsJson type errors; the service's validation
error for constraints), changes nothing, and the server keeps serving.
"""
import json
import os
import sys
import unittest
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.session

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import KirokuServer, REGION  # noqa: E402

JSON_TARGETS = {
    "logs": "Logs_20140328",
    "kms": "TrentService",
    "cloudtrail": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
}
QUERY_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}

# (service, operation, raw JSON body, expected code)
JSON_CASES = [
    ("logs", "CreateLogGroup", '{"logGroupName": 5}', "SerializationException"),
    ("logs", "DescribeLogGroups", '{"limit": "10"}', "SerializationException"),
    ("logs", "DescribeLogGroups", '{"limit": 1e400}', "SerializationException"),
    ("logs", "DescribeLogStreams", '{"logGroupName": "g", "limit": 1.5}', "SerializationException"),
    ("logs", "PutLogEvents", '{"logGroupName": "g", "logStreamName": "s", "logEvents": {"a": 1}}',
     "SerializationException"),
    ("logs", "PutRetentionPolicy",
     '{"logGroupName": "g", "retentionInDays": 1000000000000000000000000000000}',
     "SerializationException"),
    ("logs", "GetLogEvents", '{"logStreamName": "s", "startTime": "yesterday"}',
     "SerializationException"),
    ("logs", "FilterLogEvents", '{"logGroupName": "g", "logStreamNames": "s"}',
     "SerializationException"),
    ("logs", "CreateLogGroup", '{"logGroupName": "a\\u0000b"}', "InvalidParameterException"),
    ("logs", "CreateLogGroup", '{"logGroupName": "g", "tags": ["a"]}', "SerializationException"),
    ("kms", "CreateKey", '{"Description": 5}', "SerializationException"),
    ("kms", "ListKeys", '{"Limit": "10"}', "SerializationException"),
    ("kms", "ListKeys", '{"Limit": 10000000000}', "SerializationException"),
    ("kms", "Encrypt", '{"KeyId": "k", "Plaintext": 12}', "SerializationException"),
    ("kms", "GenerateDataKey", '{"KeyId": "k", "NumberOfBytes": 1.5}', "SerializationException"),
    ("kms", "ScheduleKeyDeletion", '{"KeyId": "k", "PendingWindowInDays": 1e400}',
     "SerializationException"),
    ("kms", "DescribeKey", '{"KeyId": {"a": 1}}', "SerializationException"),
    ("kms", "CreateAlias", '{"AliasName": "alias/a\\u0000b", "TargetKeyId": "k"}',
     "ValidationException"),
    ("kms", "DescribeKey", '{}', "ValidationException"),
    ("cloudtrail", "LookupEvents", '{"MaxResults": "5"}', "SerializationException"),
    ("cloudtrail", "LookupEvents", '{"StartTime": 1e400}', "SerializationException"),
    ("cloudtrail", "CreateTrail", '{"Name": 5, "S3BucketName": "b"}', "SerializationException"),
    ("cloudtrail", "GetTrailStatus", '{"Name": ["t"]}', "SerializationException"),
]

# (service, action, parameters, expected code)
QUERY_CASES = [
    ("iam", "CreateUser", {"UserName": "a\x00b"}, "ValidationError"),
    ("iam", "CreateUser", {"UserName": "x" * 65}, "ValidationError"),
    ("iam", "ListUsers", {"MaxItems": "abc"}, "ValidationError"),
    ("iam", "ListUsers", {"MaxItems": "1e400"}, "ValidationError"),
    ("iam", "ListUsers", {"MaxItems": "99999999999999999999999999"}, "ValidationError"),
    ("iam", "ListUsers", {"MaxItems": "1.5"}, "ValidationError"),
    ("iam", "CreateRole", {"RoleName": "r"}, "ValidationError"),
    ("iam", "PutUserPolicy", {"UserName": "u", "PolicyName": "p\x00", "PolicyDocument": "{}"},
     "ValidationError"),
    ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1",
                           "DurationSeconds": "1.5"}, "ValidationError"),
    ("sts", "GetSessionToken", {"DurationSeconds": "1" + "0" * 30}, "ValidationError"),
]


class SecurityInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        access, secret = cls.server.root_keys()
        cls.credentials = botocore.credentials.Credentials(access, secret)
        cls.host = f"127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # --- raw signed requests -----------------------------------------------------------------

    def send(self, service, headers, body):
        request = botocore.awsrequest.AWSRequest(method="POST", url=f"http://{self.host}/",
                                                 data=body, headers=headers)
        botocore.auth.SigV4Auth(self.credentials, service, REGION).add_auth(request)
        prepared = request.prepare()
        http = urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                      headers=dict(prepared.headers))
        try:
            with urllib.request.urlopen(http, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json_call(self, service, operation, body):
        headers = {"X-Amz-Target": f"{JSON_TARGETS[service]}.{operation}",
                   "Content-Type": "application/x-amz-json-1.1"}
        status, headers, raw = self.send(service, headers, body.encode()
                                         if isinstance(body, str) else body)
        return status, headers, json.loads(raw) if raw else {}

    def query_call(self, service, action, params):
        form = {"Action": action, "Version": QUERY_VERSIONS[service], **params}
        body = urllib.parse.urlencode(form)
        status, _, raw = self.send(service, {"Content-Type":
                                             "application/x-www-form-urlencoded; charset=utf-8"},
                                   body.encode())
        root = ET.fromstring(raw)
        ns = {"ns": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}
        prefix = "ns:" if ns else ""
        code = root.find(f"{prefix}Error/{prefix}Code", ns)
        message = root.find(f"{prefix}Error/{prefix}Message", ns)
        return status, root, (code.text if code is not None else None,
                              message.text if message is not None else None)

    # --- tests --------------------------------------------------------------------------------

    def test_json_type_confusion_is_a_4xx_with_awss_code(self):
        for service, operation, body, expected in JSON_CASES:
            with self.subTest(service=service, operation=operation, body=body):
                status, headers, error = self.json_call(service, operation, body)
                self.assertEqual(status, 400, error)
                self.assertEqual(error.get("__type"), expected, error)
                self.assertEqual(headers.get("x-amzn-ErrorType"), expected)
                self.assertIn("message", error)

    def test_query_type_confusion_is_a_4xx_validation_error(self):
        for service, action, params, expected in QUERY_CASES:
            with self.subTest(service=service, action=action, params=params):
                status, root, (code, message) = self.query_call(service, action, params)
                self.assertEqual(status, 400, message)
                self.assertTrue(root.tag.endswith("ErrorResponse"), root.tag)
                self.assertEqual(code, expected, message)

    def test_at_least_twenty_operations_are_covered(self):
        operations = {(s, o) for s, o, _, _ in JSON_CASES} | {(s, a) for s, a, _, _ in QUERY_CASES}
        self.assertGreaterEqual(len(operations), 20)

    def test_awss_validation_messages(self):
        _, _, (code, message) = self.query_call("iam", "CreateUser", {"UserName": "x" * 65})
        self.assertEqual(message, "1 validation error detected: Value '" + "x" * 65 +
                         "' at 'userName' failed to satisfy constraint: Member must have length "
                         "less than or equal to 64")
        _, _, (code, message) = self.query_call("iam", "CreateUser", {"UserName": "", "Path": "x"})
        self.assertTrue(message.startswith("3 validation errors detected: "), message)
        self.assertEqual(message.count("; "), 2, message)
        _, _, error = self.json_call("logs", "DescribeLogGroups", '{"limit": "10"}')
        self.assertEqual(error["message"], "STRING_VALUE can not be converted to an Integer")
        _, _, error = self.json_call("kms", "DescribeKey", '{"KeyId": 5}')
        self.assertEqual(error["message"], "NUMBER_VALUE can not be converted to a String")
        _, _, error = self.json_call("kms", "ListKeys", '{"Limit": 0}')
        self.assertEqual(error["__type"], "ValidationException")
        self.assertEqual(error["message"], "1 validation error detected: Value '0' at 'limit' "
                         "failed to satisfy constraint: Member must have value greater than or "
                         "equal to 1")

    def test_nul_in_a_name_is_refused_and_creates_nothing(self):
        status, _, (code, _) = self.query_call("iam", "CreateUser", {"UserName": "evil\x00user"})
        self.assertEqual((status, code), (400, "ValidationError"))
        iam = self.server.client("iam")
        names = [u["UserName"] for u in iam.list_users()["Users"]]
        self.assertFalse(any("evil" in n for n in names), names)
        status, _, error = self.json_call("logs", "CreateLogGroup", '{"logGroupName": "ev\\u0000il"}')
        self.assertEqual((status, error["__type"]), (400, "InvalidParameterException"))
        groups = self.server.client("logs").describe_log_groups()["logGroups"]
        self.assertFalse(any("ev" in g["logGroupName"] for g in groups), groups)

    def test_deep_and_malformed_json_documents(self):
        deep = '{"logGroupName": ' + "[" * 10000 + "]" * 10000 + "}"
        for service, operation in [("logs", "CreateLogGroup"), ("kms", "ListKeys"),
                                   ("cloudtrail", "LookupEvents")]:
            with self.subTest(service=service):
                status, _, error = self.json_call(service, operation, deep)
                self.assertEqual((status, error["__type"]), (400, "SerializationException"))
                status, _, error = self.json_call(service, operation, "{")
                self.assertEqual((status, error["__type"]), (400, "SerializationException"))
                status, _, error = self.json_call(service, operation, "[]")
                self.assertEqual((status, error["__type"]), (400, "SerializationException"))
        # 64 levels are still a document (the unknown member is ignored, as AWS does).
        status, _, _ = self.json_call("kms", "ListKeys", '{"x": ' + "[" * 63 + "]" * 63 + "}")
        self.assertEqual(status, 200)

    def test_clients_without_parameter_validation(self):
        config = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1})
        access, secret = self.server.root_keys()

        def client(service):
            return boto3.session.Session().client(
                service, endpoint_url=self.server.endpoint, region_name=REGION,
                aws_access_key_id=access, aws_secret_access_key=secret, config=config)
        logs, kms, iam = client("logs"), client("kms"), client("iam")
        for call, expected in [
            (lambda: logs.create_log_group(logGroupName=5), "SerializationException"),
            (lambda: logs.describe_log_groups(limit="10"), "SerializationException"),
            (lambda: kms.list_keys(Limit="10"), "SerializationException"),
            (lambda: kms.describe_key(KeyId=["k"]), "SerializationException"),
            (lambda: kms.describe_key(), "ValidationException"),
            (lambda: iam.create_user(UserName="a" * 65), "ValidationError"),
            (lambda: iam.get_user(UserName="a b"), "ValidationError"),
        ]:
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                call()
            self.assertEqual(e.exception.response["Error"]["Code"], expected)
            self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_every_json_operation_refuses_wrong_types(self):
        """Model-driven: every operation of logs, kms and cloudtrail, each member given a value
        of the wrong type, answers 400 SerializationException (or UnknownOperationException
        where kiroku does not serve the operation), never 5xx."""
        session = botocore.session.get_session()
        wrong = {"string": 5, "blob": 5, "integer": "7", "long": 1.5, "double": "x",
                 "float": True, "boolean": "true", "timestamp": "yesterday", "list": "x",
                 "map": [1], "structure": 5}
        checked = 0
        for service in JSON_TARGETS:
            model = session.get_service_model(service)
            for name in model.operation_names:
                shape = model.operation_model(name).input_shape
                if shape is None or not shape.members:
                    continue
                for variant in ("typed", "huge", "nested"):
                    body = {}
                    for member, member_shape in shape.members.items():
                        if variant == "typed":
                            body[member] = wrong[member_shape.type_name]
                        elif variant == "huge":
                            body[member] = 1e400 if member_shape.type_name != "list" else {"a": 1}
                        else:
                            body[member] = ([1] if member_shape.type_name == "structure"
                                            else {"a": [1]})
                    text = json.dumps(body).replace("Infinity", "1e400")
                    with self.subTest(service=service, operation=name, variant=variant):
                        status, _, error = self.json_call(service, name, text)
                        self.assertEqual(status, 400, error)
                        self.assertIn(error.get("__type"),
                                      ("SerializationException", "UnknownOperationException"),
                                      error)
                        checked += error.get("__type") == "SerializationException"
        self.assertGreater(checked, 100)

    def test_every_query_operation_survives_bad_scalars(self):
        """Every IAM and STS operation with its scalar members set to NUL, a word or a number
        too big for any type answers without a 5xx."""
        session = botocore.session.get_session()
        for service in QUERY_VERSIONS:
            model = session.get_service_model(service)
            for name in model.operation_names:
                shape = model.operation_model(name).input_shape
                if shape is None:
                    continue
                for bad in ("\x00", "not-a-number", "9" * 40):
                    params = {m: bad for m, s in shape.members.items()
                              if s.type_name not in ("list", "map", "structure")}
                    with self.subTest(service=service, operation=name, value=bad):
                        status, root, (code, message) = self.query_call(service, name, params)
                        self.assertLess(status, 500, message)
                        if status >= 400:
                            self.assertTrue(root.tag.endswith("ErrorResponse"), root.tag)
                            self.assertTrue(code, message)

    def test_the_server_keeps_serving(self):
        for service, operation, body, _ in JSON_CASES:
            self.json_call(service, operation, body)
        with urllib.request.urlopen(self.server.endpoint + "/_kiroku/health", timeout=5) as r:
            self.assertEqual(r.status, 200)
        self.assertIn("Account", self.server.client("sts").get_caller_identity())


if __name__ == "__main__":
    unittest.main()
