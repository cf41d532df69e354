"""The policy documents of ../shared/docs/TUTORIAL-FLOW.md, as Python values, for the suites
that build the tutorial's pipeline (key policy, CloudTrail bucket policy, the CloudWatch Logs
role's trust and permissions policies). One copy, so every suite tests the same documents."""
from kiroku_server import REGION


def logs_key_policy(account, group_arn, region=REGION):
    """Step 1: the account root, and the region's logs principal for one log group."""
    return {
        "Version": "2012-10-17", "Id": "key-default-1",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": f"logs.{region}.amazonaws.com"},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                        "kms:GenerateDataKey*", "kms:Describe*"],
             "Resource": "*",
             "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}}}]}


def cloudtrail_trust_policy():
    """Step 2b: the role trusts CloudTrail."""
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}


def cloudtrail_logs_role_policy(account, group_arn, region=REGION):
    """Step 2b: CreateLogStream and PutLogEvents on <account>_CloudTrail_<region>* streams."""
    stream = f"{group_arn}:log-stream:{account}_CloudTrail_{region}*"
    return {"Version": "2012-10-17",
            "Statement": [
                {"Sid": "AWSCloudTrailCreateLogStream2014110", "Effect": "Allow",
                 "Action": ["logs:CreateLogStream"], "Resource": [stream]},
                {"Sid": "AWSCloudTrailPutLogEvents20141101", "Effect": "Allow",
                 "Action": ["logs:PutLogEvents"], "Resource": [stream]}]}


def cloudtrail_bucket_policy(bucket, account, trail_arns, prefix=""):
    """Step 2c: the documented CloudTrail bucket policy for one trail ARN (or a list)."""
    source = trail_arns if isinstance(trail_arns, str) else list(trail_arns)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}",
             "Condition": {"StringEquals": {"aws:SourceArn": source}}},
            {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{prefix}AWSLogs/{account}/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                            "aws:SourceArn": source}}}]}
