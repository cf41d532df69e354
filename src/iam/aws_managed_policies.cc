#include "iam/aws_managed_policies.h"

#include <time.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "common/arn.h"
#include "common/check.h"

namespace kiroku::iam {
namespace internal {
// Generated from managed_policies/*.json by src/iam/CMakeLists.txt.
extern const char* const kAwsManagedPolicyFiles[];
extern const size_t kAwsManagedPolicyFileCount;
}  // namespace internal

namespace {
namespace json = boost::json;

// "2015-02-06T18:39:46Z" -> epoch seconds.
int64_t ParseDate(std::string_view text) {
  struct tm tm = {};
  std::string s(text);
  KIROKU_CHECK(sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

std::vector<ManagedPolicy> Load() {
  std::vector<ManagedPolicy> policies;
  for (size_t i = 0; i < internal::kAwsManagedPolicyFileCount; ++i) {
    // The files are part of the build; a malformed one is a build defect, caught by the tests.
    json::object o = json::parse(internal::kAwsManagedPolicyFiles[i]).as_object();
    ManagedPolicy p;
    p.aws_managed = true;
    p.name = std::string(o.at("PolicyName").as_string());
    p.id = std::string(o.at("PolicyId").as_string());
    p.path = std::string(o.at("Path").as_string());
    p.arn = Arn::Iam("aws", "policy" + p.path + p.name).ToString();
    p.description = std::string(o.at("Description").as_string());
    p.default_version_id = std::string(o.at("DefaultVersionId").as_string());
    p.create_date = ParseDate(o.at("CreateDate").as_string());
    p.update_date = ParseDate(o.at("UpdateDate").as_string());
    PolicyVersion version;
    version.version_id = p.default_version_id;
    version.document = json::serialize(o.at("Document"));
    version.is_default = true;
    version.create_date = p.update_date;
    p.versions.push_back(std::move(version));
    policies.push_back(std::move(p));
  }
  std::sort(policies.begin(), policies.end(),
            [](const ManagedPolicy& a, const ManagedPolicy& b) { return a.name < b.name; });
  return policies;
}

}  // namespace

const std::vector<ManagedPolicy>& AwsManagedPolicies() {
  static const std::vector<ManagedPolicy> policies = Load();
  return policies;
}

const ManagedPolicy* FindAwsManagedPolicy(std::string_view arn) {
  for (const ManagedPolicy& p : AwsManagedPolicies()) {
    if (p.arn == arn) return &p;
  }
  return nullptr;
}

}  // namespace kiroku::iam
