// The CloudWatch Logs engine in process (no HTTP): PutLogEvents (validate, seal one chunk:
// zstd + AES-256-GCM, one fsynced RocksDB write) and FilterLogEvents over stored chunks
// (index walk, decrypt, decompress, bulk pattern scan). Data keys are service-owned-style keys
// wrapped locally, so no KMS call is measured.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "crypto/aead.h"
#include "logs/log_store.h"
#include "store/rocks_store.h"

namespace kiroku::logs {
namespace {

class LocalKeys final : public DataKeys {
 public:
  Result<GeneratedDataKey> Generate(const KeyRef& ref) override {
    GeneratedDataKey k;
    k.plaintext = crypto::SecretBytes::Random(32);
    ASSIGN_OR_RETURN(k.wrapped, crypto::WrapKey(master_, k.plaintext, ref.group_arn));
    return k;
  }
  Result<crypto::SecretBytes> Decrypt(const KeyRef& ref, std::string_view wrapped) override {
    return crypto::UnwrapKey(master_, wrapped, ref.group_arn);
  }

 private:
  crypto::SecretBytes master_ = crypto::SecretBytes::Random(32);
};

std::string Message(std::mt19937_64& rng, bool fatal) {
  char head[256];
  std::snprintf(head, sizeof head,
                "{\"eventVersion\":\"1.08\",\"requestId\":\"%016llx\",\"level\":\"%s\","
                "\"user\":\"user-%03d\",\"path\":\"/api/v1/items/%05d\",\"status\":%d,\"msg\":\"",
                static_cast<unsigned long long>(rng()), fatal ? "FATAL" : "INFO",
                static_cast<int>(rng() % 1000), static_cast<int>(rng() % 100000),
                fatal ? 503 : 200);
  std::string m(head);
  static const char kWords[] = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do ";
  while (m.size() < 298) m.push_back(kWords[m.size() % (sizeof kWords - 1)]);
  return m + "\"}";
}

struct Fixture {
  explicit Fixture(const std::string& name)
      : dir(std::filesystem::temp_directory_path() / ("kiroku-logs-bench-" + name)) {
    std::filesystem::remove_all(dir);
    db = *store::RocksStore::Open(dir.string(), {"meta", "events"});
    logs = std::make_unique<LogStore>(*db, clock, keys);
    (void)logs->CreateLogGroup(scope, "g", "", {}, "");
    (void)logs->CreateLogStream(scope, "g", "s");
    std::mt19937_64 rng(1);
    for (int i = 0; i < 3200; ++i) messages.push_back(Message(rng, i % 10000 == 4242));
  }
  ~Fixture() {
    logs.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::vector<InputEvent> Batch() const {
    std::vector<InputEvent> events;
    int64_t now = clock.NowMillis();
    for (const std::string& m : messages) events.push_back({now, m});
    return events;
  }

  std::filesystem::path dir;
  SystemClock clock;
  LocalKeys keys;
  std::unique_ptr<store::RocksStore> db;
  std::unique_ptr<LogStore> logs;
  Scope scope{"111122223333", "us-east-1"};
  std::vector<std::string> messages;
};

// One 1 MB batch (3,200 events of ~300 bytes) per iteration, fsynced.
void BM_PutLogEvents(benchmark::State& state) {
  Fixture f("put");
  std::vector<InputEvent> batch = f.Batch();
  int64_t bytes = 0;
  for (const auto& e : batch) bytes += static_cast<int64_t>(e.message.size());
  for (auto _ : state) {
    auto r = f.logs->PutLogEvents(f.scope, "g", "s", batch);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_PutLogEvents)->Unit(benchmark::kMillisecond)->UseRealTime();

// FilterLogEvents with a selective JSON pattern over state.range(0) MB of stored events.
void BM_FilterLogEvents(benchmark::State& state) {
  Fixture f("filter");
  std::vector<InputEvent> batch = f.Batch();
  int64_t per_batch = 0;
  for (const auto& e : batch) per_batch += static_cast<int64_t>(e.message.size());
  int64_t stored = 0;
  while (stored < state.range(0) * 1000000) {
    if (!f.logs->PutLogEvents(f.scope, "g", "s", batch).ok()) state.SkipWithError("put failed");
    stored += per_batch;
  }
  FilterQuery q;
  q.pattern = "{ $.level = \"FATAL\" }";
  for (auto _ : state) {
    auto r = f.logs->FilterLogEvents(f.scope, "g", q);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * stored);
}
BENCHMARK(BM_FilterLogEvents)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace kiroku::logs

BENCHMARK_MAIN();
