#include "app/serve_command.h"

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>

#include "api/audit_hook.h"
#include "api/frontend.h"
#include "api/pipeline.h"
#include "api/stages.h"
#include "app/background.h"
#include "app/master_key.h"
#include "app/request_router.h"
#include "app/services.h"
#include "app/stores.h"
#include "aws/model.h"
#include "common/logging.h"
#include "console/console.h"
#include "net/server.h"

namespace kiroku::app {
namespace {

namespace fs = std::filesystem;

constexpr uint16_t kDefaultPort = 4747;
constexpr size_t kMaxBodyBytes = 8 * 1024 * 1024;

struct ServeConfig {
  std::string listen = "127.0.0.1:" + std::to_string(kDefaultPort);
  std::string data_dir = "kiroku-data";
  std::string master_key_file;  // default <data-dir>/master.key
  std::string account_id;
  std::string root_access_key_id;
  std::string root_secret_access_key;
  std::string log_level = "info";
  unsigned threads = 0;
  int64_t logs_data_key_cache_seconds =
      300;                                // how long logs uses a data key before asking KMS again
  int64_t trail_s3_interval_ms = 5000;    // how long CloudTrail gathers records into one log file
  int64_t trail_cwl_delay_ms = 200;       // how long CloudTrail batches records for CloudWatch Logs
  int64_t trail_digest_interval_s = 60;   // how often CloudTrail writes digest files (AWS: 1 h)
  int64_t test_clock_offset_seconds = 0;  // env KIROKU_TEST_CLOCK_OFFSET_SECONDS (testing aid)
  net::ServerOptions limits;              // connection and timeout limits (--max-connections...)
};

// The wall clock shifted by a fixed offset: a testing aid that lets end-to-end tests see
// temporary credentials expire without waiting (KIROKU_TEST_CLOCK_OFFSET_SECONDS).
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::chrono::seconds offset) : offset_(offset) {}
  TimePoint Now() const override { return std::chrono::system_clock::now() + offset_; }

 private:
  std::chrono::seconds offset_;
};

Status WritePrivateFile(const fs::path& path, std::string_view contents) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal("cannot write " + tmp.string());
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
    out << contents;
    out.flush();
    if (!out) return Status::Internal("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

Status WriteCredentialsFile(const fs::path& path, const iam::RootKeyPair& key) {
  return WritePrivateFile(path,
                          "# kiroku root credentials (written by `kiroku serve`)\n"
                          "[default]\n"
                          "aws_access_key_id = " +
                              key.access_key_id +
                              "\n"
                              "aws_secret_access_key = " +
                              key.secret_access_key + "\n");
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen wants HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) return Status::InvalidArgument("--listen: bad port in " + listen);
  return std::make_pair(host, static_cast<uint16_t>(port));
}

int Serve(const ServeConfig& config) {
  if (!SetLogLevel(config.log_level)) {
    spdlog::error("unknown --log-level '{}'", config.log_level);
    return 2;
  }
  auto listen = ParseListen(config.listen);
  if (!listen.ok()) {
    spdlog::error("{}", listen.status().message());
    return 2;
  }
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  fs::path data_dir = fs::absolute(config.data_dir);
  if (ec || !fs::is_directory(data_dir)) {
    spdlog::error("cannot create data dir {}: {}", data_dir.string(), ec.message());
    return 1;
  }
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  // Block the stop signals in every thread; this one waits for them after start-up.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  OffsetClock clock(std::chrono::seconds(config.test_clock_offset_seconds));
  if (config.test_clock_offset_seconds != 0) {
    spdlog::warn("testing aid: the clock runs {} s off (KIROKU_TEST_CLOCK_OFFSET_SECONDS)",
                 config.test_clock_offset_seconds);
  }
  // The master key (app/master_key.h): refused when others may read it, or when it is missing
  // while the data dir already holds a store.
  auto master_key = LoadMasterKey(
      config.master_key_file.empty() ? data_dir / "master.key" : fs::path(config.master_key_file),
      StoreExists(data_dir));
  if (!master_key.ok()) {
    spdlog::error("{}", master_key.status().ToString());
    return 1;
  }
  StoresOptions stores_options;
  stores_options.logs_data_key_cache = std::chrono::seconds(config.logs_data_key_cache_seconds);
  auto opened = Stores::Open(data_dir, *master_key, clock, stores_options);
  if (!opened.ok()) {
    spdlog::error("{}", opened.status().ToString());
    return 1;
  }
  Stores& stores = **opened;
  iam::IdentityStore& identities = stores.identities;
  iam::BootstrapOptions bootstrap;
  if (!config.account_id.empty()) bootstrap.account_id = config.account_id;
  if (!config.root_access_key_id.empty() || !config.root_secret_access_key.empty()) {
    bootstrap.root_key = iam::RootKeyPair{config.root_access_key_id, config.root_secret_access_key};
  }
  auto account = identities.Bootstrap(bootstrap);
  if (!account.ok()) {
    spdlog::error("account bootstrap failed: {}", account.status().ToString());
    return 1;
  }
  fs::path credentials_file = data_dir / "credentials";
  if (account->created || !fs::exists(credentials_file)) {
    if (Status s = WriteCredentialsFile(credentials_file, account->root_key); !s.ok()) {
      spdlog::error("{}", s.ToString());
      return 1;
    }
  }

  // The root user's console password exists only as a hash: this file is its one copy.
  fs::path root_password_file = data_dir / "root-console-password";
  if (account->root_console_login) {
    const iam::RootConsoleLogin& login = *account->root_console_login;
    if (Status s = WritePrivateFile(root_password_file,
                                    "# kiroku root user console sign-in (written once by `kiroku "
                                    "serve`; the server keeps only a hash)\n"
                                    "email = " +
                                        login.email + "\npassword = " + login.password + "\n");
        !s.ok()) {
      spdlog::error("{}", s.ToString());
      return 1;
    }
  }

  // The services' operation tables, then the request path through them.
  std::vector<std::unique_ptr<api::Service>> services = MakeServices(stores);
  std::vector<std::string> service_names = AddOperations(services, stores.operations);
  for (const std::string& name : service_names) aws::ServiceModel::Find(name);  // parse once now
  std::vector<const api::RestRoute*> rest_routes = RestRoutes(services);
  api::Pipeline pipeline(clock);
  pipeline.Add(std::make_unique<api::RouteStage>(rest_routes));
  pipeline.Add(std::make_unique<api::AuthenticateStage>(identities, stores.sessions, clock));
  pipeline.Add(std::make_unique<api::DecodeStage>(stores.operations));
  pipeline.Add(std::make_unique<api::AuthorizeStage>(identities, clock));
  pipeline.Add(std::make_unique<api::DispatchStage>());
  pipeline.OnComplete(std::make_unique<api::AuditHook>(stores.recorder, clock));
  api::Frontend frontend(pipeline, clock, {service_names, kMaxBodyBytes, rest_routes});

  BackgroundOptions background_options;
  background_options.trail_s3_interval = std::chrono::milliseconds(config.trail_s3_interval_ms);
  background_options.trail_cwl_delay = std::chrono::milliseconds(config.trail_cwl_delay_ms);
  background_options.trail_digest_interval = std::chrono::seconds(config.trail_digest_interval_s);
  Background background(stores, background_options);

  net::ServerOptions server_options;
  server_options.host = listen->first;
  server_options.port = listen->second;
  server_options.io_threads = config.threads;
  server_options.max_body_bytes = kMaxBodyBytes;
  server_options.max_connections = config.limits.max_connections;
  server_options.max_connections_per_client = config.limits.max_connections_per_client;
  server_options.header_timeout = config.limits.header_timeout;
  server_options.body_idle_timeout = config.limits.body_idle_timeout;
  server_options.min_body_bytes_per_second = config.limits.min_body_bytes_per_second;
  console::ConsoleOptions console_options;
  console_options.hosts = {listen->first};  // the console also answers under the listen host
  console::Console console(identities, stores.sessions, stores.recorder, clock, console_options);
  RequestRouter router(console, frontend);
  net::Server server(server_options, router);
  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }

  std::string host =
      listen->first.find(':') != std::string::npos ? "[" + listen->first + "]" : listen->first;
  std::string endpoint = "http://" + host + ":" + std::to_string(server.port());
  spdlog::info("kiroku {} is serving {} operations", KIROKU_VERSION, stores.operations.size());
  spdlog::info("  endpoint     {}", endpoint);
  spdlog::info("  data dir     {}{}", data_dir.string(), account->created ? " (new account)" : "");
  spdlog::info("  account      {}", account->account_id);
  spdlog::info("  credentials  {} (profile \"default\", root user)", credentials_file.string());
  Result<std::string> root_email = identities.RootEmail();
  spdlog::info("  console      {}/signin/{}/console (root user: {}, password in {})", endpoint,
               account->account_id, root_email.ok() ? *root_email : "?",
               root_password_file.string());
  spdlog::info("  try it:");
  spdlog::info("    export AWS_ENDPOINT_URL={}", endpoint);
  spdlog::info("    export AWS_SHARED_CREDENTIALS_FILE={}", credentials_file.string());
  spdlog::info("    export AWS_DEFAULT_REGION=us-east-1");
  spdlog::info("    aws sts get-caller-identity");
  // A line tests and scripts can wait for.
  spdlog::info("listening on {}", endpoint);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("{} received: finishing in-flight requests",
               signal == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
  spdlog::info("stopped");
  return 0;
}

void FromEnv(std::string& value, const char* name) {
  if (const char* v = std::getenv(name); v != nullptr && value.empty()) value = v;
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& root, int& exit_code) {
  auto config = std::make_shared<ServeConfig>();
  CLI::App* cmd = root.add_subcommand("serve", "Serve the AWS APIs on one port");
  cmd->add_option("--listen", config->listen, "HOST:PORT to listen on")->capture_default_str();
  cmd->add_option("--data-dir", config->data_dir, "Folder for the database, keys and credentials")
      ->capture_default_str();
  cmd->add_option("--master-key-file", config->master_key_file,
                  "32-byte master key wrapping every stored secret (env KIROKU_MASTER_KEY_FILE; "
                  "default <data-dir>/master.key). Created (0600) on first start; must not be "
                  "readable by group or others. Keep it out of the data dir's backups, and back "
                  "it up apart: without it the data cannot be read");
  cmd->add_option("--account-id", config->account_id,
                  "12-digit account id for a new data dir (env KIROKU_ACCOUNT_ID)");
  cmd->add_option("--root-access-key-id", config->root_access_key_id,
                  "Root access key id to accept (env KIROKU_ROOT_ACCESS_KEY_ID)");
  cmd->add_option("--root-secret-access-key", config->root_secret_access_key,
                  "Its secret (env KIROKU_ROOT_SECRET_ACCESS_KEY)");
  cmd->add_option("--log-level", config->log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  cmd->add_option("--threads", config->threads, "I/O threads (default: one per core)");
  cmd->add_option("--logs-data-key-cache-seconds", config->logs_data_key_cache_seconds,
                  "How long CloudWatch Logs uses a decrypted data key before KMS is asked again")
      ->check(CLI::Range(int64_t{0}, int64_t{86400}))
      ->capture_default_str();
  cmd->add_option("--trail-log-file-interval-ms", config->trail_s3_interval_ms,
                  "How long CloudTrail gathers records before writing a log file to S3 "
                  "(AWS: about 5 minutes)")
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}))
      ->capture_default_str();
  cmd->add_option("--trail-cloudwatch-logs-delay-ms", config->trail_cwl_delay_ms,
                  "How long CloudTrail batches records before sending them to CloudWatch Logs")
      ->check(CLI::Range(int64_t{0}, int64_t{600000}))
      ->capture_default_str();
  cmd->add_option("--trail-digest-interval-seconds", config->trail_digest_interval_s,
                  "How often CloudTrail writes a signed digest file per trail and region for "
                  "log file integrity validation (AWS: 3600)")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}))
      ->capture_default_str();
  cmd->add_option("--max-connections", config->limits.max_connections,
                  "Open connections in all; more are closed at accept")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--max-connections-per-client", config->limits.max_connections_per_client,
                  "Open connections from one client address; more are closed at accept")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_option_function<int64_t>(
         "--header-timeout-seconds",
         [config](int64_t s) { config->limits.header_timeout = std::chrono::seconds(s); },
         "Time a request's header block may take from its first byte (then 408) [10]")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}));
  cmd->add_option_function<int64_t>(
         "--body-idle-timeout-seconds",
         [config](int64_t s) { config->limits.body_idle_timeout = std::chrono::seconds(s); },
         "Longest wait for a request body's next bytes, and the grace before the minimum "
         "rate applies (then S3's RequestTimeout) [20]")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}));
  cmd->add_option("--min-body-rate", config->limits.min_body_bytes_per_second,
                  "Slowest request body accepted, in bytes per second of waiting (0: none)")
      ->capture_default_str();
  cmd->footer(
      "Testing aid: the environment variable KIROKU_TEST_CLOCK_OFFSET_SECONDS=<n> makes the\n"
      "server's clock run n seconds ahead (negative: behind), so tests can see temporary\n"
      "credentials expire. Clients must sign with the same shifted time. Never set it in\n"
      "production.");
  cmd->callback([config, &exit_code] {
    ServeConfig c = *config;
    if (const char* offset = std::getenv("KIROKU_TEST_CLOCK_OFFSET_SECONDS");
        offset != nullptr && *offset != '\0') {
      try {
        c.test_clock_offset_seconds = std::stoll(offset);
      } catch (const std::exception&) {
        spdlog::error("KIROKU_TEST_CLOCK_OFFSET_SECONDS must be an integer, not '{}'", offset);
        exit_code = 2;
        return;
      }
    }
    FromEnv(c.master_key_file, "KIROKU_MASTER_KEY_FILE");
    FromEnv(c.account_id, "KIROKU_ACCOUNT_ID");
    FromEnv(c.root_access_key_id, "KIROKU_ROOT_ACCESS_KEY_ID");
    FromEnv(c.root_secret_access_key, "KIROKU_ROOT_SECRET_ACCESS_KEY");
    exit_code = Serve(c);
  });
  return cmd;
}

}  // namespace kiroku::app
