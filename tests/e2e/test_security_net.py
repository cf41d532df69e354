"""Slow and malformed HTTP clients against a real server (issue 15, items 4 and 10).

100 uploads trickling one byte every two seconds, some of them validly signed, must not slow
/_kiroku/health or a signed STS call; each is answered with S3's RequestTimeout once it falls
under the minimum rate. A request without Host answers 400, an oversize header block 431, a
header that takes too long 408, and connections past the per-client cap are closed at accept.
Loopback only; bounded to well under a minute.
"""
import http.client
import socket
import threading
import time
import unittest

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from kiroku_server import KirokuServer, REGION

BODY_IDLE_SECONDS = 6
REQUEST_TIMEOUT_MESSAGE = ("Your socket connection to the server was not read from or written "
                           "to within the timeout period. Idle connections will be closed.")


def read_until_closed(sock, timeout=30):
    sock.settimeout(timeout)
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def status_of(response):
    if not response.startswith(b"HTTP/1.1 "):
        return 0
    return int(response[9:12])


class SlowClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer(extra_args=[
            "--body-idle-timeout-seconds", str(BODY_IDLE_SECONDS),
            "--header-timeout-seconds", "2"]).start()
        cls.s3 = cls.server.client("s3")
        cls.s3.create_bucket(Bucket="slow-bucket",
                             CreateBucketConfiguration={"LocationConstraint": REGION})

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=10)

    def signed_put_head(self, key, length):
        """A validly signed S3 PUT head (UNSIGNED-PAYLOAD) for a body of `length` bytes."""
        access, secret = self.server.root_keys()
        request = botocore.awsrequest.AWSRequest(
            method="PUT", url=f"{self.server.endpoint}/slow-bucket/{key}",
            headers={"Content-Length": str(length), "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
        botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(access, secret), "s3",
                                  REGION).add_auth(request)
        head = f"PUT /slow-bucket/{key} HTTP/1.1\r\nHost: 127.0.0.1:{self.server.port}\r\n"
        for name, value in request.headers.items():
            if name.lower() != "host":
                head += f"{name}: {value}\r\n"
        return (head + "\r\n").encode()

    def test_slow_uploads_do_not_stall_health_and_time_out(self):
        port = self.server.port
        slow = []
        for i in range(96):  # unsigned: the stall matters before any signature is checked
            sock = self.connect()
            sock.sendall(f"PUT /slow-bucket/unsigned-{i} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                         f"Content-Length: 1000\r\n\r\n".encode())
            slow.append(sock)
        # Validly signed: two small bodies (read before the handler runs) and two past the
        # first buffer (read by the S3 handler on the stream pool), all stalling.
        for i, (length, first) in enumerate([(1000, 10), (1000, 10),
                                             (4 << 20, 1536 << 10), (4 << 20, 1536 << 10)]):
            sock = self.connect()
            sock.sendall(self.signed_put_head(f"signed-{i}", length) + b"s" * first)
            slow.append(sock)
        self.assertEqual(len(slow), 100)
        # And a buffered (not streamed) body of an STS call, in the query protocol.
        query = self.connect()
        query.sendall(f"POST /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\r\n"
                      f"Host: 127.0.0.1:{port}\r\n"
                      f"Content-Type: application/x-www-form-urlencoded\r\n"
                      f"Content-Length: 1000\r\n\r\nAction=".encode())
        slow.append(query)
        stop = threading.Event()

        def trickle():
            while not stop.wait(2):
                for sock in slow:
                    try:
                        sock.send(b"x")
                    except OSError:
                        pass
        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        try:
            started = time.monotonic()
            sts = self.server.client("sts")
            latencies = []
            health = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            calls = 0
            while time.monotonic() - started < BODY_IDLE_SECONDS - 2:
                t = time.monotonic()
                health.request("GET", "/_kiroku/health")
                response = health.getresponse()
                response.read()
                latencies.append(time.monotonic() - t)
                self.assertEqual(response.status, 200)
                if len(latencies) % 20 == 0:
                    identity = sts.get_caller_identity()
                    self.assertTrue(identity["Arn"].endswith(":root"))
                    calls += 1
                time.sleep(0.005)
            latencies.sort()
            p99 = latencies[int(len(latencies) * 0.99)]
            print(f"health under 100 slow uploads: {len(latencies)} requests, "
                  f"p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
                  f"max {latencies[-1] * 1000:.1f} ms; {calls} STS calls")
            self.assertGreater(len(latencies), 100)
            self.assertGreater(calls, 3)
            self.assertLess(p99, 0.050)

            # Every slow upload is answered with S3's RequestTimeout, then closed.
            answers = [read_until_closed(sock) for sock in slow]
            query_answer = answers.pop()
            self.assertEqual(status_of(query_answer), 400, query_answer[:300])
            self.assertIn(b"<ErrorResponse", query_answer)
            self.assertIn(b"<Code>RequestTimeout</Code>", query_answer)
            elapsed = time.monotonic() - started
            for i, answer in enumerate(answers):
                self.assertEqual(status_of(answer), 400, f"upload {i}: {answer[:300]!r}")
                self.assertIn(b"<Code>RequestTimeout</Code>", answer, f"upload {i}")
                self.assertIn(REQUEST_TIMEOUT_MESSAGE.encode(), answer)
            self.assertLess(elapsed, 25)
        finally:
            stop.set()
            for sock in slow:
                sock.close()
        # Nothing was stored from the stalled uploads.
        listed = self.s3.list_objects_v2(Bucket="slow-bucket")
        self.assertEqual(listed.get("KeyCount"), 0, listed.get("Contents"))

    def test_request_without_host_is_400(self):
        sock = self.connect()
        sock.sendall(b"GET /_kiroku/health HTTP/1.1\r\n\r\n")
        self.assertEqual(status_of(read_until_closed(sock)), 400)
        sock.close()
        sock = self.connect()
        sock.sendall(b"GET /_kiroku/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        self.assertEqual(status_of(read_until_closed(sock)), 400)
        sock.close()

    def test_oversize_header_block_is_431(self):
        sock = self.connect()
        sock.sendall(b"GET /_kiroku/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                     b"a" * (80 * 1024) + b"\r\n\r\n")
        answer = read_until_closed(sock)
        sock.close()
        self.assertEqual(status_of(answer), 431, answer[:200])

    def test_header_must_arrive_within_its_deadline(self):
        sock = self.connect()
        started = time.monotonic()
        sock.sendall(b"GET /_kiroku/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        stop = threading.Event()

        def trickle():  # a header byte every 300 ms: only a total deadline stops it
            while not stop.wait(0.3):
                try:
                    sock.send(b"X")
                except OSError:
                    return
        threading.Thread(target=trickle, daemon=True).start()
        answer = read_until_closed(sock, timeout=10)
        stop.set()
        sock.close()
        self.assertEqual(status_of(answer), 408, answer[:200])
        self.assertLess(time.monotonic() - started, 5)


class ConnectionCapTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KirokuServer(extra_args=["--max-connections-per-client", "5"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def health(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        connection.request("GET", "/_kiroku/health")
        response = connection.getresponse()
        response.read()
        self.assertEqual(response.status, 200)
        return connection  # kept open (keep-alive)

    def test_connections_past_the_per_client_cap_are_closed(self):
        time.sleep(0.3)  # the start-up health check's connection is gone
        held = [self.health() for _ in range(5)]
        extra = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        extra.sendall(b"GET /_kiroku/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertEqual(read_until_closed(extra, timeout=5), b"")
        extra.close()
        held.pop().close()
        deadline = time.monotonic() + 5
        while True:  # the freed slot is given back once the server has seen the close
            try:
                held.append(self.health())
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        for connection in held:
            connection.close()


if __name__ == "__main__":
    unittest.main()
