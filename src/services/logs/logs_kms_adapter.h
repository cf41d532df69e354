// LogsKmsDataKeys: logs::DataKeys over KMS, called through api::InternalCaller *as* the CloudWatch
// Logs service principal `logs.<region>.amazonaws.com`, with the encryption context
// {"aws:logs:arn": <log group ARN>} — the same authorization an HTTP caller gets (key policy,
// grants, condition keys), no bypass.
//
// Groups without a KMS key use the service-owned key: a random data key per group wrapped by
// the server's master key (crypto::WrapKey, label "logs-service-owned:" + group ARN).
//
// Error mapping (docs/logs.md): a key that does not exist or whose policy does not allow the
// logs principal → AccessDeniedException "The specified KMS key does not exist or is not allowed
// to be used with Arn '<group ARN>'"; a disabled or pending-deletion key →
// InvalidParameterException when a key is associated, and KMS's own DisabledException /
// KMSInvalidStateException when data is written or read.
//
// Thread-safe.
#pragma once

#include "api/internal_caller.h"
#include "crypto/secret.h"
#include "logs/log_store.h"

namespace kiroku::services {

class LogsKmsDataKeys final : public logs::DataKeys {
 public:
  // `caller` and `master_key` must outlive this object.
  LogsKmsDataKeys(const api::InternalCaller& caller, const crypto::SecretBytes& master_key)
      : caller_(caller), master_key_(master_key) {}

  Result<logs::GeneratedDataKey> Generate(const logs::KeyRef& ref) override;
  Result<crypto::SecretBytes> Decrypt(const logs::KeyRef& ref, std::string_view wrapped) override;

 private:
  const api::InternalCaller& caller_;
  const crypto::SecretBytes& master_key_;
};

}  // namespace kiroku::services
