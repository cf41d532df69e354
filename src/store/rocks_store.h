// RocksStore: store::Db on one embedded RocksDB database in a local directory.
//
// Durability: every write uses WriteOptions::sync, so RocksDB appends the batch to its WAL and
// fdatasyncs it before returning. RocksDB's write group merges concurrent writers: one leader
// writes and syncs the WAL for every batch queued behind it, which is our group commit
// (bench/store_bench.cc measures it; docs/performance.md has the numbers).
//
// Conditional writes (WriteIf) use striped in-process locks rather than RocksDB transactions:
// every Write/WriteIf locks the stripes of all keys it touches (in stripe order, so no
// deadlock), then WriteIf reads and checks its expectations and writes. Plain writes take the
// same locks, so a blind write can never slip between a check and its write. The locks live in
// this process, which is fine because RocksDB allows one process per database directory.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"

namespace kiroku::store {

class RocksStore final : public Db {
 public:
  struct Options {
    // Size of the shared block cache.
    size_t block_cache_bytes = 64 << 20;
    // Collect RocksDB statistics (needed for Stats().wal_syncs). Small CPU overhead.
    bool enable_statistics = false;
  };

  struct Stats {
    uint64_t batches_written = 0;  // non-empty batches acknowledged by Write/WriteIf
    uint64_t wal_syncs = 0;        // WAL fsyncs; 0 unless Options::enable_statistics
  };

  // Opens (creating `dir` and the database if needed) the database in `dir` with the named column
  // families; missing ones are created, "default" always exists, and column families already in the
  // database but not named are opened too. Errors: InvalidArgument for a bad or duplicate name,
  // Unavailable if another process holds the database lock, Internal for I/O failure or corruption.
  static Result<std::unique_ptr<RocksStore>> Open(const std::string& dir,
                                                  const std::vector<std::string>& column_families,
                                                  const Options& options);
  static Result<std::unique_ptr<RocksStore>> Open(const std::string& dir,
                                                  const std::vector<std::string>& column_families) {
    return Open(dir, column_families, Options());
  }

  // Closes the database; all Cursors must be destroyed first.
  ~RocksStore() override;
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) const override;
  Status Write(const WriteBatch& batch) override;
  Status WriteIf(const std::vector<Expectation>& expectations, const WriteBatch& batch) override;
  Result<std::unique_ptr<Cursor>> NewCursor(std::string_view cf, const Range& range,
                                            Direction direction) const override;
  std::vector<std::string> ColumnFamilies() const override;

  Stats GetStats() const;

 private:
  struct State;  // RocksDB handles; never visible outside store/
  explicit RocksStore(std::unique_ptr<State> state);

  // Locks the stripes covering every key of `expectations` and `batch`, checks the
  // expectations, then writes the batch with sync.
  Status LockedWrite(const std::vector<Expectation>& expectations, const WriteBatch& batch);

  std::unique_ptr<State> state_;
  std::atomic<uint64_t> batches_written_{0};
};

}  // namespace kiroku::store
