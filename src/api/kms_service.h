// TRANSITIONAL (issue 16): the old entry point of the KMS operations, kept only for the one
// caller not yet moved (bench/s3_bench.cc), which must link services_kms.
// New code constructs services::KmsService (services/kms/kms_service.h) and adds
// kms.Operations(). Delete this file once nothing includes it.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "api/operation.h"
#include "services/kms/kms_service.h"

namespace kiroku::api {

// Adds the KMS rows; the rows' handlers co-own the service object, so it lives as long as the
// table. `keys` and `identities` must outlive the table.
inline void AddKmsOperations(OperationTable& table, kms::KeyStore& keys,
                             const iam::IdentityStore& identities) {
  auto service = std::make_shared<services::KmsService>(keys, identities);
  std::vector<Operation> ops = service->Operations();
  for (Operation& op : ops) {
    op.handler = [service, handler = std::move(op.handler)](RequestContext& ctx) {
      return handler(ctx);
    };
  }
  table.Add(std::move(ops));
}

}  // namespace kiroku::api
