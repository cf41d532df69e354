// The AWS managed policies kiroku ships (arn:aws:iam::aws:policy/…): their documents and
// metadata, read from src/iam/managed_policies/*.json, which are compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

#include "iam/entities.h"

namespace kiroku::iam {

// Every shipped AWS managed policy, sorted by name; attachment counts are zero. Parsed once;
// thread-safe.
const std::vector<ManagedPolicy>& AwsManagedPolicies();
// The policy with exactly this ARN, or nullptr.
const ManagedPolicy* FindAwsManagedPolicy(std::string_view arn);

}  // namespace kiroku::iam
