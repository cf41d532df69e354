#include "app/stores.h"

namespace kiroku::app {

const std::vector<std::string>& Stores::ColumnFamilies() {
  static const std::vector<std::string> kColumnFamilies = {"meta", "events", "history", "queue"};
  return kColumnFamilies;
}

Result<std::unique_ptr<Stores>> Stores::Open(const std::filesystem::path& data_dir,
                                             const crypto::SecretBytes& master_key,
                                             const Clock& clock, const StoresOptions& options) {
  auto db = store::RocksStore::Open((data_dir / "db").string(), ColumnFamilies());
  if (!db.ok()) {
    return Status::Internal("cannot open the store in " + data_dir.string() + ": " +
                            db.status().ToString());
  }
  // S3: object bytes in encrypted files under <data dir>/objects, metadata in the store.
  ASSIGN_OR_RETURN(std::unique_ptr<s3::BlobStore> blobs, s3::BlobStore::Open(data_dir / "objects"));
  return std::unique_ptr<Stores>(
      new Stores(std::move(*db), std::move(blobs), master_key, clock, options));
}

namespace {

logs::LogStore::Options LogsOptions(const StoresOptions& options) {
  logs::LogStore::Options out;
  out.data_key_cache = options.logs_data_key_cache;
  return out;
}

}  // namespace

Stores::Stores(std::unique_ptr<store::RocksStore> opened_db,
               std::unique_ptr<s3::BlobStore> opened_blobs, const crypto::SecretBytes& master_key,
               const Clock& clock, const StoresOptions& options)
    : db_(std::move(opened_db)),
      blobs_(std::move(opened_blobs)),
      master_key(master_key),
      clock(clock),
      db(*db_),
      identities(db, master_key, clock),
      sessions(db, master_key, clock),
      keys(db, master_key, clock),
      history(db, clock),
      trails(db),
      delivery_queue(db, trails, clock),
      recorder(db, history, &delivery_queue),
      trail_signing_keys(db, master_key, clock),
      caller(operations, identities, clock),
      logs_data_keys(caller, master_key),
      logs(db, clock, logs_data_keys, LogsOptions(options)),
      s3(db, *blobs_, clock),
      s3_data_keys(master_key) {}

}  // namespace kiroku::app
