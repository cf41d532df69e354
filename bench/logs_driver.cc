// CloudWatch Logs load driver: the same client for kiroku and for moto's server. Every request
// is SigV4-signed afresh (moto ignores the signature), sent over keep-alive connections.
//
//   logs_driver setup  --endpoint H:P --credentials F --group G [--kms-key ARN] --streams N
//   logs_driver ingest --endpoint H:P --credentials F --group G --streams N --connections N
//                      [--seconds S] [--total-mb M] [--batch 10000] [--event-bytes 300]
//   logs_driver filter --endpoint H:P --credentials F --group G --pattern P [--data-bytes B]
//
// ingest: connection i writes batches of --batch JSON events (~--event-bytes each; one event
// in 10,000 has "level":"FATAL") to stream s-<i mod streams>; prints events/s, MB/s, p50/p99.
// filter: pages through FilterLogEvents until no nextToken; prints matches, seconds and, with
// --data-bytes (the event bytes stored), GB/s scanned.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "signed_request.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string mode;
  std::string endpoint = "127.0.0.1:4747";
  std::string credentials;
  kiroku::bench::Credentials keys{"AKIAIOSFODNN7EXAMPLE", "x"};
  std::string region = "us-east-1";
  std::string group = "bench";
  std::string kms_key;
  int streams = 2;
  int connections = 2;
  double seconds = 10;
  double total_mb = 0;
  int batch = 10000;
  int event_bytes = 300;
  std::string pattern;
  double data_bytes = 0;
};

class Connection {
 public:
  explicit Connection(const Options& o) : o_(o), stream_(ioc_) { Connect(); }

  void Connect() {
    auto colon = o_.endpoint.rfind(':');
    asio::ip::tcp::resolver resolver(ioc_);
    stream_.connect(resolver.resolve(o_.endpoint.substr(0, colon), o_.endpoint.substr(colon + 1)));
    open_ = true;
  }

  // Sends one awsJson 1.1 Logs_20140328.<operation>; returns (status, body).
  std::pair<int, std::string> Call(const std::string& operation, const std::string& body) {
    auto req = kiroku::bench::SignedPost(o_.keys, o_.endpoint, o_.region, "logs",
                                         {{"Content-Type", "application/x-amz-json-1.1"},
                                          {"X-Amz-Target", "Logs_20140328." + operation}},
                                         body);
    if (!open_) Connect();  // the server closed the previous one (moto's server does)
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ULL << 30);
    http::read(stream_, buffer_, parser);
    if (!parser.get().keep_alive()) {
      beast::error_code ec;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      stream_.close();
      buffer_.clear();
      open_ = false;
    }
    return {parser.get().result_int(), parser.get().body()};
  }

 private:
  const Options& o_;
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool open_ = false;
};

std::string Quote(const std::string& s) { return json::serialize(json::value(s)); }

// One ~event_bytes JSON event; `fatal` marks the selective ones.
std::string EventMessage(std::mt19937_64& rng, int event_bytes, bool fatal) {
  char head[256];
  if (event_bytes < 160) {  // a compact event for small sizes
    std::snprintf(head, sizeof head, "{\"level\":\"%s\",\"id\":\"%08llx\",\"status\":%d,\"msg\":\"",
                  fatal ? "FATAL" : "INFO", static_cast<unsigned long long>(rng() & 0xFFFFFFFF),
                  fatal ? 503 : 200);
  } else {
    std::snprintf(head, sizeof head,
                  "{\"eventVersion\":\"1.08\",\"requestId\":\"%016llx\",\"level\":\"%s\","
                  "\"user\":\"user-%03d\",\"path\":\"/api/v1/items/%05d\",\"status\":%d,"
                  "\"latencyMs\":%d,\"msg\":\"",
                  static_cast<unsigned long long>(rng()), fatal ? "FATAL" : "INFO",
                  static_cast<int>(rng() % 1000), static_cast<int>(rng() % 100000),
                  fatal ? 503 : 200, static_cast<int>(rng() % 2000));
  }
  std::string m(head);
  static const char kWords[] = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do ";
  while (static_cast<int>(m.size()) < event_bytes - 2)
    m.push_back(kWords[m.size() % (sizeof kWords - 1)]);
  m += "\"}";
  return m;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int Setup(const Options& o) {
  Connection c(o);
  std::string body = "{\"logGroupName\":" + Quote(o.group);
  if (!o.kms_key.empty()) body += ",\"kmsKeyId\":" + Quote(o.kms_key);
  body += "}";
  auto [status, out] = c.Call("CreateLogGroup", body);
  if (status != 200) {
    std::cerr << "CreateLogGroup: " << status << " " << out << "\n";
    return 1;
  }
  for (int i = 0; i < o.streams; ++i) {
    auto [s, b] =
        c.Call("CreateLogStream", "{\"logGroupName\":" + Quote(o.group) +
                                      ",\"logStreamName\":\"s-" + std::to_string(i) + "\"}");
    if (s != 200) {
      std::cerr << "CreateLogStream: " << s << " " << b << "\n";
      return 1;
    }
  }
  return 0;
}

int Ingest(const Options& o) {
  // The bodies are built before the clock starts (the client's JSON encoding is not what is
  // measured): four per connection, reused in turn; timestamps are the driver's start time,
  // well inside the accepted window.
  int64_t ts = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  std::vector<std::vector<std::pair<std::string, long>>> bodies(o.connections);
  for (int i = 0; i < o.connections; ++i) {
    std::mt19937_64 rng(i + 1);
    std::string prefix = "{\"logGroupName\":" + Quote(o.group) + ",\"logStreamName\":\"s-" +
                         std::to_string(i % o.streams) + "\",\"logEvents\":[";
    long n = 0;
    for (int variant = 0; variant < 4; ++variant) {
      std::string body = prefix;
      body.reserve(static_cast<size_t>(o.batch) * (o.event_bytes + 60));
      long batch_bytes = 0;
      for (int k = 0; k < o.batch; ++k, ++n) {
        std::string m = EventMessage(rng, o.event_bytes, n % 10000 == 4242);
        batch_bytes += static_cast<long>(m.size());
        if (k) body.push_back(',');
        body += "{\"timestamp\":" + std::to_string(ts) + ",\"message\":" + Quote(m) + "}";
      }
      body += "]}";
      bodies[i].emplace_back(std::move(body), batch_bytes);
    }
  }
  std::atomic<long> events{0}, bytes{0}, errors{0};
  double budget = o.total_mb * 1e6;
  std::mutex mu;
  std::vector<double> latencies_ms;
  auto start = SteadyClock::now();
  auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back([&, i] {
      Connection c(o);
      std::vector<double> mine;
      for (size_t round = 0;
           SteadyClock::now() < deadline && (budget <= 0 || bytes.load() < budget); ++round) {
        const auto& [body, batch_bytes] = bodies[i][round % bodies[i].size()];
        auto t0 = SteadyClock::now();
        auto [status, out] = c.Call("PutLogEvents", body);
        mine.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (status != 200) {
          if (errors++ < 3)
            std::cerr << "PutLogEvents: " << status << " " << out.substr(0, 300) << "\n";
          continue;
        }
        events += o.batch;
        bytes += batch_bytes;
      }
      std::lock_guard lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::printf(
      "mode=ingest connections=%d batch=%d requests=%zu errors=%ld events=%ld "
      "event_bytes=%ld seconds=%.2f events_per_second=%.0f mb_per_second=%.1f "
      "p50_ms=%.1f p99_ms=%.1f\n",
      o.connections, o.batch, latencies_ms.size(), errors.load(), events.load(), bytes.load(),
      elapsed, events / elapsed, bytes / elapsed / 1e6, Percentile(latencies_ms, 0.5),
      Percentile(latencies_ms, 0.99));
  return errors == 0 ? 0 : 1;
}

int Filter(const Options& o) {
  Connection c(o);
  std::string token;
  long matches = 0, pages = 0;
  auto start = SteadyClock::now();
  while (true) {
    json::object in{{"logGroupName", o.group}, {"filterPattern", o.pattern}};
    if (!token.empty()) in["nextToken"] = token;
    auto [status, out] = c.Call("FilterLogEvents", json::serialize(in));
    if (status != 200) {
      std::cerr << "FilterLogEvents: " << status << " " << out.substr(0, 300) << "\n";
      return 1;
    }
    ++pages;
    json::value v = json::parse(out);
    matches += static_cast<long>(v.at("events").as_array().size());
    const json::value* next = v.as_object().if_contains("nextToken");
    if (next == nullptr || !next->is_string() || next->as_string().empty()) break;
    token = std::string(next->as_string());
  }
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::printf(
      "mode=filter pattern=%s pages=%ld matches=%ld seconds=%.3f data_bytes=%.0f "
      "gb_per_second=%.3f\n",
      o.pattern.c_str(), pages, matches, elapsed, o.data_bytes,
      o.data_bytes > 0 ? o.data_bytes / elapsed / 1e9 : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"CloudWatch Logs load driver (kiroku or moto)"};
  app.add_option("mode", o.mode, "setup | ingest | filter")->required();
  app.add_option("--endpoint", o.endpoint, "HOST:PORT");
  app.add_option("--credentials", o.credentials, "credentials file (kiroku); moto needs none");
  app.add_option("--region", o.region);
  app.add_option("--group", o.group);
  app.add_option("--kms-key", o.kms_key, "setup: the group's KMS key");
  app.add_option("--streams", o.streams);
  app.add_option("--connections", o.connections);
  app.add_option("--seconds", o.seconds, "ingest: run at most this long");
  app.add_option("--total-mb", o.total_mb, "ingest: stop after this many MB of event text");
  app.add_option("--batch", o.batch, "events per PutLogEvents");
  app.add_option("--event-bytes", o.event_bytes, "bytes per event");
  app.add_option("--pattern", o.pattern, "filter: the filter pattern");
  app.add_option("--data-bytes", o.data_bytes, "filter: event bytes stored (for GB/s)");
  CLI11_PARSE(app, argc, argv);
  if (!o.credentials.empty()) kiroku::bench::ReadCredentialsFile(o.credentials, o.keys);
  try {
    if (o.mode == "setup") return Setup(o);
    if (o.mode == "ingest") return Ingest(o);
    if (o.mode == "filter") return Filter(o);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "unknown mode " << o.mode << "\n";
  return 2;
}
