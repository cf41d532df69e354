// Arn: an Amazon Resource Name, arn:<partition>:<service>:<region>:<account>:<resource>, parsed
// and built in one place. The per-service builders write the forms kiroku serves:
//   Arn::Iam("123456789012", "user/alice")          arn:aws:iam::123456789012:user/alice
//   Arn::Sts(account, "assumed-role/R/s")            arn:aws:sts::…:assumed-role/R/s
//   Arn::Kms(region, account, "key/<id>")            arn:aws:kms:<region>:<account>:key/<id>
//   Arn::Logs(region, account, "log-group:<name>")   arn:aws:logs:…
//   Arn::CloudTrail(region, account, "trail/<name>") arn:aws:cloudtrail:…
//   Arn::Sns(region, account, "<topic>")             arn:aws:sns:…
//   Arn::S3("bucket") / Arn::S3("bucket/key")        arn:aws:s3:::bucket[/key]
// Lives in common/ (not aws/) because the domain modules below aws/ name their resources too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kiroku {

struct Arn {
  std::string partition = "aws";
  std::string service;
  std::string region;    // empty for global services (iam, sts, s3)
  std::string account;   // empty for s3; "aws" for AWS managed policies
  std::string resource;  // everything after the fifth colon ("user/alice", "log-group:g:*")

  // The five-colon form; nullopt unless `text` starts with "arn:" and has all six parts
  // (a resource may itself hold colons). Empty parts are kept as empty strings.
  static std::optional<Arn> Parse(std::string_view text);

  static Arn Iam(std::string_view account, std::string_view resource);
  static Arn Sts(std::string_view account, std::string_view resource);
  static Arn Kms(std::string_view region, std::string_view account, std::string_view resource);
  static Arn Logs(std::string_view region, std::string_view account, std::string_view resource);
  static Arn CloudTrail(std::string_view region, std::string_view account,
                        std::string_view resource);
  static Arn Sns(std::string_view region, std::string_view account, std::string_view resource);
  static Arn S3(std::string_view resource);

  // "arn:aws:iam::123456789012:root" for the account's root principal.
  static Arn AccountRoot(std::string_view account) { return Iam(account, "root"); }

  std::string ToString() const;
  // The text before the resource, with its trailing colon ("arn:aws:iam::123456789012:"),
  // for prefix matches of every resource of a service in an account.
  std::string Prefix() const;

  friend bool operator==(const Arn&, const Arn&) = default;
};

}  // namespace kiroku
