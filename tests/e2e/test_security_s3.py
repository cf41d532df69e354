"""End to end: S3's side of issue 15 (security and robustness), against a running kiroku.

- item 3: a 30,000-deep XML document (DeleteObjects, PutBucketTagging) from a user without
  permissions and from root: the server stays up and answers AccessDenied or MalformedXML;
- item 7: SigV4 faults answered with S3's codes, from raw requests signed by botocore's
  S3SigV4Auth / S3SigV4QueryAuth (skew, credential scope, expired or unbounded presigned URLs,
  session tokens, x-amz-content-sha256, two Authorization headers, a query request signed for
  another service);
- item 8: flexible checksums (header and aws-chunked trailer, signed and unsigned), BadDigest
  with nothing stored, boto3's default CRC32 and explicit algorithms with its response
  validation, composite multipart checksums.
"""
import base64
import datetime
import hashlib
import hmac
import html
import http.client
import os
import sys
import time
import unittest
import urllib.parse
import urllib.request
import zlib

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
from kiroku_server import error_of, KirokuServer, REGION  # noqa: E402

OTHER_REGION = "us-west-2" if REGION != "us-west-2" else "eu-west-1"


def _reflected_crc(data, poly, width):
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    mask = (1 << width) - 1
    crc = mask
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return (crc ^ mask).to_bytes(width // 8, "big")


def checksum(algorithm, data):
    """The raw digest S3 defines for each flexible checksum algorithm."""
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return _reflected_crc(data, 0x82F63B78, 32)
    if algorithm == "CRC64NVME":
        return _reflected_crc(data, 0x9A6C9329AC4BC9B5, 64)
    if algorithm == "SHA1":
        return hashlib.sha1(data).digest()
    return hashlib.sha256(data).digest()


def b64(raw):
    return base64.b64encode(raw).decode()


class S3SecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer().start()
        cls.s3 = cls.server.client("s3")
        cls.access, cls.secret = cls.server.root_keys()
        cls.host = f"127.0.0.1:{cls.server.port}"
        cls.s3.create_bucket(Bucket="sec-bucket",
                             CreateBucketConfiguration={"LocationConstraint": REGION})
        iam = cls.server.client("iam")
        iam.create_user(UserName="nobody")
        key = iam.create_access_key(UserName="nobody")["AccessKey"]
        cls.nobody = (key["AccessKeyId"], key["SecretAccessKey"])

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # ---- helpers ---------------------------------------------------------------------------

    def alive(self):
        with urllib.request.urlopen(self.server.endpoint + "/_kiroku/health", timeout=5) as r:
            self.assertEqual(r.status, 200)
        self.s3.list_buckets()

    def signed(self, method, path, body=b"", headers=None, payload_hash=None, keys=None,
               token=None, region=REGION, service="s3", when=None):
        access, secret = keys or (self.access, self.secret)
        creds = botocore.credentials.Credentials(access, secret, token)
        request = botocore.awsrequest.AWSRequest(method=method, url=f"http://{self.host}{path}",
                                                 data=body, headers=dict(headers or {}))
        request.headers["X-Amz-Content-SHA256"] = payload_hash or hashlib.sha256(body).hexdigest()
        auth = botocore.auth.S3SigV4Auth(creds, service, region)
        if when is not None:
            # botocore takes the signing time from datetime.now; pin it for skew tests.
            original = botocore.auth.get_current_datetime
            botocore.auth.get_current_datetime = lambda: when
            try:
                auth.add_auth(request)
            finally:
                botocore.auth.get_current_datetime = original
        else:
            auth.add_auth(request)
        return request

    def send(self, request, body=None, extra_headers=()):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            parts = urllib.parse.urlsplit(request.url)
            target = parts.path + ("?" + parts.query if parts.query else "")
            conn.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", parts.netloc)
            for name, value in request.headers.items():
                if name.lower() != "host":
                    conn.putheader(name, value)
            for name, value in extra_headers:
                conn.putheader(name, value)
            data = body if body is not None else (request.body or b"")
            if isinstance(data, str):
                data = data.encode()
            if "Content-Length" not in request.headers and "content-length" not in request.headers:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def assertError(self, result, status, code, message=None):
        got_status, text = result
        self.assertEqual(got_status, status, text)
        self.assertIn(f"<Code>{code}</Code>".encode(), text)
        if message is not None:
            self.assertIn(message, html.unescape(text.decode()))

    def absent(self, key, bucket="sec-bucket"):
        self.assertEqual(error_of(lambda: self.s3.head_object(Bucket=bucket, Key=key)),
                         ("404", 404))

    # ---- item 3: deep XML ------------------------------------------------------------------

    def deep_delete(self, depth=30000):
        return (b"<Delete>" + b"<Object>" * depth + b"<Key>k</Key>" + b"</Object>" * depth +
                b"</Delete>")

    def test_deep_delete_objects_from_a_user_without_permissions(self):
        self.s3.put_object(Bucket="sec-bucket", Key="k", Body=b"kept")
        body = self.deep_delete()
        req = self.signed("POST", "/sec-bucket?delete", body, keys=self.nobody,
                          headers={"Content-MD5": b64(hashlib.md5(body).digest())})
        status, text = self.send(req, body)
        self.assertIn(status, (400, 403), text)
        self.assertTrue(b"<Code>MalformedXML</Code>" in text or b"<Code>AccessDenied</Code>" in text,
                        text)
        self.alive()
        self.assertEqual(self.s3.get_object(Bucket="sec-bucket", Key="k")["Body"].read(), b"kept")

    def test_deep_xml_from_root_is_malformed(self):
        body = self.deep_delete()
        req = self.signed("POST", "/sec-bucket?delete", body)
        self.assertError(self.send(req, body), 400, "MalformedXML")
        tagging = b"<Tagging><TagSet>" + b"<Tag>" * 30000 + b"</Tag>" * 30000 + b"</TagSet></Tagging>"
        req = self.signed("PUT", "/sec-bucket?tagging", tagging)
        self.assertError(self.send(req, tagging), 400, "MalformedXML")
        # A DTD is never expanded (no entity bombs).
        bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key>'
                b'</Object></Delete>')
        req = self.signed("POST", "/sec-bucket?delete", bomb)
        self.assertError(self.send(req, bomb), 400, "MalformedXML")
        self.alive()

    def test_body_of_a_denied_request_is_not_read(self):
        # PutBucketTagging's action is known from the request line: a user without permission
        # is denied before the (here malformed) document is parsed.
        tagging = b"<Tagging><TagSet>" + b"<Tag>" * 30000
        req = self.signed("PUT", "/sec-bucket?tagging", tagging, keys=self.nobody)
        self.assertError(self.send(req, tagging), 403, "AccessDenied")

    # ---- item 7: SigV4 answers ---------------------------------------------------------------

    def test_skew_is_fifteen_minutes_then_request_time_too_skewed(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        req = self.signed("GET", "/sec-bucket?location", when=now - datetime.timedelta(minutes=14))
        status, text = self.send(req)
        self.assertEqual(status, 200, text)
        for delta in (datetime.timedelta(minutes=16), -datetime.timedelta(minutes=16)):
            req = self.signed("GET", "/sec-bucket?location", when=now - delta)
            result = self.send(req)
            self.assertError(result, 403, "RequestTimeTooSkewed",
                             "The difference between the request time and the current time is too large.")
            self.assertIn(b"<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>", result[1])

    def test_bad_credential_scope_is_authorization_header_malformed(self):
        req = self.signed("GET", "/sec-bucket?location", service="iam")
        self.assertError(self.send(req), 400, "AuthorizationHeaderMalformed",
                         "incorrect service 'iam'. This endpoint belongs to 's3'.")
        req = self.signed("GET", "/sec-bucket?location", region=OTHER_REGION)
        status, text = self.send(req)
        self.assertError((status, text), 400, "AuthorizationHeaderMalformed",
                         f"the region '{OTHER_REGION}' is wrong; expecting '{REGION}'")
        self.assertIn(f"<Region>{REGION}</Region>".encode(), text)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.request("GET", "/sec-bucket?location", headers=dict(req.headers.items()))
            self.assertEqual(conn.getresponse().getheader("x-amz-bucket-region"), REGION)
        finally:
            conn.close()
        # botocore reads <Region> and re-signs: a client configured for the wrong region works.
        other = self.server.client("s3", region=OTHER_REGION)
        other.put_object(Bucket="sec-bucket", Key="redirected", Body=b"r")
        self.assertEqual(other.get_object(Bucket="sec-bucket", Key="redirected")["Body"].read(), b"r")

    def presign_client(self):
        return boto3.session.Session().client(
            "s3", endpoint_url=self.server.endpoint, region_name=REGION,
            aws_access_key_id=self.access, aws_secret_access_key=self.secret,
            config=botocore.config.Config(signature_version="s3v4"))

    def fetch(self, url):
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def test_presigned_urls_expire_and_must_say_when(self):
        self.s3.put_object(Bucket="sec-bucket", Key="presigned", Body=b"p")
        url = self.presign_client().generate_presigned_url(
            "get_object", Params={"Bucket": "sec-bucket", "Key": "presigned"}, ExpiresIn=1)
        self.assertEqual(self.fetch(url), (200, b"p"))
        time.sleep(2.5)
        self.assertError(self.fetch(url), 403, "AccessDenied", "Request has expired")
        url = self.presign_client().generate_presigned_url(
            "get_object", Params={"Bucket": "sec-bucket", "Key": "presigned"}, ExpiresIn=300)
        parts = urllib.parse.urlsplit(url)
        query = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-Expires="))
        self.assertError(self.fetch(urllib.parse.urlunsplit(parts._replace(query=query))), 400,
                         "AuthorizationQueryParametersError", "X-Amz-Expires")

    def test_session_key_with_a_wrong_token_is_invalid_token(self):
        creds = self.server.client("sts").get_session_token()["Credentials"]
        keys = (creds["AccessKeyId"], creds["SecretAccessKey"])
        req = self.signed("GET", "/sec-bucket?location", keys=keys, token=creds["SessionToken"])
        self.assertEqual(self.send(req)[0], 200)
        req = self.signed("GET", "/sec-bucket?location", keys=keys,
                          token=creds["SessionToken"][:-4] + "AAAA")
        self.assertError(self.send(req), 400, "InvalidToken",
                         "The provided token is malformed or otherwise invalid.")
        req = self.signed("GET", "/sec-bucket?location", keys=keys)
        self.assertError(self.send(req), 400, "InvalidToken")

    def raw_signed(self, method, path, payload_hash, body):
        """Signed by hand: botocore always rewrites x-amz-content-sha256 to its own value."""
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        scope = f"{day}/{REGION}/s3/aws4_request"
        headers = {"host": self.host, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
        names = sorted(headers)
        canonical = "\n".join([method, path, "", "".join(f"{h}:{headers[h]}\n" for h in names),
                               ";".join(names), payload_hash])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        sig = hmac.new(self.signing_key(day), sts.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={sig}")
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def test_invalid_content_sha256_is_invalid_argument(self):
        self.assertEqual(self.raw_signed("PUT", "/sec-bucket/good-sha", "UNSIGNED-PAYLOAD", b"x")[0], 200)
        for bad in ("not-a-hash", hashlib.sha256(b"x").hexdigest()[:63], "STREAMING-NOTHING"):
            self.assertError(self.raw_signed("PUT", "/sec-bucket/bad-sha", bad, b"x"), 400,
                             "InvalidArgument", "x-amz-content-sha256 must be")
        self.absent("bad-sha")

    def test_payload_is_verified_even_when_the_operation_ignores_it(self):
        self.s3.put_object(Bucket="sec-bucket", Key="victim", Body=b"v")
        # DeleteObject reads no body: a body that is not the one signed is still refused and
        # nothing is deleted.
        req = self.signed("DELETE", "/sec-bucket/victim", b"signed body")
        self.assertError(self.send(req, b"other body!"), 400, "XAmzContentSHA256Mismatch")
        self.assertEqual(self.s3.get_object(Bucket="sec-bucket", Key="victim")["Body"].read(), b"v")
        req = self.signed("GET", "/sec-bucket/victim", b"signed body")
        self.assertError(self.send(req, b"other body!"), 400, "XAmzContentSHA256Mismatch")

    def test_two_authorization_headers_are_refused(self):
        req = self.signed("GET", "/sec-bucket?location")
        self.assertError(self.send(req, extra_headers=[("Authorization", req.headers["Authorization"])]),
                         400, "InvalidArgument")

    def test_query_request_signed_for_another_service(self):
        body = "Action=ListUsers&Version=2010-05-08"
        creds = botocore.credentials.Credentials(self.access, self.secret)
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=f"http://{self.host}/", data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        botocore.auth.SigV4Auth(creds, "sts", REGION).add_auth(request)
        status, text = self.send(request, body.encode())
        self.assertEqual(status, 403, text)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", text)
        self.assertIn("Credential should be scoped to correct service: 'iam'.",
                      html.unescape(text.decode()))

    # ---- item 8: flexible checksums ----------------------------------------------------------

    def test_wrong_checksum_header_is_bad_digest_and_stores_nothing(self):
        data = b"checksummed body"
        for algorithm in ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"):
            name = f"x-amz-checksum-{algorithm.lower()}"
            wrong = checksum(algorithm, data + b"!")
            req = self.signed("PUT", f"/sec-bucket/bad-{algorithm}", data, headers={name: b64(wrong)})
            self.assertError(self.send(req, data), 400, "BadDigest",
                             f"The {algorithm} you specified did not match the calculated checksum.")
            self.absent(f"bad-{algorithm}")
            right = b64(checksum(algorithm, data))
            req = self.signed("PUT", f"/sec-bucket/good-{algorithm}", data, headers={name: right})
            self.assertEqual(self.send(req, data)[0], 200, algorithm)
            head = self.s3.head_object(Bucket="sec-bucket", Key=f"good-{algorithm}", ChecksumMode="ENABLED")
            self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"][name], right)
            self.assertEqual(head["ChecksumType"], "FULL_OBJECT")
        # Two algorithms at once, or a value of the wrong size, are refused.
        req = self.signed("PUT", "/sec-bucket/two", data, headers={
            "x-amz-checksum-crc32": b64(checksum("CRC32", data)),
            "x-amz-checksum-sha1": b64(checksum("SHA1", data))})
        self.assertError(self.send(req, data), 400, "InvalidRequest")
        req = self.signed("PUT", "/sec-bucket/short", data, headers={"x-amz-checksum-crc32": "AAAA"})
        self.assertError(self.send(req, data), 400, "InvalidRequest")
        self.absent("two")
        self.absent("short")

    def signing_key(self, day):
        k = hmac.new(b"AWS4" + self.secret.encode(), day.encode(), hashlib.sha256).digest()
        for part in (REGION, "s3", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        return k

    def trailer_upload(self, key, chunks, trailer_value, signed, algorithm="CRC32",
                       tamper_trailer_signature=False):
        """An aws-chunked PUT whose checksum travels in the trailer, as the Java SDK v2 and
        newer CLIs send it (signed) or boto3 over TLS (unsigned)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        scope = f"{day}/{REGION}/s3/aws4_request"
        mode = ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" if signed
                else "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        trailer_name = f"x-amz-checksum-{algorithm.lower()}"
        path = f"/sec-bucket/{key}"
        headers = {"host": self.host, "x-amz-content-sha256": mode, "x-amz-date": amz_date,
                   "x-amz-decoded-content-length": str(sum(len(c) for c in chunks)),
                   "content-encoding": "aws-chunked", "x-amz-trailer": trailer_name}
        signing_key = self.signing_key(day)
        signed_names = sorted(headers)
        canonical = "\n".join(["PUT", path, "", "".join(f"{h}:{headers[h]}\n" for h in signed_names),
                               ";".join(signed_names), mode])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        seed = hmac.new(signing_key, sts.encode(), hashlib.sha256).hexdigest()
        previous, body = seed, b""
        for chunk in list(chunks) + [b""]:
            if signed:
                to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                                     hashlib.sha256(b"").hexdigest(),
                                     hashlib.sha256(chunk).hexdigest()])
                sig = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
                body += f"{len(chunk):x};chunk-signature={sig}\r\n".encode()
                previous = sig
            else:
                body += f"{len(chunk):x}\r\n".encode()
            if chunk:
                body += chunk + b"\r\n"
        trailer = f"{trailer_name}:{trailer_value}"
        body += trailer.encode() + b"\r\n"
        if signed:
            to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                                 hashlib.sha256((trailer + "\n").encode()).hexdigest()])
            sig = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
            if tamper_trailer_signature:
                sig = ("0" if sig[0] != "0" else "1") + sig[1:]
            body += f"x-amz-trailer-signature:{sig}\r\n".encode()
        body += b"\r\n"
        headers["content-length"] = str(len(body))
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access}/{scope}, "
                                    f"SignedHeaders={';'.join(signed_names)}, Signature={seed}")
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request("PUT", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def test_checksum_in_the_aws_chunked_trailer(self):
        chunks = [os.urandom(70 * 1024), b"tail"]
        data = b"".join(chunks)
        for signed in (False, True):
            for algorithm in ("CRC32", "CRC32C", "SHA256"):
                key = f"trailer-{signed}-{algorithm}"
                right = b64(checksum(algorithm, data))
                wrong = b64(checksum(algorithm, data + b"x"))
                self.assertError(self.trailer_upload(key, chunks, wrong, signed, algorithm), 400,
                                 "BadDigest",
                                 f"The {algorithm} you specified did not match the calculated checksum.")
                self.absent(key)
                status, text = self.trailer_upload(key, chunks, right, signed, algorithm)
                self.assertEqual(status, 200, text)
                got = self.s3.get_object(Bucket="sec-bucket", Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), data)
                self.assertEqual(
                    got["ResponseMetadata"]["HTTPHeaders"][f"x-amz-checksum-{algorithm.lower()}"], right)
        # The signed trailer is covered by its own signature.
        right = b64(checksum("CRC32", data))
        self.assertError(self.trailer_upload("trailer-forged", chunks, right, True,
                                             tamper_trailer_signature=True),
                         403, "SignatureDoesNotMatch")
        self.absent("trailer-forged")

    def test_boto3_default_and_explicit_checksums_validate(self):
        data = os.urandom(100 * 1024)
        # boto3 1.43 sends CRC32 by default (request_checksum_calculation="when_supported").
        put = self.s3.put_object(Bucket="sec-bucket", Key="boto-default", Body=data)
        self.assertEqual(put["ChecksumCRC32"], b64(checksum("CRC32", data)))
        got = self.s3.get_object(Bucket="sec-bucket", Key="boto-default", ChecksumMode="ENABLED")
        self.assertEqual(got["ChecksumCRC32"], b64(checksum("CRC32", data)))
        self.assertEqual(got["Body"].read(), data)  # botocore validates the CRC32 as it reads
        for algorithm in ("CRC32", "SHA1", "SHA256"):
            key = f"boto-{algorithm}"
            put = self.s3.put_object(Bucket="sec-bucket", Key=key, Body=data,
                                     ChecksumAlgorithm=algorithm)
            self.assertEqual(put[f"Checksum{algorithm}"], b64(checksum(algorithm, data)))
            got = self.s3.get_object(Bucket="sec-bucket", Key=key, ChecksumMode="ENABLED")
            self.assertEqual(got[f"Checksum{algorithm}"], b64(checksum(algorithm, data)))
            self.assertEqual(got["Body"].read(), data)
        # Without a checksum of the client's, S3 keeps a CRC64NVME of the object.
        plain = boto3.session.Session().client(
            "s3", endpoint_url=self.server.endpoint, region_name=REGION,
            aws_access_key_id=self.access, aws_secret_access_key=self.secret,
            config=botocore.config.Config(request_checksum_calculation="when_required"))
        plain.put_object(Bucket="sec-bucket", Key="boto-none", Body=data)
        head = self.s3.head_object(Bucket="sec-bucket", Key="boto-none", ChecksumMode="ENABLED")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-crc64nvme"],
                         b64(checksum("CRC64NVME", data)))

    def test_multipart_composite_checksum(self):
        parts_data = [os.urandom(5 * 1024 * 1024), os.urandom(1000)]
        upload = self.s3.create_multipart_upload(Bucket="sec-bucket", Key="mp",
                                                 ChecksumAlgorithm="SHA256")
        uid = upload["UploadId"]
        # A part whose checksum is wrong is refused.
        bad = self.signed("PUT", f"/sec-bucket/mp?partNumber=1&uploadId={uid}", b"abc",
                          headers={"x-amz-checksum-sha256": b64(checksum("SHA256", b"abd"))})
        self.assertError(self.send(bad, b"abc"), 400, "BadDigest")
        parts = []
        for number, data in enumerate(parts_data, 1):
            r = self.s3.upload_part(Bucket="sec-bucket", Key="mp", UploadId=uid, PartNumber=number,
                                    Body=data, ChecksumAlgorithm="SHA256")
            self.assertEqual(r["ChecksumSHA256"], b64(checksum("SHA256", data)))
            parts.append({"PartNumber": number, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]})
        done = self.s3.complete_multipart_upload(Bucket="sec-bucket", Key="mp", UploadId=uid,
                                                 MultipartUpload={"Parts": parts})
        composite = b64(checksum("SHA256", b"".join(checksum("SHA256", d) for d in parts_data))) + "-2"
        self.assertEqual(done["ChecksumSHA256"], composite)
        got = self.s3.get_object(Bucket="sec-bucket", Key="mp", ChecksumMode="ENABLED")
        self.assertEqual(got["ChecksumSHA256"], composite)
        self.assertEqual(got["Body"].read(), b"".join(parts_data))  # boto3 skips "-N" values


    def test_multipart_full_object_checksum(self):
        parts_data = [os.urandom(5 * 1024 * 1024), os.urandom(3000)]
        whole = b"".join(parts_data)
        self.assertEqual(error_of(lambda: self.s3.create_multipart_upload(
            Bucket="sec-bucket", Key="full", ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT")),
            ("InvalidRequest", 400))
        upload = self.s3.create_multipart_upload(Bucket="sec-bucket", Key="full",
                                                 ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
        self.assertEqual(upload["ChecksumType"], "FULL_OBJECT")
        uid = upload["UploadId"]
        parts = []
        for number, data in enumerate(parts_data, 1):
            r = self.s3.upload_part(Bucket="sec-bucket", Key="full", UploadId=uid, PartNumber=number,
                                    Body=data, ChecksumAlgorithm="CRC32")
            parts.append({"PartNumber": number, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
        # The whole object's CRC32, as s3transfer sends it for a user-provided checksum.
        wrong = b64(checksum("CRC32", whole + b"!"))
        self.assertEqual(error_of(lambda: self.s3.complete_multipart_upload(
            Bucket="sec-bucket", Key="full", UploadId=uid, MultipartUpload={"Parts": parts},
            ChecksumCRC32=wrong, ChecksumType="FULL_OBJECT")), ("BadDigest", 400))
        self.absent("full")
        right = b64(checksum("CRC32", whole))
        done = self.s3.complete_multipart_upload(
            Bucket="sec-bucket", Key="full", UploadId=uid, MultipartUpload={"Parts": parts},
            ChecksumCRC32=right, ChecksumType="FULL_OBJECT")
        self.assertEqual(done["ChecksumCRC32"], right)
        got = self.s3.get_object(Bucket="sec-bucket", Key="full", ChecksumMode="ENABLED")
        self.assertEqual((got["ChecksumCRC32"], got["ChecksumType"]), (right, "FULL_OBJECT"))
        self.assertEqual(got["Body"].read(), whole)  # botocore validates the full CRC32


if __name__ == "__main__":
    unittest.main()
