// KMS cryptography in process: Encrypt, Decrypt and GenerateDataKey through kms::KeyStore with
// a real RocksDB store (each call reads the key record and unwraps its material).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "kms/key_store.h"
#include "store/rocks_store.h"

namespace kiroku::kms {
namespace {

class Fixture {
 public:
  Fixture()
      : dir_(std::filesystem::temp_directory_path() /
             ("kiroku-kms-bench-" + std::to_string(::getpid()))),
        db_(*store::RocksStore::Open(dir_.string(), {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        keys_(*db_, master_, clock_) {
    key_id_ = keys_.CreateKey(scope_, {})->key_id;
  }
  ~Fixture() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  KeyStore& keys() { return keys_; }
  const Scope& scope() const { return scope_; }
  const std::string& key_id() const { return key_id_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  SystemClock clock_;
  KeyStore keys_;
  Scope scope_{"111122223333", "ap-northeast-1"};
  std::string key_id_;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

const EncryptionContext kContext = {
    {"aws:logs:arn", "arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/cloudtrail/x"}};

void BM_Encrypt(benchmark::State& state) {
  Fixture& f = Shared();
  std::string plaintext(static_cast<size_t>(state.range(0)), 'p');
  for (auto _ : state) {
    auto blob = f.keys().Encrypt(f.scope(), f.key_id(), plaintext, kContext);
    if (!blob.ok()) state.SkipWithError(blob.status().ToString().c_str());
    benchmark::DoNotOptimize(blob);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Encrypt)->Arg(32)->Arg(4096);

void BM_Decrypt(benchmark::State& state) {
  Fixture& f = Shared();
  std::string blob = *f.keys().Encrypt(
      f.scope(), f.key_id(), std::string(static_cast<size_t>(state.range(0)), 'p'), kContext);
  for (auto _ : state) {
    auto plain = f.keys().Decrypt(f.scope(), blob, kContext, "");
    if (!plain.ok()) state.SkipWithError(plain.status().ToString().c_str());
    benchmark::DoNotOptimize(plain);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decrypt)->Arg(32)->Arg(4096);

void BM_GenerateDataKey(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    auto key = f.keys().GenerateDataKey(f.scope(), f.key_id(), 32, kContext, true);
    if (!key.ok()) state.SkipWithError(key.status().ToString().c_str());
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GenerateDataKey);

}  // namespace
}  // namespace kiroku::kms

BENCHMARK_MAIN();
