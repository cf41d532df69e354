// CloudTrail ListPublicKeys: the public keys that verify the region's digest files
// (log file integrity validation, trail/signing_keys.h).
#pragma once

#include "api/operation.h"
#include "trail/signing_keys.h"

namespace kiroku::api {

// `keys` and `clock` must outlive the table.
void AddCloudTrailKeyOperations(OperationTable& table, trail::SigningKeys& keys,
                                const Clock& clock);

}  // namespace kiroku::api
