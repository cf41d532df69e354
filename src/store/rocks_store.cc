#include "store/rocks_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>

namespace kiroku::store {
namespace {

// Number of lock stripes for conditional writes. Two keys share a stripe with probability
// 1/kStripes, which only costs some concurrency, never correctness.
constexpr size_t kStripes = 1024;

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::Unavailable(std::move(msg));
  // Another process holds the LOCK file of this database.
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::Unavailable(std::move(msg));
  }
  return Status::Internal(std::move(msg));
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

class RocksCursor final : public Cursor {
 public:
  RocksCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const Range& range,
              Direction direction)
      : start_(range.start),
        limit_(range.limit),
        lower_(start_),
        upper_(limit_),
        forward_(direction == Direction::kForward) {
    rocksdb::ReadOptions options;
    if (!start_.empty()) options.iterate_lower_bound = &lower_;
    if (!limit_.empty()) options.iterate_upper_bound = &upper_;
    it_.reset(db->NewIterator(options, cf));
    if (forward_) {
      it_->Seek(lower_);
    } else if (limit_.empty()) {
      it_->SeekToLast();
    } else {
      // Last key strictly below the exclusive limit.
      it_->SeekForPrev(upper_);
      if (it_->Valid() && it_->key() == upper_) it_->Prev();
    }
  }

  bool Valid() const override { return it_->Valid(); }
  void Next() override {
    KIROKU_DCHECK(it_->Valid());
    if (forward_) {
      it_->Next();
    } else {
      it_->Prev();
    }
  }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocks(it_->status(), "scan"); }

 private:
  // The bounds must outlive the iterator, which keeps pointers to lower_/upper_.
  const std::string start_;
  const std::string limit_;
  const rocksdb::Slice lower_;
  const rocksdb::Slice upper_;
  const bool forward_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

struct RocksStore::State {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before db
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> by_name;
  std::shared_ptr<rocksdb::Statistics> statistics;  // null unless enabled
  std::array<std::mutex, kStripes> stripes;

  ~State() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close().PermitUncheckedError();
  }

  Result<rocksdb::ColumnFamilyHandle*> Find(std::string_view cf) const {
    auto it = by_name.find(cf);
    if (it == by_name.end()) {
      return Status::InvalidArgument("unknown column family '" + std::string(cf) + "'");
    }
    return it->second;
  }

  size_t Stripe(std::string_view cf, std::string_view key) const {
    size_t h = std::hash<std::string_view>()(cf) * 0x9e3779b97f4a7c15ULL;
    return (h ^ std::hash<std::string_view>()(key)) % kStripes;
  }
};

RocksStore::RocksStore(std::unique_ptr<State> state) : state_(std::move(state)) {}

RocksStore::~RocksStore() = default;

Result<std::unique_ptr<RocksStore>> RocksStore::Open(
    const std::string& dir, const std::vector<std::string>& column_families,
    const Options& options) {
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  for (const std::string& name : column_families) {
    if (name.empty()) return Status::InvalidArgument("empty column family name");
    if (std::count(column_families.begin(), column_families.end(), name) > 1) {
      return Status::InvalidArgument("duplicate column family '" + name + "'");
    }
    if (name != rocksdb::kDefaultColumnFamilyName) names.push_back(name);
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  if (options.enable_statistics) db_options.statistics = rocksdb::CreateDBStatistics();

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Internal("create " + dir + ": " + ec.message());
  // RocksDB must open every existing column family; add those the caller did not name.
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    std::vector<std::string> existing;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir, &existing);
    if (!s.ok()) return FromRocks(s, "list column families of " + dir);
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }

  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, cf_options);

  auto state = std::make_unique<State>();
  state->statistics = db_options.statistics;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &state->handles, &raw);
  if (!s.ok()) return FromRocks(s, "open " + dir);
  state->db.reset(raw);
  for (rocksdb::ColumnFamilyHandle* h : state->handles) state->by_name[h->GetName()] = h;
  return std::unique_ptr<RocksStore>(new RocksStore(std::move(state)));
}

Result<std::optional<std::string>> RocksStore::Get(std::string_view cf,
                                                   std::string_view key) const {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * h, state_->Find(cf));
  std::string value;
  rocksdb::Status s = state_->db->Get(rocksdb::ReadOptions(), h, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get");
  return std::optional<std::string>(std::move(value));
}

Status RocksStore::Write(const WriteBatch& batch) { return LockedWrite({}, batch); }

Status RocksStore::WriteIf(const std::vector<Expectation>& expectations, const WriteBatch& batch) {
  return LockedWrite(expectations, batch);
}

Status RocksStore::LockedWrite(const std::vector<Expectation>& expectations,
                               const WriteBatch& batch) {
  if (expectations.empty() && batch.empty()) return Status::Ok();

  // Resolve every column family before taking locks or writing anything.
  rocksdb::WriteBatch rocks_batch;
  for (const WriteBatch::Op& op : batch.ops()) {
    ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * h, state_->Find(op.cf));
    rocksdb::Status s = op.kind == WriteBatch::OpKind::kPut
                            ? rocks_batch.Put(h, ToSlice(op.key), ToSlice(op.value))
                            : rocks_batch.Delete(h, ToSlice(op.key));
    if (!s.ok()) return FromRocks(s, "build batch");
  }
  std::vector<rocksdb::ColumnFamilyHandle*> expectation_cfs;
  for (const Expectation& e : expectations) {
    ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * h, state_->Find(e.cf));
    expectation_cfs.push_back(h);
  }

  // Lock the stripes of every touched key in ascending order (deadlock-free).
  std::vector<size_t> stripes;
  stripes.reserve(expectations.size() + batch.size());
  for (const Expectation& e : expectations) stripes.push_back(state_->Stripe(e.cf, e.key));
  for (const WriteBatch::Op& op : batch.ops()) stripes.push_back(state_->Stripe(op.cf, op.key));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t i : stripes) locks.emplace_back(state_->stripes[i]);

  for (size_t i = 0; i < expectations.size(); ++i) {
    const Expectation& e = expectations[i];
    std::string value;
    rocksdb::Status s =
        state_->db->Get(rocksdb::ReadOptions(), expectation_cfs[i], ToSlice(e.key), &value);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "get");
    const bool present = s.ok();
    if (present != e.value.has_value() || (present && value != *e.value)) {
      return Status::Conflict("condition failed for a key in column family '" + e.cf + "'");
    }
  }

  if (batch.empty()) return Status::Ok();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::Status s = state_->db->Write(write_options, &rocks_batch);
  if (!s.ok()) return FromRocks(s, "write");
  batches_written_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Result<std::unique_ptr<Cursor>> RocksStore::NewCursor(std::string_view cf, const Range& range,
                                                      Direction direction) const {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * h, state_->Find(cf));
  if (!range.limit.empty() && range.limit < range.start) {
    return Status::InvalidArgument("scan range limit is below its start");
  }
  return std::unique_ptr<Cursor>(new RocksCursor(state_->db.get(), h, range, direction));
}

std::vector<std::string> RocksStore::ColumnFamilies() const {
  std::vector<std::string> names;
  for (const auto& [name, handle] : state_->by_name) names.push_back(name);
  return names;
}

RocksStore::Stats RocksStore::GetStats() const {
  Stats stats;
  stats.batches_written = batches_written_.load(std::memory_order_relaxed);
  if (state_->statistics) {
    stats.wal_syncs = state_->statistics->getTickerCount(rocksdb::WAL_FILE_SYNCED);
  }
  return stats;
}

}  // namespace kiroku::store
