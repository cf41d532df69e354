// Storage and encryption hot paths: durable (fsynced) writes from 1..16 concurrent writers,
// which shows RocksDB's group commit (writes_per_fsync), point reads, and AES-GCM throughput.
// Results: docs/performance.md, "Storage and encryption".
//
// The database lives in $KIROKU_BENCH_DIR (default /tmp); measure on the disk you deploy on.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/check.h"
#include "crypto/aead.h"
#include "crypto/password.h"
#include "store/keys.h"
#include "store/rocks_store.h"

namespace kiroku {
namespace {

// One database shared by every benchmark and thread, removed at exit.
class BenchDb {
 public:
  BenchDb() {
    const char* base = std::getenv("KIROKU_BENCH_DIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/kiroku-bench-XXXXXX";
    KIROKU_CHECK(::mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    store::RocksStore::Options options;
    options.enable_statistics = true;
    auto db = store::RocksStore::Open(dir_, {"events", "meta"}, options);
    KIROKU_CHECK(db.ok());
    db_ = std::move(db).value();
  }
  ~BenchDb() {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  store::RocksStore& db() { return *db_; }

 private:
  std::string dir_;
  std::unique_ptr<store::RocksStore> db_;
};

BenchDb& Db() {
  static BenchDb* db = new BenchDb();  // deleted by the atexit hook below
  static const bool registered = [] { return std::atexit([] { delete db; }) == 0; }();
  (void)registered;
  return *db;
}

std::atomic<uint64_t> next_key{0};

// Each iteration is one acknowledged, fsynced single-record batch (256-byte value).
void BM_SyncWrite(benchmark::State& state) {
  store::RocksStore& db = Db().db();
  const std::string value(256, 'v');
  store::RocksStore::Stats before;
  if (state.thread_index() == 0) before = db.GetStats();
  for (auto _ : state) {
    std::string key = store::KeyBuilder().U64(next_key.fetch_add(1)).Build();
    Status s = db.Put("events", key, value);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    store::RocksStore::Stats after = db.GetStats();
    const double syncs = static_cast<double>(after.wal_syncs - before.wal_syncs);
    const double writes = static_cast<double>(after.batches_written - before.batches_written);
    state.counters["fsyncs"] = syncs;
    state.counters["writes_per_fsync"] = syncs > 0 ? writes / syncs : 0;
  }
}
BENCHMARK(BM_SyncWrite)->Threads(1)->Threads(4)->Threads(16)->UseRealTime()->MinTime(2.0);

// Conditional write (read, compare, fsynced write) on distinct keys.
void BM_CompareAndSet(benchmark::State& state) {
  store::RocksStore& db = Db().db();
  for (auto _ : state) {
    std::string key = store::KeyBuilder().Tag('c').U64(next_key.fetch_add(1)).Build();
    Status s = db.CompareAndSet("meta", key, std::nullopt, "v");
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompareAndSet)->Threads(1)->Threads(16)->UseRealTime()->MinTime(2.0);

void BM_Get(benchmark::State& state) {
  store::RocksStore& db = Db().db();
  for (uint64_t i = 0; i < 1000; ++i) {
    KIROKU_CHECK(db.Put("meta", store::KeyBuilder().Tag('g').U64(i).Build(), "value").ok());
  }
  uint64_t i = 0;
  for (auto _ : state) {
    auto v = db.Get("meta", store::KeyBuilder().Tag('g').U64(i++ % 1000).Build());
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get);

// Ordered scan of one 1,000-key prefix (one stream's events), 200-byte values.
void BM_PrefixScan(benchmark::State& state) {
  store::RocksStore& db = Db().db();
  const std::string prefix = store::KeyBuilder().Tag('s').String("group").String("stream").Build();
  store::WriteBatch batch;
  for (uint64_t i = 0; i < 1000; ++i) {
    batch.Put("events", store::KeyBuilder(prefix).I64(static_cast<int64_t>(i)).Build(),
              std::string(200, 'e'));
  }
  KIROKU_CHECK(db.Write(batch).ok());
  for (auto _ : state) {
    size_t n = 0;
    Status s = db.Scan("events", store::Range::Prefix(prefix),
                       [&](std::string_view, std::string_view value) {
                         n += value.size() > 0;
                         return true;
                       });
    KIROKU_CHECK(s.ok() && n == 1000);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PrefixScan);

void BM_AeadSeal(benchmark::State& state) {
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kAes256KeyBytes);
  const std::string plaintext(static_cast<size_t>(state.range(0)), 'p');
  for (auto _ : state) {
    auto sealed =
        crypto::AeadSeal(key, plaintext, "arn:aws:logs:us-east-1:000000000000:log-group:g");
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AeadSeal)->Arg(256)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);

void BM_AeadOpen(benchmark::State& state) {
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kAes256KeyBytes);
  auto sealed = crypto::AeadSeal(key, std::string(static_cast<size_t>(state.range(0)), 'p'), "aad");
  KIROKU_CHECK(sealed.ok());
  for (auto _ : state) {
    auto opened = crypto::AeadOpen(key, *sealed, "aad");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AeadOpen)->Arg(256)->Arg(64 << 10);

// One password hash with the default scrypt parameters (the console sign-in cost).
void BM_HashPasswordDefault(benchmark::State& state) {
  for (auto _ : state) {
    auto stored = crypto::HashPassword("correct horse battery staple");
    benchmark::DoNotOptimize(stored);
  }
}
BENCHMARK(BM_HashPasswordDefault)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace
}  // namespace kiroku

BENCHMARK_MAIN();
