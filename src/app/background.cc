#include "app/background.h"

#include "common/logging.h"

namespace kiroku::app {
namespace {

// KMS upkeep: erases keys whose deletion window has passed and performs due rotations.
PeriodicTasks::Task KmsUpkeep(kms::KeyStore& keys) {
  return [&keys] {
    if (auto purged = keys.PurgeDeletedKeys(); !purged.ok()) {
      spdlog::warn("key deletion sweep failed: {}", purged.status().ToString());
    } else if (*purged > 0) {
      spdlog::info("deleted {} KMS key(s) whose deletion window had passed", *purged);
    }
    if (Status s = keys.RotateDueKeys(); !s.ok()) {
      spdlog::warn("key rotation sweep failed: {}", s.ToString());
    }
  };
}

// CloudTrail upkeep: event history older than 90 days goes, checked hourly.
PeriodicTasks::Task HistoryUpkeep(trail::EventHistory& history, const Clock& clock) {
  return [&history, &clock, last = TimePoint()]() mutable {
    if (clock.Now() - last < std::chrono::hours(1)) return;
    last = clock.Now();
    if (auto purged = history.PurgeExpired(); !purged.ok()) {
      spdlog::warn("event history sweep failed: {}", purged.status().ToString());
    }
  };
}

trail::DeliveryOptions DeliveryOptionsOf(const BackgroundOptions& options) {
  trail::DeliveryOptions out;
  out.s3_interval = options.trail_s3_interval;
  out.cloudwatch_logs_delay = options.trail_cwl_delay;
  return out;
}

trail::DigestOptions DigestOptionsOf(const BackgroundOptions& options) {
  trail::DigestOptions out;
  out.interval = options.trail_digest_interval;
  return out;
}

}  // namespace

PeriodicTasks::PeriodicTasks(std::vector<Task> tasks, std::chrono::seconds period)
    : tasks_(std::move(tasks)), period_(period), thread_([this] { Run(); }) {}

PeriodicTasks::~PeriodicTasks() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  thread_.join();
}

void PeriodicTasks::Run() {
  MutexLock lock(mu_);
  while (!stop_) {
    lock.Unlock();
    for (const Task& task : tasks_) task();
    lock.Lock();
    auto deadline = std::chrono::steady_clock::now() + period_;
    while (!stop_ && cv_.WaitUntil(mu_, deadline)) {
    }
  }
}

Background::Background(Stores& stores, const BackgroundOptions& options)
    : upkeep_({KmsUpkeep(stores.keys), HistoryUpkeep(stores.history, stores.clock)},
              options.upkeep_period),
      logs_(stores.logs, options.upkeep_period),
      trail_s3_sink_(stores.caller),
      trail_cwl_sink_(stores.caller, stores.identities, stores.sessions, &stores.recorder,
                      stores.clock),
      digest_writer_(stores.trails, stores.db, stores.trail_signing_keys, trail_s3_sink_,
                     stores.clock, DigestOptionsOf(options)),
      deliverer_(stores.trails, stores.delivery_queue, trail_s3_sink_, trail_cwl_sink_,
                 stores.clock, DeliveryOptionsOf(options)) {
  deliverer_.SetObserver(&digest_writer_);
  deliverer_.Start();
  digest_writer_.Start();
}

Background::~Background() = default;

}  // namespace kiroku::app
