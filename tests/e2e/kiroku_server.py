"""A real `kiroku serve` for end-to-end tests: free port, temporary data dir, real process.

The binary comes from the KIROKU_BIN environment variable (CTest sets it). Tests drive the
server with the installed `aws` CLI (flows a user types) and boto3 (bulk checks).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import http.client
import urllib.parse

import boto3
import botocore.config
import botocore.exceptions

REGION = "ap-northeast-1"


def wait_for(predicate, timeout=15.0, interval=0.1):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` passes
    (then its last value is returned): for what the server does in the background."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


def error_of(call):
    """Runs `call`, which must fail with an AWS error; returns (code, HTTP status)."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call succeeded")


def form_request(port, method, target, host, agent, form=None, headers=None, timeout=60):
    """One HTTP request to 127.0.0.1:`port` with exactly these headers (Host, User-Agent, and
    `headers`), the form url-encoded; redirects are not followed. Returns (status, headers,
    body text): for the console's pages and forms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Host": host, "User-Agent": agent}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    all_headers.update(headers or {})
    try:
        conn.request(method, target, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def kiroku_bin():
    path = os.environ.get("KIROKU_BIN")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("KIROKU_BIN must name the kiroku executable (CTest sets it)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KirokuServer:
    """Starts `kiroku serve`; stop() sends SIGTERM and returns the exit code."""

    def __init__(self, data_dir=None, extra_args=(), env=None):
        self.owns_data_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="kiroku-e2e-")
        self.extra_args = list(extra_args)
        self.env = env
        self.port = None
        self.process = None
        self.log_path = os.path.join(self.data_dir, "serve.log")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def credentials_file(self):
        return os.path.join(self.data_dir, "credentials")

    def start(self, timeout=20):
        self.port = free_port()
        env = dict(os.environ)
        env.update(self.env or {})
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [kiroku_bin(), "serve", "--listen", f"127.0.0.1:{self.port}",
                 "--data-dir", self.data_dir, "--log-level", "debug", *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kiroku exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/_kiroku/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("kiroku did not answer its health check:\n" + self.log())

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.process = None

    def cleanup(self):
        self.stop(signal.SIGKILL)
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def root_keys(self):
        keys = {}
        with open(self.credentials_file) as f:
            for line in f:
                if "=" in line:
                    k, v = line.split("=", 1)
                    keys[k.strip()] = v.strip()
        return keys["aws_access_key_id"], keys["aws_secret_access_key"]

    def cli_env(self):
        """Environment for the `aws` CLI, exactly as the startup banner tells a user."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_SHARED_CREDENTIALS_FILE": self.credentials_file,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        return env

    def aws(self, *args, check=True):
        """Runs the real aws CLI; returns (exit code, stdout, stderr)."""
        result = subprocess.run(["aws", *args], env=self.cli_env(), capture_output=True,
                                text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {result.stderr}")
        return result.returncode, result.stdout, result.stderr

    def client(self, service, access_key=None, secret_key=None, region=REGION, **kwargs):
        if access_key is None:
            access_key, secret_key = self.root_keys()
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=region,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=botocore.config.Config(retries={"max_attempts": 1}), **kwargs)
