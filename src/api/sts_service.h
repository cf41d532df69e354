// STS operations: GetCallerIdentity (AssumeRole and friends arrive with the IAM issue).
#pragma once

#include "api/stages.h"

namespace kiroku::api {

void AddStsOperations(OperationTable& table);

}  // namespace kiroku::api
