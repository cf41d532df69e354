// Stores: everything with state that the services act on, opened on one data dir in dependency
// order — the RocksDB store, identities and sessions, KMS keys, CloudTrail's history, trails,
// queue, recorder and signing keys, CloudWatch Logs, S3 — plus the operation table and the one
// api::InternalCaller through which the services call each other (CloudWatch Logs and S3 use
// KMS through it, CloudTrail delivers through it). The table starts empty; app/services.h fills
// it. Members are public: app/ wires them and nothing else sees this type.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "api/internal_caller.h"
#include "api/operation.h"
#include "common/clock.h"
#include "common/status.h"
#include "crypto/secret.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"
#include "kms/key_store.h"
#include "logs/log_store.h"
#include "s3/blob_store.h"
#include "s3/data_keys.h"
#include "s3/s3_store.h"
#include "services/logs/logs_kms_adapter.h"
#include "store/rocks_store.h"
#include "trail/delivery_queue.h"
#include "trail/event_history.h"
#include "trail/recorder.h"
#include "trail/signing_keys.h"
#include "trail/trail_store.h"

namespace kiroku::app {

struct StoresOptions {
  // How long CloudWatch Logs uses a decrypted data key before KMS is asked again.
  std::chrono::seconds logs_data_key_cache{300};
};

class Stores {
 public:
  // Opens <data_dir>/db and <data_dir>/objects. `master_key` and `clock` must outlive the stores.
  static Result<std::unique_ptr<Stores>> Open(const std::filesystem::path& data_dir,
                                              const crypto::SecretBytes& master_key,
                                              const Clock& clock, const StoresOptions& options);
  Stores(const Stores&) = delete;
  Stores& operator=(const Stores&) = delete;

  // The column families of the store (docs/storage-keys.md).
  static const std::vector<std::string>& ColumnFamilies();

 private:
  Stores(std::unique_ptr<store::RocksStore> opened_db, std::unique_ptr<s3::BlobStore> opened_blobs,
         const crypto::SecretBytes& master_key, const Clock& clock, const StoresOptions& options);

  std::unique_ptr<store::RocksStore> db_;
  std::unique_ptr<s3::BlobStore> blobs_;

 public:
  const crypto::SecretBytes& master_key;
  const Clock& clock;
  store::RocksStore& db;
  iam::IdentityStore identities;
  iam::SessionStore sessions;
  kms::KeyStore keys;
  trail::EventHistory history;
  trail::TrailStore trails;
  trail::DeliveryQueue delivery_queue;
  trail::Recorder recorder;
  trail::SigningKeys trail_signing_keys;
  api::OperationTable operations;
  api::InternalCaller caller;
  services::LogsKmsDataKeys logs_data_keys;
  logs::LogStore logs;
  s3::S3Store s3;
  s3::MasterKeyDataKeys s3_data_keys;
};

}  // namespace kiroku::app
