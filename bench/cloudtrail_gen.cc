#include "cloudtrail_gen.h"

#include <cstdio>
#include <ctime>

namespace kiroku::bench {
namespace {

constexpr const char* kRegions[] = {"us-east-1",      "us-east-2",    "us-west-2",
                                    "eu-west-1",      "eu-central-1", "ap-southeast-1",
                                    "ap-northeast-1", "sa-east-1"};
constexpr const char* kAccounts[] = {"123456789012", "210987654321", "555566667777",
                                     "999988887777"};
constexpr const char* kUsers[] = {"alice",   "bob",         "carol",          "dave",  "erin",
                                  "frank",   "grace",       "heidi",          "ivan",  "judy",
                                  "mallory", "oscar",       "peggy",          "trent", "victor",
                                  "walter",  "ci-deployer", "backup-operator"};
constexpr const char* kRoles[] = {"OrganizationAccountAccessRole",
                                  "AdminRole",
                                  "ReadOnly",
                                  "LambdaExecution",
                                  "EcsTaskRole",
                                  "DataPipeline",
                                  "SecurityAudit",
                                  "GitHubActionsDeploy",
                                  "BillingViewer",
                                  "KinesisFirehoseDelivery",
                                  "EKSNodeRole",
                                  "BackupService"};
constexpr const char* kAgents[] = {
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off "
    "command/sts.assume-role",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/kms#1.30.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "aws-internal/3 aws-sdk-java/1.12.682 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/25.402-b08",
    "logs.amazonaws.com",
    "kms.amazonaws.com"};
constexpr const char* kLogGroups[] = {"/aws/lambda/orders-api",
                                      "/aws/ecs/payments",
                                      "/aws/rds/instance/prod-db/postgresql",
                                      "/app/web/access",
                                      "/aws/eks/prod-cluster/cluster",
                                      "CloudTrail/DefaultLogGroup"};

template <size_t N>
const char* Pick(const char* const (&a)[N], uint32_t i) {
  return a[i % N];
}

void AppendTime(std::string* out, uint64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  *out += buf;
}

}  // namespace

CloudTrailGenerator::CloudTrailGenerator(uint64_t seed)
    : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}

uint64_t CloudTrailGenerator::Next() {  // splitmix64
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void CloudTrailGenerator::AppendHex(std::string* out, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t r = Next();
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 15) r = Next();
    *out += kHex[r & 15];
    r >>= 4;
  }
}

void CloudTrailGenerator::AppendUuid(std::string* out) {
  AppendHex(out, 8);
  *out += '-';
  AppendHex(out, 4);
  *out += '-';
  AppendHex(out, 4);
  *out += '-';
  AppendHex(out, 4);
  *out += '-';
  AppendHex(out, 12);
}

void CloudTrailGenerator::AppendRecord(std::string* out) {
  clock_ += 1 + Below(3);
  const char* region = Pick(kRegions, Below(100) < 55 ? 0 : Below(8));
  const char* account = Pick(kAccounts, Below(4));
  const char* user = Pick(kUsers, Below(18));
  const char* role = Pick(kRoles, Below(12));
  char ip[32];
  std::snprintf(ip, sizeof(ip), "%u.%u.%u.%u", 3 + Below(200), Below(256), Below(256),
                1 + Below(254));
  const uint32_t kind = Below(1000);
  // Event families and their share (per mille).
  enum { kConsoleLogin, kAssumeRole, kKms, kIam, kLogs } family;
  if (kind < 30)
    family = kConsoleLogin;
  else if (kind < 230)
    family = kAssumeRole;
  else if (kind < 560)
    family = kKms;
  else if (kind < 680)
    family = kIam;
  else
    family = kLogs;

  std::string& o = *out;
  o += R"({"eventVersion":"1.08","userIdentity":{)";
  std::string identity_type;
  const bool root = family == kConsoleLogin ? Below(10) == 0 : Below(500) == 0;
  if (root) {
    identity_type = "Root";
    o += R"("type":"Root","principalId":")";
    o += account;
    o += R"(","arn":"arn:aws:iam::)";
    o += account;
    o += R"(:root","accountId":")";
    o += account;
    o += '"';
  } else if (family == kConsoleLogin || family == kIam || Below(4) == 0) {
    identity_type = "IAMUser";
    o += R"("type":"IAMUser","principalId":"AIDA)";
    AppendHex(&o, 16);
    o += R"(","arn":"arn:aws:iam::)";
    o += account;
    o += ":user/";
    o += user;
    o += R"(","accountId":")";
    o += account;
    o += R"(","accessKeyId":"AKIA)";
    AppendHex(&o, 16);
    o += R"(","userName":")";
    o += user;
    o += '"';
  } else if (family == kAssumeRole && Below(3) == 0) {
    identity_type = "AWSService";
    o += R"("type":"AWSService","invokedBy":"ecs-tasks.amazonaws.com")";
  } else {
    identity_type = "AssumedRole";
    o += R"("type":"AssumedRole","principalId":"AROA)";
    AppendHex(&o, 16);
    o += ':';
    o += user;
    o += R"(","arn":"arn:aws:sts::)";
    o += account;
    o += ":assumed-role/";
    o += role;
    o += '/';
    o += user;
    o += R"(","accountId":")";
    o += account;
    o += R"(","accessKeyId":"ASIA)";
    AppendHex(&o, 16);
    o += R"(","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA)";
    AppendHex(&o, 16);
    o += R"(","arn":"arn:aws:iam::)";
    o += account;
    o += ":role/";
    o += role;
    o += R"(","accountId":")";
    o += account;
    o += R"(","userName":")";
    o += role;
    o += R"("},"webIdFederationData":{},"attributes":{"creationDate":")";
    AppendTime(&o, clock_ - 600 - Below(3000));
    o += R"(","mfaAuthenticated":")";
    o += Below(3) == 0 ? "true" : "false";
    o += R"("}})";
  }
  o += R"(},"eventTime":")";
  AppendTime(&o, clock_);
  o += R"(","eventSource":")";
  const char* agent = Pick(kAgents, Below(6));
  switch (family) {
    case kConsoleLogin: {
      const bool success = Below(4) != 0;
      const bool mfa = Below(2) == 0;
      o += R"(signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":")";
      o += region;
      o += R"(","sourceIPAddress":")";
      o += ip;
      o += R"(","userAgent":")";
      o += Pick(kAgents, 3 + Below(2));
      o +=
          success
              ? R"(","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},)"
              : R"(","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},)";
      o +=
          R"("additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?region=)";
      o += region;
      o += R"(&state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAUsed":")";
      o += mfa ? "Yes" : "No";
      o += R"("},"eventType":"AwsConsoleSignIn")";
      break;
    }
    case kAssumeRole: {
      o += R"(sts.amazonaws.com","eventName":"AssumeRole","awsRegion":")";
      o += region;
      o += R"(","sourceIPAddress":")";
      o += identity_type == "AWSService" ? "ecs-tasks.amazonaws.com" : ip;
      o += R"(","userAgent":")";
      o += identity_type == "AWSService" ? "ecs-tasks.amazonaws.com" : agent;
      o += R"(","requestParameters":{"roleArn":"arn:aws:iam::)";
      o += account;
      o += ":role/";
      o += role;
      o += R"(","roleSessionName":")";
      o += user;
      o += '-';
      AppendHex(&o, 8);
      const uint32_t duration = 900 * (1 + Below(16));
      o += R"(","durationSeconds":)";
      o += std::to_string(duration);
      o += R"(},"responseElements":{"credentials":{"accessKeyId":"ASIA)";
      AppendHex(&o, 16);
      o += R"(","sessionToken":"IQoJb3JpZ2luX2VjE)";
      AppendHex(&o, 48);
      o += R"(","expiration":")";
      AppendTime(&o, clock_ + duration);
      o += R"("},"assumedRoleUser":{"assumedRoleId":"AROA)";
      AppendHex(&o, 16);
      o += ':';
      o += user;
      o += R"(","arn":"arn:aws:sts::)";
      o += account;
      o += ":assumed-role/";
      o += role;
      o += '/';
      o += user;
      o += R"("}},"resources":[{"accountId":")";
      o += account;
      o += R"(","type":"AWS::IAM::Role","ARN":"arn:aws:iam::)";
      o += account;
      o += ":role/";
      o += role;
      o += R"("}],"eventType":"AwsApiCall")";
      break;
    }
    case kKms: {
      static constexpr const char* kOps[] = {"Decrypt",     "GenerateDataKey",     "Encrypt",
                                             "DescribeKey", "ScheduleKeyDeletion", "DisableKey"};
      const uint32_t op = Below(100) < 2 ? 4 + Below(2) : Below(4);
      o += R"(kms.amazonaws.com","eventName":")";
      o += kOps[op];
      o += R"(","awsRegion":")";
      o += region;
      o += R"(","sourceIPAddress":")";
      o += Below(3) == 0 ? "logs.amazonaws.com" : ip;
      o += R"(","userAgent":")";
      o += agent;
      o += R"(","requestParameters":{"keyId":"arn:aws:kms:)";
      o += region;
      o += ':';
      o += account;
      o += ":key/";
      AppendUuid(&o);
      o +=
          R"(","encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:logs:arn":"arn:aws:logs:)";
      o += region;
      o += ':';
      o += account;
      o += ":log-group:";
      o += Pick(kLogGroups, Below(6));
      o += R"("}},"responseElements":null,"resources":[{"accountId":")";
      o += account;
      o += R"(","type":"AWS::KMS::Key","ARN":"arn:aws:kms:)";
      o += region;
      o += ':';
      o += account;
      o += R"(:key/)";
      AppendUuid(&o);
      o += R"("}],"eventType":"AwsApiCall")";
      break;
    }
    case kIam: {
      static constexpr const char* kOps[] = {"ListRoles",       "GetUser",
                                             "CreateUser",      "AttachRolePolicy",
                                             "CreateAccessKey", "PutRolePolicy"};
      const uint32_t op = Below(6);
      const bool denied = Below(20) == 0;
      o += R"(iam.amazonaws.com","eventName":")";
      o += kOps[op];
      o += R"(","awsRegion":"us-east-1","sourceIPAddress":")";
      o += ip;
      o += R"(","userAgent":")";
      o += agent;
      if (denied) {
        o += R"(","errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::)";
        o += account;
        o += ":user/";
        o += user;
        o += " is not authorized to perform: iam:";
        o += kOps[op];
      }
      o += R"(","requestParameters":{)";
      if (op == 3) {
        o += R"("roleName":")";
        o += role;
        o += R"(","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"})";
      } else if (op == 5) {
        o += R"("roleName":")";
        o += role;
        o +=
            R"(","policyName":"inline","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket\/*\"}]}"})";
      } else {
        o += R"("userName":")";
        o += user;
        o += R"("})";
      }
      o += R"(,"responseElements":null,"eventType":"AwsApiCall")";
      break;
    }
    case kLogs: {
      static constexpr const char* kOps[] = {"PutLogEvents", "CreateLogStream", "FilterLogEvents",
                                             "CreateLogGroup", "DescribeLogGroups"};
      const uint32_t op = Below(100) < 70 ? 0 : Below(5);
      o += R"(logs.amazonaws.com","eventName":")";
      o += kOps[op];
      o += R"(","awsRegion":")";
      o += region;
      o += R"(","sourceIPAddress":")";
      o += ip;
      o += R"(","userAgent":")";
      o += agent;
      o += R"(","requestParameters":{"logGroupName":")";
      o += Pick(kLogGroups, Below(6));
      o += R"(","logStreamName":"2025/01/01/[$LATEST])";
      AppendHex(&o, 32);
      o += '"';
      if (op == 2) o += R"(,"filterPattern":"{ $.level = \"ERROR\" }")";
      o += R"(},"responseElements":)";
      if (op == 0) {
        o += R"({"nextSequenceToken":"4963)";
        AppendHex(&o, 32);
        o += R"(","x":)";
        o += std::to_string(Below(200));
        o += '}';
      } else {
        o += "null";
      }
      o += R"(,"eventType":"AwsApiCall")";
      break;
    }
  }
  o += R"(,"requestID":")";
  AppendUuid(&o);
  o += R"(","eventID":")";
  AppendUuid(&o);
  o += R"(","readOnly":)";
  o += Below(2) == 0 ? "true" : "false";
  o += R"(,"managementEvent":true,"recipientAccountId":")";
  o += account;
  o +=
      R"(","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":")";
  o += family == kConsoleLogin ? "signin.aws.amazon.com" : "service.";
  if (family != kConsoleLogin) {
    o += region;
    o += ".amazonaws.com";
  }
  o += R"("}})";
}

void CloudTrailGenerator::AppendLines(size_t bytes, std::string* out) {
  const size_t target = out->size() + bytes;
  while (out->size() < target) {
    AppendRecord(out);
    *out += '\n';
  }
}

}  // namespace kiroku::bench
