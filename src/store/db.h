// store::Db: the ordered key-value store every service persists through.
//
// A Db holds named column families; each is an independent, byte-wise ordered map from key to
// value. The operations are deliberately narrow (point get, atomic batch, conditional batch,
// ordered range scan) so a backend other than RocksDB — e.g. a replicated transactional store —
// can implement them later (../shared/docs/DESIGN.md §8). Key encodings live in store/keys.h and
// docs/storage-keys.md.
//
// Durability: when Write() or WriteIf() returns OK, the batch is in the write-ahead log and
// fsynced; a crash (even kill -9 or power loss) right after the return loses nothing.
// Concurrent writers share fsyncs (group commit), so callers should simply write from many
// threads rather than batch across requests themselves.
//
// Reads see the latest acknowledged writes; no snapshots are exposed. A Cursor sees a
// consistent point-in-time view taken when it was created.
//
// Thread-safety: every method of Db may be called concurrently from any thread. A Cursor and a
// WriteBatch are single-threaded objects.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kiroku::store {

// An ordered set of puts and deletes across column families, applied atomically by Db::Write:
// after a crash either every operation is visible or none is. Later operations on the same key
// override earlier ones.
class WriteBatch {
 public:
  enum class OpKind { kPut, kDelete };
  struct Op {
    OpKind kind;
    std::string cf;
    std::string key;
    std::string value;  // empty for kDelete
  };

  void Put(std::string_view cf, std::string_view key, std::string_view value);
  void Delete(std::string_view cf, std::string_view key);

  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  // Sum of key and value sizes: a rough measure for callers that bound batch size.
  size_t ByteSize() const { return bytes_; }
  const std::vector<Op>& ops() const { return ops_; }
  void Clear();

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

// A condition checked atomically with a write (Db::WriteIf): the key's current value must equal
// `value`, or the key must be absent when `value` is nullopt.
struct Expectation {
  std::string cf;
  std::string key;
  std::optional<std::string> value;
};

// A half-open key range [start, limit) inside one column family. An empty `limit` means "to the
// end of the column family".
struct Range {
  std::string start;
  std::string limit;

  // Every key in the column family.
  static Range All() { return {}; }
  // Every key that begins with `prefix`.
  static Range Prefix(std::string_view prefix);
  static Range Between(std::string_view start, std::string_view limit) {
    return {std::string(start), std::string(limit)};
  }
};

enum class Direction { kForward, kReverse };

// Walks the keys of a Range in order (ascending for kForward, descending for kReverse).
// Usage:
//   for (; cursor->Valid(); cursor->Next()) use(cursor->key(), cursor->value());
//   RETURN_IF_ERROR(cursor->status());
// key() and value() stay valid only until the next call to Next(). A Cursor must be destroyed
// before the Db that created it, and should be short-lived: it pins the data of its
// point-in-time view until destroyed. Not thread-safe.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // False at the end of the range or after an error; check status() then.
  virtual bool Valid() const = 0;
  // Requires Valid().
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless the scan stopped because of an I/O or corruption error (Internal).
  virtual Status status() const = 0;
};

// Called for each key of a Db::Scan; return false to stop early.
using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;

class Db {
 public:
  virtual ~Db() = default;

  // The value stored at `key`, or nullopt if there is none. Errors: InvalidArgument for an
  // unknown column family, Internal for I/O failure or corruption.
  virtual Result<std::optional<std::string>> Get(std::string_view cf,
                                                 std::string_view key) const = 0;

  // Applies `batch` atomically and durably (see the file comment). An empty batch is a no-op.
  // Errors: InvalidArgument for an unknown column family, Internal for I/O failure (the batch
  // may or may not have been applied — callers retry idempotently or report the failure).
  virtual Status Write(const WriteBatch& batch) = 0;

  // Optimistic compare-and-set: applies `batch` only if every expectation holds, with the
  // checks and the write atomic with respect to every other Write/WriteIf of this Db.
  // Returns Conflict (nothing written) if an expectation fails; callers usually re-read and
  // retry. Other errors as for Write.
  virtual Status WriteIf(const std::vector<Expectation>& expectations, const WriteBatch& batch) = 0;

  // A cursor over `range` of `cf`. Errors: InvalidArgument for an unknown column family or a
  // non-empty `range.limit` below `range.start`.
  virtual Result<std::unique_ptr<Cursor>> NewCursor(std::string_view cf, const Range& range,
                                                    Direction direction) const = 0;

  // Names of the column families this Db was opened with (including "default").
  virtual std::vector<std::string> ColumnFamilies() const = 0;

  // Convenience wrappers over the primitives above.

  // Write of a single put / delete.
  Status Put(std::string_view cf, std::string_view key, std::string_view value);
  Status Delete(std::string_view cf, std::string_view key);

  // Sets `key` to `desired` (or deletes it when `desired` is nullopt) if its current value is
  // `expected` (nullopt: absent). Returns Conflict otherwise.
  Status CompareAndSet(std::string_view cf, std::string_view key,
                       const std::optional<std::string>& expected,
                       const std::optional<std::string>& desired);

  // Calls `fn` for each key of `range` in `direction` order until it returns false.
  Status Scan(std::string_view cf, const Range& range, Direction direction, const ScanFn& fn) const;
  Status Scan(std::string_view cf, const Range& range, const ScanFn& fn) const {
    return Scan(cf, range, Direction::kForward, fn);
  }
};

// STYLE.md names the concept Store and its RocksDB implementation RocksStore; both names work.
using Store = Db;

}  // namespace kiroku::store
