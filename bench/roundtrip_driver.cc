// Round-trip load driver: N keep-alive connections each send signed requests to a running
// `kiroku serve` for a bounded time, then report requests/s and latency percentiles. Every
// request is signed afresh, as an SDK would. Operations: STS GetCallerIdentity (awsQuery), or
// KMS Encrypt / GenerateDataKey with an encryption context (awsJson) under --kms-key.
//
//   roundtrip_driver --endpoint 127.0.0.1:4747 --credentials DATA/credentials
//                    --connections 4 --seconds 10 [--operation kms-encrypt --kms-key KEY_ID]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "signed_request.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string endpoint = "127.0.0.1:4747";
  std::string credentials;
  kiroku::bench::Credentials keys;
  std::string operation = "sts";  // sts | kms-encrypt | kms-generate-data-key
  std::string kms_key;
  int connections = 4;
  double seconds = 10;
  long max_requests = 10'000'000;
};

struct Worker {
  std::vector<double> latencies_us;
  long errors = 0;
};

http::request<http::string_body> SignedCall(const Options& o, const std::string& host) {
  const std::string context =
      R"("EncryptionContext":{"aws:logs:arn":"arn:aws:logs:us-east-1:111122223333:log-group:g"})";
  if (o.operation == "sts") {
    return kiroku::bench::SignedPost(
        o.keys, host, "us-east-1", "sts",
        {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        "Action=GetCallerIdentity&Version=2011-06-15");
  }
  bool encrypt = o.operation == "kms-encrypt";
  std::string body =
      encrypt ? R"({"KeyId":")" + o.kms_key + R"(","Plaintext":"aGVsbG8ga2lyb2t1",)" + context + "}"
              : R"({"KeyId":")" + o.kms_key + R"(","KeySpec":"AES_256",)" + context + "}";
  return kiroku::bench::SignedPost(
      o.keys, host, "us-east-1", "kms",
      {{"Content-Type", "application/x-amz-json-1.1"},
       {"X-Amz-Target", encrypt ? "TrentService.Encrypt" : "TrentService.GenerateDataKey"}},
      body);
}

void Run(const Options& o, Worker& w, Clock::time_point deadline, std::atomic<long>& budget) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  auto colon = o.endpoint.rfind(':');
  asio::ip::tcp::resolver resolver(ioc);
  stream.connect(resolver.resolve(o.endpoint.substr(0, colon), o.endpoint.substr(colon + 1)));
  beast::flat_buffer buffer;
  while (Clock::now() < deadline && budget.fetch_sub(1) > 0) {
    auto req = SignedCall(o, o.endpoint);
    auto start = Clock::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    w.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (res.result_int() != 200) ++w.errors;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"kiroku round-trip load driver (GetCallerIdentity over keep-alive)"};
  app.add_option("--endpoint", o.endpoint, "HOST:PORT of a running kiroku serve");
  app.add_option("--credentials", o.credentials, "credentials file written by kiroku serve")
      ->required();
  app.add_option("--connections", o.connections, "concurrent keep-alive connections");
  app.add_option("--seconds", o.seconds, "how long to run (bounded)");
  app.add_option("--max-requests", o.max_requests, "stop after this many requests");
  app.add_option("--operation", o.operation, "sts | kms-encrypt | kms-generate-data-key");
  app.add_option("--kms-key", o.kms_key, "key id for the kms operations (region us-east-1)");
  CLI11_PARSE(app, argc, argv);
  kiroku::bench::ReadCredentialsFile(o.credentials, o.keys);
  if (o.keys.access_key_id.empty()) {
    std::cerr << "no aws_access_key_id in " << o.credentials << "\n";
    return 2;
  }
  std::vector<Worker> workers(o.connections);
  std::vector<std::thread> threads;
  std::atomic<long> budget{o.max_requests};
  auto start = Clock::now();
  auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back([&, i] { Run(o, workers[i], deadline, budget); });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  long errors = 0;
  for (auto& w : workers) {
    all.insert(all.end(), w.latencies_us.begin(), w.latencies_us.end());
    errors += w.errors;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "operation=%s connections=%d requests=%zu errors=%ld seconds=%.2f requests_per_second=%.0f "
      "p50_us=%.0f p99_us=%.0f max_us=%.0f\n",
      o.operation.c_str(), o.connections, all.size(), errors, elapsed, all.size() / elapsed,
      pct(0.50), pct(0.99), all.empty() ? 0.0 : all.back());
  return errors == 0 ? 0 : 1;
}
