#!/usr/bin/env python3
"""Load driver: how long from an API response until CloudTrail has delivered that call's
record — searchable in the trail's KMS-encrypted CloudWatch Logs group, and present in an S3
log file.

Starts `kiroku serve` (default delivery settings unless --server-arg is given) on a free port
with a temporary data dir, builds the tutorial's pipeline with boto3 (key + key policy,
encrypted log group, role trusted by CloudTrail, bucket + CloudTrail bucket policy,
multi-region trail with CloudWatch Logs, logging on), then makes management calls at a steady
rate from one thread while two pollers watch the destinations:
  - CloudWatch Logs: GetLogEvents on the trail's stream, forward from the head, every 20 ms;
  - S3: ListObjectsV2 + GetObject of new log files, every 100 ms.
A call's latency is (first poll that saw its requestID) - (time its response arrived); the
poll interval is included, so the numbers are upper bounds.

Usage: bench/trail_latency.py KIROKU_BINARY [--rate 50] [--seconds 20] [--server-arg=...]
"""
import argparse
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3
import botocore.config

REGION = "ap-northeast-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kiroku")
    ap.add_argument("--rate", type=float, default=50.0, help="calls per second")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--server-arg", action="append", default=[])
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="kiroku-trail-latency-")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([args.kiroku, "serve", "--listen", f"127.0.0.1:{port}",
                               "--data-dir", data, "--log-level", "warn", *args.server_arg],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(endpoint + "/_kiroku/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        creds = {}
        with open(os.path.join(data, "credentials")) as f:
            for line in f:
                if "=" in line:
                    k, v = line.split("=", 1)
                    creds[k.strip()] = v.strip()
        session = boto3.session.Session(aws_access_key_id=creds["aws_access_key_id"],
                                        aws_secret_access_key=creds["aws_secret_access_key"],
                                        region_name=REGION)
        config = botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=4)

        def client(name):
            return session.client(name, endpoint_url=endpoint, config=config)
        run(client, args)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


def run(client, args):
    kms, logs, iam, s3, ct = (client(n) for n in ("kms", "logs", "iam", "s3", "cloudtrail"))
    account = client("sts").get_caller_identity()["Account"]
    trail = "latency"
    trail_arn = f"arn:aws:cloudtrail:{REGION}:{account}:trail/{trail}"
    group = "/aws/cloudtrail/latency"
    group_arn = f"arn:aws:logs:{REGION}:{account}:log-group:{group}"
    stream = f"{account}_CloudTrail_{REGION}"
    bucket = f"latency-{account}"
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:Describe*"], "Resource": "*",
             "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}}}]}))
    logs.create_log_group(logGroupName=group, kmsKeyId=key)
    iam.create_role(RoleName="ct", Path="/service-role/", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "cloudtrail.amazonaws.com"}}]}))
    iam.put_role_policy(RoleName="ct", PolicyName="cwl", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{group_arn}:log-stream:{account}_CloudTrail_{REGION}*"}]}))
    role_arn = iam.get_role(RoleName="ct")["Role"]["Arn"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceArn": trail_arn}}}]}))
    ct.create_trail(Name=trail, S3BucketName=bucket, IsMultiRegionTrail=True,
                    CloudWatchLogsLogGroupArn=group_arn + ":*", CloudWatchLogsRoleArn=role_arn)
    ct.start_logging(Name=trail)

    sent = {}  # requestID -> response time
    seen_logs, seen_s3 = {}, {}
    stop = threading.Event()

    def poll_logs():
        token = None
        while not stop.is_set():
            try:
                kwargs = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
                if token:
                    kwargs["nextToken"] = token
                page = logs.get_log_events(**kwargs)
                now = time.time()
                for e in page["events"]:
                    seen_logs.setdefault(json.loads(e["message"]).get("requestID"), now)
                token = page["nextForwardToken"]
            except logs.exceptions.ResourceNotFoundException:
                pass  # the stream is created with the first delivery
            stop.wait(0.02)

    def poll_s3():
        known = set()
        while not stop.is_set():
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for o in page.get("Contents", []):
                    if o["Key"] in known:
                        continue
                    known.add(o["Key"])
                    body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                    now = time.time()
                    for r in json.loads(gzip.decompress(body))["Records"]:
                        seen_s3.setdefault(r.get("requestID"), now)
            stop.wait(0.1)

    pollers = [threading.Thread(target=poll_logs), threading.Thread(target=poll_s3)]
    for t in pollers:
        t.start()
    caller = client("kms")
    interval = 1.0 / args.rate
    start = time.time()
    n = 0
    while time.time() - start < args.seconds:
        response = caller.describe_key(KeyId=key)
        sent[response["ResponseMetadata"]["RequestId"]] = time.time()
        n += 1
        time.sleep(max(0.0, start + n * interval - time.time()))
    deadline = time.time() + 30
    while time.time() < deadline and not (set(sent) <= set(seen_logs) and set(sent) <= set(seen_s3)):
        time.sleep(0.1)
    stop.set()
    for t in pollers:
        t.join()

    print(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {os.cpu_count()} cores, "
          f"load {open('/proc/loadavg').read().split()[0]}; {len(sent)} DescribeKey calls at "
          f"{args.rate:g}/s for {args.seconds:g} s; server args: {' '.join(args.server_arg) or '(defaults)'}")
    for name, seen in (("CloudWatch Logs (searchable)", seen_logs), ("S3 log file", seen_s3)):
        lat = [(seen[r] - t) * 1000 for r, t in sent.items() if r in seen]
        missing = len(sent) - len(lat)
        print(f"{name:30s} n={len(lat)} missing={missing} p50={percentile(lat, 50):.0f} ms "
              f"p90={percentile(lat, 90):.0f} ms p99={percentile(lat, 99):.0f} ms "
              f"max={max(lat) if lat else float('nan'):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
