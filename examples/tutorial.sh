#!/usr/bin/env bash
# The recipe kiroku exists for, run against a running kiroku with the aws CLI and curl:
# CloudTrail management events (multi-region trail) -> a KMS-encrypted CloudWatch Logs log
# group through the trail's IAM role, then two console sign-ins (Tokyo and Osaka) found with
# the filter pattern { $.eventName = "ConsoleLogin" }. docs/tutorial.md walks through it.
#
# Usage (against a fresh data dir; the names below are fixed, as in the tutorial):
#   make run                                   # in another terminal
#   examples/tutorial.sh                       # or: KIROKU_ENDPOINT=http://127.0.0.1:4747 \
#                                              #     KIROKU_DATA_DIR=./kiroku-data examples/tutorial.sh
# Prints the two ConsoleLogin records and exits 0, or says which step failed and exits 1.
set -euo pipefail

ENDPOINT=${KIROKU_ENDPOINT:-http://127.0.0.1:4747}
DATA_DIR=${KIROKU_DATA_DIR:-./kiroku-data}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export AWS_SHARED_CREDENTIALS_FILE=${AWS_SHARED_CREDENTIALS_FILE:-$DATA_DIR/credentials}
export AWS_DEFAULT_REGION=ap-northeast-1
export AWS_PAGER=""
E="--endpoint-url $ENDPOINT"
HOSTPORT=${ENDPOINT#http://}
HOST=${HOSTPORT%:*}
PORT=${HOSTPORT##*:}

step() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'tutorial: %s\n' "$*" >&2; exit 1; }
cd "$WORK"

ACCOUNT_ID=$(aws $E sts get-caller-identity --query Account --output text)
REGION=ap-northeast-1
ALIAS=${TUTORIAL_ALIAS:-my-company-alias}
TRAIL=management-events
LG=/aws/cloudtrail/management-event
LG_ARN=arn:aws:logs:$REGION:$ACCOUNT_ID:log-group:$LG
ROLE=CloudTrailRoleForCloudWatchLogs_$TRAIL
BUCKET=aws-cloudtrail-logs-$ACCOUNT_ID-tutorial
PASSWORD='Example-Passw0rd!'

step "0. account alias and a console user (account $ACCOUNT_ID)"
aws $E iam create-account-alias --account-alias "$ALIAS"
aws $E iam create-user --user-name console-user >/dev/null
aws $E iam create-login-profile --user-name console-user --password "$PASSWORD" \
  --no-password-reset-required >/dev/null
aws $E iam attach-user-policy --user-name console-user \
  --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess

step "1. customer managed key, and the key policy statement for CloudWatch Logs"
KEY_ID=$(aws $E kms create-key --description "CloudTrail CWL log group key" \
  --query KeyMetadata.KeyId --output text)
aws $E kms create-alias --alias-name alias/cloudtrail-cwl --target-key-id "$KEY_ID"
KEY_ARN=$(aws $E kms describe-key --key-id "$KEY_ID" --query KeyMetadata.Arn --output text)
aws $E kms get-key-policy --key-id "$KEY_ID" --policy-name default --output text > key-policy.json
cat > key-policy.json <<JSON
{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::$ACCOUNT_ID:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow",
     "Principal": {"Service": "logs.$REGION.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
     "Resource": "*",
     "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "$LG_ARN"}}}
  ]
}
JSON
aws $E kms put-key-policy --key-id "$KEY_ID" --policy-name default --policy file://key-policy.json

step "2a. the encrypted log group $LG"
aws $E logs create-log-group --log-group-name "$LG" --kms-key-id "$KEY_ARN"
aws $E logs describe-log-groups --log-group-name-prefix "$LG" \
  --query 'logGroups[].[arn,kmsKeyId]' --output text

step "2b. the role CloudTrail assumes to write to the log group"
cat > trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat > cwl-policy.json <<JSON
{"Version": "2012-10-17",
 "Statement": [
  {"Sid": "AWSCloudTrailCreateLogStream2014110", "Effect": "Allow", "Action": ["logs:CreateLogStream"],
   "Resource": ["$LG_ARN:log-stream:${ACCOUNT_ID}_CloudTrail_${REGION}*"]},
  {"Sid": "AWSCloudTrailPutLogEvents20141101", "Effect": "Allow", "Action": ["logs:PutLogEvents"],
   "Resource": ["$LG_ARN:log-stream:${ACCOUNT_ID}_CloudTrail_${REGION}*"]}]}
JSON
aws $E iam create-role --role-name "$ROLE" --path /service-role/ \
  --assume-role-policy-document file://trust.json >/dev/null
POLICY_ARN=$(aws $E iam create-policy --policy-name "CloudTrailPolicyForCloudWatchLogs_$TRAIL" \
  --path /service-role/ --description "CloudTrail policy to send logs to CloudWatch Logs" \
  --policy-document file://cwl-policy.json --query Policy.Arn --output text)
aws $E iam attach-role-policy --role-name "$ROLE" --policy-arn "$POLICY_ARN"
ROLE_ARN=$(aws $E iam get-role --role-name "$ROLE" --query Role.Arn --output text)
echo "$ROLE_ARN"

step "2c. the S3 bucket the trail requires, with CloudTrail's bucket policy"
aws $E s3api create-bucket --bucket "$BUCKET" \
  --create-bucket-configuration LocationConstraint=$REGION >/dev/null
cat > bucket-policy.json <<JSON
{"Version": "2012-10-17",
 "Statement": [
  {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::$BUCKET",
   "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:$REGION:$ACCOUNT_ID:trail/$TRAIL"}}},
  {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::$BUCKET/AWSLogs/$ACCOUNT_ID/*",
   "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                   "aws:SourceArn": "arn:aws:cloudtrail:$REGION:$ACCOUNT_ID:trail/$TRAIL"}}}]}
JSON
aws $E s3api put-bucket-policy --bucket "$BUCKET" --policy file://bucket-policy.json

step "2d. the multi-region trail with CloudWatch Logs, management events, logging on"
aws $E cloudtrail create-trail --name "$TRAIL" --s3-bucket-name "$BUCKET" --is-multi-region-trail \
  --include-global-service-events --cloud-watch-logs-log-group-arn "$LG_ARN:*" \
  --cloud-watch-logs-role-arn "$ROLE_ARN" --query TrailARN --output text
aws $E cloudtrail put-event-selectors --trail-name "$TRAIL" \
  --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[]}]' >/dev/null
aws $E cloudtrail start-logging --name "$TRAIL"
aws $E cloudtrail get-trail-status --name "$TRAIL" --query IsLogging --output text

step "3. sign in to the console as console-user in Tokyo and Osaka"
for region in ap-northeast-1 ap-northeast-3; do
  url="http://$ALIAS.signin.localhost:$PORT/console?region=$region"
  # A browser names the page it posts from; the console refuses a post that does not.
  code=$(curl -s -o /dev/null -w '%{http_code}' --resolve "$ALIAS.signin.localhost:$PORT:$HOST" \
    -H "Origin: http://$ALIAS.signin.localhost:$PORT" \
    --data-urlencode username=console-user --data-urlencode "password=$PASSWORD" "$url")
  echo "POST $url -> HTTP $code"
  [ "$code" = 302 ] || fail "sign-in to $region answered HTTP $code, expected a 302 redirect"
done

step "the log group, searched across all streams for { \$.eventName = \"ConsoleLogin\" }"
for _ in $(seq 1 60); do
  found=$(aws $E logs filter-log-events --log-group-name "$LG" \
    --filter-pattern '{ $.eventName = "ConsoleLogin" }' --query 'length(events)' --output text)
  [ "$found" -ge 2 ] 2>/dev/null && break
  sleep 0.5
done
[ "${found:-0}" -ge 2 ] 2>/dev/null || fail "expected 2 ConsoleLogin records in $LG, found ${found:-0}"
aws $E logs describe-log-streams --log-group-name "$LG" --query 'logStreams[].logStreamName' --output text
aws $E logs filter-log-events --log-group-name "$LG" --filter-pattern '{ $.eventName = "ConsoleLogin" }' \
  --query 'events[].message' --output text
aws $E cloudtrail get-trail-status --name "$TRAIL" \
  --query '[LatestCloudWatchLogsDeliveryTime,LatestCloudWatchLogsDeliveryError]' --output text
