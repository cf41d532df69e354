// CloudTrail recording cost: what the request path pays per call (building the record from the
// request context, handing it to the Recorder), and what recording costs in the background
// (history entry + one queue entry per logging trail and destination, fsynced in batches).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "api/audit_hook.h"
#include "aws/model.h"
#include "store/rocks_store.h"
#include "trail/recorder.h"

namespace kiroku {
namespace {

struct Fixture {
  explicit Fixture(int trails)
      : dir(std::filesystem::temp_directory_path() /
            std::filesystem::path("kiroku-trail-bench").concat(std::to_string(::getpid()))),
        db(*store::RocksStore::Open(dir.string(), {"meta", "history", "queue"})),
        history(*db, clock),
        trail_store(*db),
        queue(*db, trail_store, clock) {
    for (int i = 0; i < trails; ++i) {
      trail::TrailConfig t;
      t.account_id = "111122223333";
      t.name = std::to_string(i);
      t.name.insert(0, "trail-");
      t.home_region = "ap-northeast-1";
      t.multi_region = true;
      t.s3_bucket = "bucket";
      t.cloudwatch_logs_log_group_arn = "arn:aws:logs:ap-northeast-1:111122223333:log-group:g";
      (void)trail_store.Create(t);
      (void)trail_store.UpdateStatus(t, [](trail::TrailStatus& s) { s.is_logging = true; });
    }
    recorder = std::make_unique<trail::Recorder>(*db, history, &queue);
  }
  ~Fixture() {
    recorder.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }

  std::filesystem::path dir;
  SystemClock clock;
  std::unique_ptr<store::RocksStore> db;
  trail::EventHistory history;
  trail::TrailStore trail_store;
  trail::DeliveryQueue queue;
  std::unique_ptr<trail::Recorder> recorder;
};

// A context like the pipeline leaves after a successful kms:DescribeKey.
struct Call {
  Call() : ctx(http) {
    http.method = "POST";
    http.target = "/";
    http.remote_address = "127.0.0.1";
    http.headers = {{"Host", "127.0.0.1:4747"},
                    {"User-Agent", "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1"},
                    {"X-Amz-Target", "TrentService.DescribeKey"}};
    ctx.route.model = aws::ServiceModel::Find("kms");
    ctx.route.operation_name = "DescribeKey";
    ctx.request_id = "4f0c7f4e-5b8a-4c1e-9d6b-0a1b2c3d4e5f";
    ctx.region = "ap-northeast-1";
    ctx.account = "111122223333";
    ctx.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    ctx.principal.type = policy::PrincipalType::kUser;
    ctx.principal.arn = "arn:aws:iam::111122223333:user/alice";
    ctx.principal.account = "111122223333";
    ctx.principal.user_name = "alice";
    ctx.principal.user_id = "AIDAEXAMPLEUSERID0001";
    ctx.input = {{"KeyId", "1234abcd-12ab-34cd-56ef-1234567890ab"}};
    ctx.resources = {
        "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"};
    ctx.output = boost::json::object{{"KeyMetadata", boost::json::object{{"KeyId", "x"}}}};
  }
  net::Request http;
  api::RequestContext ctx;
};

void BM_BuildRecord(benchmark::State& state) {
  Call call;
  SystemClock clock;
  for (auto _ : state) {
    benchmark::DoNotOptimize(api::BuildRecord(call.ctx, Status::Ok(), clock.Now()));
  }
}
BENCHMARK(BM_BuildRecord);

// Recording as the request path sees it (build + Record), sustained: the background writer
// persists everything (fsynced), so the rate is what recording can absorb per second.
void BM_RecordSustained(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  Call call;
  for (auto _ : state) {
    f.recorder->Record(api::BuildRecord(call.ctx, Status::Ok(), f.clock.Now()));
  }
  f.recorder->Flush();
  state.SetItemsProcessed(state.iterations());
  state.counters["trails"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_RecordSustained)->Arg(0)->Arg(1)->Arg(5)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace kiroku

BENCHMARK_MAIN();
