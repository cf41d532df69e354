// S3 PutObject / GetObject throughput in process, through api::Pipeline::Handle with a streamed
// body exactly as the HTTP server calls it for services::S3Service (routing, SigV4
// verification, authorization, MD5 ETag, per-blob AES-GCM,
// fsynced blob file, fsynced metadata record; GetObject decrypts while the body is drained),
// for 1 KB and 64 MB objects. Only the socket is left out; docs/performance.md measures the
// HTTP path with the aws CLI. Payloads are UNSIGNED-PAYLOAD (what presigned and HTTPS clients
// send); over plain HTTP the CLI also makes the server hash the body with SHA-256.
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>

#include "api/internal_caller.h"
#include "api/pipeline.h"
#include "api/stages.h"
#include "aws/sigv4.h"
#include "common/encoding.h"
#include "s3/data_keys.h"
#include "services/kms/kms_service.h"
#include "services/s3/s3_service.h"
#include "store/rocks_store.h"

namespace kiroku::services {
namespace {

class BufferReader final : public net::BodyReader {
 public:
  explicit BufferReader(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* out, size_t capacity) override {
    size_t n = std::min(capacity, data_.size());
    std::memcpy(out, data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
};

class Fixture {
 public:
  Fixture()
      : dir_(std::filesystem::temp_directory_path() /
             ("kiroku-s3-bench-" + std::to_string(::getpid()))),
        db_(*store::RocksStore::Open((dir_ / "db").string(), {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_),
        sessions_(*db_, master_, clock_),
        keys_(*db_, master_, clock_),
        blobs_(*s3::BlobStore::Open(dir_ / "objects")),
        store_(*db_, *blobs_, clock_),
        sse_s3_(master_),
        caller_(table_, identities_, clock_),
        kms_(keys_, identities_),
        service_(store_, sse_s3_, identities_, caller_, clock_),
        pipeline_(clock_) {
    root_ = identities_.Bootstrap({})->root_key;
    table_.Add(kms_.Operations());
    table_.Add(service_.Operations());
    pipeline_.Add(std::make_unique<api::RouteStage>(std::vector<const api::RestRoute*>{&service_}));
    pipeline_.Add(std::make_unique<api::AuthenticateStage>(identities_, sessions_, clock_));
    pipeline_.Add(std::make_unique<api::DecodeStage>(table_));
    pipeline_.Add(std::make_unique<api::AuthorizeStage>(identities_, clock_));
    pipeline_.Add(std::make_unique<api::DispatchStage>());
    BufferReader empty("");
    net::Response r = Handle(Signed("PUT", "/bench-bucket"), empty);
    if (r.status != 200) std::abort();
  }
  ~Fixture() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  net::Request Signed(const std::string& method, const std::string& path) const {
    net::Request r;
    r.method = method;
    r.target = path;
    std::string date = FormatAmzDate(clock_.Now());
    r.headers = {
        {"Host", "localhost"}, {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}, {"x-amz-date", date}};
    aws::CanonicalInput in;
    in.method = method;
    in.path = path;
    in.headers = r.headers;
    in.signed_headers = {"host", "x-amz-content-sha256", "x-amz-date"};
    in.payload_hash = "UNSIGNED-PAYLOAD";
    in.s3 = true;
    std::string scope = date.substr(0, 8) + "/us-east-1/s3/aws4_request";
    std::string signature =
        aws::Sign(aws::SigningKey(root_.secret_access_key, date.substr(0, 8), "us-east-1", "s3"),
                  aws::StringToSign(date, scope, aws::CanonicalRequest(in)));
    r.headers.push_back(
        {"Authorization", "AWS4-HMAC-SHA256 Credential=" + root_.access_key_id + "/" + scope +
                              ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                              "Signature=" +
                              signature});
    return r;
  }

  net::Response Handle(const net::Request& request, net::BodyReader& body) const {
    return pipeline_.Handle(request, &body);
  }

 private:
  std::filesystem::path dir_;
  SystemClock clock_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  iam::IdentityStore identities_;
  iam::SessionStore sessions_;
  kms::KeyStore keys_;
  std::unique_ptr<s3::BlobStore> blobs_;
  s3::S3Store store_;
  s3::MasterKeyDataKeys sse_s3_;
  api::OperationTable table_;
  api::InternalCaller caller_;
  KmsService kms_;
  S3Service service_;
  api::Pipeline pipeline_;
  iam::RootKeyPair root_;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_PutObject(benchmark::State& state) {
  Fixture& f = Shared();
  std::string body(static_cast<size_t>(state.range(0)), 'b');
  std::string path = "/bench-bucket/put-" + std::to_string(state.range(0)) + "-";
  int64_t i = 0;
  for (auto _ : state) {
    // A new key each time, as CloudTrail writes (replacing a key also removes the old blob).
    BufferReader reader(body);
    net::Response r = f.Handle(f.Signed("PUT", path + std::to_string(i++)), reader);
    if (r.status != 200) state.SkipWithError(r.body.c_str());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PutObject)->Arg(1024)->Arg(64 << 20)->UseRealTime();

void BM_GetObject(benchmark::State& state) {
  Fixture& f = Shared();
  std::string body(static_cast<size_t>(state.range(0)), 'g');
  std::string path = "/bench-bucket/get-" + std::to_string(state.range(0));
  BufferReader reader(body);
  if (f.Handle(f.Signed("PUT", path), reader).status != 200) std::abort();
  std::vector<char> buffer(1 << 20);
  for (auto _ : state) {
    BufferReader none("");
    net::Response r = f.Handle(f.Signed("GET", path), none);
    if (r.status != 200 || !r.stream) {
      state.SkipWithError("GetObject failed");
      break;
    }
    uint64_t total = 0;
    while (true) {
      auto n = r.stream->Read(buffer.data(), buffer.size());
      if (!n.ok() || *n == 0) break;
      total += *n;
    }
    if (total != body.size()) state.SkipWithError("short body");
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetObject)->Arg(1024)->Arg(64 << 20)->UseRealTime();

}  // namespace
}  // namespace kiroku::services

BENCHMARK_MAIN();
